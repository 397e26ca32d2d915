// Work items shared by the inline path and the worker threads.
import { readFileEntrySync } from '../sources/index.js';
import type { ContentResult, FindingContext } from './findings.js';

export type WorkItem =
  | { kind: 'file'; absPath: string; relPath: string }
  | { kind: 'bytes'; bytes: Uint8Array; relPath: string };

export interface WorkResult extends ContentResult {
  bytes: number;
}

export function processItem(ctx: FindingContext, item: WorkItem): WorkResult {
  let raw: Buffer;
  if (item.kind === 'file') {
    const read = readFileEntrySync(item.absPath);
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
