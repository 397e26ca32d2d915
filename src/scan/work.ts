// Work items shared by the inline path and the worker threads.
import { SNIFF, columnUnits, detectDecoding, lineBreaks, withDecoding, type TextDecoding } from '../match/content.js';
import { chunkCount, type ChunkSpec } from '../match/index.js';
import { archiveKind, openFileEntry, readAt, readFileToEnd, type ArchiveLimits, type OpenedFile } from '../sources/index.js';
import type { SkippedFile } from '../model/index.js';
import type { ContentResult, Finding, FindingContext } from './findings.js';

/** `chunk`: one part of a large content, the rest sent to other threads (see src/match/chunks.ts). */
export type WorkItem =
  | { kind: 'file'; absPath: string | Uint8Array; relPath: string; maxSize: number; explicit?: boolean; chunk?: ChunkSpec }
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
  /** The content was an archive: what of it was skipped, and why (its findings carry their member). */
  archive?: ArchiveNotes;
}

/** Skips and warnings inside an archive, at paths within it ('' is the archive itself, or what was left of it). */
export interface ArchiveNotes {
  skipped: SkippedFile[];
  warnings: Array<{ path: string; message: string }>;
}

/**
 * The skips and warnings of a result, at the path its content is shown under (`release.zip`): its own, and its
 * archive members' (`release.zip!config/app.env`).
 */
export function resultNotes(shown: string, r: WorkResult): { skipped: SkippedFile[]; warnings: string[] } {
  const at = (p: string) => (p ? `${shown}!${p}` : shown);
  const skipped: SkippedFile[] = r.skipped ? [{ path: shown, reason: r.skipped }] : [];
  const warnings = r.warning ? [`${shown}: ${r.warning}`] : [];
  for (const k of r.archive?.skipped ?? []) skipped.push({ path: at(k.path), reason: k.reason });
  for (const w of r.archive?.warnings ?? []) warnings.push(`${at(w.path)}: ${w.message}`);
  return { skipped, warnings };
}

/** Binary members listed one by one per archive (a .jar holds hundreds of classes); the rest in one line. */
const BINARY_MEMBERS_LISTED = 20;

/**
 * Matches every member of an archive as a file of its own, shown as `relPath!member`; findings carry their member.
 * An archive that could not be read at all is a skip (and a warning); one read in part keeps what was read.
 */
async function scanArchive(ctx: FindingContext, raw: Buffer, relPath: string, limits: ArchiveLimits): Promise<WorkResult> {
  const findings: Finding[] = [];
  const notes: ArchiveNotes = { skipped: [], warnings: [] };
  let binary = 0;
  let read = 0;
  // The libraries get memory of their own, not a view of a shared batch block.
  const bytes = raw.buffer instanceof SharedArrayBuffer ? Buffer.from(raw) : raw;
  try {
    // Loaded on the first archive: a scan without one never pays for the archive libraries.
    const { expandArchive } = await import('../sources/archives.js');
    for await (const item of expandArchive(bytes, relPath, limits)!) {
      if (item.kind === 'skip') {
        if (item.corrupt && !item.path && !read && !notes.skipped.length) {
          // Nothing could be read: matched as the file it is (a text can look like an archive by chance).
          const r = processBytes(ctx, raw, relPath);
          if (r.skipped !== 'binary file') return r;
          return { findings: [], skipped: item.reason, warning: `${item.reason}; skipped, the scan goes on`, bytes: 0 };
        }
        notes.skipped.push({ path: item.path, reason: item.reason });
        if (item.corrupt) notes.warnings.push({ path: item.path, message: `${item.reason}; the scan goes on` });
        continue;
      }
      let r: ContentResult;
      try {
        // Matched as if unpacked into a folder named as the archive: path roles and rule globs see `spec/`, `.env`.
        r = ctx.scan(item.bytes, `${relPath}/${item.path.replaceAll('!', '/')}`);
      } catch (err) {
        r = { findings: [], skipped: `scan failed (${(err as Error).message})` };
      }
      if (r.skipped) {
        if (r.skipped === 'binary file' && ++binary > BINARY_MEMBERS_LISTED) continue;
        notes.skipped.push({ path: item.path, reason: r.skipped });
        continue;
      }
      read++;
      if (r.warning) notes.warnings.push({ path: item.path, message: r.warning });
      for (const f of r.findings) {
        f.member = item.path;
        findings.push(f);
      }
    }
  } catch (err) {
    // Not expected (the reader turns bad data into skips), but one archive must not fail the scan.
    const reason = `archive not readable (${String((err as Error).message).split('\n')[0]})`;
    notes.skipped.push({ path: '', reason });
    notes.warnings.push({ path: '', message: `${reason}; the scan goes on` });
  }
  if (binary > BINARY_MEMBERS_LISTED) notes.skipped.push({ path: '', reason: `${binary - BINARY_MEMBERS_LISTED} more binary members (not listed)` });
  const result: WorkResult = { findings, bytes: raw.length };
  if (notes.skipped.length || notes.warnings.length) result.archive = notes;
  return result;
}

