// The shipped rules: valid against the schema, compile with RE2, and every example behaves.
import { describe, expect, it } from 'vitest';
import { loadRules, compileRules } from '../../src/rules/index.js';
import { checkRuleExamples } from '../../src/match/index.js';
import { runCli } from '../helpers/cli.js';

describe('rules/', () => {
  const { rules, problems } = loadRules();

  it('load without schema problems or duplicate ids', () => {
    expect(problems).toEqual([]);
  });

  it('compile together into one keyword prefilter', () => {
    const set = compileRules(rules);
    expect(set.rules).toHaveLength(rules.length);
    expect(set.keywords.length).toBeGreaterThan(0);
  });

  it('pass their own examples through the real matcher', () => {
    expect(checkRuleExamples(rules).map((f) => `${f.ruleId}: ${f.message}`)).toEqual([]);
  });

  it('cover at least 600 provider rules plus generic detection', () => {
    expect(rules.filter((r) => r.provider !== 'Generic').length).toBeGreaterThanOrEqual(600);
    expect(rules.some((r) => r.generic)).toBe(true);
  });

  it('give every rule a rotation page, a privilege reason, two examples and a negative example', () => {
    for (const r of rules) {
      expect(r.rotate, r.id).toMatch(/^https:\/\//);
      expect(r.privilegeReason.length, r.id).toBeGreaterThan(3);
      expect(r.examples.length, r.id).toBeGreaterThanOrEqual(2);
      expect(r.negativeExamples.length, r.id).toBeGreaterThanOrEqual(1);
    }
  });

  it('classify tokens for the inventory: privilege, lifetime, live or test where the provider says', () => {
    const stripeLive = rules.find((r) => r.id === 'stripe.secret-key.live');
    const stripeTest = rules.find((r) => r.id === 'stripe.secret-key.test');
    expect(stripeLive?.environment).toBe('live');
    expect(stripeTest?.environment).toBe('test');
    expect(rules.filter((r) => r.lifetime).length / rules.length).toBeGreaterThan(0.95);
    expect(rules.filter((r) => r.checksum).map((r) => r.id)).toEqual(expect.arrayContaining(['github.pat.classic', 'npm.token']));
    expect(rules.filter((r) => r.parts?.length).length).toBeGreaterThanOrEqual(5);
  });

  it('`shadowscan rules check` exits 0 and `rules list` lists them all', () => {
    const check = runCli(['rules', 'check']);
    expect(check.stderr).toBe('');
    expect(check.code).toBe(0);
    const list = JSON.parse(runCli(['rules', 'list', '--json']).stdout);
    expect(list).toHaveLength(rules.length);
    expect(Object.keys(list[0])).toEqual(expect.arrayContaining(['id', 'provider', 'kind', 'severity', 'privilege']));
  });
});
