// A matcher worker thread: compiles the rules once, then matches batches of files or byte buffers.
import { parentPort, workerData } from 'node:worker_threads';
import { FindingContext, type FindingContextOptions } from './findings.js';
import { processItem, unpackBatch, type PackedBatch, type WorkItem } from './work.js';

const ctx = new FindingContext(workerData as FindingContextOptions);

parentPort!.on('message', (msg: { id: number; items: WorkItem[] | PackedBatch }) => {
  const items = Array.isArray(msg.items) ? msg.items : unpackBatch(msg.items);
  const results = items.map((item) => processItem(ctx, item, true));
  parentPort!.postMessage({ id: msg.id, results });
});
