// Where the keywords of windowed rules occur in a content, found in one pass instead of one search per keyword.
// A file of real code holds dozens of the catalogue's keywords; searching for each in turn read the file dozens of
// times (a quarter of the scan's time on node_modules). Case-insensitive keywords are matched with `(?i)` in the same
// pattern: a lower-cased copy of every file and a second pass cost twice as much (537 ms against 250 ms on
// node_modules).
import RE2 from 're2';
import { escapeLiteral } from '../rules/compile.js';

/**
 * Past this many occurrences of a keyword its rules read the whole content: one pass beats that many windows. A big
 * file affords more: one window per 512 bytes still reads far less than the whole (node_modules: rules reading whole
 * files for too many hits fell from 343 to 156 ms).
 */
export const MAX_WINDOWS = 256;

export function maxWindows(contentLength: number): number {
  return Math.max(MAX_WINDOWS, contentLength >> 9);
}

/**
 * The keyword locator of a rule set: built once per matcher from the keywords its windowed rules need, it finds
 * every occurrence of all of them with one RE2 pass per content.
 */
export class KeywordLocator {
  private readonly regex: RE2 | undefined;
  /** Keyword indices by their last three bytes, lower-cased (as a number); longest keyword first, as the alternation prefers. */
  private readonly bySuffix = new Map<number, number[]>();
  /**
   * Keyword index -> the shorter keywords it starts with, and itself in the other case mode (`api` for `apikey`): the
   * alternation reports one keyword per start, the longest. Keywords starting later inside a match are found by
   * resuming the search one byte after the match's start.
   */
  private readonly prefixes = new Map<number, number[]>();
  /** Keyword bytes, lower-cased for case-insensitive ones. */
  private readonly bytes = new Map<number, Buffer>();

  constructor(keywords: string[], private readonly caseSensitive: boolean[], used: Iterable<number>) {
    const order = [...new Set(used)].sort((a, b) => keywords[b].length - keywords[a].length || a - b);
    for (const k of order) this.bytes.set(k, Buffer.from(caseSensitive[k] ? keywords[k] : keywords[k].toLowerCase(), 'latin1'));
    const alternatives = order.map((k) => (caseSensitive[k] ? escapeLiteral(keywords[k]) : `(?i:${escapeLiteral(keywords[k])})`));
    this.regex = order.length ? new RE2(alternatives.join('|'), 'g') : undefined;
    for (const k of order) {
      const t = keywords[k].toLowerCase();
      const key = suffixKey(Buffer.from(t, 'latin1'), t.length);
      const list = this.bySuffix.get(key) ?? [];
      list.push(k);
      this.bySuffix.set(key, list);
      for (const j of order) {
        const u = keywords[j].toLowerCase();
        // Same letters in the other case mode, or a shorter keyword at the same start: checked against the content.
        if (j === k || u.length > t.length || !t.startsWith(u)) continue;
        const l = this.prefixes.get(k) ?? [];
        l.push(j);
        this.prefixes.set(k, l);
      }
    }
  }

  /** Keyword index -> start offsets (absent: not seen), or undefined for a keyword seen more than `maxWindows` times. */
  locate(content: Buffer): Map<number, number[] | undefined> {
    // Keywords seen get a list; a keyword absent from the map was not seen (no list per keyword per file).
    const out = new Map<number, number[] | undefined>();
    const re = this.regex;
    if (!re) return out;
    const max = maxWindows(content.length);
    re.lastIndex = 0;
    for (let from = 0; re.test(content); from = re.lastIndex) {
      const end = re.lastIndex;
      const k = this.which(content, end, from);
      if (k === undefined) continue;
      const start = end - this.bytes.get(k)!.length;
      record(out, k, start, max);
      for (const j of this.prefixes.get(k) ?? []) if (this.at(content, start, j)) record(out, j, start, max);
      // A keyword may start inside this one and run past it (`github` in `npm_github`): search on from the next byte.
      re.lastIndex = start + 1;
    }
    return out;
  }

  /** The (longest) keyword that ends at `end` and starts at or after `from`, where the search began. */
  private which(content: Buffer, end: number, from: number): number | undefined {
    const list = this.bySuffix.get(suffixKey(content, end));
    if (!list) return undefined;
    for (const k of list) {
      const n = this.bytes.get(k)!.length;
      if (end - n >= from && this.at(content, end - n, k)) return k;
    }
    return undefined;
  }

  /** Whether keyword `k` occurs at `at` (ASCII case folded for case-insensitive keywords). */
  private at(content: Buffer, at: number, k: number): boolean {
    const kw = this.bytes.get(k)!;
    if (at < 0 || at + kw.length > content.length) return false;
    const fold = !this.caseSensitive[k];
    for (let i = 0; i < kw.length; i++) {
      let c = content[at + i];
      if (fold && c >= 65 && c <= 90) c += 32;
      if (c !== kw[i]) return false;
    }
    return true;
  }
}

function record(out: Map<number, number[] | undefined>, k: number, at: number, max: number): void {
  if (!out.has(k)) {
    out.set(k, [at]);
    return;
  }
  const list = out.get(k);
  if (!list) return; // already past MAX_WINDOWS
  if (list.length === max) out.set(k, undefined);
  else list.push(at);
}

/** The (up to) three bytes before `end`, ASCII lower-cased, as one number. */
function suffixKey(b: Buffer, end: number): number {
  let key = 0;
  for (let i = Math.max(0, end - 3); i < end; i++) {
    let c = b[i];
    if (c >= 65 && c <= 90) c += 32;
    key = key * 256 + c;
  }
  return key * 4 + Math.min(3, end);
}
