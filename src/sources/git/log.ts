// Lists what every commit introduces from ONE git process: `git log --raw -c --no-renames -z`, parsed as a stream.
// Non-merge commits list their changes against the parent (root and shallow-boundary commits: their whole tree);
// merges list (combined, -c) only the paths whose result differs from every parent, i.e. what the merge itself wrote.
import type { Readable } from 'node:stream';
import { decodePath } from './paths.js';
import type { BlobIntro, CommitMeta, HistoryRecord } from './types.js';

/** %x01 marks a commit header; fields are NUL-separated. */
export const LOG_FORMAT = '--format=%x01%H%x00%P%x00%an%x00%ae%x00%aI';

export const LOG_ARGS = [
  'log', '--raw', '-c', '--no-renames', '-z', '--no-abbrev', '--no-color', '--no-ext-diff', '--no-textconv',
  '--no-show-signature', '--no-mailmap', LOG_FORMAT,
];

const HEADER_FIELDS = 5;
const ZERO_OID = /^0+$/;

/** Splits a byte stream on NUL, carrying partial tokens across chunks. */
export class NulTokenizer {
  private carry: Buffer | undefined;

  *push(chunk: Buffer): Generator<Buffer> {
    let buf = chunk;
    if (this.carry) {
      buf = Buffer.concat([this.carry, chunk]);
      this.carry = undefined;
    }
    let pos = 0;
    for (;;) {
      const nul = buf.indexOf(0, pos);
      if (nul === -1) break;
      yield buf.subarray(pos, nul);
      pos = nul + 1;
    }
    if (pos < buf.length) this.carry = Buffer.from(buf.subarray(pos));
  }

  *end(): Generator<Buffer> {
    if (this.carry?.length) yield this.carry;
    this.carry = undefined;
  }
}

/** Parses `git log --raw -z` output (with LOG_FORMAT headers) into one record per commit. */
export class RawLogParser {
  private tokens = new NulTokenizer();
  private header: string[] | undefined;
  private current: HistoryRecord | undefined;
  /** The raw entry waiting for its path token. */
  private entry: RawEntry | null | undefined;

  *push(chunk: Buffer): Generator<HistoryRecord> {
    for (const t of this.tokens.push(chunk)) yield* this.token(t);
  }

  *end(): Generator<HistoryRecord> {
    for (const t of this.tokens.end()) yield* this.token(t);
    if (this.header) this.finishHeader();
    if (this.current) yield this.current;
    this.current = undefined;
  }

  private *token(t: Buffer): Generator<HistoryRecord> {
    if (this.header) {
      this.header.push(t.toString('utf8'));
      if (this.header.length === HEADER_FIELDS) this.finishHeader();
      return;
    }
    if (this.entry !== undefined) {
      // The path after a raw entry, whatever bytes it holds.
      if (this.entry && this.current) {
        const intro: BlobIntro = { path: decodePath(t), mode: this.entry.mode, blob: this.entry.blob };
        if (this.entry.unchanged) intro.unchanged = true;
        this.current.changes.push(intro);
      }
      this.entry = undefined;
      return;
    }
    let start = 0;
    while (start < t.length && (t[start] === 0x0a || t[start] === 0x0d)) start++;
    if (start === t.length) return;
    if (t[start] === 0x01) {
      if (this.current) yield this.current;
      this.current = undefined;
      this.header = [t.toString('utf8', start + 1)];
      return;
    }
    if (t[start] === 0x3a /* : */) {
      this.entry = parseRawEntry(t.toString('latin1', start));
      return;
    }
    // Anything else (a stray separator) is ignored.
  }

  private finishHeader(): void {
    const [id, parents, name, email, date] = this.header!;
    this.header = undefined;
    const commit: CommitMeta = {
      id: id.trim(),
      parents: parents.trim() ? parents.trim().split(' ') : [],
      author: { name, email },
      date: (date ?? '').trim(),
      time: Date.parse((date ?? '').trim()) || 0,
    };
    this.current = { commit, changes: [] };
  }
}

export interface RawEntry {
  mode: string;
  blob: string;
  unchanged: boolean;
}

/**
 * `:100644 100644 <old> <new> M` or, for a merge with n parents, `::<n+1 modes> <n+1 ids> <status>`.
 * Returns the result side, or null when the change deletes the path.
 */
export function parseRawEntry(s: string): RawEntry | null {
  let n = 0;
  while (s[n] === ':') n++;
  const fields = s.slice(n).trim().split(' ');
  if (fields.length < 2 * (n + 1) + 1) return null;
  const mode = fields[n];
  const blob = fields[2 * n + 1];
  if (!blob || ZERO_OID.test(blob) || ZERO_OID.test(mode)) return null;
  return { mode, blob, unchanged: fields.slice(n + 1, 2 * n + 1).includes(blob) };
}

/** Parses a whole log stream. */
export async function* parseLogStream(stream: Readable): AsyncGenerator<HistoryRecord> {
  const parser = new RawLogParser();
  for await (const chunk of stream) yield* parser.push(chunk as Buffer);
  yield* parser.end();
}

