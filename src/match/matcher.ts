// The matcher: rules + bytes -> matches. Pure: no I/O, no fingerprints, no reporting.
import type { CompiledRule, CompiledRuleSet } from '../rules/index.js';
import type { Confidence, RawMatch } from '../model/index.js';
import { shannonEntropy, defaultMinEntropy } from './entropy.js';
import { ALLOW_MARKERS, isCredentialLike, isLockFile, isNonLiteralValue, isPlaceholder, mentionsDocumentationHost } from './filters.js';
import { LineIndex } from './lines.js';
import { verifyChecksum } from './checksum.js';
import { DECODE_TRIGGERS, findEncodedSpans, type Encoding } from './decode.js';

/** Every decoding trigger, for `compileRules(..., { extraKeywords })`. */
export const DECODE_KEYWORDS = Object.values(DECODE_TRIGGERS).flat();

/** A match the user allowed inline; `fingerprint` is the prefix given after the marker, if any. */
export interface AllowedMatch {
  match: RawMatch;
  fingerprintPrefix?: string;
}

export interface MatchResult {
  matches: RawMatch[];
  /** Matches on lines carrying an allow marker bound to a fingerprint prefix: the scan layer decides. */
  conditionallyAllowed: AllowedMatch[];
}

interface Candidate {
  rule: CompiledRule;
  ruleIndex: number;
  secret: string;
  start: number;
  end: number;
  /** The whole match: longer than the secret when the rule required context (a provider name, a key). */
  context: number;
  entropy: number;
  confidence: Confidence;
  checksumValid?: boolean;
  parts?: Record<string, string>;
  /** Byte spans of the parts found, so that a part matched by its own rule is not reported twice. */
  partSpans?: [number, number][];
  decoded?: Encoding;
}

const CONFIDENCE_RANK: Record<Confidence, number> = { high: 3, medium: 2, low: 1 };
const LOWER: Record<Confidence, Confidence> = { high: 'medium', medium: 'low', low: 'low' };

/** Context kept around a decoded span: enough for a key name and its quotes. */
const DECODE_CONTEXT = 256;

/** Past this many occurrences of a keyword, a windowed rule reads the whole content instead. */
const MAX_WINDOWS = 256;

/** Per-content state shared by windowed rules: keyword offsets and a lower-cased copy for case-insensitive search. */
interface WindowCache {
  positions: Map<number, number[] | undefined>;
  lower?: Buffer;
}

/** Below this size a windowed rule simply reads the whole content. */
const WINDOW_MIN_CONTENT = 4096;

/** Longest secret we consider (private keys run to a few KB; anything longer is data, not a credential). */
const MAX_SECRET_BYTES = 16384;

export class Matcher {
  /** Keyword index -> the trigger word and the encoding its presence suggests (when compiled with DECODE_KEYWORDS). */
  private readonly triggers = new Map<number, { word: string; encoding: Encoding }>();

  constructor(readonly ruleSet: CompiledRuleSet) {
    for (const [encoding, words] of Object.entries(DECODE_TRIGGERS) as [Encoding, string[]][]) {
      for (const w of words) {
        const i = ruleSet.keywords.findIndex((k, j) => k === w.toLowerCase() && !ruleSet.keywordCaseSensitive[j]);
        if (i >= 0) this.triggers.set(i, { word: w.toLowerCase(), encoding });
      }
    }
  }

