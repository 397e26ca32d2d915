// The matcher: rules + bytes -> matches. Pure: no I/O, no fingerprints, no reporting.
import type { CompiledRule, CompiledRuleSet } from '../rules/index.js';
import type { Confidence, RawMatch, Severity } from '../model/index.js';
import { shannonEntropy, defaultMinEntropy } from './entropy.js';
import { ALLOW_MARKERS, ALLOW_NEXT_LINE_MARKER, isLockFile, isPlaceholder, mentionsDocumentationHost } from './filters.js';
import { findCandidates, GRAMMAR_KEYWORDS, type Candidate as GrammarCandidate, type SyntaxForm } from './grammar.js';
import { classifyKey } from './keys.js';
import { isJwt, isProviderPlaceholder } from './values.js';
import { candidateEvidence, KEEP_SCORE, scoreCandidate, scorePemBlock, scoreProviderMatch, type Evidence, type Scored } from './score.js';
import { fileFamily, lineRole, pathRole, type FileFamily, type PathRole } from './syntax.js';
import { LineIndex } from './lines.js';
import { isWordByte } from './chars.js';
import { verifyChecksum } from './checksum.js';
import { DECODE_TRIGGERS, findEncodedSpans, type Encoding } from './decode.js';
import { findPemBlocks, PEM_TRIGGER_SEARCH, PEM_TRIGGERS, type PemSearch } from './pem.js';
import { KeywordLocator } from './windows.js';
import { documentedCredential } from './documented.js';
import type { IndexedMatch } from './indices.js';

/** Every decoding trigger and the grammar's secret words, for `compileRules(..., { extraKeywords })`. */
export const DECODE_KEYWORDS = [...Object.values(DECODE_TRIGGERS).flat(), ...GRAMMAR_KEYWORDS, ...PEM_TRIGGERS];

/** A match the user allowed inline; `fingerprint` is the prefix given after the marker, if any. */
export interface AllowedMatch {
  match: RawMatch;
  fingerprintPrefix?: string;
}

export interface ExplainedCandidate {
  /** The grammar-fed rule that would report it, if its key class has one. */
  ruleId?: string;
  candidate: GrammarCandidate;
  column: number;
  evidence: Evidence[];
  score?: number;
  dropped?: string;
  review?: string;
}

export interface Explanation {
  family: FileFamily;
  pathRole: PathRole;
  candidates: ExplainedCandidate[];
  /** What the scan would report on the line (provider rules and grammar alike). */
  matches: RawMatch[];
}

export interface MatchResult {
  matches: RawMatch[];
  /** Matches on lines carrying an allow marker bound to a fingerprint prefix: the scan layer decides. */
  conditionallyAllowed: AllowedMatch[];
  /** A rule matched more than MAX_CANDIDATES times: the rest of its matches were not read. */
  truncated?: boolean;
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
  partSpans?: [number, number, string][];
  decoded?: Encoding;
  score: number;
  reasons: string[];
  review?: string;
  /** Raised by a part found with the secret (see RulePart.severity). */
  severity?: Severity;
}

const CONFIDENCE_RANK: Record<Confidence, number> = { high: 3, medium: 2, low: 1 };
const SEVERITY_RANK: Record<Severity, number> = { critical: 5, high: 4, medium: 3, low: 2, info: 1 };
const LOWER: Record<Confidence, Confidence> = { high: 'medium', medium: 'low', low: 'low' };

/** Context kept around a decoded span: enough for a key name and its quotes. */
const DECODE_CONTEXT = 256;
/** Decoded spans shorter than this are not matched: no rule or grammar candidate reports a shorter secret. */
const MIN_DECODED = 6;


/** Per-content state shared by windowed rules: keyword offsets. */
interface WindowCache {
  /** Keyword offsets, found for every windowed rule's keywords in one pass on first need. */
  positions?: Map<number, number[] | undefined>;
}

/** A provider acceptance for scoring an upper bound (see runGrammar): its words are never shown. */
const PROVIDER_ACCEPTS_BOUND = 'named for a provider and in its format';

/** Below this size a windowed rule simply reads the whole content. */
const WINDOW_MIN_CONTENT = 4096;

/**
 * Candidates kept per content: a rule matching everywhere (a custom `(.)`) must not make a scan run for hours. Past
 * it the content's remaining matches are not read, and the scan says so.
 */
