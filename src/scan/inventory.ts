// Folds findings into the token inventory: one entry per unique secret (by fingerprint), every place it occurs.
import type { Confidence, Inventory, Occurrence, Rule, ScanSummary, Severity, Token } from '../model/index.js';
import type { Finding } from './findings.js';

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

export class InventoryBuilder {
  private readonly tokens = new Map<string, { token: Token; rank: number; seen: Set<string> }>();

  constructor(private readonly rulesById: Map<string, Rule>) {}

  add(findings: Finding[], where: Omit<Occurrence, 'line' | 'column' | 'endLine' | 'endColumn'>): void {
    for (const f of findings) {
      const rule = this.rulesById.get(f.ruleId);
      if (!rule) continue;
      const occ: Occurrence = { ...where, line: f.line, column: f.column, endLine: f.endLine, endColumn: f.endColumn };
      if (f.decoded) occ.decoded = f.decoded;
      const rank = ruleRank(rule, f.confidence);
      let entry = this.tokens.get(f.id);
      if (!entry) {
        entry = { token: this.newToken(f, rule), rank, seen: new Set() };
        this.tokens.set(f.id, entry);
      } else if (rank > entry.rank) {
        // The same secret matched by a more specific rule elsewhere: describe it by that rule.
        const occurrences = entry.token.occurrences;
        entry.token = { ...this.newToken(f, rule), occurrences };
        entry.rank = rank;
      }
      this.push(entry, occ);
    }
  }

  /**
   * Folds in a token of another inventory (another repository, another shard): one entry per fingerprint, the
   * most specific rule describes it, occurrences are united. Provenance fields are the caller's to recompute.
   */
  addToken(t: Token): void {
    const rule = this.rulesById.get(t.ruleId);
    const rank = rule ? ruleRank(rule, t.confidence) : CONFIDENCE_RANK[t.confidence];
    let entry = this.tokens.get(t.id);
    if (!entry) {
      entry = { token: { ...t, occurrences: [] }, rank, seen: new Set() };
      this.tokens.set(t.id, entry);
    } else if (rank > entry.rank || (rank === entry.rank && t.ruleId < entry.token.ruleId)) {
      // Equal ranks: the same choice whatever the order inventories come in (repositories finish in any order).
      entry.token = { ...t, occurrences: entry.token.occurrences };
      entry.rank = rank;
    }
    for (const occ of t.occurrences) this.push(entry, occ);
  }

  private push(entry: { token: Token; seen: Set<string> }, occ: Occurrence): void {
    const key = `${occ.repo ?? ''}\0${occ.target ?? ''}\0${occ.commit ?? ''}\0${occ.path}\0${occ.line}\0${occ.column}`;
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
      severity: rule.severity,
      confidence: f.confidence,
      privilege: rule.privilege,
      privilegeReason: rule.privilegeReason,
      environment: rule.environment ?? 'unknown',
      lifetime: rule.lifetime ?? 'unknown',
      redacted: f.redacted,
      length: f.length,
      entropy: f.entropy,
      score: f.score,
      // Interim until tiers are decided by the scan settings: a review reason alone sends a token to review.
      tier: f.review ? 'review' : 'report',
      reasons: f.review ? [f.review, ...f.reasons] : f.reasons,
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
    const tokens = [...this.tokens.values()].map((e) => e.token);
    for (const t of tokens) {
      t.occurrences.sort(
        (a, b) =>
          (a.repo ?? '').localeCompare(b.repo ?? '') || (a.target ?? '').localeCompare(b.target ?? '') || a.path.localeCompare(b.path) || a.line - b.line || a.column - b.column,
      );
    }
    tokens.sort(
      (a, b) =>
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
