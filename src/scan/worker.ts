// A matcher worker thread: compiles the rules once, then matches batches of files or byte buffers.
import { parentPort, workerData } from 'node:worker_threads';
import { FindingContext, type FindingContextOptions } from './findings.js';
import type { ArchiveLimits } from '../sources/index.js';
import { processItem, unpackBatch, type PackedBatch, type WorkItem, type WorkResult } from './work.js';

/** See MatcherPool: the matching options, and the archive limits when archives are opened. */
export interface WorkerSettings {
  options: FindingContextOptions;
  archives?: ArchiveLimits;
}

const { options, archives } = workerData as WorkerSettings;
const ctx = new FindingContext(options);

parentPort!.on('message', (msg: { id: number; items: WorkItem[] | PackedBatch }) => {
  const items = Array.isArray(msg.items) ? msg.items : unpackBatch(msg.items);
  const results = items.map((item) => processItem(ctx, item, true, archives));
  // Archives are read asynchronously; a batch without one is answered at once, as it always was.
  if (!results.some((r) => r instanceof Promise)) parentPort!.postMessage({ id: msg.id, results });
  else void Promise.all(results).then((done: WorkResult[]) => parentPort!.postMessage({ id: msg.id, results: done }));
});