  /** Indices of rules whose keywords occur in the content and whose path constraint admits the file. */
  candidateRules(content: Buffer, relPath: string, triggered?: { encodings: Set<Encoding>; words: Set<string> }): number[] {
    const { keywordSet, rulesByKeyword, rules, pathOnlyRules } = this.ruleSet;
    const seen = new Set<number>();
    for (const r of pathOnlyRules) if (rules[r].pathFilter!(relPath)) seen.add(r);
    const hits = keywordSet ? keywordSet.match(content) : [];
    if (hits.length === 0) return [...seen];
    if (triggered && this.triggers.size) {
      for (const k of hits) {
        const t = this.triggers.get(k);
        if (t) {
          triggered.encodings.add(t.encoding);
          triggered.words.add(t.word);
        }
      }
    }
    const lock = isLockFile(relPath);
    for (const k of hits) {
      for (const r of rulesByKeyword[k]) {
        if (seen.has(r)) continue;
        const c = rules[r];
        if (c.pathFilter && !c.pathFilter(relPath)) continue;
        if (lock && c.rule.generic) continue;
        seen.add(r);
      }
    }
    return [...seen].sort((a, b) => a - b);
  }

  match(content: Buffer, relPath = ''): MatchResult {
    const triggered = { encodings: new Set<Encoding>(), words: new Set<string>() };
    const candidates: Candidate[] = [];
    const cache: WindowCache = { positions: new Map() };
    for (const r of this.candidateRules(content, relPath, triggered)) this.runRuleWindowed(r, content, candidates, relPath, cache);
    // A rule that matched part of the encoded text itself (a SAS token's signature with %2F in it) keeps its
    // raw match; one that saw the whole encoded blob as an opaque value gives way to what it decodes to.
    const decoded = (triggered.encodings.size ? this.matchDecoded(content, relPath, triggered.encodings, triggered.words) : []).filter(
      (d) => !candidates.some((c) => c.rule === d.rule && c.start < d.end && d.start < c.end && !(c.start === d.start && c.end === d.end)),
    );
    if (candidates.length === 0 && decoded.length === 0) return { matches: [], conditionallyAllowed: [] };
    // One credential, one token: where a decoded match and a raw one overlap, the more specific rule wins
    // (a provider rule over a generic one, then confidence); on a tie the decoded secret, which is the real one.
    const overlapping = (a: Candidate, b: Candidate) => a.start < b.end && b.start < a.end;
    const raw = candidates.filter((c) => !decoded.some((d) => overlapping(c, d) && specificity(d) >= specificity(c)));
    const kept = [...resolveOverlaps(raw), ...decoded.filter((d) => !raw.some((c) => overlapping(c, d)))].sort((a, b) => a.start - b.start);
    const lines = new LineIndex(content);
    // Multi-part credentials: a match whose rule names parts gathers them from the lines around it, and a
    // part that another rule matched on its own is reported inside this token rather than as a second one.
    const absorbed = new Set<Candidate>();
    for (const c of [...kept].sort(compareRank)) {
      if (!c.rule.parts.length || absorbed.has(c)) continue;
      attachParts(c, content, lines, lines.lineOf(c.start));
      for (const [ps, pe] of c.partSpans ?? []) {
        for (const k of kept) if (k !== c && !absorbed.has(k) && k.start < pe && ps < k.end) absorbed.add(k);
      }
    }
    const matches: RawMatch[] = [];
    const conditionallyAllowed: AllowedMatch[] = [];
    for (const c of kept) {
      if (absorbed.has(c)) continue;
      const s = lines.position(c.start);
      const e = lines.position(c.end);
      const m: RawMatch = {
        ruleId: c.rule.rule.id,
        secret: c.secret,
        start: c.start,
        end: c.end,
        line: s.line,
        column: s.column,
        endLine: e.line,
        endColumn: e.column,
        entropy: Math.round(c.entropy * 1000) / 1000,
        confidence: c.confidence,
        // Interim: the score follows the rule's confidence until candidates are scored on their features.
        score: c.confidence === 'high' ? 0.95 : c.confidence === 'medium' ? 0.8 : 0.6,
        reasons: [`${c.confidence}-confidence rule`],
      };
      if (c.rule.rule.kind === 'password-hash') m.review = 'a password hash';
      if (c.checksumValid !== undefined) m.checksumValid = c.checksumValid;
      if (c.parts) m.parts = c.parts;
      if (c.decoded) m.decoded = c.decoded;
      const allow = allowMarker(content, lines.lineStart(s.line - 1), lines.lineEnd(s.line - 1));
      if (allow === true) continue;
      if (typeof allow === 'string') conditionallyAllowed.push({ match: m, fingerprintPrefix: allow });
      else matches.push(m);
    }
    return { matches, conditionallyAllowed };
  }