const MAX_CANDIDATES = 10_000;

/** Longest secret we consider (private keys run to a few KB; anything longer is data, not a credential). */
const MAX_SECRET_BYTES = 16384;

/**
 * Content a matcher reads before it turns to the keyword Set with pattern cores: compiling that Set costs about 10 ms,
 * which a pre-commit hook matching a few small files would not get back.
 */
export const CORES_AFTER_BYTES = 1 << 20;

export interface MatcherOptions {
  /** Bytes read before the pattern cores join the prefilter (default CORES_AFTER_BYTES; 0: from the start). */
  coresAfter?: number;
}

export class Matcher {
  /** Keyword index -> the trigger word and the encoding its presence suggests (when compiled with DECODE_KEYWORDS). */
  private readonly triggers = new Map<number, { word: string; encoding: Encoding }>();
  /** Keyword indices of the grammar's secret words: any of them in the content sends it through the grammar. */
  private readonly grammarKeywords = new Set<number>();
  /** Keyword indices of PEM markers -> the form each announces: any of them sends the content through the PEM finder. */
  private readonly pemKeywords = new Map<number, PemSearch>();
  /** Set by a match that stopped at MAX_CANDIDATES. */
  private truncated = false;
  /** Finds the windowed rules' keywords in one pass (built on first need). */
  private locator: KeywordLocator | undefined;
  /** Provider words (`telegram`, `slack`) -> the provider's pattern rules, for the provider veto. */
  private providerRules: Map<string, number[]> | undefined;

  /** Bytes of content this matcher has prefiltered, until it turns to the Set with pattern cores. */
  private bytesRead = 0;
  private readonly coresAfter: number;
  /** Per core (Set index minus the keyword count): whether it occurs in the content being prefiltered. */
  private coreSeen: Uint8Array | undefined;

  constructor(
    readonly ruleSet: CompiledRuleSet,
    options: MatcherOptions = {},
  ) {
    this.coresAfter = options.coresAfter ?? CORES_AFTER_BYTES;
    for (const [encoding, words] of Object.entries(DECODE_TRIGGERS) as [Encoding, string[]][]) {
      for (const w of words) {
        const i = ruleSet.keywords.findIndex((k, j) => k === w.toLowerCase() && !ruleSet.keywordCaseSensitive[j]);
        if (i >= 0) this.triggers.set(i, { word: w.toLowerCase(), encoding });
      }
    }
    if (ruleSet.rulesByPemLabel.size) {
      for (const [w, search] of PEM_TRIGGER_SEARCH) {
        const i = ruleSet.keywords.findIndex((k, j) => k === w && !ruleSet.keywordCaseSensitive[j]);
        if (i >= 0) this.pemKeywords.set(i, search);
      }
    }
    if (ruleSet.rulesByKeyClass.size || ruleSet.providerNames.size) {
      for (const w of GRAMMAR_KEYWORDS) {
        const i = ruleSet.keywords.findIndex((k, j) => k === w && !ruleSet.keywordCaseSensitive[j]);
        if (i >= 0) this.grammarKeywords.add(i);
      }
    }
  }

  /**
   * Indices of rules whose keywords occur in the content and whose path constraint admits the file; once the matcher
   * has read enough, also only those whose pattern core occurs (the same Set pass finds both).
   */
  candidateRules(content: Buffer, relPath: string, triggered?: Triggered): number[] {
    const { keywordSet, rulesByKeyword, rules, pathOnlyRules, keywords } = this.ruleSet;
    const seen = new Set<number>();
    for (const r of pathOnlyRules) if (rules[r].pathFilter!(relPath)) seen.add(r);
    const cores = this.bytesRead >= this.coresAfter ? this.ruleSet.patternCores() : undefined;
    this.bytesRead += content.length;
    const set = cores ? cores.set : keywordSet;
    const hits = set ? set.match(content) : [];
    if (hits.length === 0) return [...seen];
    let coreSeen: Uint8Array | undefined;
    if (cores) {
      coreSeen = this.coreSeen ??= new Uint8Array(cores.set.size - keywords.length);
      coreSeen.fill(0);
      for (const k of hits) if (k >= keywords.length) coreSeen[k - keywords.length] = 1;
    }
    if (triggered) {
      for (const k of hits) {
        const t = this.triggers.get(k);
        if (t) {
          triggered.encodings.add(t.encoding);
          triggered.words.add(t.word);
        }
        if (this.grammarKeywords.has(k)) triggered.grammar = true;
        const pem = this.pemKeywords.get(k);
        if (pem) triggered.pem.add(pem);
      }
    }
    const lock = isLockFile(relPath);
    for (const k of hits) {
      if (k >= keywords.length) continue; // a core: consulted below
      for (const r of rulesByKeyword[k]) {
        if (seen.has(r)) continue;
        const c = rules[r];
        if (c.pathFilter && !c.pathFilter(relPath)) continue;
        if (lock && c.rule.generic) continue;
        // Its keyword occurs but the start of every match it could make does not.
        if (coreSeen && cores!.coreOf[r] >= 0 && !coreSeen[cores!.coreOf[r] - keywords.length]) continue;
        seen.add(r);
      }
    }
    return [...seen].sort((a, b) => a - b);
  }

