// Turns one piece of content into findings: prepare bytes, match, apply allowlists, fingerprint and redact.
// Runs in worker threads and inline alike; raw secrets stay inside this function unless showSecrets is set.
import RE2 from 're2';
import type { Occurrence, OccurrenceKind, RawMatch, Rule } from '../model/index.js';
import { compileRules } from '../rules/index.js';
import { DECODE_KEYWORDS, Matcher, chunkBounds, linesBefore, prepareContent, type ChunkSpec, type MatchResult } from '../match/index.js';
import { Scrubber, fingerprintPath, fingerprintSecret, redactSecret } from './redact.js';

/** A match made safe to pass around: the secret is replaced by its fingerprint and a redaction. */
export interface Finding {
  id: string;
  ruleId: string;
  redacted: string;
  length: number;
  entropy: number;
  confidence: RawMatch['confidence'];
  checksumValid?: boolean;
  parts?: { name: string; redacted: string }[];
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  decoded?: RawMatch['decoded'];
  score: number;
  reasons: string[];
  review?: string;
  partLocations?: RawMatch['partLocations'];
  severity?: RawMatch['severity'];
  secret?: string;
  /**
   * Found in a member of an archive: its path there (`config/app.env`, nested `pkg/b.zip!x.env`). The occurrence's
   * path is the archive's, then `!`, then this; line and columns are the member's.
   */
  member?: string;
  /** With `holdSecrets` (--verify): the secret and its parts, for the run's memory only (never stored or printed). */
  held?: HeldSecret;
}

/** A raw secret and the raw values of its parts, held in memory for the length of a run to verify it. */
export interface HeldSecret {
  secret: string;
  parts?: Record<string, string>;
}

export interface ContentResult {
  findings: Finding[];
  skipped?: string;
  warning?: string;
}

export interface FindingContextOptions {
  rules: Rule[];
  fingerprintKey: string;
  showSecrets: boolean;
  /** Findings carry `held` (the raw secret and parts) for --verify; the inventory never does. */
  holdSecrets?: boolean;
  allowSecrets: string[];
  stopwords: string[];
}

/** Contexts made on this thread, by rule set and settings (see FindingContext.shared). */
const sharedContexts = new WeakMap<Rule[], Map<string, FindingContext>>();

export class FindingContext {
  /**
   * One context per rule set and settings on this thread: compiling the rules costs 15 to 25 ms, which a pre-commit
   * hook paid twice (contents and names each made their own).
   */
  static shared(options: FindingContextOptions): FindingContext {
    let bySettings = sharedContexts.get(options.rules);
    if (!bySettings) sharedContexts.set(options.rules, (bySettings = new Map()));
    const key = JSON.stringify([options.fingerprintKey, options.showSecrets, options.holdSecrets ?? false, options.allowSecrets, options.stopwords]);
    let ctx = bySettings.get(key);
    if (!ctx) bySettings.set(key, (ctx = new FindingContext(options)));
    return ctx;
  }

  readonly matcher: Matcher;
  private readonly allowSecrets: InstanceType<typeof RE2>[];
  private readonly stopwords: string[];

  constructor(readonly options: FindingContextOptions) {
    // Rules come validated (rules check, or the validated cache): patterns compile lazily, on first keyword hit.
    this.matcher = new Matcher(compileRules(options.rules, { eager: false, extraKeywords: DECODE_KEYWORDS }));
    this.allowSecrets = options.allowSecrets.map((p) => new RE2(p));
    this.stopwords = options.stopwords.map((s) => s.toLowerCase());
  }

  private allowed(secret: string): boolean {
    if (this.allowSecrets.some((r) => r.test(secret))) return true;
    if (this.stopwords.length) {
      const lower = secret.toLowerCase();
      if (this.stopwords.some((w) => lower.includes(w))) return true;
    }
    return false;
  }

