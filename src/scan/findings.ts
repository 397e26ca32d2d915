// Turns one piece of content into findings: prepare bytes, match, apply allowlists, fingerprint and redact.
// Runs in worker threads and inline alike; raw secrets stay inside this function unless showSecrets is set.
import RE2 from 're2';
import type { RawMatch, Rule } from '../model/index.js';
import { compileRules } from '../rules/index.js';
import { DECODE_KEYWORDS, Matcher, chunkBounds, linesBefore, prepareContent, type ChunkSpec, type MatchResult } from '../match/index.js';
import { fingerprintSecret, redactSecret } from './redact.js';

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
  allowSecrets: string[];
  stopwords: string[];
}

export class FindingContext {
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
    return f;
  }

  /**
   * Findings in one content, or in one chunk of it (`chunk`: the part of a large content this call owns; the caller
   * sends every chunk, to as many threads). A chunk reports skips and warnings only as chunk 0.
   */
  scan(raw: Buffer, relPath: string, chunk?: ChunkSpec): ContentResult {
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
    }
    // `shadowscan:allow <fingerprint prefix>` allows only the token it names: a different secret on that line is reported.
    for (const { match, fingerprintPrefix } of conditionallyAllowed) {
      const id = fingerprintSecret(key, match.secret);
      if (fingerprintPrefix && id.startsWith(fingerprintPrefix)) continue;
      if (this.allowed(match.secret)) continue;
      findings.push(this.toFinding(match, id));
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