/** One content matched whole, a failure kept to it. */
function processBytes(ctx: FindingContext, raw: Buffer, relPath: string): WorkResult {
  try {
    return { ...ctx.scan(raw, relPath), bytes: raw.length };
  } catch (err) {
    return { findings: [], skipped: `scan failed (${(err as Error).message})`, bytes: raw.length };
  }
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

/**
 * `split` (worker threads): a file found large when read is matched as chunk 0 only, and the result asks for the
 * rest to be shared out among the threads (a walk does not know sizes before reading). Those chunks are parts of
 * one buffer (src/match/chunks.ts); files past CHUNKED_ABOVE are instead read a piece at a time on one thread.
 * `archives`: open archives (by their magic bytes) with these limits, and match their members; the result is then a
 * promise. Without them an archive is a binary file, as is any other.
 */
export function processItem(ctx: FindingContext, item: WorkItem, split = false, archives?: ArchiveLimits): WorkResult | Promise<WorkResult> {
  let raw: Buffer;
  /** Only a regular file can be read again for its other chunks: a stream (stdin, a FIFO) is matched whole here. */
  let rereadable = false;
  // A chunk after the first reports no skip and counts no bytes: the first does, once for the whole content.
  const later = Boolean(item.chunk?.index);
  const skip = (reason: string): WorkResult => (later ? { findings: [], bytes: 0 } : { findings: [], skipped: reason, bytes: 0 });
  if (item.kind === 'file') {
    const file = openFileEntry(item.absPath, { explicit: item.explicit });
    if ('error' in file) return skip(file.error);
    rereadable = file.regular;
    try {
      if (file.regular && file.size > item.maxSize) return skip(`larger than --max-file-size (${file.size} bytes)`);
      if (file.regular && file.size > SNIFF_ABOVE) {
        const head = Buffer.allocUnsafe(SNIFF + 2);
        const sniffed = head.subarray(0, readAt(file, head, 0));
        if (!detectDecoding(sniffed) && !(archives && archiveKind(sniffed, item.relPath))) return skip('binary file');
        if (file.size > CHUNKED_ABOVE) return later ? { findings: [], bytes: 0 } : scanInChunks(ctx, file, item.relPath);
      }
      const read = readFileToEnd(file, item.maxSize);
      if (!Buffer.isBuffer(read)) return skip(read.error);
      raw = read;
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      return skip(`not readable (${e.code ?? e.message})`);
    } finally {
      file.close();
    }
  } else {
    raw = Buffer.from(item.bytes.buffer, item.bytes.byteOffset, item.bytes.byteLength);
  }
  // An archive is opened whole by its first chunk; the other chunks have nothing of their own.
  if (archives && archiveKind(raw, item.relPath)) return later ? { findings: [], bytes: 0 } : scanArchive(ctx, raw, item.relPath, archives);
  try {
    const count = split && item.kind === 'file' && rereadable && !item.chunk ? chunkCount(raw.length) : 1;
    if (count > 1) return { ...ctx.scan(raw, item.relPath, { index: 0, count }), bytes: raw.length, split: count };
    // A chunk after the first counts no bytes: the first counts the whole content once.
    return { ...ctx.scan(raw, item.relPath, item.chunk), bytes: item.chunk && item.chunk.index > 0 ? 0 : raw.length };
  } catch (err) {
    // One bad input must not lose the rest of the scan.
    if (item.chunk?.index) return { findings: [], bytes: 0 };
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
