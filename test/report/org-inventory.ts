// A fixed org inventory for the HTML and Markdown reporters: deterministic (no randomness, no clock), varied enough
// to fill every chart (providers, severities, privileges, active and history-only tokens, ages, repositories), with
// one review-tier token (a password hash) as `--include-review` (or the HTML report) carries it.
import crypto from 'node:crypto';
import type { Inventory, Occurrence, Privilege, RuleKind, Severity, Token } from '../../src/model/index.js';

const hex = (seed: number) => crypto.createHash('sha256').update(`org-inventory-${seed}`).digest('hex');

interface Spec {
  ruleId: string;
  ruleName: string;
  provider: string;
  kind: RuleKind;
  severity: Severity;
  privilege: Privilege;
  redacted: string;
  rotate: string;
  repos: string[];
  /** Author date of the first commit that wrote it. */
  first: string;
  inHead: boolean;
  lifetime?: Token['lifetime'];
  /** Default 0.95, report tier. */
  score?: number;
  review?: string;
}

const GH = 'https://docs.github.com/en/authentication/keeping-your-account-and-data-secure/managing-your-personal-access-tokens';
const AWS = 'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html#Using_RotateAccessKey';
const SLACK = 'https://api.slack.com/authentication/rotation';
const STRIPE = 'https://docs.stripe.com/keys#rolling-keys';
const OWASP = 'https://cheatsheetseries.owasp.org/cheatsheets/Secrets_Management_Cheat_Sheet.html';

const SPECS: Spec[] = [
  { ruleId: 'aws.access-key-id', ruleName: 'AWS access key ID', provider: 'AWS', kind: 'access-key', severity: 'critical', privilege: 'admin', redacted: 'AKIAIO…(20)', rotate: AWS, repos: ['billing', 'platform/api', 'platform/web', 'platform/worker', 'tools/deploy', 'mirrors/legacy.git', 'data/etl'], first: '2023-03-14T09:00:00+00:00', inHead: true },
  { ruleId: 'github.pat.classic', ruleName: 'GitHub personal access token (classic)', provider: 'GitHub', kind: 'personal-access-token', severity: 'critical', privilege: 'write', redacted: 'ghp_Ab…(40)', rotate: GH, repos: ['platform/api', 'tools/deploy', 'tools/ci'], first: '2025-11-20T12:00:00+00:00', inHead: true },
  { ruleId: 'github.pat.classic', ruleName: 'GitHub personal access token (classic)', provider: 'GitHub', kind: 'personal-access-token', severity: 'critical', privilege: 'write', redacted: 'ghp_Zx…(40)', rotate: GH, repos: ['tools/ci'], first: '2024-06-01T08:30:00+00:00', inHead: false },
  { ruleId: 'slack.bot-token', ruleName: 'Slack bot token', provider: 'Slack', kind: 'bot-token', severity: 'high', privilege: 'write', redacted: 'xoxb-1…(57)', rotate: SLACK, repos: ['chatops'], first: '2025-12-24T18:00:00+00:00', inHead: false },
  { ruleId: 'stripe.secret-key.live', ruleName: 'Stripe live secret key', provider: 'Stripe', kind: 'secret-key', severity: 'critical', privilege: 'admin', redacted: 'sk_liv…(32)', rotate: STRIPE, repos: ['billing'], first: '2022-01-10T10:00:00+00:00', inHead: true },
  { ruleId: 'privatekey.rsa', ruleName: 'RSA private key', provider: 'Private key', kind: 'private-key', severity: 'high', privilege: 'unknown', redacted: '-----B…(887)', rotate: OWASP, repos: ['platform/web', 'mirrors/legacy.git'], first: '2021-05-05T05:05:05+00:00', inHead: false },
  { ruleId: 'generic.secret.assignment', ruleName: 'Secret assigned in code', provider: 'Generic', kind: 'other', severity: 'medium', privilege: 'unknown', redacted: 'Qw3rTy…(24)', rotate: OWASP, repos: ['data/etl'], first: '2025-12-30T00:00:00+00:00', inHead: true },
  { ruleId: 'generic.password.config-line', ruleName: 'Password in a config line', provider: 'Generic', kind: 'password', severity: 'high', privilege: 'unknown', redacted: 'hunte…(12)', rotate: OWASP, repos: ['platform/worker', 'data/etl'], first: '2024-09-09T09:09:09+00:00', inHead: true },
  { ruleId: 'npm.token', ruleName: 'npm access token', provider: 'npm', kind: 'api-key', severity: 'high', privilege: 'publish', redacted: 'npm_Ab…(40)', rotate: 'https://docs.npmjs.com/revoking-access-tokens', repos: ['tools/ci', 'platform/web'], first: '2025-08-01T00:00:00+00:00', inHead: true },
  { ruleId: 'sendgrid.api-key', ruleName: 'SendGrid API key', provider: 'SendGrid', kind: 'api-key', severity: 'medium', privilege: 'write', redacted: 'SG.abc…(69)', rotate: 'https://www.twilio.com/docs/sendgrid/ui/account-and-settings/api-keys', repos: ['marketing/site'], first: '2025-12-31T23:00:00+00:00', inHead: false, lifetime: 'long-lived' },
  { ruleId: 'jwt', ruleName: 'JSON Web Token', provider: 'JWT', kind: 'jwt', severity: 'low', privilege: 'read', redacted: 'eyJhbG…(180)', rotate: OWASP, repos: ['platform/api'], first: '2025-12-29T00:00:00+00:00', inHead: true, lifetime: 'short-lived', score: 0.6 },
  { ruleId: 'cisco.type5-secret', ruleName: 'Cisco type 5 secret (MD5 crypt)', provider: 'Cisco', kind: 'password-hash', severity: 'medium', privilege: 'admin', redacted: '$1$EDQ…(30)', rotate: 'https://www.cisco.com/c/en/us/support/docs/ip/access-lists/13608-21.html', repos: ['platform/worker'], first: '2024-02-02T00:00:00+00:00', inHead: true, review: 'a password hash' },
];