  /**
   * Decodes each encoded span and matches the line it sits on with the span replaced by its decoded text,
   * so that context around it (`password:` before a Kubernetes data value) still counts. A match inside the
   * decoded text is reported at the encoded span.
   */
  private matchDecoded(content: Buffer, relPath: string, encodings: Set<Encoding>, words: Set<string>): Candidate[] {
    const out: Candidate[] = [];
    for (const span of findEncodedSpans(content, encodings, words)) {
      // The rest of the line, up to DECODE_CONTEXT bytes each side (a minified file is one long line).
      const lineStart = Math.max(span.start === 0 ? 0 : content.lastIndexOf(10, span.start - 1) + 1, span.start - DECODE_CONTEXT);
      const nl = content.indexOf(10, span.end);
      const lineEnd = Math.min(nl === -1 ? content.length : nl, span.end + DECODE_CONTEXT);
      const prefix = content.subarray(lineStart, span.start);
      const view = Buffer.concat([prefix, span.decoded, content.subarray(span.end, lineEnd)]);
      const inner: Candidate[] = [];
      for (const r of this.candidateRules(view, relPath)) this.runRule(r, view, inner, relPath, 0, view.length);
      const from = prefix.length;
      const to = from + span.decoded.length;
      for (const c of resolveOverlaps(inner)) {
        if (c.end <= from || c.start >= to) continue; // outside the decoded text: the raw pass has it
        out.push({ ...c, start: span.start, end: span.end, decoded: span.encoding, parts: undefined });
      }
    }
    return resolveOverlaps(out);
  }

  /**
   * Byte offsets of every occurrence of a keyword, found once per content and shared by the rules that need
   * them; undefined when there are so many that reading the whole content is cheaper than windows.
   */
  private keywordPositions(k: number, content: Buffer, cache: WindowCache): number[] | undefined {
    if (cache.positions.has(k)) return cache.positions.get(k);
    const sensitive = this.ruleSet.keywordCaseSensitive[k];
    // Case-insensitive keywords are lower-cased already; search a lower-cased copy (ASCII letters map 1:1).
    const haystack = sensitive ? content : (cache.lower ??= Buffer.from(content.toString('latin1').toLowerCase(), 'latin1'));
    const needle = this.ruleSet.keywords[k];
    let found: number[] | undefined = [];
    for (let at = haystack.indexOf(needle); at !== -1; at = haystack.indexOf(needle, at + 1)) {
      if (found.length === MAX_WINDOWS) {
        found = undefined;
        break;
      }
      found.push(at);
    }
    cache.positions.set(k, found);
    return found;
  }

