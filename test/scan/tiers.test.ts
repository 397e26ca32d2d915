// Report tiers in the scan layer: the tier of each token from its findings' scores and review reasons, companion
// parts' places as occurrences (and as SARIF related locations), what a report shows, and the minScore setting.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Rule, ScanSummary, Token } from '../../src/model/index.js';
import { InventoryBuilder } from '../../src/scan/inventory.js';
import type { Finding } from '../../src/scan/findings.js';
import { ConfigError, DEFAULT_MIN_SCORE, loadConfig } from '../../src/scan/config.js';
import { retier, tierOf, tierView } from '../../src/scan/tiers.js';
import { toSarif } from '../../src/report/sarif.js';
import { tempDir } from '../helpers/cli.js';

function rule(id: string, extra: Partial<Rule> = {}): Rule {
  return {
    id, name: id, provider: 'Test', kind: 'password', pattern: 'x', keywords: ['x'], confidence: 'high', severity: 'high', privilege: 'unknown',
    privilegeReason: 'Unknown.', rotate: 'https://example.com/rotate', examples: [], negativeExamples: [], source: 'test.yaml', ...extra,
  };
}

const RULES = [rule('specific.password'), rule('generic.password', { generic: true, confidence: 'low' }), rule('hash', { kind: 'password-hash' })];

function finding(id: string, ruleId: string, score: number, extra: Partial<Finding> = {}): Finding {
  return {
    id: id.repeat(64).slice(0, 64), ruleId, redacted: 'ab…(12)', length: 12, entropy: 3.5, confidence: 'high', line: 3, column: 10, endLine: 3, endColumn: 22,
    score, reasons: [`${ruleId} features`], ...extra,
  };
}

const SUMMARY: ScanSummary = { targets: ['.'], startedAt: '2026-01-01T00:00:00.000Z', durationMs: 1, files: 1, bytes: 1, skipped: [], warnings: [], rules: 3 };

function build(findings: Array<[Finding, string]>, minScore?: number): Map<string, Token> {
  const b = new InventoryBuilder(new Map(RULES.map((r) => [r.id, r])), { minScore });
  for (const [f, p] of findings) b.add([f], { path: p });
  return new Map(b.build(SUMMARY, '0.1.0').tokens.map((t) => [t.id[0], t]));
}