  private toFinding(m: RawMatch, id: string): Finding {
    const f: Finding = {
      id,
      ruleId: m.ruleId,
      redacted: redactSecret(m.secret),
      length: m.secret.length,
      entropy: m.entropy,
      confidence: m.confidence,
      line: m.line,
      column: m.column,
      endLine: m.endLine,
      endColumn: m.endColumn,
      score: m.score,
      reasons: m.reasons,
    };
    if (m.review) f.review = m.review;
    if (m.severity) f.severity = m.severity;
    if (m.partLocations?.length) f.partLocations = m.partLocations;
    if (m.checksumValid !== undefined) f.checksumValid = m.checksumValid;
    if (m.parts) f.parts = Object.entries(m.parts).map(([name, v]) => ({ name, redacted: redactSecret(v) })).sort((a, b) => a.name.localeCompare(b.name));
    if (m.decoded) f.decoded = m.decoded;
    if (this.options.showSecrets) f.secret = m.secret;
    if (this.options.holdSecrets) f.held = m.parts ? { secret: m.secret, parts: { ...m.parts } } : { secret: m.secret };
    return f;
  }

  /**
   * Findings in one content, or in one chunk of it (`chunk`: the part of a large content this call owns; the caller
   * sends every chunk, to as many threads). A chunk reports skips and warnings only as chunk 0. `kept`, when given,
   * receives the raw matches reported (for redacting names: see NameScanner).
   */
  scan(raw: Buffer, relPath: string, chunk?: ChunkSpec, kept?: RawMatch[]): ContentResult {
    const prepared = prepareContent(raw);
    const first = !chunk || chunk.index === 0;
    if (prepared.kind === 'binary') return first ? { findings: [], skipped: 'binary file' } : { findings: [] };
    let { matches, conditionallyAllowed, truncated } = chunk && chunk.count > 1 ? this.matchChunk(prepared.content, relPath, chunk) : this.matcher.match(prepared.content, relPath);
    if (!first) truncated = undefined;
    const findings: Finding[] = [];
    const key = this.options.fingerprintKey;
    for (const m of matches) {
      if (this.allowed(m.secret)) continue;
      findings.push(this.toFinding(m, fingerprintSecret(key, m.secret)));
      kept?.push(m);
    }
    // `shadowscan:allow <fingerprint prefix>` allows only the token it names: a different secret on that line is reported.
    for (const { match, fingerprintPrefix } of conditionallyAllowed) {
      const id = fingerprintSecret(key, match.secret);
      if (fingerprintPrefix && id.startsWith(fingerprintPrefix)) continue;
      if (this.allowed(match.secret)) continue;
      findings.push(this.toFinding(match, id));
      kept?.push(match);
    }
    return truncated ? { findings, warning: 'a rule matched more than 10,000 times here; the rest of its matches were not read' } : { findings };
  }

  /** Matches one chunk with its context and keeps the matches whose secret starts in the part the chunk owns. */
  private matchChunk(content: Buffer, relPath: string, chunk: ChunkSpec): MatchResult {
    const b = chunkBounds(content, chunk.index, chunk.count);
    if (b.ownTo <= b.ownFrom) return { matches: [], conditionallyAllowed: [] };
    const result = this.matcher.match(content.subarray(b.from, b.to), relPath);
    const lineShift = linesBefore(content, b.from);
    const own = (m: RawMatch) => b.from + m.start >= b.ownFrom && b.from + m.start < b.ownTo;
    const shift = (m: RawMatch): RawMatch => ({
      ...m,
      start: m.start + b.from,
      end: m.end + b.from,
      line: m.line + lineShift,
      endLine: m.endLine + lineShift,
      ...(m.partLocations ? { partLocations: m.partLocations.map((p) => ({ ...p, line: p.line + lineShift, endLine: p.endLine + lineShift })) } : {}),
    });
    return {
      matches: result.matches.filter(own).map(shift),
      conditionallyAllowed: result.conditionallyAllowed.filter((a) => own(a.match)).map((a) => ({ ...a, match: shift(a.match) })),
      truncated: result.truncated,
    };
  }
}

/** The name a text is matched under when it is a name, not a file's content: no extension, no path role. */
const NAME_PATH = 'NAME';

