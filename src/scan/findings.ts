// Turns one piece of content into findings: prepare bytes, match, apply allowlists, fingerprint and redact.
// Runs in worker threads and inline alike; raw secrets stay inside this function unless showSecrets is set.
import RE2 from 're2';
import type { RawMatch, Rule } from '../model/index.js';
import { compileRules } from '../rules/index.js';
import { DECODE_KEYWORDS, Matcher, prepareContent } from '../match/index.js';
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

  scan(raw: Buffer, relPath: string): ContentResult {
    const prepared = prepareContent(raw);
    if (prepared.kind === 'binary') return { findings: [], skipped: 'binary file' };
    const { matches, conditionallyAllowed, truncated } = this.matcher.match(prepared.content, relPath);
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
}