  match(content: Buffer, relPath = ''): MatchResult {
    this.truncated = false;
    const triggered: Triggered = { encodings: new Set<Encoding>(), words: new Set<string>(), grammar: false, pem: new Set() };
    const candidates: Candidate[] = [];
    const cache: WindowCache = {};
    const role = pathRole(relPath);
    for (const r of this.candidateRules(content, relPath, triggered)) this.runRuleWindowed(r, content, candidates, relPath, cache);
    if (triggered.grammar && !isLockFile(relPath)) this.runGrammar(content, relPath, role, candidates);
    if (triggered.pem.size) this.runPem(content, relPath, role, candidates, triggered.pem);
    // A rule that matched part of the encoded text itself (a SAS token's signature with %2F in it) keeps its
    // raw match; one that saw the whole encoded blob as an opaque value gives way to what it decodes to.
    const decoded = (triggered.encodings.size ? this.matchDecoded(content, relPath, triggered.encodings, triggered.words) : []).filter(
      (d) => !candidates.some((c) => c.rule === d.rule && c.start < d.end && d.start < c.end && !(c.start === d.start && c.end === d.end)),
    );
    if (candidates.length === 0 && decoded.length === 0) return { matches: [], conditionallyAllowed: [], truncated: this.truncated || undefined };
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
      if (absorbed.has(c)) continue;
      if (!c.parts && c.rule.parts.length) attachParts(c, content, lines, lines.lineOf(c.start));
      // A provider's part matched by its own rule (the AWS key id) is folded in; a generic user-name guess never
      // swallows another finding.
      if (c.rule.rule.generic) continue;
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
        score: c.score,
        reasons: c.reasons,
      };
      if (c.review) m.review = c.review;
      if (c.severity) m.severity = c.severity;
      if (c.checksumValid !== undefined) m.checksumValid = c.checksumValid;
      if (c.parts) m.parts = c.parts;
      // Located parts come from rules that know the format (FileZilla's <User> is the same server's); the generic
      // user-name part is a guess from nearby lines, kept as a value but not offered as a place of the credential.
      if (c.partSpans?.length && !c.decoded && !c.rule.rule.generic) {
        m.partLocations = c.partSpans.map(([ps, pe, name]) => {
          const a = lines.position(ps);
          const b = lines.position(pe);
          return { name, line: a.line, column: a.column, endLine: b.line, endColumn: b.column };
        });
      }
      if (c.decoded) m.decoded = c.decoded;
      const allow =
        allowMarker(content, lines.lineStart(s.line - 1), lines.lineEnd(s.line - 1)) ??
        (s.line > 1 && content.subarray(lines.lineStart(s.line - 2), lines.lineEnd(s.line - 2)).includes(ALLOW_NEXT_LINE_MARKER) ? true : undefined);
      if (allow === true) continue;
      if (typeof allow === 'string') conditionallyAllowed.push({ match: m, fingerprintPrefix: allow });
      else matches.push(m);
    }
    return { matches, conditionallyAllowed, truncated: this.truncated || undefined };
  }

  /**
   * Everything the matcher considered on one line (1-based), for `shadowscan explain`: the grammar's candidates with
   * every feature and its weight (also those dropped), and the matches that would be reported. Holds raw values:
   * the caller redacts them.
   */
  explain(content: Buffer, relPath: string, line: number): Explanation {
    const lines = new LineIndex(content);
    const from = lines.lineStart(line - 1);
    const to = lines.lineEnd(line - 1);
    const role = pathRole(relPath);
    const candidates: ExplainedCandidate[] = [];
    for (const g of findCandidates(content, relPath)) {
      if (g.end < from || g.start > to) continue;
      const { rule, provider } = this.ruleForCandidate(g, content);
      const veto = provider.accepted ? undefined : (provider.veto ?? this.providerVeto(g, content));
      const ev = candidateEvidence(g, role, veto, provider.accepted);
      const scored = scoreCandidate(g, role, veto, provider.accepted);
      candidates.push({
        ruleId: rule === undefined ? undefined : this.ruleSet.rules[rule].rule.id,
        candidate: g,
        column: lines.position(g.start).column,
        evidence: 'drop' in ev ? [] : ev,
        dropped: 'drop' in scored ? scored.drop : scored.score < KEEP_SCORE ? `score below ${KEEP_SCORE}` : undefined,
        score: 'drop' in scored ? undefined : scored.score,
        review: 'drop' in scored ? undefined : scored.review,
      });
    }
    const matches = this.match(content, relPath).matches.filter((m) => m.line <= line && m.endLine >= line);
    return { family: fileFamily(relPath), pathRole: role, candidates, matches };
  }

  /**
   * Every value the assignment grammar finds next to a secret-named key, scored, under the grammar-fed rule of its
   * key's class. Candidates below KEEP_SCORE (words, labels, code) are not kept.
   */
  private runGrammar(content: Buffer, relPath: string, role: PathRole, out: Candidate[]): void {
    for (const g of findCandidates(content, relPath)) {
      // Most candidates of real code score far below KEEP_SCORE however their provider reads. Scored first as if a
      // provider accepted them (the most that naming can add; a veto only subtracts), those are dropped before the
      // provider lookup, which reads the lines above and runs provider rules (node_modules: 13,000 candidates).
      const best = scoreCandidate(g, role, undefined, PROVIDER_ACCEPTS_BOUND);
      if ('drop' in best || best.score < KEEP_SCORE) continue;
      const { rule: r, provider } = this.ruleForCandidate(g, content);
      if (r === undefined) continue;
      const documented = documentedCredential(g.value);
      if (documented && !documented.review) continue;
      const compiled = this.ruleSet.rules[r];
      if (compiled.pathFilter && !compiled.pathFilter(relPath)) continue;
      const scored = scoreCandidate(g, role, provider.accepted ? undefined : (provider.veto ?? this.providerVeto(g, content)), provider.accepted);
      if ('drop' in scored || scored.score < KEEP_SCORE) continue;
      if (Buffer.byteLength(g.value) > MAX_SECRET_BYTES) continue;
      const c = this.fromScored(compiled, r, g.value, g.start, g.end, scored);
      if (documented) c.review = `published as ${documented.what} (${documented.source})`;
      if (g.username) {
        c.parts = { username: g.username.value };
        c.partSpans = [[g.username.start, g.username.end, 'username']];
      }
      out.push(c);
    }
  }

  /**
   * The rule a grammar candidate is reported under: a provider's (fed by the grammar) when its context names the
   * provider and the value is in its format; otherwise the generic rule of its key class, with a veto when a named
   * provider's format rejects the value.
   */
  private ruleForCandidate(g: GrammarCandidate, content: Buffer): { rule: number | undefined; provider: { accepted?: string; veto?: string } } {
    const generic = this.ruleSet.rulesByKeyClass.get(g.keyInfo.cls);
    const names = this.ruleSet.providerNames;
    if (!names.size || g.keyInfo.cls === 'metadata' || g.keyInfo.cls === 'hash') return { rule: generic, provider: {} };
    let named = names.named(g.key);
    if (!named.length && g.parent) named = names.named(g.parent);
    if (!named.length) named = names.named(linesAbove(content, g.keyStart, 2));
    if (!named.length) return { rule: generic, provider: {} };
    let vetoed: number | undefined;
    for (const r of named) {
      const spec = this.ruleSet.rules[r].rule.candidates!;
      if (!spec.keyClasses.includes(g.keyInfo.cls)) continue;
      if (names.accepts(r, g.value)) return { rule: r, provider: { accepted: `named for ${this.ruleSet.rules[r].rule.provider} and in its format` } };
      vetoed = r;
    }
    if (vetoed === undefined) return { rule: generic, provider: {} };
    return { rule: generic, provider: { veto: `named for ${this.ruleSet.rules[vetoed].rule.provider}, but not in its format` } };
  }


  /**
   * Private-key blocks in every form (plain, prefixed lines, escaped or concatenated strings, base64), under the rule
   * for their label. The secret is the key's base64 body, so the same key written two ways is one token.
   */
  private runPem(content: Buffer, relPath: string, role: PathRole, out: Candidate[], searches: ReadonlySet<PemSearch>): void {
    const byLabel = this.ruleSet.rulesByPemLabel;
    for (const b of findPemBlocks(content, searches)) {
      const entry = byLabel.get(b.label) ?? byLabel.get('*');
      const r = b.encrypted ? entry?.encrypted : entry?.clear;
      if (r === undefined) continue;
      const compiled = this.ruleSet.rules[r];
      if (compiled.pathFilter && !compiled.pathFilter(relPath)) continue;
      const scored = scorePemBlock(b, compiled.rule, role, lineRole(lineAround(content, b.start), fileFamily(relPath)));
      if (!scored) continue;
      const c = this.fromScored(compiled, r, b.body, b.start, b.end, scored);
      c.confidence = b.der ? compiled.rule.confidence : LOWER[compiled.rule.confidence];
      out.push(c);
    }
  }

  private fromScored(compiled: CompiledRule, ruleIndex: number, secret: string, start: number, end: number, scored: Scored): Candidate {
    const confidence: Confidence = scored.score >= 0.9 ? 'high' : scored.score >= 0.7 ? 'medium' : 'low';
    const c: Candidate = {
      rule: compiled, ruleIndex, secret, start, end, context: end - start, entropy: shannonEntropy(secret), confidence,
      score: scored.score, reasons: scored.reasons,
    };
    if (scored.review) c.review = scored.review;
    return c;
  }

  /**
   * A candidate whose key names a provider (`telegram_token`) but whose value no rule of that provider accepts
   * is probably not that provider's token: the reason to lower its score. A value the provider's rule accepts
   * is reported by that rule, which outranks the generic candidate.
   */
  private providerVeto(g: GrammarCandidate, content: Buffer): string | undefined {
    if (g.keyInfo.cls !== 'token' && g.keyInfo.cls !== 'api-key' && g.keyInfo.cls !== 'secret') return undefined;
    const index = (this.providerRules ??= this.buildProviderIndex());
    for (const w of g.keyInfo.words) {
      const rules = index.get(w);
      if (!rules) continue;
      let offset = g.keyStart;
      const floor = Math.max(0, g.keyStart - 200);
      while (offset > floor && content[offset - 1] !== 10) offset--;
      let lineEnd = g.end;
      const ceil = Math.min(content.length, g.end + 200);
      while (lineEnd < ceil && content[lineEnd] !== 10) lineEnd++;
      const line = content.subarray(offset, lineEnd);
      for (const r of rules) {
        const regex = this.ruleSet.rules[r].regex;
        regex.lastIndex = 0;
        for (let m = regex.exec(line) as IndexedMatch | null; m; m = regex.exec(line) as IndexedMatch | null) {
          const ix = m.indices?.[0];
          if (!ix) break;
          if (ix[1] === ix[0]) regex.lastIndex = ix[1] + 1;
          if (offset + ix[0] < g.end && g.start < offset + ix[1]) return undefined;
        }
      }
      return `named for ${this.ruleSet.rules[rules[0]].rule.provider}, but not in its format`;
    }
    return undefined;
  }

  private buildProviderIndex(): Map<string, number[]> {
    const index = new Map<string, number[]>();
    this.ruleSet.rules.forEach((c, i) => {
      // Only rules for a key or token speak for a provider's key format: its webhook URL, connection string or
      // password rule says nothing about what `TINES_API_KEY` holds.
      if (c.rule.generic || !c.rule.pattern || NOT_A_KEY_FORMAT.has(c.rule.kind)) return;
      // The provider's own name, as a word of a key: `telegram` in TELEGRAM_TOKEN, `github` in githubToken.
      const words = new Set([c.rule.id.split('.')[0], c.rule.provider.toLowerCase().replace(/[^a-z0-9]/g, '')]);
      for (const w of words) {
        if (w.length < 4 || GENERIC_PROVIDER_WORDS.has(w)) continue;
        const list = index.get(w) ?? [];
        list.push(i);
        index.set(w, list);
      }
    });
    return index;
  }

  /**
   * Decodes each encoded span and matches the line it sits on with the span replaced by its decoded text,
   * so that context around it (`password:` before a Kubernetes data value) still counts. A match inside the
   * decoded text is reported at the encoded span.
   */
  private matchDecoded(content: Buffer, relPath: string, encodings: Set<Encoding>, words: Set<string>): Candidate[] {
    const out: Candidate[] = [];
    const role = pathRole(relPath);
    for (const span of findEncodedSpans(content, encodings, words)) {
      // A span is a whole run between spaces and quotes: decoded to fewer characters than a secret has, it holds none
      // (minified code is full of `"\u00a0"`).
      if (span.decoded.length < MIN_DECODED) continue;
      // The rest of the line, up to DECODE_CONTEXT bytes each side (a minified file is one long line: searched no
      // further than that, not once per span to the line's ends).
      let lineStart = span.start;
      while (lineStart > 0 && span.start - lineStart < DECODE_CONTEXT && content[lineStart - 1] !== 10) lineStart--;
      let lineEnd = span.end;
      while (lineEnd < content.length && lineEnd - span.end < DECODE_CONTEXT && content[lineEnd] !== 10) lineEnd++;
      const prefix = content.subarray(lineStart, span.start);
      const view = Buffer.concat([prefix, span.decoded, content.subarray(span.end, lineEnd)]);
      const inner: Candidate[] = [];
      const triggered: Triggered = { encodings: new Set(), words: new Set(), grammar: false, pem: new Set() };
      for (const r of this.candidateRules(view, relPath, triggered)) this.runRule(r, view, inner, relPath, 0, view.length);
      if (triggered.grammar) this.runGrammar(view, relPath, role, inner);
      const from = prefix.length;
      const to = from + span.decoded.length;
      for (const c of resolveOverlaps(inner)) {
        if (c.end <= from || c.start >= to) continue; // outside the decoded text: the raw pass has it
        out.push({ ...c, start: span.start, end: span.end, decoded: span.encoding, parts: undefined, partSpans: undefined });
      }
    }
    return resolveOverlaps(out);
  }
  /**
   * Byte offsets of every occurrence of a keyword, found for all windowed rules' keywords at once on first need;
   * undefined when there are so many that reading the whole content is cheaper than windows.
   */
  private keywordPositions(k: number, content: Buffer, cache: WindowCache): number[] | undefined {
    if (!cache.positions) {
      cache.positions = (this.locator ??= this.buildLocator()).locate(content);
    }
    // Absent: not seen; present but undefined: seen too often for windows (the rule reads the whole content).
    return cache.positions.has(k) ? cache.positions.get(k) : [];
  }

  private buildLocator(): KeywordLocator {
    const used = new Set<number>();
    this.ruleSet.rules.forEach((c, i) => {
      if (c.rule.window !== undefined && !c.literalPrefix) for (const k of this.ruleSet.keywordsByRule[i]) used.add(k);
    });
    return new KeywordLocator(this.ruleSet.keywords, this.ruleSet.keywordCaseSensitive, used);
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
    // End of the previous keyword's line: a keyword on the same line opens the same window. Without this a minified
    // file (one long line) with many keywords was read back to the line's start once per keyword.
    let hitLineEnd = -1;
    for (const at of offsets) {
      if (at < hitLineEnd) continue;
      // From the start of the line `window` lines above the keyword to the end of the line `window` lines below.
      let start = at === 0 ? 0 : content.lastIndexOf(10, at - 1) + 1;
      for (let n = 0; n < window && start > 0; n++) start = start < 2 ? 0 : content.lastIndexOf(10, start - 2) + 1;
      let end = content.indexOf(10, at);
      if (end === -1) end = content.length;
      hitLineEnd = end;
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
      const m = regex.exec(slice) as IndexedMatch | null;
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
      const candidate = this.accept(compiled, ruleIndex, secret, start, end, indices[0][1] - indices[0][0], relPath, content);
      if (candidate) {
        if (out.length >= MAX_CANDIDATES) {
          this.truncated = true;
          break;
        }
        out.push(candidate);
      }
    }
  }

  /** The rule's filters (entropy, placeholders, checksum) and its score. Returns undefined to drop. */
  private accept(
    compiled: CompiledRule, ruleIndex: number, secret: string, start: number, end: number, context: number, relPath: string, content: Buffer,
  ): Candidate | undefined {
    const { rule } = compiled;
    const entropy = shannonEntropy(secret);
    if (rule.minEntropy !== undefined && entropy < rule.minEntropy) return undefined;
    // A token whose checksum holds is real whatever letters it happens to contain (`xxxx` once in 10,000).
    const checksumValid = rule.checksum ? verifyChecksum(rule.checksum, secret) : undefined;
    if (rule.kind !== 'private-key' && checksumValid !== true && (rule.generic ? isPlaceholder(secret, true) : isProviderPlaceholder(secret))) return undefined;
    // Published in a provider's own documentation: copied everywhere, unlocking nothing.
    const documented = documentedCredential(secret);
    if (documented && !documented.review) return undefined;
    // A JWT's header is JSON naming its algorithm; a string shaped like one that is not is something else.
    if (rule.generic && rule.kind === 'jwt' && !isJwt(secret)) return undefined;
    const role = pathRole(relPath);
    const line = lineAround(content, start);
    let candidate: Candidate;
    if (rule.generic) {
      // A generic pattern (a URL's password, a JWT, a header) is scored like a grammar candidate of its kind.
      const scored = scoreCandidate(asGrammarCandidate(rule, secret, start, end, relPath, line), role);
      if ('drop' in scored || scored.score < KEEP_SCORE) return undefined;
      candidate = this.fromScored(compiled, ruleIndex, secret, start, end, scored);
    } else {
      let confidence = rule.confidence;
      if (checksumValid === true) confidence = 'high';
      else if (checksumValid === false) confidence = LOWER[confidence];
      const scored = scoreProviderMatch(rule, secret, confidence, checksumValid, role, lineRole(line, fileFamily(relPath)));
      if (scored.score < KEEP_SCORE) return undefined;
      candidate = { rule: compiled, ruleIndex, secret, start, end, context, entropy, confidence, checksumValid, score: scored.score, reasons: scored.reasons };
      if (scored.review) candidate.review = scored.review;
    }
    if (documented) candidate.review = `published as ${documented.what} (${documented.source})`;
    return candidate;
  }
}

