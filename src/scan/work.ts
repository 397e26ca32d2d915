// Work items shared by the inline path and the worker threads.
import { readFileEntrySync } from '../sources/index.js';
import type { ContentResult, FindingContext } from './findings.js';

export type WorkItem =
  | { kind: 'file'; absPath: string; relPath: string; maxSize: number; explicit?: boolean }
  | { kind: 'bytes'; bytes: Uint8Array; relPath: string };

/**
 * Many byte buffers sent to a worker as ONE block, transferred or shared (item i is bytes ends[i-1]..ends[i]):
 * structured-cloning one view per item costs microseconds each, which adds up over a history's blobs.
 */
export interface PackedBatch {
  buffer: ArrayBuffer | SharedArrayBuffer;
  ends: number[];
  relPaths: string[];
}

export function unpackBatch(b: PackedBatch): WorkItem[] {
  return b.relPaths.map((relPath, i) => ({ kind: 'bytes', bytes: new Uint8Array(b.buffer, i ? b.ends[i - 1] : 0, b.ends[i] - (i ? b.ends[i - 1] : 0)), relPath }));
}

export interface WorkResult extends ContentResult {
  bytes: number;
}

export function processItem(ctx: FindingContext, item: WorkItem): WorkResult {
  let raw: Buffer;
  if (item.kind === 'file') {
    const read = readFileEntrySync(item.absPath, item.maxSize, { explicit: item.explicit });
    if (!Buffer.isBuffer(read)) return { findings: [], skipped: read.error, bytes: 0 };
    raw = read;
  } else {
    raw = Buffer.from(item.bytes.buffer, item.bytes.byteOffset, item.bytes.byteLength);
  }
  try {
    return { ...ctx.scan(raw, item.relPath), bytes: raw.length };
  } catch (err) {
    // One bad input must not lose the rest of the scan.
    return { findings: [], skipped: `scan failed (${(err as Error).message})`, bytes: raw.length };
  }
}