interface ScannedText {
  findings: Finding[];
  /** The text with every secret found in it redacted (the text itself when none was). */
  redacted: string;
}

/** Where a finding in a name is placed: the occurrence minus its line and columns. */
export type NameWhere = Omit<Occurrence, 'line' | 'column' | 'endLine' | 'endColumn' | 'path' | 'kind'> & { path?: string };

/**
 * Tokens in what is not content: file and folder names, commit authors and committers, commit messages. Each is
 * matched by the same matcher as content (a name is matched as a short text of its own), reported as a finding
 * with its own location kind, and redacted wherever the inventory carries it: a path holding a secret keeps its
 * redacted form and a keyed hash of the real path (`pathFingerprint`); any other string (an author, a warning, a
 * skipped file's reason) has every secret found in a name replaced by its redaction.
 */
export class NameScanner {
  private ctx: FindingContext | undefined;
  /** Path components and other texts already matched (null: nothing in it). */
  private readonly texts = new Map<string, ScannedText | null>();
  /** Real paths holding a secret -> their redacted form. */
  private readonly paths = new Map<string, string>();
  private readonly scrubber = new Scrubber();

  constructor(
    private readonly options: FindingContextOptions,
    private readonly add: (findings: Finding[], where: Omit<Occurrence, 'line' | 'column' | 'endLine' | 'endColumn'>) => void,
    ctx?: FindingContext,
  ) {
    this.ctx = ctx;
  }

  private context(): FindingContext {
    return (this.ctx ??= FindingContext.shared(this.options));
  }

  /** Matches one text; remembers every secret found in it, so that any other string carrying it is redacted too. */
  private text(text: string): ScannedText | null {
    let r = this.texts.get(text);
    if (r !== undefined) return r;
    r = null;
    const bytes = Buffer.from(text, 'utf8');
    const kept: RawMatch[] = [];
    let findings: Finding[] = [];
    try {
      findings = this.context().scan(bytes, NAME_PATH, undefined, kept).findings;
    } catch {
      // A name that cannot be matched is left as it is: the content scan says what failed.
    }
    if (kept.length) {
      // The secrets' spans, right to left, each replaced by its redaction (an encoded span by the decoded value's).
      const spans = kept.map((m) => ({ start: m.start, end: m.end, secret: m.secret })).sort((a, b) => b.start - a.start);
      let out = bytes;
      let floor = Infinity;
      for (const sp of spans) {
        if (sp.end > floor || sp.start < 0 || sp.end > bytes.length) continue;
        out = Buffer.concat([out.subarray(0, sp.start), Buffer.from(redactSecret(sp.secret)), out.subarray(sp.end)]);
        floor = sp.start;
      }
      for (const m of kept) this.scrubber.add(m.secret, redactSecret(m.secret));
      r = { findings, redacted: this.scrubber.scrub(out.toString('utf8')) };
    }
    if (this.texts.size < 200_000) this.texts.set(text, r);
    return r;
  }

