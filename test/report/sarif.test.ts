// Reporters are pure: a fixed inventory in, golden files out; SARIF must satisfy the official 2.1.0 schema.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import Ajv04 from 'ajv-draft-04';
import type { Inventory, Rule } from '../../src/model/index.js';
import { toCsv, toJson, toSarif, toText } from '../../src/report/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const golden = (name: string) => path.join(here, 'golden', name);
const UPDATE = process.env.UPDATE_GOLDEN === '1';

function expectGolden(name: string, actual: string): void {
  if (UPDATE || !fs.existsSync(golden(name))) fs.writeFileSync(golden(name), actual);
  expect(actual).toBe(fs.readFileSync(golden(name), 'utf8'));
}

const rules: Rule[] = [
  {
    id: 'github.pat.classic', name: 'GitHub personal access token (classic)', provider: 'GitHub', kind: 'personal-access-token',
    pattern: '\\b(ghp_[A-Za-z0-9]{36})\\b', keywords: ['ghp_'], confidence: 'high', severity: 'critical', privilege: 'write',
    privilegeReason: 'Carries every scope its owner granted.', environment: 'live', lifetime: 'long-lived',
    rotate: 'https://docs.github.com/en/authentication/keeping-your-account-and-data-secure/managing-your-personal-access-tokens',
    references: ['https://github.blog/2021-04-05-behind-githubs-new-authentication-token-formats/'],
    examples: [], negativeExamples: [], source: 'github.yaml',
  },
  {
    id: 'generic.password.config-line', name: 'Password in a config line', provider: 'Generic', kind: 'password', generic: true,
    pattern: 'x', keywords: ['pass'], confidence: 'low', severity: 'high', privilege: 'unknown', privilegeReason: 'Unknown.',
    rotate: 'https://cheatsheetseries.owasp.org/cheatsheets/Secrets_Management_Cheat_Sheet.html', examples: [], negativeExamples: [], source: 'generic.yaml',
  },
  {
    id: 'cisco.type5-secret', name: 'Cisco type 5 secret (MD5 crypt)', provider: 'Cisco', kind: 'password-hash', pattern: 'x', keywords: ['secret 5'],
    confidence: 'high', severity: 'medium', privilege: 'admin', privilegeReason: 'Full control of the device once cracked.',
    rotate: 'https://www.cisco.com/c/en/us/support/docs/ip/access-lists/13608-21.html', examples: [], negativeExamples: [], source: 'cisco.yaml',
  },
];

const inventory: Inventory = {
  schemaVersion: 1,
  tool: { name: 'shadowscan', version: '0.1.0' },
  scan: {
    targets: ['.'], startedAt: '2026-01-01T00:00:00.000Z', durationMs: 12, files: 4, bytes: 2048, skipped: [{ path: 'logo.png', reason: 'binary file' }], warnings: [], rules: 3,
    minScore: 0.5, review: 1,
  },
  tokens: [
    {
      id: 'a'.repeat(64), ruleId: 'github.pat.classic', ruleName: 'GitHub personal access token (classic)', provider: 'GitHub',
      kind: 'personal-access-token', severity: 'critical', confidence: 'high', privilege: 'write', privilegeReason: 'Carries every scope its owner granted.',
      environment: 'live', lifetime: 'long-lived', redacted: 'ghp_Ab…(40)', length: 40, entropy: 5.01, checksumValid: true,
      score: 0.95, tier: 'report', reasons: ['high-confidence rule', 'valid checksum'],
      rotate: rules[0].rotate, references: rules[0].references!, controls: ['NIST SP 800-53 IA-5(7)', 'NIST SP 800-53 IA-5'],
      occurrences: [
        { path: 'src/config.js', line: 2, column: 16, endLine: 2, endColumn: 56 },
        { path: 'src/dir with space/again.py', line: 1, column: 17, endLine: 1, endColumn: 57 },
      ],
    },
    {
      id: 'b'.repeat(64), ruleId: 'generic.password.config-line', ruleName: 'Password in a config line', provider: 'Generic',
      kind: 'password', severity: 'high', confidence: 'low', privilege: 'unknown', privilegeReason: 'Unknown.', environment: 'unknown',
      lifetime: 'long-lived', redacted: 'Tr…(12)', length: 12, entropy: 3.2, rotate: rules[1].rotate, references: [],
      score: 0.62, tier: 'report', reasons: ['low-confidence rule', 'a user name beside it'],
      controls: ['NIST SP 800-53 IA-5(7)', 'NIST SP 800-53 IA-5', 'NIST SP 800-53 IA-5(1)'],
      parts: [{ name: 'username', redacted: 'ad…(5)' }],
      occurrences: [
        { path: '.env', line: 2, column: 13, endLine: 2, endColumn: 25 },
        { path: '.env', line: 1, column: 9, endLine: 1, endColumn: 14, part: 'username' },
      ],
    },
    {
      id: 'c'.repeat(64), ruleId: 'cisco.type5-secret', ruleName: 'Cisco type 5 secret (MD5 crypt)', provider: 'Cisco', kind: 'password-hash',
      severity: 'medium', confidence: 'high', privilege: 'admin', privilegeReason: 'Full control of the device once cracked.', environment: 'unknown',
      lifetime: 'unknown', redacted: '$1$ED…(30)', length: 30, entropy: 4.1, rotate: rules[2].rotate, references: [],
      score: 0.95, tier: 'review', review: 'a password hash', reasons: ['a password hash', 'high-confidence rule'],
      controls: ['NIST SP 800-53 IA-5(7)', 'NIST SP 800-53 IA-5', 'NIST SP 800-53 IA-5(1)'],
      occurrences: [{ path: 'network/edge.cfg', line: 2, column: 17, endLine: 2, endColumn: 47 }],
    },
  ],
};

