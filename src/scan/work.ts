// Work items shared by the inline path and the worker threads.
import { SNIFF, columnUnits, detectDecoding, lineBreaks, withDecoding, type TextDecoding } from '../match/content.js';
import { openFileEntry, readAt, readFileToEnd, type OpenedFile } from '../sources/index.js';
import type { ContentResult, Finding, FindingContext } from './findings.js';

export type WorkItem =
  | { kind: 'file'; absPath: string | Uint8Array; relPath: string; maxSize: number; explicit?: boolean }
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

/** Regular files larger than this are sniffed first: a binary one is skipped from its first bytes, never read whole. */
const SNIFF_ABOVE = 1024 * 1024;

/**
 * Files larger than this are read and matched in chunks rather than skipped: a raised --max-file-size says big
 * files (database dumps, logs) are wanted, and one buffer cannot hold them (a read of 2 GiB or more fails with
 * ERR_OUT_OF_RANGE, strings stop at 512 M characters, RE2 takes less than 2 GiB). Chunks end at a line start and
 * overlap by CHUNK_OVERLAP bytes, so a token or a PEM block across a boundary is whole in one of them; findings
 * get the whole file's lines and columns, and one found in two chunks is kept once. Memory stays at one chunk.
 */
export const CHUNKED_ABOVE = 256 * 1024 * 1024;
export const CHUNK_SIZE = 128 * 1024 * 1024;
export const CHUNK_OVERLAP = 1024 * 1024;

export function processItem(ctx: FindingContext, item: WorkItem): WorkResult {
  let raw: Buffer;
  if (item.kind === 'file') {
    const file = openFileEntry(item.absPath, { explicit: item.explicit });
    if ('error' in file) return { findings: [], skipped: file.error, bytes: 0 };
    try {
      if (file.regular && file.size > item.maxSize) return { findings: [], skipped: `larger than --max-file-size (${file.size} bytes)`, bytes: 0 };
      if (file.regular && file.size > SNIFF_ABOVE) {
        const head = Buffer.allocUnsafe(SNIFF + 2);
        if (!detectDecoding(head.subarray(0, readAt(file, head, 0)))) return { findings: [], skipped: 'binary file', bytes: 0 };
        if (file.size > CHUNKED_ABOVE) return scanInChunks(ctx, file, item.relPath);
      }
      const read = readFileToEnd(file, item.maxSize);
      if (!Buffer.isBuffer(read)) return { findings: [], skipped: read.error, bytes: 0 };
      raw = read;
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      return { findings: [], skipped: `not readable (${e.code ?? e.message})`, bytes: 0 };
    } finally {
      file.close();
    }
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

/** A finding of a chunk, moved to the whole file: `lines` line breaks and, on the chunk's first line, `columns` units before it. */
function shiftFinding(f: Finding, lines: number, columns: number): Finding {
  if (!lines && !columns) return f;
  const at = <T extends { line: number; column: number; endLine: number; endColumn: number }>(p: T): T => ({
    ...p,
    line: p.line + lines,
    endLine: p.endLine + lines,
    column: p.line === 1 ? p.column + columns : p.column,
    endColumn: p.endLine === 1 ? p.endColumn + columns : p.endColumn,
  });
  const g = at(f);
  if (f.partLocations) g.partLocations = f.partLocations.map(at);
  return g;
}

/**
 * Matches a large regular file chunk by chunk (see CHUNKED_ABOVE). The first chunk decides binary or text and the
 * encoding, and the others are read the same way (their own first bytes may be anything: NUL padding, no mark).
 */
export function scanInChunks(ctx: FindingContext, file: OpenedFile, relPath: string, chunkSize = CHUNK_SIZE, overlap = CHUNK_OVERLAP): WorkResult {
  const buf = Buffer.allocUnsafe(Math.min(chunkSize, file.size));
  const findings: Finding[] = [];
  const seen = new Set<string>();
  let decoding: TextDecoding | undefined;
  /** File offset of the chunk; line breaks before it; UTF-16 units between the last of them and it. */
  let start = 0;
  let linesBefore = 0;
  let columnsBefore = 0;
  try {
    while (start < file.size) {
      const want = Math.min(chunkSize, file.size - start);
      const n = readAt(file, buf.subarray(0, want), start);
      if (n === 0) break;
      const chunk = buf.subarray(0, n);
      const last = n < want || start + n >= file.size;
      if (!decoding) {
        decoding = detectDecoding(chunk);
        if (!decoding) return { findings: [], skipped: 'binary file', bytes: 0 };
      }
      const d: TextDecoding = start === 0 ? decoding : { ...decoding, bom: 0 };
      const unit = d.encoding === 'utf8' ? 1 : 2;
      const from = d.bom;
      const align = (i: number) => from + Math.floor((i - from) / unit) * unit;
      // The chunk ends at the last line start of its second half (else at a unit boundary), unless the file ends.
      let end = n;
      if (!last) end = lineBreaks(chunk, align(from + (n - from) / 2), n, d).lastLineStart ?? align(n);
      const r = ctx.scan(withDecoding(chunk.subarray(0, end), d), relPath);
      if (r.skipped) return { findings: [], skipped: r.skipped, bytes: 0 };
      for (const f of r.findings) {
        const g = shiftFinding(f, linesBefore, columnsBefore);
        const key = `${g.id}\0${g.line}\0${g.column}`;
        if (seen.has(key)) continue;
        seen.add(key);
        findings.push(g);
      }
      if (last && end === n) break;
      // The next chunk starts at the first line start of this one's last `overlap` bytes (before its end).
      const back = align(Math.max(from + unit, end - overlap));
      const next = lineBreaks(chunk, back, end - unit, d).firstLineStart ?? back;
      const breaks = lineBreaks(chunk, from, next, d);
      linesBefore += breaks.count;
      columnsBefore = breaks.lastLineStart !== undefined ? columnUnits(chunk, breaks.lastLineStart, next, d) : columnsBefore + columnUnits(chunk, from, next, d);
      start += next;
    }
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    return { findings: [], skipped: e.code ? `not readable (${e.code})` : `scan failed (${e.message})`, bytes: 0 };
  }
  return { findings, bytes: file.size };
}
