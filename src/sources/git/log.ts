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

/** The modes git writes, as shared strings (no new string per entry). */
const MODES = new Map(['100644', '100755', '100664', '120000', '160000', '040000', '000000'].map((m) => [m, m]));

export interface RawEntry {
  mode: string;
  blob: string;
  unchanged: boolean;
}

/**
 * Parses `git log --raw -z` output (with LOG_FORMAT headers) into one record per commit. A plain loop over NUL
 * positions in each chunk (no per-token buffers or generators): this runs once per commit of a large history.
 */
export class RawLogParser {
  private carry: Buffer | undefined;
  private header: string[] | undefined;
  private current: HistoryRecord | undefined;
  /** The raw entry waiting for its path token (null: a deletion, whose path is skipped). */
  private entry: RawEntry | null | undefined;
  private out: HistoryRecord[] = [];

  /** Feeds a chunk; returns the commits completed by it. */
  push(chunk: Buffer): HistoryRecord[] {
    let buf = chunk;
    if (this.carry) {
      buf = Buffer.concat([this.carry, chunk]);
      this.carry = undefined;
    }
    let pos = 0;
    for (;;) {
      const nul = buf.indexOf(0, pos);
      if (nul === -1) break;
      this.token(buf, pos, nul);
      pos = nul + 1;
    }
    if (pos < buf.length) this.carry = Buffer.from(buf.subarray(pos));
    const done = this.out;
    this.out = [];
    return done;
  }

  end(): HistoryRecord[] {
    if (this.carry?.length) this.token(this.carry, 0, this.carry.length);
    this.carry = undefined;
    if (this.header) this.finishHeader();
    if (this.current) this.out.push(this.current);
    this.current = undefined;
    const done = this.out;
    this.out = [];
    return done;
  }

  private token(buf: Buffer, start: number, end: number): void {
    if (this.header) {
      this.header.push(buf.toString('utf8', start, end));
      if (this.header.length === HEADER_FIELDS) this.finishHeader();
      return;
    }
    if (this.entry !== undefined) {
      // The path after a raw entry, whatever bytes it holds.
      if (this.entry && this.current) {
        const intro: BlobIntro = { path: decodePath(buf.subarray(start, end)), mode: this.entry.mode, blob: this.entry.blob };
        if (this.entry.unchanged) intro.unchanged = true;
        this.current.changes.push(intro);
      }
      this.entry = undefined;
      return;
    }
    while (start < end && (buf[start] === 0x0a || buf[start] === 0x0d)) start++;
    if (start === end) return;
    if (buf[start] === 0x01) {
      if (this.current) this.out.push(this.current);
      this.current = undefined;
      this.header = [buf.toString('utf8', start + 1, end)];
      return;
    }
    if (buf[start] === 0x3a /* : */) {
      this.entry = parseRawEntryBytes(buf, start, end);
      return;
    }
    // Anything else (a stray separator) is ignored.
  }

  private finishHeader(): void {
    const [id, parents, name, email, date] = this.header!;
    this.header = undefined;
    const d = (date ?? '').trim();
    const commit: CommitMeta = {
      id: id.trim(),
      parents: parents.trim() ? parents.trim().split(' ') : [],
      author: { name, email },
      date: d,
      time: Date.parse(d) || 0,
    };
    this.current = { commit, changes: [] };
  }
}

/**
 * `:100644 100644 <old> <new> M` or, for a merge with n parents, `::<n+1 modes> <n+1 ids> <status>`.
 * Returns the result side, or null when the change deletes the path.
 */
export function parseRawEntry(s: string): RawEntry | null {
  const b = Buffer.from(s, 'latin1');
  return parseRawEntryBytes(b, 0, b.length);
}

function parseRawEntryBytes(buf: Buffer, start: number, end: number): RawEntry | null {
  let n = 0;
  while (start + n < end && buf[start + n] === 0x3a) n++;
  // Field boundaries: n+1 modes, n+1 ids, a status.
  const bounds: number[] = [];
  let p = start + n;
  while (p < end && bounds.length < 2 * (2 * n + 2)) {
    while (p < end && buf[p] === 0x20) p++;
    const f = p;
    while (p < end && buf[p] !== 0x20) p++;
    if (p > f) bounds.push(f, p);
  }
  if (bounds.length < 2 * (2 * n + 2)) return null;
  const field = (i: number) => buf.toString('latin1', bounds[2 * i], bounds[2 * i + 1]);
  const rawMode = field(n);
  const mode = MODES.get(rawMode) ?? rawMode;
  const blob = field(2 * n + 1);
  if (ZERO_OID.test(blob) || ZERO_OID.test(mode)) return null;
  let unchanged = false;
  const [bs, be] = [bounds[2 * (2 * n + 1)], bounds[2 * (2 * n + 1) + 1]];
  for (let i = n + 1; i < 2 * n + 1 && !unchanged; i++) {
    unchanged = buf.compare(buf, bs, be, bounds[2 * i], bounds[2 * i + 1]) === 0;
  }
  return { mode, blob, unchanged };
}

/** Parses a whole log stream, yielding the commits completed by each chunk. */
export async function* parseLogStream(stream: Readable): AsyncGenerator<HistoryRecord[]> {
  const parser = new RawLogParser();
  for await (const chunk of stream) {
    const done = parser.push(chunk as Buffer);
    if (done.length) yield done;
  }
  const rest = parser.end();
  if (rest.length) yield rest;
}