interface Triggered {
  encodings: Set<Encoding>;
  words: Set<string>;
  /** A grammar keyword occurs: the content goes through the assignment grammar. */
  grammar: boolean;
  /** The PEM forms whose markers occur: the content is searched for those. */
  pem: Set<PemSearch>;
}

/** Provider names too common as words of a key to name the provider (`cloud_token` is not Cloudflare's). */
const GENERIC_PROVIDER_WORDS = new Set(['generic', 'private', 'password', 'cloud', 'google', 'azure', 'service', 'session', 'token', 'secret', 'webhook', 'basic', 'bearer', 'oauth', 'app', 'api', 'key', 'jwt', 'database', 'mail', 'email', 'http', 'docker', 'git', 'ssh', 'test', 'live', 'main']);

/** The `n` lines above the one holding `at` (at most 300 bytes): where a YAML block or a comment names a provider. */
function linesAbove(content: Buffer, at: number, n: number): string {
  let end = at;
  while (end > 0 && content[end - 1] !== 10 && at - end < 300) end--;
  let start = end;
  for (let k = 0; k < n && start > 0; k++) {
    start--;
    while (start > 0 && content[start - 1] !== 10 && end - start < 300) start--;
  }
  // Another secret's assignment names that secret's provider, not this one's (`ZULIP_API_KEY=...` above
  // `TINES_API_KEY=...`); comments, section headers (`zulip:`) and settings such as `url: 'libsql://x.turso.io'` count.
  return content
    .toString('latin1', start, end)
    .split('\n')
    .filter((l) => {
      const m = ASSIGNMENT_LINE.exec(l);
      if (!m) return true;
      const cls = classifyKey(m[1])?.cls;
      return cls === undefined || cls === 'metadata';
    })
    .join('\n');
}

