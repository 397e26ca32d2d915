// The shipped rules: valid against the schema, compile with RE2, and every example behaves.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRules, compileRules } from '../../src/rules/index.js';
import { BUILTIN_RULES_DIR } from '../../src/rules/load.js';
import { cacheDir } from '../../src/rules/cache-dir.js';
import { checkRuleExamples } from '../../src/match/index.js';
import { ROOT, runCli, tempDir } from '../helpers/cli.js';

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

describe('built-in rules compiled by the build', () => {
  // The CLI's bundle reads them from dist/bundle/rules.json (npm test builds it), not from rules/.
  it('are the rules of rules/, without their examples', () => {
    const built = JSON.parse(fs.readFileSync(path.join(ROOT, 'dist/bundle/rules.json'), 'utf8')) as { rules: Array<{ id: string; pattern?: string; examples: unknown[] }> };
    const { rules } = loadRules([BUILTIN_RULES_DIR]);
    expect(built.rules.map((r) => [r.id, r.pattern])).toEqual(rules.map((r) => [r.id, r.pattern]));
    expect(built.rules.every((r) => r.examples.length === 0)).toBe(true);
  });

  it('still meet the rules a user adds: a duplicate id is an error, a new rule is used', () => {
    const dir = tempDir();
    const mine = path.join(dir, 'rules');
    fs.mkdirSync(mine);
    const doc = fs.readFileSync(path.join(BUILTIN_RULES_DIR, 'adzuna.yaml'), 'utf8');
    fs.writeFileSync(path.join(mine, 'mine.yaml'), doc);
    const dup = runCli(['scan', dir, '--rules', mine, '-q']);
    expect(dup.code).toBe(2);
    expect(dup.stderr).toContain('mine.yaml: duplicate rule id adzuna.app-key (also in adzuna.yaml)');
    fs.writeFileSync(path.join(mine, 'mine.yaml'), doc.replaceAll('adzuna.app-key', 'mine.app-key').replaceAll('adzuna', 'mineprov'));
    fs.writeFileSync(path.join(dir, '.env'), `MINEPROV_APP_KEY=${'0123456789abcdef'.split('').reverse().join('')}${'fedcba9876543210'.split('').reverse().join('')}\n`);
    const used = runCli(['scan', dir, '--rules', mine, '-f', 'json']);
    expect(used.code).toBe(1);
    expect(JSON.parse(used.stdout).tokens.map((t: { ruleId: string }) => t.ruleId)).toContain('mine.app-key');
  });
});
