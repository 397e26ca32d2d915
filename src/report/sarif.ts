// Inventory -> SARIF 2.1.0 that GitHub code scanning accepts. Pure: no I/O.
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
  return crypto.createHash('sha256').update(`${t.ruleId}\0${t.id}\0${o.target ?? o.repo ?? ''}\0${o.path}`).digest('hex').slice(0, 32);
}

export function toSarif(inv: Inventory, rules: Rule[], options: SarifOptions = {}): Sarif.Log {
  const used = new Set(inv.tokens.map((t) => t.ruleId));
  const driverRules = rules.filter((r) => used.has(r.id)).sort((a, b) => a.id.localeCompare(b.id));
  const index = new Map(driverRules.map((r, i) => [r.id, i]));
  const results: Sarif.Result[] = [];
  for (const t of inv.tokens) {
    for (const o of t.occurrences) {
      const region: Sarif.Region = { startLine: o.line, startColumn: o.column, endLine: o.endLine, endColumn: o.endColumn };
      const where = o.commit ? ` (commit ${o.commit.slice(0, 12)})` : '';
      results.push({
        ruleId: t.ruleId,
        ruleIndex: index.get(t.ruleId),
        level: LEVEL[t.severity],
        message: {
          text: `${t.ruleName} ${t.redacted}${where}. Privilege: ${t.privilege}. Token ${t.id.slice(0, 12)} occurs in ${t.occurrences.length} place(s); rotate it: ${t.rotate}`,
        },
        locations: [{ physicalLocation: { artifactLocation: { uri: uriOf(o), uriBaseId: '%SRCROOT%' }, region } }],
        partialFingerprints: { 'shadowscan/token/v1': stableFingerprint(t, o) },
        properties: {
          fingerprint: t.id,
          redacted: t.redacted,
          confidence: t.confidence,
          privilege: t.privilege,
          ...(o.commit ? { commit: o.commit } : {}),
          ...(o.decoded ? { decoded: o.decoded } : {}),
        },
      });
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