describe('tier decision', () => {
  it('a finding is report-tier at or above the minimum score, review-tier below it or with a review reason', () => {
    expect(DEFAULT_MIN_SCORE).toBe(0.5);
    expect(tierOf(0.5, undefined, 0.5)).toBe('report');
    expect(tierOf(0.499, undefined, 0.5)).toBe('report'); // 0.50 once rounded, as shown
    expect(tierOf(0.49, undefined, 0.5)).toBe('review');
    expect(tierOf(0.99, 'a password hash', 0.5)).toBe('review');
    const t = build([
      [finding('a', 'specific.password', 0.8), 'a.env'],
      [finding('b', 'generic.password', 0.3), 'b.env'],
      [finding('c', 'hash', 0.95, { review: 'a password hash' }), 'c.cfg'],
    ]);
    expect(t.get('a')).toMatchObject({ tier: 'report', score: 0.8, reasons: ['specific.password features'] });
    expect(t.get('a')!.review).toBeUndefined();
    expect(t.get('b')).toMatchObject({ tier: 'review', score: 0.3, reasons: ['generic.password features'] });
    expect(t.get('c')).toMatchObject({ tier: 'review', score: 0.95, review: 'a password hash', reasons: ['a password hash', 'hash features'] });
    // A higher minimum moves the first to review; the default keeps it reported.
    expect(build([[finding('a', 'specific.password', 0.8), 'a.env']], 0.9).get('a')!.tier).toBe('review');
    // Scores are kept to two decimals.
    expect(build([[finding('a', 'specific.password', 0.81234), 'a.env']]).get('a')!.score).toBe(0.81);
  });

  it('a token with mixed findings: best score and its reasons, report if any finding is, described by the most specific rule', () => {
    // Reported somewhere (a generic rule, above the minimum), in review elsewhere (a review reason).
    const mixed = build([
      [finding('m', 'generic.password', 0.6, { confidence: 'low' }), 'app.env'],
      [finding('m', 'specific.password', 0.9, { review: 'an example password' }), 'docs/setup.md'],
    ]).get('m')!;
    expect(mixed.ruleId).toBe('specific.password');
    expect(mixed.tier).toBe('report');
    expect(mixed.score).toBe(0.9);
    expect(mixed.reasons).toEqual(['specific.password features']);
    expect(mixed.review).toBeUndefined();
    expect(mixed.occurrences.map((o) => o.path)).toEqual(['app.env', 'docs/setup.md']);

    // In review everywhere: a low score here, a review reason there.
    const review = build([
      [finding('r', 'specific.password', 0.2), 'a.env'],
      [finding('r', 'generic.password', 0.4, { confidence: 'low', review: 'a weak or example password' }), 'b.env'],
    ]).get('r')!;
    expect(review).toMatchObject({ ruleId: 'specific.password', tier: 'review', score: 0.4, reasons: ['generic.password features'] });
    expect(review.review).toBeUndefined();

    // Every finding has a review reason: the best one's comes first.
    const hashes = build([
      [finding('h', 'hash', 0.7, { review: 'a password hash' }), 'a.cfg'],
      [finding('h', 'hash', 0.9, { review: 'an encrypted private key' }), 'b.cfg'],
    ]).get('h')!;
    expect(hashes).toMatchObject({ tier: 'review', score: 0.9, review: 'an encrypted private key', reasons: ['an encrypted private key', 'hash features'] });
  });

  it('merged inventories keep their tiers: report if reported anywhere, a review reason only if every one has it', () => {
    const one = build([[finding('x', 'hash', 0.95, { review: 'a password hash' }), 'a.cfg']]).get('x')!;
    const two = build([[finding('x', 'specific.password', 0.6), 'b.env']]).get('x')!;
    const merge = (...tokens: Token[]) => {
      const b = new InventoryBuilder(new Map(RULES.map((r) => [r.id, r])), { minScore: 0.99 });
      for (const t of tokens) b.addToken(structuredClone(t));
      return b.build(SUMMARY, '0.1.0').tokens[0];
    };
    // The merger's own minimum does not re-decide tiers decided by the scans.
    expect(merge(two)).toMatchObject({ tier: 'report', score: 0.6 });
    const both = merge(one, two);
    expect(both).toMatchObject({ tier: 'report', score: 0.95, reasons: ['hash features'] });
    expect(both.review).toBeUndefined();
    expect(merge(one, one)).toMatchObject({ tier: 'review', review: 'a password hash', reasons: ['a password hash', 'hash features'] });
    // Inventories from before tiers: reported, as they were.
    const { score: _s, tier: _t, reasons: _r, ...old } = two;
    expect(merge(old as Token)).toMatchObject({ tier: 'report', score: 1, reasons: [] });
  });

  it('decides a stored token again under another minimum score', () => {
    const t = build([[finding('a', 'specific.password', 0.7), 'a.env']]).get('a')!;
    expect(retier(t, 0.8).tier).toBe('review');
    expect(retier(t, 0.7)).toBe(t);
    const hash = build([[finding('c', 'hash', 0.95, { review: 'a password hash' }), 'c.cfg']]).get('c')!;
    expect(retier(hash, 0).tier).toBe('review');
  });

  it('a report shows report-tier tokens, review-tier ones when asked, and counts the latter either way', () => {
    const b = new InventoryBuilder(new Map(RULES.map((r) => [r.id, r])));
    b.add([finding('a', 'specific.password', 0.8), finding('b', 'generic.password', 0.2), finding('c', 'hash', 0.9, { review: 'a password hash' })], { path: 'x.env' });
    const inv = b.build(SUMMARY, '0.1.0');
    // Report tier first.
    expect(inv.tokens.map((t) => t.tier)).toEqual(['report', 'review', 'review']);
    const shown = tierView(inv, false);
    expect(shown.tokens.map((t) => t.id[0])).toEqual(['a']);
    expect(shown.scan.review).toBe(2);
    const all = tierView(inv, true);
    expect(all.tokens).toHaveLength(3);
    expect(all.scan.review).toBe(2);
  });
});