  /**
   * Runs a rule over the whole content, or, for a rule with a `window`, over the lines around its keywords
   * only: a generic rule keyed on "token" need not read a 30 KB file to look at the three lines that say it.
   */
  private runRuleWindowed(ruleIndex: number, content: Buffer, out: Candidate[], relPath: string, cache: WindowCache): void {
    const compiled = this.ruleSet.rules[ruleIndex];
    const window = compiled.rule.window;
    const keywords = this.ruleSet.keywordsByRule[ruleIndex];
    if (window === undefined || compiled.literalPrefix || content.length < WINDOW_MIN_CONTENT || keywords.length === 0) {
      this.runRule(ruleIndex, content, out, relPath, 0, content.length);
      return;
    }
    const lists: number[][] = [];
    for (const k of keywords) {
      const positions = this.keywordPositions(k, content, cache);
      if (!positions) {
        this.runRule(ruleIndex, content, out, relPath, 0, content.length);
        return;
      }
      if (positions.length) lists.push(positions);
    }
    const offsets = lists.length === 1 ? lists[0] : lists.flat().sort((a, b) => a - b);
    let from = -1;
    let to = -1;
    for (const at of offsets) {
      if (at < to && window === 0) continue; // same line as the window already open
      // From the start of the line `window` lines above the keyword to the end of the line `window` lines below.
      let start = at === 0 ? 0 : content.lastIndexOf(10, at - 1) + 1;
      for (let n = 0; n < window && start > 0; n++) start = start < 2 ? 0 : content.lastIndexOf(10, start - 2) + 1;
      let end = content.indexOf(10, at);
      if (end === -1) end = content.length;
      for (let n = 0; n < window && end < content.length; n++) {
        const nl = content.indexOf(10, end + 1);
        end = nl === -1 ? content.length : nl;
      }
      if (start <= to) to = Math.max(to, end);
      else {
        if (from >= 0) this.runRule(ruleIndex, content, out, relPath, from, to);
        from = start;
        to = end;
      }
    }
    if (from >= 0) this.runRule(ruleIndex, content, out, relPath, from, to);
  }

  private runRule(ruleIndex: number, content: Buffer, out: Candidate[], relPath: string, from: number, to: number): void {
    const compiled = this.ruleSet.rules[ruleIndex];
    const { regex } = compiled;
    const slice = from === 0 && to === content.length ? content : content.subarray(from, to);
    regex.lastIndex = 0;
    for (;;) {
      const m = regex.exec(slice);
      if (!m) break;
      const indices = m.indices;
      if (!indices) break;
      if (indices[0][1] === indices[0][0]) regex.lastIndex = indices[0][1] + 1; // never loop on an empty match
      const at = from + indices[0][0];
      if (compiled.leadingWordBoundary && at > 0 && isWordByte(content[at - 1])) {
        regex.lastIndex = indices[0][0] + 1; // the `\b` the compiled pattern left out: try the next position
        continue;
      }
      const span = secretSpan(compiled, indices);
      if (!span) continue;
      const start = from + span[0];
      const end = from + span[1];
      if (end - start > MAX_SECRET_BYTES || end <= start) continue;
      const secret = content.toString('utf8', start, end);
      if (compiled.rule.generic && mentionsDocumentationHost(slice.toString('latin1', indices[0][0], indices[0][1]))) continue;
      const candidate = this.accept(compiled, ruleIndex, secret, start, end, indices[0][1] - indices[0][0], relPath);
      if (candidate) out.push(candidate);
    }
  }

  /** The rule's filters: entropy, placeholders, references, checksum. Returns undefined to drop. */
  private accept(
    compiled: CompiledRule, ruleIndex: number, secret: string, start: number, end: number, context: number, relPath: string,
  ): Candidate | undefined {
    const { rule } = compiled;
    const entropy = shannonEntropy(secret);
    const minEntropy = rule.minEntropy ?? (rule.generic ? defaultMinEntropy(secret) : 0);
    if (entropy < minEntropy) return undefined;
    if (rule.kind !== 'private-key' && isPlaceholder(secret, rule.generic ?? false)) return undefined;
    if (rule.generic && (isNonLiteralValue(secret) || !isCredentialLike(secret, rule.kind, relPath))) return undefined;
    let confidence = rule.confidence;
    let checksumValid: boolean | undefined;
    if (rule.checksum) {
      checksumValid = verifyChecksum(rule.checksum, secret);
      if (checksumValid === true) confidence = 'high';
      else if (checksumValid === false) confidence = LOWER[confidence];
    }
    return { rule: compiled, ruleIndex, secret, start, end, context, entropy, confidence, checksumValid };
  }
}

