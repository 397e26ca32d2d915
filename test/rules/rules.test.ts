// The shipped rules: valid against the schema, compile with RE2, and every example behaves.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRules, compileRules } from '../../src/rules/index.js';
import { BUILTIN_RULES_DIR, cacheDir } from '../../src/rules/load.js';
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

describe('rules cache', () => {
  // A global or read-only install cannot write inside its package: the cache lives in the user's cache folder.
  it('is written under XDG_CACHE_HOME, never inside the package', () => {
    const saved = { xdg: process.env.XDG_CACHE_HOME, dir: process.env.SHADOWSCAN_CACHE_DIR };
    const xdg = fs.mkdtempSync(path.join(os.tmpdir(), 'ss-xdg-'));
    delete process.env.SHADOWSCAN_CACHE_DIR;
    process.env.XDG_CACHE_HOME = xdg;
    try {
      expect(cacheDir()).toBe(path.join(xdg, 'shadowscan'));
      const first = loadRules([BUILTIN_RULES_DIR], { cache: true }).rules.length;
      expect(fs.readdirSync(path.join(xdg, 'shadowscan')).some((f) => /^rules-[0-9a-f]{16}\.json$/.test(f))).toBe(true);
      expect(loadRules([BUILTIN_RULES_DIR], { cache: true }).rules.length).toBe(first);
      expect(fs.existsSync(path.join(BUILTIN_RULES_DIR, '..', '.cache'))).toBe(false);
    } finally {
      if (saved.xdg === undefined) delete process.env.XDG_CACHE_HOME;
      else process.env.XDG_CACHE_HOME = saved.xdg;
      if (saved.dir !== undefined) process.env.SHADOWSCAN_CACHE_DIR = saved.dir;
    }
  });
});