describe('reporters', () => {
  it('SARIF validates against the SARIF 2.1.0 schema and matches its golden file', () => {
    const sarif = toSarif(inventory, rules, { automationId: 'shadowscan/tree/' });
    const schema = JSON.parse(fs.readFileSync(path.join(here, '../schemas/sarif-2.1.0-rtm.5.json'), 'utf8'));
    const ajv = new Ajv04({ allErrors: true, strict: false, validateFormats: false, unicodeRegExp: false });
    const validate = ajv.compile(schema);
    expect(validate(sarif), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    expectGolden('report.sarif.json', JSON.stringify(sarif, null, 2) + '\n');
  });

  it('SARIF has what GitHub code scanning needs', () => {
    const run = toSarif(inventory, rules).runs[0];
    const rule = run.tool.driver.rules!.find((r) => r.id === 'github.pat.classic')!;
    expect(rule.properties!.tags).toEqual(expect.arrayContaining(['security', 'secret']));
    expect(rule.properties!['security-severity']).toBe('9.5');
    expect(rule.help!.markdown).toContain('rotation guide');
    // One result per place of a token; a companion part's place is a related location, not a result.
    expect(run.results).toHaveLength(4);
    const r = run.results![1];
    expect(r.locations![0].physicalLocation!.artifactLocation!.uri).toBe('src/dir%20with%20space/again.py');
    expect(r.locations![0].physicalLocation!.region).toEqual({ startLine: 1, startColumn: 17, endLine: 1, endColumn: 57 });
    expect(Object.values(r.partialFingerprints!)[0]).toMatch(/^[0-9a-f]{32}$/);
  });

  it('SARIF carries score, tier and reasons; review-tier results are notes; parts are related locations', () => {
    const results = toSarif(inventory, rules).runs[0].results!;
    const [pat, , password, hash] = results;
    expect(pat.rank).toBe(95);
    expect(pat.level).toBe('error');
    expect(pat.properties).toMatchObject({ score: 0.95, tier: 'report', reasons: ['high-confidence rule', 'valid checksum'] });
    expect(pat.relatedLocations).toBeUndefined();
    expect(password.rank).toBe(62);
    expect(password.locations![0].physicalLocation!.region!.startLine).toBe(2);
    expect(password.relatedLocations).toEqual([
      {
        id: 1,
        physicalLocation: { artifactLocation: { uri: '.env', uriBaseId: '%SRCROOT%' }, region: { startLine: 1, startColumn: 9, endLine: 1, endColumn: 14 } },
        message: { text: 'part: username' },
      },
    ]);
    expect(password.message.text).toContain('occurs in 1 place(s)');
    expect(hash.level).toBe('note');
    expect(hash.properties).toMatchObject({ tier: 'review', score: 0.95 });
    expect(hash.message.text).toContain('In review, not reported: a password hash.');
  });

  it('text marks review-tier tokens and shows score, reasons and part places on one line each', () => {
    const text = toText(inventory);
    expect(text).toContain('         score 0.95: high-confidence rule; valid checksum\n');
    expect(text).toMatch(/Cisco type 5 secret \(MD5 crypt\) {2}\$1\$ED…\(30\) {2}\[cisco\.type5-secret\] c{12} {2}\(review\)\n {9}review, score 0\.95: a password hash; high-confidence rule\n/);
    expect(text).toContain('         part: username at .env:1:9\n');
    // Counts: two reported tokens and one in review, occurrences without the parts' places.
    expect(text).toContain('2 tokens and 1 in review (4 occurrences)');
    const reportOnly = toText({ ...inventory, tokens: inventory.tokens.filter((t) => t.tier === 'report') });
    expect(reportOnly).toContain('2 tokens (3 occurrences)');
    expect(reportOnly).toContain('; 1 more in review (--include-review)');
  });

  it('JSON, CSV and text match their golden files', () => {
    expectGolden('inventory.json', toJson(inventory));
    expectGolden('report.csv', toCsv(inventory));
    expectGolden('report.txt', toText(inventory));
  });

  it('colours text only when asked', () => {
    expect(toText(inventory)).not.toContain('\x1b[');
    expect(toText(inventory, { color: true })).toContain('\x1b[');
  });
});
