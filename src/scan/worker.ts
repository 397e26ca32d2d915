// A matcher worker thread: compiles the rules once, then matches batches of files or byte buffers.
import { parentPort, workerData } from 'node:worker_threads';
import { FindingContext, type FindingContextOptions } from './findings.js';
import { processItem, type WorkItem } from './work.js';

const ctx = new FindingContext(workerData as FindingContextOptions);

parentPort!.on('message', (msg: { id: number; items: WorkItem[] }) => {
  const results = msg.items.map((item) => processItem(ctx, item));
  parentPort!.postMessage({ id: msg.id, results });
});
