// Where the keywords of windowed rules occur in a content, found in one pass instead of one search per keyword.
// A file of real code holds dozens of the catalogue's keywords; searching for each in turn read the file dozens of
// times (a quarter of the scan's time on node_modules).
import RE2 from 're2';
import { escapeLiteral } from '../rules/compile.js';

/** Past this many occurrences of a keyword its rules read the whole content: one pass beats that many windows. */
export const MAX_WINDOWS = 256;

/** One alphabet of keywords (matched on the lower-cased copy, or case-sensitively on the content itself). */
class KeywordGroup {
  private readonly regex: RE2 | undefined;
  /** Keyword indices by their last three bytes, longest keyword first (the alternation prefers longer ones too). */
  private readonly bySuffix = new Map<string, number[]>();
  /** Keyword index -> the other keywords inside it, with their offsets (`api` inside `apikey`). */
  private readonly inside = new Map<number, [number, number][]>();

  constructor(private readonly texts: Map<number, string>) {
    const order = [...texts.keys()].sort((a, b) => texts.get(b)!.length - texts.get(a)!.length);
    this.regex = order.length ? new RE2(order.map((k) => escapeLiteral(texts.get(k)!)).join('|'), 'g') : undefined;
    for (const k of order) {
      const t = texts.get(k)!;
      const key = t.slice(-3);
      const list = this.bySuffix.get(key) ?? [];
      list.push(k);
      this.bySuffix.set(key, list);
      for (const j of order) {
        const u = texts.get(j)!;
        if (j === k || u.length >= t.length) continue;
        for (let at = t.indexOf(u); at !== -1; at = t.indexOf(u, at + 1)) {
          const l = this.inside.get(k) ?? [];
          l.push([j, at]);
          this.inside.set(k, l);
        }
      }
    }
  }

  /** Adds each keyword's start offsets to `out` (undefined once past MAX_WINDOWS). */
  locate(haystack: Buffer, out: Map<number, number[] | undefined>): void {
    const re = this.regex;
    if (!re) return;
    for (const k of this.texts.keys()) out.set(k, []);
    re.lastIndex = 0;
    while (re.test(haystack)) {
      const end = re.lastIndex;
      const k = this.which(haystack, end);
      if (k === undefined) continue;
      const start = end - this.texts.get(k)!.length;
      record(out, k, start);
      for (const [j, off] of this.inside.get(k) ?? []) record(out, j, start + off);
    }
  }

  /** The (longest) keyword that ends at `end`. */
  private which(haystack: Buffer, end: number): number | undefined {
    const list = this.bySuffix.get(haystack.toString('latin1', Math.max(0, end - 3), end));
    if (!list) return undefined;
    for (const k of list) {
      const t = this.texts.get(k)!;
      if (end >= t.length && haystack.toString('latin1', end - t.length, end) === t) return k;
    }
    return undefined;
  }
}

function record(out: Map<number, number[] | undefined>, k: number, at: number): void {
  const list = out.get(k);
  if (!list) return; // already past MAX_WINDOWS
  if (list.length === MAX_WINDOWS) out.set(k, undefined);
  else list.push(at);
}

/**
 * The keyword locator of a rule set: built once per matcher from the keywords its windowed rules need, it finds
 * every occurrence of all of them with two RE2 passes per content (case-insensitive ones on the lower-cased copy).
 */
export class KeywordLocator {
  private readonly folded: KeywordGroup;
  private readonly exact: KeywordGroup;

  constructor(keywords: string[], caseSensitive: boolean[], used: Iterable<number>) {
    const folded = new Map<number, string>();
    const exact = new Map<number, string>();
    for (const k of used) (caseSensitive[k] ? exact : folded).set(k, keywords[k]);
    this.folded = new KeywordGroup(folded);
    this.exact = new KeywordGroup(exact);
  }

  /** Keyword index -> start offsets, or undefined for a keyword seen more than MAX_WINDOWS times. */
  locate(content: Buffer, lower: () => Buffer): Map<number, number[] | undefined> {
    const out = new Map<number, number[] | undefined>();
    this.exact.locate(content, out);
    this.folded.locate(lower(), out);
    return out;
  }
}
