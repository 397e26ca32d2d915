// Which lines a change adds, from git's own diff: `-U0 --full-index` patches, plain or combined (-c, for merges).
// Keyed by the new blob id (and the commit, when several commits are listed), so that a blob scanned once can
// keep just the matches on lines that commit added. Renames and copies are detected (-C): a renamed or copied file
// adds only the lines its source lacks; a plain rename has no hunk and no index line, so its blob comes from the
// raw line (`--raw`) printed before the patches.
import type { Readable } from 'node:stream';
import { AddedLinesIndex, addedKey, type AddedLines } from './types.js';

/** Output format of the commit header line in range patches. */
export const PATCH_COMMIT_FORMAT = '--format=%x01%H';

/** `-C`: renames, and copies of files the change modifies (`-C -C`, any file, is for the few that need it). */
export const PATCH_ARGS = ['-U0', '--full-index', '-C', '--no-color', '--no-ext-diff', '--no-textconv'];

export class PatchParser {
  readonly index = new AddedLinesIndex();
  private commit = '';
  private blob: string | undefined;
  /** The current file's header said `new file mode`: no rename or copy source. */
  private created = false;
  /** In a combined hunk: number of parents (prefix width) and the next result line number. */
  private combined: { width: number; line: number } | undefined;
  private carry = '';

  push(chunk: Buffer): void {
    const text = this.carry + chunk.toString('latin1');
    let pos = 0;
    for (;;) {
      const nl = text.indexOf('\n', pos);
      if (nl === -1) break;
      this.line(text.slice(pos, nl));
      pos = nl + 1;
    }
    this.carry = text.slice(pos);
  }

  end(): AddedLinesIndex {
    if (this.carry) this.line(this.carry);
    this.carry = '';
    return this.index;
  }

  private lines(): Set<number> | undefined {
    if (!this.blob) return undefined;
    const key = addedKey(this.commit, this.blob);
    let cur = this.index.get(key);
    if (cur === 'all') return undefined;
    if (!cur) {
      cur = new Set();
      this.index.set(key, cur);
    }
    return cur;
  }

  private markAll(): void {
    if (this.blob) this.index.set(addedKey(this.commit, this.blob), 'all');
  }

  private line(l: string): void {
    if (this.combined) {
      const c = l.charCodeAt(0);
      // Content lines of a combined hunk start with one column per parent: ' ', '+' or '-'.
      if (c === 0x20 || c === 0x2b || c === 0x2d) {
        const prefix = l.slice(0, this.combined.width);
        if (prefix.includes('-')) return;
        if (/^\++$/.test(prefix)) this.lines()?.add(this.combined.line);
        this.combined.line++;
        return;
      }
      if (c === 0x5c /* \ No newline */) return;
      this.combined = undefined;
    }
    if (l.charCodeAt(0) === 0x01) {
      this.commit = l.slice(1).trim();
      this.blob = undefined;
      return;
    }
    if (l.charCodeAt(0) === 0x3a /* : */ && l.charCodeAt(1) !== 0x3a) {
      // A raw line (`:old new oldId newId R100\tsrc\tdst`): a rename or copy with the same content adds nothing,
      // and its patch has no index line to say so.
      const m = /^:\d+ \d+ [0-9a-f]+ ([0-9a-f]+) ([RC])100\t/.exec(l);
      if (m && !/^0+$/.test(m[1]) && !this.index.has(addedKey(this.commit, m[1]))) this.index.set(addedKey(this.commit, m[1]), new Set());
      return;
    }
    if (l.startsWith('diff ')) {
      this.blob = undefined;
      this.created = false;
      return;
    }
    if (l.startsWith('new file mode ')) {
      this.created = true;
      return;
    }
    if (l.startsWith('index ')) {
      const m = /\.\.([0-9a-f]+)/.exec(l);
      this.blob = m && !/^0+$/.test(m[1]) ? m[1] : undefined;
      if (this.blob && !this.index.has(addedKey(this.commit, this.blob))) this.index.set(addedKey(this.commit, this.blob), new Set());
      if (this.blob && this.created) this.index.created.add(addedKey(this.commit, this.blob));
      return;
    }
    if (l.startsWith('Binary files ') || l.startsWith('GIT binary patch')) {
      // git does not diff it line by line: every line of the new version counts as added.
      this.markAll();
      return;
    }
    if (l.startsWith('@@@')) {
      const m = /^(@{3,}) (.*?) \1/.exec(l);
      if (!m) return;
      const width = m[1].length - 1;
      const plus = /\+(\d+)(?:,(\d+))?/.exec(m[2]);
      this.combined = { width, line: plus ? Number(plus[1]) : 1 };
      return;
    }
    if (l.startsWith('@@ ')) {
      const m = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@/.exec(l);
      if (!m) return;
      const start = Number(m[1]);
      const count = m[2] === undefined ? 1 : Number(m[2]);
      const set = this.lines();
      if (set) for (let i = 0; i < count; i++) set.add(start + i);
    }
  }
}

export async function parsePatchStream(stream: Readable): Promise<AddedLinesIndex> {
  const p = new PatchParser();
  for await (const chunk of stream) p.push(chunk as Buffer);
  return p.end();
}

export function isAdded(added: AddedLines | undefined, line: number, endLine: number): boolean {
  if (added === undefined) return false;
  if (added === 'all') return true;
  for (let l = line; l <= endLine; l++) if (added.has(l)) return true;
  return false;
}
