// Work items shared by the inline path and the worker threads.
import { readFileEntrySync } from '../sources/index.js';
import { chunkCount, type ChunkSpec } from '../match/index.js';
import type { ContentResult, FindingContext } from './findings.js';

/** `chunk`: one part of a large content, the rest sent to other threads (see src/match/chunks.ts). */
export type WorkItem =
  | { kind: 'file'; absPath: string; relPath: string; maxSize: number; chunk?: ChunkSpec }
  | { kind: 'bytes'; bytes: Uint8Array; relPath: string; chunk?: ChunkSpec };

/**
 * Many byte buffers sent to a worker as ONE block, transferred or shared (item i is bytes ends[i-1]..ends[i]):
 * structured-cloning one view per item costs microseconds each, which adds up over a history's blobs.
 */
export interface PackedBatch {
  buffer: ArrayBuffer | SharedArrayBuffer;
  ends: number[];
  relPaths: string[];
  /** Item index -> its chunk, for the items that are one. */
  chunks?: Record<number, ChunkSpec>;
}

export function unpackBatch(b: PackedBatch): WorkItem[] {
  return b.relPaths.map((relPath, i) => ({
    kind: 'bytes',
    bytes: new Uint8Array(b.buffer, i ? b.ends[i - 1] : 0, b.ends[i] - (i ? b.ends[i - 1] : 0)),
    relPath,
    ...(b.chunks?.[i] ? { chunk: b.chunks[i] } : {}),
  }));
}

export interface WorkResult extends ContentResult {
  bytes: number;
  /** The file turned out large: this result is its chunk 0 of `split`; the caller sends the other chunks. */
  split?: number;
}

/**
 * `split` (worker threads): a file found large when read is matched as chunk 0 only, and the result asks for the
 * rest to be shared out (a walk does not know sizes before reading).
 */
export function processItem(ctx: FindingContext, item: WorkItem, split = false): WorkResult {
  let raw: Buffer;
  if (item.kind === 'file') {
    const read = readFileEntrySync(item.absPath, item.maxSize);
    if (!Buffer.isBuffer(read)) return item.chunk?.index ? { findings: [], bytes: 0 } : { findings: [], skipped: read.error, bytes: 0 };
    raw = read;
  } else {
    raw = Buffer.from(item.bytes.buffer, item.bytes.byteOffset, item.bytes.byteLength);
  }
  try {
    const count = split && item.kind === 'file' && !item.chunk ? chunkCount(raw.length) : 1;
    if (count > 1) return { ...ctx.scan(raw, item.relPath, { index: 0, count }), bytes: raw.length, split: count };
    // A chunk after the first counts no bytes: the first counts the whole content once.
    return { ...ctx.scan(raw, item.relPath, item.chunk), bytes: item.chunk && item.chunk.index > 0 ? 0 : raw.length };
  } catch (err) {
    // One bad input must not lose the rest of the scan.
    if (item.chunk?.index) return { findings: [], bytes: 0 };
    return { findings: [], skipped: `scan failed (${(err as Error).message})`, bytes: raw.length };
  }
}