  /**
   * A file or folder path: each name in it is matched (a name cannot hold `/`). A token in a name is a `path`
   * occurrence at that name: the file, or the folder (once, however many files it holds).
   */
  path(p: string, where: NameWhere = {}): void {
    if (!p) return;
    if (!this.paths.has(p) && this.texts.has(`\0${p}`)) return;
    const parts = p.split('/');
    let real = '';
    let shown = '';
    let any = false;
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i];
      const offset = i ? real.length + 1 : 0;
      const r = part ? this.text(part) : null;
      real = i ? `${real}/${part}` : part;
      shown = i ? `${shown}/${r ? r.redacted : part}` : r ? r.redacted : part;
      if (!r) continue;
      any = true;
      this.paths.set(real, shown);
      // Columns count within the path of the file or folder named.
      const found = r.findings.map((f) => (f.line === 1 ? { ...f, column: f.column + offset, endColumn: f.endLine === 1 ? f.endColumn + offset : f.endColumn } : f));
      this.add(found, { ...where, path: where.path !== undefined && real === p ? where.path : real, kind: 'path' });
    }
    if (any) this.paths.set(p, shown);
    // Remembered as clean (a key no name can have).
    else if (this.texts.size < 200_000) this.texts.set(`\0${p}`, null);
  }

  /**
   * A text matched elsewhere (a commit message, in a worker thread): the findings' places give the secrets' spans,
   * remembered so that every other string carrying them is redacted. Reported as `kind` occurrences.
   */
  found(text: string, findings: Finding[], kind: OccurrenceKind, where: NameWhere): void {
    if (!findings.length) return;
    const starts = [0];
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
    const at = (line: number, column: number) => (starts[line - 1] ?? text.length) + column - 1;
    for (const f of findings) {
      const s = at(f.line, f.column);
      const e = at(f.endLine, f.endColumn);
      if (s >= 0 && e > s && e <= text.length) this.scrubber.add(text.slice(s, e), f.redacted);
    }
    this.add(findings, { ...where, path: '', kind });
  }

  /** A commit's author (and committer) and message. */
  commit(where: NameWhere, people: Array<{ name: string; email: string }>, message?: string): void {
    const seen = new Set<string>();
    for (const p of people) {
      const text = `${p.name} <${p.email}>`;
      if (seen.has(text)) continue;
      seen.add(text);
      const r = this.text(text);
      if (r) this.add(r.findings, { ...where, path: '', kind: 'author' });
    }
    if (message) {
      const r = this.text(message);
      if (r) this.add(r.findings, { ...where, path: '', kind: 'message' });
    }
  }

  /** The fingerprints of the tokens in a path matched before (none when it holds none). */
  idsIn(p: string): string[] {
    if (!this.paths.has(p)) return [];
    return p.split('/').flatMap((part) => this.texts.get(part)?.findings.map((f) => f.id) ?? []);
  }

  /** Any string with every secret found in a name so far replaced by its redaction. */
  scrub(s: string): string {
    return this.scrubber.scrub(s);
  }

  /** A path as reports may show it, and the keyed hash of the real one when it had to be redacted. */
  redactPath(p: string): { path: string; pathFingerprint?: string } {
    const r = this.paths.get(p) ?? this.scrubber.scrub(p);
    return r === p ? { path: p } : { path: r, pathFingerprint: fingerprintPath(this.options.fingerprintKey, p) };
  }

  /** Redacts every name the inventory carries (occurrences, provenance, skipped files, warnings). In place. */
  redact<T extends import('../model/index.js').Inventory>(inv: T): T {
    if (this.scrubber.empty) return inv;
    const s = (x: string) => this.scrubber.scrub(x);
    for (const t of inv.tokens) {
      for (const o of t.occurrences) {
        if (o.path && !o.pathFingerprint) {
          const r = this.redactPath(o.path);
          o.path = r.path;
          if (r.pathFingerprint) o.pathFingerprint = r.pathFingerprint;
        }
        if (o.author) o.author = { name: s(o.author.name), email: s(o.author.email) };
        if (o.target !== undefined) o.target = s(o.target);
        if (o.repo !== undefined) o.repo = s(o.repo);
      }
      for (const seen of [t.firstSeen, t.lastSeen]) {
        if (!seen) continue;
        seen.path = this.redactPath(seen.path).path;
        if (seen.repo !== undefined) seen.repo = s(seen.repo);
      }
      if (t.repos) t.repos = t.repos.map(s);
    }
    const sc = inv.scan;
    sc.targets = sc.targets.map(s);
    sc.skipped = sc.skipped.map((k) => ({ path: this.redactPath(k.path).path, reason: s(k.reason) }));
    sc.warnings = sc.warnings.map(s);
    if (sc.history?.refs) sc.history.refs = sc.history.refs.map(s);
    if (sc.org) {
      sc.org.source = s(sc.org.source);
      for (const r of sc.org.repositories) {
        r.name = s(r.name);
        if (r.error) r.error = s(r.error);
      }
    }
    return inv;
  }
}

export type { OccurrenceKind };
