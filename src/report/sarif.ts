// Inventory -> SARIF 2.1.0 that GitHub code scanning accepts: one result per place a token occurs, the places of
// its companion parts (a user name, a key id) as that result's related locations. Review-tier tokens (present only
// when the inventory carries them) are notes. Pure: no I/O.
import crypto from 'node:crypto';
import type * as Sarif from 'sarif';
import type { Confidence, Inventory, Occurrence, Rule, Severity, Token } from '../model/index.js';

const SECURITY_SEVERITY: Record<Severity, string> = { critical: '9.5', high: '8.0', medium: '5.5', low: '3.0', info: '1.0' };
const LEVEL: Record<Severity, Sarif.ReportingConfiguration.level> = { critical: 'error', high: 'error', medium: 'warning', low: 'note', info: 'note' };
const PRECISION: Record<Confidence, string> = { high: 'high', medium: 'medium', low: 'low' };

export interface SarifOptions {
  /** Distinguishes several uploads for one commit (GitHub's runAutomationDetails.id). */
  automationId?: string;
  informationUri?: string;
}

function sarifRuleName(rule: Rule): string {
  return rule.name.replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ? c.toUpperCase() : '')).replace(/^./, (c) => c.toUpperCase());
}

function ruleDescriptor(rule: Rule): Sarif.ReportingDescriptor {
  const what = rule.description ?? `A ${rule.provider} ${rule.kind.replace(/-/g, ' ')} (${rule.name}).`;
  const why = `Anyone who can read this repository, or any clone of it, can use it. Privilege: ${rule.privilege}: ${rule.privilegeReason}`;
  const how = `Revoke or rotate it at the provider (${rule.rotate}), then move the new value to a secret store or environment variable. Removing it from the code does not remove it from git history.`;
  return {
    id: rule.id,
    name: sarifRuleName(rule),
    shortDescription: { text: `${rule.name} committed to the repository` },
    fullDescription: { text: `${what} ${why}` },
    help: {
      text: `${what}\n\nWhy it matters: ${why}\n\nHow to fix: ${how}`,
      markdown: [
        `**${rule.name}** (${rule.provider}, ${rule.kind})`,
        '',
        what,
        '',
        `**Why it matters:** ${why}`,
        '',
        `**How to fix:** revoke or rotate it at the provider ([rotation guide](${rule.rotate})), then load the new value from a secret store or an environment variable. Deleting it from the code does not delete it from git history: treat it as exposed.`,
        ...(rule.references?.length ? ['', '**References:** ' + rule.references.map((r) => `<${r}>`).join(', ')] : []),
      ].join('\n'),
    },
    helpUri: rule.rotate,
    defaultConfiguration: { level: LEVEL[rule.severity] },
    properties: {
      tags: ['security', 'secret', 'external/cwe/cwe-798', rule.provider.toLowerCase(), rule.kind],
      'security-severity': SECURITY_SEVERITY[rule.severity],
      precision: PRECISION[rule.confidence],
      problem: { severity: rule.severity === 'critical' || rule.severity === 'high' ? 'error' : rule.severity === 'medium' ? 'warning' : 'recommendation' },
    },
  };
}

