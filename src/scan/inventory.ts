// Folds findings into the token inventory: one entry per unique secret (by fingerprint), every place it occurs.
import type { Confidence, Inventory, Occurrence, Rule, ScanSummary, Severity, Token } from '../model/index.js';
import { DEFAULT_MIN_SCORE } from './config.js';
import type { Finding, HeldSecret } from './findings.js';
import { isReported, roundScore, tierOf } from './tiers.js';

const CONFIDENCE_RANK: Record<Confidence, number> = { high: 3, medium: 2, low: 1 };
const SEVERITY_RANK: Record<Severity, number> = { critical: 5, high: 4, medium: 3, low: 2, info: 1 };

export const TOOL_NAME = 'shadowscan';

/** NIST controls an assessor maps an embedded credential to. */
export function controlsFor(rule: Rule): string[] {
  const c = ['NIST SP 800-53 IA-5(7)', 'NIST SP 800-53 IA-5'];
  if (rule.kind === 'password' || rule.kind === 'password-hash') c.push('NIST SP 800-53 IA-5(1)');
  if (['private-key', 'encryption-key', 'signing-secret'].includes(rule.kind)) c.push('NIST SP 800-53 SC-12');
  if (rule.privilege === 'admin') c.push('NIST SP 800-53 AC-6');
  return c;
}

function ruleRank(rule: Rule, confidence: Confidence): number {
  return (rule.generic ? 0 : 10) + CONFIDENCE_RANK[confidence];
}

/** What one finding (or one token of another inventory) says about a token's score and tier. */
interface Evidence {
  score: number;
  reasons: string[];
  review?: string;
  reported: boolean;
}

interface Entry {
  token: Token;
  rank: number;
  seen: Set<string>;
  /** Parts already placed, per file (see add). */
  parts: Set<string>;
  /** The best-scoring evidence: the token's score and reasons. */
  best?: Evidence;
  /** Whether any evidence is report-tier: then the token is. */
  reported: boolean;
  /** While every piece of evidence carries a review reason: the best-scoring one's; null once one does not. */
  review?: string | null;
}

/** Companion parts sort after the token's own occurrences of the same commit: occurrences[0] is the token itself. */
export const partLast = (a: Occurrence, b: Occurrence) => (a.part ? 1 : 0) - (b.part ? 1 : 0);

export class InventoryBuilder {
  private readonly tokens = new Map<string, Entry>();
  private readonly minScore: number;
  private readonly held: Map<string, HeldSecret> | undefined;

  /** `held` (--verify): receives each token's raw secret and parts from findings that hold them. */
  constructor(
    private readonly rulesById: Map<string, Rule>,
    options: { minScore?: number; held?: Map<string, HeldSecret> } = {},
  ) {
    this.minScore = options.minScore ?? DEFAULT_MIN_SCORE;
    this.held = options.held;
  }

  add(findings: Finding[], outer: Omit<Occurrence, 'line' | 'column' | 'endLine' | 'endColumn'>): void {
    for (const f of findings) {
      const rule = this.rulesById.get(f.ruleId);
      if (!rule) continue;
      const where = f.member !== undefined ? { ...outer, path: `${outer.path}!${f.member}` } : outer;
      // The parts found beside a secret: the first place that has them (a key id alone elsewhere has none).
      if (f.held && this.held && (!this.held.has(f.id) || (f.held.parts && !this.held.get(f.id)!.parts))) this.held.set(f.id, f.held);
      const occ: Occurrence = { ...where, line: f.line, column: f.column, endLine: f.endLine, endColumn: f.endColumn };
      if (f.decoded) occ.decoded = f.decoded;
      const rank = ruleRank(rule, f.confidence);
      let entry = this.tokens.get(f.id);
      if (!entry) {
        entry = { token: this.newToken(f, rule), rank, seen: new Set(), parts: new Set(), reported: false };
        this.tokens.set(f.id, entry);
      } else if (rank > entry.rank) {
        // The same secret matched by a more specific rule elsewhere: describe it by that rule (its tier is its own).
        const occurrences = entry.token.occurrences;
        entry.token = { ...this.newToken(f, rule), occurrences };
        entry.rank = rank;
      }
      // A pair is as severe as its most severe part, wherever the part was found with it.
      if (f.severity && SEVERITY_RANK[f.severity] > SEVERITY_RANK[entry.token.severity]) entry.token.severity = f.severity;
      const score = roundScore(f.score);
      this.weigh(entry, { score, reasons: f.reasons, review: f.review, reported: tierOf(score, f.review, this.minScore) === 'report' });
      this.push(entry, occ);
      // Where the companion parts are (a user name above a password): places of the credential too.
      // Once per file and part: the same server's user name above each of its saved passwords is one place to look.
      for (const p of f.partLocations ?? []) {
        const key = `${where.repo ?? ''}\0${where.target ?? ''}\0${where.commit ?? ''}\0${where.path}\0${p.name}`;
        if (entry.parts.has(key)) continue;
        entry.parts.add(key);
        this.push(entry, { ...where, line: p.line, column: p.column, endLine: p.endLine, endColumn: p.endColumn, part: p.name });
      }
    }
  }