function isWordByte(b: number): boolean {
  return (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || b === 0x5f;
}

/** The secret's byte span: group `secret` if named and it took part, else the first group that took part. */
function secretSpan(rule: CompiledRule, indices: RegExpIndicesArray): [number, number] | undefined {
  if (rule.namedSecret) {
    const g = indices.groups?.secret;
    if (g) return g;
  }
  for (let i = 1; i < indices.length; i++) {
    const g = indices[i];
    if (g) return g;
  }
  return undefined;
}

/**
 * Rank of a candidate when spans overlap: a provider rule beats a generic one; then the longer secret (a
 * Google Chat webhook URL beats the API key inside it); then a rule that matched with its provider's name
 * as context beats a format-only one (Clerk's sk_live_ next to "clerk" is not Stripe's); then confidence,
 * checksum, and the order of the rules.
 */
function rank(c: Candidate): number[] {
  const contextual = c.context > c.end - c.start + 2 ? 1 : 0;
  return [c.rule.rule.generic ? 0 : 1, c.end - c.start, contextual, CONFIDENCE_RANK[c.confidence], c.checksumValid ? 1 : 0, -c.ruleIndex];
}

/** How specific a match is, ignoring span length: provider over generic, then confidence. */
function specificity(c: Candidate): number {
  return (c.rule.rule.generic ? 0 : 10) + CONFIDENCE_RANK[c.confidence];
}

function compareRank(a: Candidate, b: Candidate): number {
  const ra = rank(a);
  const rb = rank(b);
  for (let i = 0; i < ra.length; i++) if (ra[i] !== rb[i]) return rb[i] - ra[i];
  return 0;
}

/** When several rules match overlapping spans, report each span once under the best rule. */
export function resolveOverlaps(candidates: Candidate[]): Candidate[] {
  const sorted = [...candidates].sort(compareRank);
  const kept: Candidate[] = [];
  for (const c of sorted) {
    if (kept.some((k) => c.start < k.end && k.start < c.end)) continue;
    kept.push(c);
  }
  return kept.sort((a, b) => a.start - b.start);
}

/** Looks for the companion parts of a multi-part credential in the lines around the secret. */
function attachParts(c: Candidate, content: Buffer, lines: LineIndex, line0: number): void {
  const parts: Record<string, string> = {};
  const spans: [number, number][] = [];
  let missingRequired = false;
  for (const part of c.rule.parts) {
    const from = lines.lineStart(Math.max(0, line0 - part.within));
    const to = lines.lineEnd(Math.min(lines.lineCount - 1, line0 + part.within));
    const window = content.subarray(from, to);
    part.regex.lastIndex = 0;
    let value: string | undefined;
    for (;;) {
      const m = part.regex.exec(window);
      if (!m || !m.indices) break;
      if (m.indices[0][1] === m.indices[0][0]) part.regex.lastIndex = m.indices[0][1] + 1;
      const g = m.indices[1] ?? m.indices[0];
      const v = window.toString('utf8', g[0], g[1]);
      if (v && !isPlaceholder(v) && !(from + g[0] < c.end && c.start < from + g[1])) {
        value = v;
        spans.push([from + g[0], from + g[1]]);
        break;
      }
    }
    if (value !== undefined) parts[part.name] = value;
    else if (part.required) missingRequired = true;
  }
  if (spans.length) {
    c.parts = parts;
    c.partSpans = spans;
  }
  // A part found alone (the key id without its secret) is still reported, at lower confidence.
  if (missingRequired || !spans.length) c.confidence = LOWER[c.confidence];
}

/** true: allowed outright; a string: allowed only for the token whose fingerprint starts with it. */
function allowMarker(content: Buffer, lineStart: number, lineEnd: number): true | string | undefined {
  const line = content.subarray(lineStart, lineEnd);
  for (const marker of ALLOW_MARKERS) {
    const at = line.indexOf(marker);
    if (at === -1) continue;
    if (marker !== 'shadowscan:allow') return true;
    const rest = line.toString('utf8', at + marker.length, Math.min(line.length, at + marker.length + 80));
    const fp = /^\s+([0-9a-f]{6,64})\b/.exec(rest);
    return fp ? fp[1] : true;
  }
  return undefined;
}