describe('part locations', () => {
  const where = { commit: 'c'.repeat(40), author: { name: 'Alice', email: 'alice@example.com' }, date: '2024-01-01T10:00:00Z' };
  const withParts = (line: number) =>
    finding('p', 'specific.password', 0.9, {
      line,
      endLine: line,
      partLocations: [{ name: 'username', line: line - 1, column: 7, endLine: line - 1, endColumn: 12 }],
    });

  function inventory() {
    const b = new InventoryBuilder(new Map(RULES.map((r) => [r.id, r])));
    b.add([withParts(3)], { path: 'db.env', ...where });
    // The same file again (another path a commit gave it): deduplicated like any occurrence.
    b.add([withParts(3)], { path: 'db.env', ...where });
    b.add([withParts(8)], { path: 'other/db.env', ...where });
    return b.build(SUMMARY, '0.1.0');
  }

  it('become occurrences named by part, with the token occurrence’s commit, author and date, after the token’s own', () => {
    const t = inventory().tokens[0];
    expect(t.occurrences).toEqual([
      { path: 'db.env', line: 3, column: 10, endLine: 3, endColumn: 22, ...where },
      { path: 'other/db.env', line: 8, column: 10, endLine: 8, endColumn: 22, ...where },
      { path: 'db.env', line: 2, column: 7, endLine: 2, endColumn: 12, part: 'username', ...where },
      { path: 'other/db.env', line: 7, column: 7, endLine: 7, endColumn: 12, part: 'username', ...where },
    ]);
  });

  it('are related locations of the SARIF result for the same file, not results of their own', () => {
    const results = toSarif(inventory(), RULES).runs[0].results!;
    expect(results).toHaveLength(2);
    expect(results.map((r) => r.locations![0].physicalLocation!.artifactLocation!.uri)).toEqual(['db.env', 'other/db.env']);
    expect(results[0].relatedLocations).toEqual([
      {
        id: 1,
        physicalLocation: { artifactLocation: { uri: 'db.env', uriBaseId: '%SRCROOT%' }, region: { startLine: 2, startColumn: 7, endLine: 2, endColumn: 12 } },
        message: { text: 'part: username' },
      },
    ]);
    expect(results[1].relatedLocations![0].physicalLocation!.region!.startLine).toBe(7);
    expect(results[0].message.text).toContain('occurs in 2 place(s)');
  });
});

describe('minScore in the config', () => {
  const config = (text: string) => {
    const file = path.join(tempDir(), '.shadowscan.yaml');
    fs.writeFileSync(file, text);
    return file;
  };

  it('is a number from 0 to 1', () => {
    expect(loadConfig(config('minScore: 0.7\n')).minScore).toBe(0.7);
    expect(loadConfig(config('minScore: 0\n')).minScore).toBe(0);
    expect(loadConfig(config('minScore: 1\n')).minScore).toBe(1);
    expect(loadConfig(config('exclude: []\n')).minScore).toBeUndefined();
    for (const bad of ['minScore: 1.5', 'minScore: -0.1', 'minScore: high', 'minScore: "0.5"', 'minScore: [0.5]', 'minScore: .nan']) {
      expect(() => loadConfig(config(`${bad}\n`)), bad).toThrow(ConfigError);
      expect(() => loadConfig(config(`${bad}\n`)), bad).toThrow(/minScore must be a number from 0 to 1/);
    }
  });
});

describe('config values YAML reads as numbers', () => {
  it('an unquoted fingerprint prefix of digits and one `e` is refused with the fix in words', () => {
    const file = path.join(tempDir(), '.shadowscan.yaml');
    fs.writeFileSync(file, 'allowlist:\n  fingerprints: [1234e5678901]\n');
    expect(() => loadConfig(file)).toThrow(/allowlist\.fingerprints\.0 must be a string: quote it/);
    fs.writeFileSync(file, "allowlist:\n  fingerprints: ['1234e5678901']\n");
    expect(loadConfig(file).allowlist.fingerprints).toEqual(['1234e5678901']);
  });
});