  /**
   * Folds in a token of another inventory (another repository, another shard): one entry per fingerprint, the
   * most specific rule describes it, occurrences are united, and its tier is kept (report if reported anywhere).
   * Provenance fields are the caller's to recompute.
   */
  addToken(t: Token): void {
    const rule = this.rulesById.get(t.ruleId);
    const rank = rule ? ruleRank(rule, t.confidence) : CONFIDENCE_RANK[t.confidence];
    let entry = this.tokens.get(t.id);
    if (!entry) {
      entry = { token: { ...t, occurrences: [] }, rank, seen: new Set(), parts: new Set(), reported: false };
      this.tokens.set(t.id, entry);
    } else if (rank > entry.rank || (rank === entry.rank && t.ruleId < entry.token.ruleId)) {
      // Equal ranks: the same choice whatever the order inventories come in (repositories finish in any order).
      entry.token = { ...t, occurrences: entry.token.occurrences };
      entry.rank = rank;
    }
    // Inventories written before scores existed: what they listed was reported.
    const reasons = t.reasons ?? [];
    this.weigh(entry, {
      score: t.score ?? 1,
      reasons: t.review !== undefined && reasons[0] === t.review ? reasons.slice(1) : reasons,
      review: t.review,
      reported: isReported(t),
    });
    for (const occ of t.occurrences) this.push(entry, occ);
  }

  private weigh(entry: Entry, e: Evidence): void {
    if (!entry.best || e.score > entry.best.score) entry.best = e;
    if (e.reported) entry.reported = true;
    if (e.review === undefined) entry.review = null;
    else if (entry.review !== null && (entry.review === undefined || entry.best === e)) entry.review = e.review;
  }

  private push(entry: Entry, occ: Occurrence): void {
    const key = `${occ.repo ?? ''}\0${occ.target ?? ''}\0${occ.commit ?? ''}\0${occ.kind ?? ''}\0${occ.path}\0${occ.line}\0${occ.column}`;
    if (entry.seen.has(key)) return;
    entry.seen.add(key);
    entry.token.occurrences.push(occ);
  }

  private newToken(f: Finding, rule: Rule): Token {
    const t: Token = {
      id: f.id,
      ruleId: rule.id,
      ruleName: rule.name,
      provider: rule.provider,
      kind: rule.kind,
      severity: f.severity && SEVERITY_RANK[f.severity] > SEVERITY_RANK[rule.severity] ? f.severity : rule.severity,
      confidence: f.confidence,
      privilege: rule.privilege,
      privilegeReason: rule.privilegeReason,
      environment: rule.environment ?? 'unknown',
      lifetime: rule.lifetime ?? 'unknown',
      redacted: f.redacted,
      length: f.length,
      entropy: f.entropy,
      // Score, tier and reasons are decided in build(), from every finding of the token.
      score: 0,
      tier: 'review',
      review: undefined,
      reasons: [],
      rotate: rule.rotate,
      references: rule.references ?? [],
      controls: controlsFor(rule),
      occurrences: [],
    };
    if (f.checksumValid !== undefined) t.checksumValid = f.checksumValid;
    if (f.parts) t.parts = f.parts;
    if (f.secret !== undefined) t.secret = f.secret;
    return t;
  }

  /** The token's score, tier and reasons from everything weighed: the best score, report if reported anywhere. */
  private settle(entry: Entry): Token {
    const t = entry.token;
    const best = entry.best ?? { score: 0, reasons: [], reported: false };
    t.score = best.score;
    t.tier = entry.reported ? 'report' : 'review';
    t.review = typeof entry.review === 'string' ? entry.review : undefined;
    t.reasons = t.review === undefined ? best.reasons : [t.review, ...best.reasons];
    return t;
  }

  /** Drops tokens whose fingerprint the user allowlisted (full id or a prefix of at least 6). */
  dropFingerprints(prefixes: string[]): void {
    if (!prefixes.length) return;
    for (const id of [...this.tokens.keys()]) {
      if (prefixes.some((p) => p.length >= 6 && id.startsWith(p.toLowerCase()))) this.tokens.delete(id);
    }
  }

  get size(): number {
    return this.tokens.size;
  }

  build(scan: ScanSummary, version: string): Inventory {
    const tokens = [...this.tokens.values()].map((e) => this.settle(e));
    for (const t of tokens) {
      t.occurrences.sort(
        (a, b) =>
          (a.repo ?? '').localeCompare(b.repo ?? '') || (a.target ?? '').localeCompare(b.target ?? '') || partLast(a, b) || a.path.localeCompare(b.path) || a.line - b.line || a.column - b.column,
      );
    }
    tokens.sort(
      (a, b) =>
        (isReported(a) ? 0 : 1) - (isReported(b) ? 0 : 1) ||
        SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] ||
        a.ruleId.localeCompare(b.ruleId) ||
        (a.occurrences[0].repo ?? '').localeCompare(b.occurrences[0].repo ?? '') ||
        a.occurrences[0].path.localeCompare(b.occurrences[0].path) ||
        a.occurrences[0].line - b.occurrences[0].line ||
        a.id.localeCompare(b.id),
    );
    return { schemaVersion: 1, tool: { name: TOOL_NAME, version }, scan, tokens };
  }
}