export const ORG_REPOSITORIES = ['billing', 'broken', 'chatops', 'data/etl', 'marketing/site', 'mirrors/legacy.git', 'platform/api', 'platform/web', 'platform/worker', 'tools/ci', 'tools/deploy'];

function commitOf(seed: number): string {
  return hex(seed).slice(0, 40);
}

export function orgInventory(): Inventory {
  const tokens: Token[] = SPECS.map((s, i) => {
    const occurrences: Occurrence[] = s.repos.map((repo, j) => ({
      path: j % 2 ? `config/settings-${i}.py` : `src/secrets_${i}.js`,
      line: 3 + j,
      column: 17,
      endLine: 3 + j,
      endColumn: 57,
      repo,
      commit: commitOf(i * 100 + j),
      author: { name: 'Alice Example', email: 'alice@example.com' },
      date: s.first,
    }));
    const t: Token = {
      id: hex(i + 1),
      ruleId: s.ruleId,
      ruleName: s.ruleName,
      provider: s.provider,
      kind: s.kind,
      severity: s.severity,
      confidence: 'high',
      privilege: s.privilege,
      privilegeReason: `${s.provider} credentials of this kind carry ${s.privilege} rights.`,
      environment: 'live',
      lifetime: s.lifetime ?? 'long-lived',
      redacted: s.redacted,
      length: Number(/\((\d+)\)$/.exec(s.redacted)![1]),
      entropy: 4.5,
      score: s.score ?? 0.95,
      tier: s.review ? 'review' : 'report',
      reasons: [...(s.review ? [s.review] : []), s.score === undefined ? 'high-confidence rule' : 'low-confidence rule'],
      ...(s.review ? { review: s.review } : {}),
      rotate: s.rotate,
      references: [],
      controls: ['NIST SP 800-53 IA-5(7)', 'NIST SP 800-53 IA-5'],
      occurrences,
      firstSeen: { commit: occurrences[0].commit!, date: s.first, path: occurrences[0].path, repo: occurrences[0].repo },
      lastSeen: { commit: occurrences[occurrences.length - 1].commit!, date: s.first, path: occurrences[occurrences.length - 1].path, repo: occurrences[occurrences.length - 1].repo },
      commits: occurrences.length,
      presentInHead: s.inHead,
      repos: [...s.repos].sort(),
    };
    return t;
  });
  const tokensIn = (name: string) => SPECS.filter((s) => !s.review && s.repos.includes(name)).length;
  const reviewIn = (name: string) => SPECS.filter((s) => s.review && s.repos.includes(name)).length;
  return {
    schemaVersion: 1,
    tool: { name: 'shadowscan', version: '0.1.0' },
    scan: {
      targets: ORG_REPOSITORIES,
      startedAt: '2026-01-05T06:00:00.000Z',
      durationMs: 83_250,
      files: 18_204,
      bytes: 412_338_112,
      skipped: [],
      warnings: ['repository broken failed: not a git repository: /srv/git/broken; the others were scanned'],
      rules: 612,
      history: { mode: 'history', backend: 'git', commits: 9_876, blobs: 18_204 },
      minScore: 0.5,
      review: 1,
      org: {
        source: '/srv/git',
        repositories: ORG_REPOSITORIES.map((name, i) =>
          name === 'broken'
            ? { name, status: 'failed' as const, error: 'not a git repository: /srv/git/broken', scannedAt: '2026-01-05T06:00:01.000Z', durationMs: 12 }
            : {
                name,
                status: 'scanned' as const,
                scannedAt: `2026-01-05T06:0${Math.floor(i / 3)}:${String(10 + i).padStart(2, '0')}.000Z`,
                durationMs: 1000 + i * 250,
                commits: 100 * (i + 1),
                blobs: 1500 + i * 10,
                reused: i % 3 ? 200 : 0,
                bytes: 30_000_000 + i * 1000,
                tokens: tokensIn(name),
                ...(reviewIn(name) ? { review: reviewIn(name) } : {}),
              },
        ),
        blobsRead: 18_204,
        blobsReused: 1_400,
        datastore: 'inventory.db',
        rulesVersion: '5f0c1e2d3a4b5c6d7e8f901234567890',
      },
    },
    tokens,
  };
}