/** Rule kinds whose pattern is not the shape of a provider's API key or token. */
const NOT_A_KEY_FORMAT = new Set(['password', 'password-hash', 'private-key', 'webhook-url', 'connection-string', 'credentials']);

/** A line that assigns a value to a key (the key is group 1), as opposed to a comment or a section header. */
const ASSIGNMENT_LINE = /^\s*(?:export\s+)?["'`]?([\w.$-]+)["'`]?\s*(?::=|=>|[:=])\s*(?![{[(]?\s*$)\S/;

/** The line around an offset, at most 200 bytes each side of it (a minified file is one line). */
function lineAround(content: Buffer, at: number): string {
  let ls = at;
  const floor = Math.max(0, at - 200);
  while (ls > floor && content[ls - 1] !== 10) ls--;
  let le = at;
  const ceil = Math.min(content.length, at + 200);
  while (le < ceil && content[le] !== 10) le++;
  return content.toString('latin1', ls, le);
}

const GENERIC_FORMS: Record<string, SyntaxForm> = Object.assign(Object.create(null), { url: 'url', http: 'header', cli: 'command-line', jwt: 'token' });

/** A generic pattern's match described as a grammar candidate: the key class from the rule's kind, the form from its family. */
function asGrammarCandidate(rule: CompiledRule['rule'], secret: string, start: number, end: number, relPath: string, line: string): GrammarCandidate {
  const cls = rule.kind === 'password' ? 'password' : rule.kind === 'jwt' || rule.kind === 'oauth-token' ? 'token' : 'credential';
  const family = fileFamily(relPath);
  return {
    key: rule.id,
    keyInfo: classifyKey(cls) ?? { cls, term: cls, words: [cls] },
    keyStart: start,
    keyEnd: start,
    operator: '',
    value: secret,
    start,
    end,
    quoting: 'double',
    form: GENERIC_FORMS[rule.id.split('.')[1]] ?? 'assignment',
    lineRole: lineRole(line, family),
    family,
  };
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
  // Kept spans are disjoint: kept in start order, an overlap test is a binary search, not a scan of all of them
  // (a rule matching everywhere made this quadratic).
  const kept: Candidate[] = [];
  for (const c of sorted) {
    let lo = 0;
    let hi = kept.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (kept[mid].start < c.end) lo = mid + 1;
      else hi = mid;
    }
    // kept[lo - 1] is the last span starting before c ends: the only one that can overlap it.
    if (lo > 0 && kept[lo - 1].end > c.start) continue;
    kept.splice(lo, 0, c);
  }
  return kept;
}