function uriOf(o: Occurrence): string {
  const base = o.target ?? o.repo;
  const p = base && base !== '.' ? `${base.replace(/\/+$/, '')}/${o.path}` : o.path;
  return p.replace(/^\.\//, '').split('/').map(encodeURIComponent).join('/');
}

function stableFingerprint(t: Token, o: Occurrence): string {
  const where = `${o.target ?? o.repo ?? ''}\0${o.pathFingerprint ?? o.path}${o.kind ? `\0${o.kind}` : ''}`;
  return crypto.createHash('sha256').update(`${t.ruleId}\0${t.id}\0${where}`).digest('hex').slice(0, 32);
}

/**
 * Where a result is: a file region; for a token in a commit's author or message, the commit (a logical location:
 * no file holds it). A path holding a token is given redacted, as everywhere.
 */
function location(o: Occurrence): Sarif.Location {
  if (o.kind === 'author' || o.kind === 'message') {
    return { logicalLocations: [{ name: o.commit ?? 'commit', kind: 'commit', fullyQualifiedName: `${o.commit ?? 'commit'}/${o.kind}` }] };
  }
  return { physicalLocation: physicalLocation(o) };
}

function physicalLocation(o: Occurrence): Sarif.PhysicalLocation {
  return {
    artifactLocation: { uri: uriOf(o), uriBaseId: '%SRCROOT%' },
    region: { startLine: o.line, startColumn: o.column, endLine: o.endLine, endColumn: o.endColumn },
  };
}

/** The same file of the same commit (and repository or target): where a part belongs with the token. */
const sameFile = (a: Occurrence, b: Occurrence) => a.path === b.path && a.commit === b.commit && a.repo === b.repo && a.target === b.target;

export function toSarif(inv: Inventory, rules: Rule[], options: SarifOptions = {}): Sarif.Log {
  const used = new Set(inv.tokens.map((t) => t.ruleId));
  const driverRules = rules.filter((r) => used.has(r.id)).sort((a, b) => a.id.localeCompare(b.id));
  const index = new Map(driverRules.map((r, i) => [r.id, i]));
  const results: Sarif.Result[] = [];
  for (const t of inv.tokens) {
    const own = t.occurrences.filter((o) => !o.part);
    const parts = t.occurrences.filter((o) => o.part);
    const review = t.tier === 'review';
    for (const o of own) {
      const where = o.commit ? ` (commit ${o.commit.slice(0, 12)})` : '';
      const why = review ? ` In review, not reported: ${t.reasons[0] ?? `score ${t.score}`}.` : '';
      const result: Sarif.Result = {
        ruleId: t.ruleId,
        ruleIndex: index.get(t.ruleId),
        // A credential its provider says works is an error whatever its tier or severity.
        level: t.verification?.status === 'live' ? 'error' : review ? 'note' : LEVEL[t.severity],
        message: {
          text: `${t.ruleName} ${t.redacted}${where}.${t.verification ? ` Verified: ${t.verification.status}.` : ''} Privilege: ${t.privilege}. Token ${t.id.slice(0, 12)} occurs in ${own.length} place(s); rotate it: ${t.rotate}${why}`,
        },
        locations: [location(o)],
        partialFingerprints: { 'shadowscan/token/v1': stableFingerprint(t, o) },
        rank: Math.round((t.score ?? 1) * 100),
        properties: {
          fingerprint: t.id,
          redacted: t.redacted,
          confidence: t.confidence,
          privilege: t.privilege,
          score: t.score,
          tier: t.tier,
          reasons: t.reasons,
          ...(t.status ? { status: t.status } : {}),
          ...(t.verification ? { verification: t.verification } : {}),
          ...(t.privilegeSource ? { privilegeSource: t.privilegeSource } : {}),
          ...(o.commit ? { commit: o.commit } : {}),
          ...(o.decoded ? { decoded: o.decoded } : {}),
          ...(o.kind ? { location: o.kind } : {}),
          ...(o.pathFingerprint ? { pathFingerprint: o.pathFingerprint } : {}),
        },
      };
      const related = parts.filter((p) => sameFile(p, o));
      if (related.length) {
        result.relatedLocations = related.map((p, i) => ({ id: i + 1, physicalLocation: physicalLocation(p), message: { text: `part: ${p.part}` } }));
      }
      results.push(result);
    }
  }
  const run: Sarif.Run = {
    tool: {
      driver: {
        name: inv.tool.name,
        version: inv.tool.version,
        semanticVersion: inv.tool.version,
        informationUri: options.informationUri ?? 'https://github.com/shadowscan/shadowscan',
        rules: driverRules.map(ruleDescriptor),
      },
    },
    results,
    columnKind: 'utf16CodeUnits',
    invocations: [{ executionSuccessful: true, startTimeUtc: inv.scan.startedAt }],
  };
  if (options.automationId) run.automationDetails = { id: options.automationId };
  return { $schema: 'https://json.schemastore.org/sarif-2.1.0.json', version: '2.1.0', runs: [run] };
}