/** Looks for the companion parts of a multi-part credential in the lines around the secret. */
function attachParts(c: Candidate, content: Buffer, lines: LineIndex, line0: number): void {
  const parts: Record<string, string> = {};
  const spans: [number, number, string][] = [];
  let missingRequired = false;
  for (const part of c.rule.parts) {
    const from = lines.lineStart(Math.max(0, line0 - part.within));
    const to = lines.lineEnd(Math.min(lines.lineCount - 1, line0 + part.within));
    const window = content.subarray(from, to);
    part.regex.lastIndex = 0;
    let value: string | undefined;
    for (;;) {
      const m = part.regex.exec(window) as IndexedMatch | null;
      if (!m || !m.indices) break;
      if (m.indices[0][1] === m.indices[0][0]) part.regex.lastIndex = m.indices[0][1] + 1;
      let g = m.indices[0];
      for (let i = 1; i < m.indices.length; i++) {
        if (m.indices[i]) {
          g = m.indices[i];
          break;
        }
      }
      const v = window.toString('utf8', g[0], g[1]);
      // A user name is a part even when it is an e-mail address on a documentation host.
      if (v && !/^(?:\$|\{\{|<|%)/.test(v) && !(from + g[0] < c.end && c.start < from + g[1])) {
        value = v;
        spans.push([from + g[0], from + g[1], part.name]);
        break;
      }
    }
    if (value !== undefined) {
      parts[part.name] = value;
      if (part.severity && SEVERITY_RANK[part.severity] > SEVERITY_RANK[c.severity ?? c.rule.rule.severity]) c.severity = part.severity;
    } else if (part.required) missingRequired = true;
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
