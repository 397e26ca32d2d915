// Report tiers through the built CLI: review-tier tokens (a password hash, or a token under a raised --min-score)
// never make the exit code 1; the inventory formats (JSON, CSV) hold them marked, the reports for people and CI
// (text, SARIF) show them only with --include-review; --min-score and minScore are checked; the pre-commit hook and
// baselines follow the same rules.
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir, writeTree } from '../helpers/cli.js';
import { fakeGithubPat, fakeMd5CryptHash, fakePassword } from '../helpers/fake-tokens.js';
import { ALICE, FixtureRepo } from '../helpers/git-fixtures.js';

interface Inv {
  scan: { minScore?: number; review?: number };
  tokens: Array<{ id: string; ruleId: string; score: number; tier: string; reasons: string[]; review?: string }>;
}

const json = (args: string[], cwd?: string) => {
  const r = runCli([...args, '--format', 'json'], { cwd });
  return { ...r, inv: JSON.parse(r.stdout || '{"tokens":[]}') as Inv };
};

const routerConfig = (hash: string) => `hostname edge-rtr-01\nenable secret 5 ${hash}\n`;

describe('tiers on the command line', () => {
  let both: string;
  let hashOnly: string;
  let generic: string;
  let pat: string;
  let hash: string;
  let password: string;

  beforeAll(() => {
    pat = fakeGithubPat();
    hash = fakeMd5CryptHash();
    password = fakePassword();
    generic = tempDir();
    // A generic password scores below 1: a high enough minimum sends it to review.
    writeTree(generic, { 'src/config.py': `db_password = "${password}"\n` });
    both = tempDir();
    writeTree(both, { 'src/config.js': `export const token = "${pat}";\n`, 'network/edge.cfg': routerConfig(hash) });
    hashOnly = tempDir();
    writeTree(hashOnly, { 'network/edge.cfg': routerConfig(hash) });
  });

  it('exit code 0 when only review-tier tokens are found, 1 when a report-tier one is', () => {
    const only = json(['scan', hashOnly]);
    expect(only.code).toBe(0);
    expect(only.inv.tokens.map((t) => [t.ruleId, t.tier])).toEqual([['cisco.type5-secret', 'review']]);
    expect(only.inv.scan.review).toBe(1);
    expect(only.inv.scan.minScore).toBe(0.5);
    expect(only.stderr).toContain('0 token(s) and 1 in review');
    const text = runCli(['scan', hashOnly]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('0 tokens (0 occurrences)');
    expect(text.stdout).toContain('1 more in review (--include-review)');

    expect(runCli(['scan', both]).code).toBe(1);
    // Raised above the generic password's score, the minimum puts it in review too: nothing left to fail on.
    const raised = json(['scan', generic, '--min-score', '0.999']);
    expect(raised.code).toBe(0);
    expect(raised.inv.scan).toMatchObject({ minScore: 0.999, review: 1 });
  });

  it('--include-review adds review-tier tokens, marked, to JSON, SARIF, text and CSV; the exit code stays', () => {
    // JSON is the inventory: every token, each with its tier, with or without --include-review.
    const plain = json(['scan', both]);
    expect(plain.inv.tokens.map((t) => t.tier)).toEqual(['report', 'review']);
    expect(plain.inv.tokens[0]).toMatchObject({ ruleId: 'github.pat.classic' });
    expect(plain.inv.tokens[0].score).toBeGreaterThan(0.9);
    expect(plain.inv.tokens[0].reasons.length).toBeGreaterThan(0);

    const all = json(['scan', both, '--include-review']);
    expect(all.code).toBe(1);
    expect(all.inv.scan.review).toBe(1);
    expect(all.inv.tokens.map((t) => [t.ruleId, t.tier])).toEqual([
      ['github.pat.classic', 'report'],
      ['cisco.type5-secret', 'review'],
    ]);
    expect(all.inv.tokens[1]).toMatchObject({ review: 'a password hash' });
    expect(all.inv.tokens[1].reasons[0]).toBe('a password hash');

    const sarif = (args: string[]) => JSON.parse(runCli(['scan', both, '--format', 'sarif', ...args]).stdout).runs[0].results as Array<{ ruleId: string; level: string; rank: number; properties: Record<string, unknown> }>;
    expect(sarif([]).map((r) => r.ruleId)).toEqual(['github.pat.classic']);
    const withReview = sarif(['--include-review']);
    expect(withReview.map((r) => [r.ruleId, r.level, r.properties.tier])).toEqual([
      ['github.pat.classic', 'error', 'report'],
      ['cisco.type5-secret', 'note', 'review'],
    ]);
    expect(withReview[0].rank).toBe(Math.round((withReview[0].properties.score as number) * 100));
    expect(withReview[0].properties.score).toBeGreaterThan(0.9);

    const text = runCli(['scan', both, '--include-review']);
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/Cisco type 5 secret .*\(review\)\n {9}review, score \d\.\d\d: a password hash/);
    expect(text.stdout).toContain('1 token and 1 in review');
    expect(runCli(['scan', both]).stdout).not.toContain('Cisco');

    const csv = (args: string[]) => runCli(['scan', both, '--format', 'csv', ...args]).stdout.trim().split('\n');
    const [head, ...rows] = csv(['--include-review']);
    const tier = head.split(',').indexOf('tier');
    expect(tier).toBeGreaterThan(0);
    expect(head.split(',')).toContain('score');
    expect(rows.map((r) => r.split(',')[tier])).toEqual(['report', 'review']);
    expect(csv([])).toHaveLength(3); // CSV is the inventory too

    for (const r of [plain, all]) expect(r.stdout.includes(hash) || r.stdout.includes(pat)).toBe(false);
  });

  it('--min-score takes a number from 0 to 1; the config key minScore too, and the option wins', () => {
    for (const bad of ['2', '-0.5', 'abc', '']) {
      const r = runCli(['scan', both, '--min-score', bad]);
      expect(r.code, bad).toBe(2);
      expect(r.stderr.trim().split('\n'), bad).toHaveLength(1);
      expect(r.stderr).toContain('must be a number from 0 to 1');
    }
    for (const cmd of [['history', both], ['staged', both], ['org', both], ['inventory', 'show', '--db', 'x.db']]) {
      expect(runCli([...cmd, '--min-score', '7']).code, cmd[0]).toBe(2);
    }

    const dir = tempDir();
    writeTree(dir, { 'src/config.py': `db_password = "${password}"\n`, '.shadowscan.yaml': 'minScore: 0.999\n' });
    const configured = json(['scan', dir]);
    expect(configured.code).toBe(0);
    expect(configured.inv.scan.minScore).toBe(0.999);
    const overridden = json(['scan', dir, '--min-score', '0.2']);
    expect(overridden.code).toBe(1);
    expect(overridden.inv.scan.minScore).toBe(0.2);

    fs.writeFileSync(path.join(dir, '.shadowscan.yaml'), 'minScore: high\n');
    const bad = runCli(['scan', dir]);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toContain('minScore must be a number from 0 to 1');
  });

  it('the pre-commit scan and history scans: review-tier tokens never block', () => {
    const repo = FixtureRepo.init('shadowscan-tiers-');
    repo.write('README.md', '# router configs\n');
    repo.commit('root', ALICE, '2024-01-01T10:00:00Z');
    repo.write('edge.cfg', routerConfig(hash));
    repo.git(['add', 'edge.cfg']);
    const staged = runCli(['staged', repo.dir]);
    expect(staged.code).toBe(0);
    expect(staged.stdout).toContain('shadowscan: no new secrets in the staged changes');
    expect(staged.stdout).toContain('1 in review, not blocking (--include-review lists them)');
    const listed = runCli(['staged', repo.dir, '--include-review']);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain('In review (does not block the commit):');
    expect(listed.stdout).toContain('[cisco.type5-secret]');
    expect(listed.stdout).not.toContain(hash);

    // A report-tier token blocks; the review-tier one is listed apart with --include-review.
    repo.write('app.js', `const token = "${pat}";\n`);
    repo.git(['add', 'app.js']);
    const blocked = runCli(['staged', repo.dir, '--include-review']);
    expect(blocked.code).toBe(1);
    expect(blocked.stdout).toContain('commit blocked: 1 secret in the staged changes');
    expect(blocked.stdout.indexOf('Three ways forward')).toBeLessThan(blocked.stdout.indexOf('In review (does not block the commit):'));

    repo.git(['rm', '-q', '--cached', 'app.js']);
    fs.rmSync(path.join(repo.dir, 'app.js'));
    repo.commit('router', ALICE, '2024-01-02T10:00:00Z');
    expect(runCli(['history', repo.dir]).code).toBe(0);
    expect(json(['history', repo.dir, '--include-review']).inv.tokens.map((t) => t.tier)).toEqual(['review']);
  });

  it('baselines: create records report-tier tokens unless --include-review; known tokens of either tier are left out', () => {
    const dir = tempDir();
    writeTree(dir, { 'src/config.js': `export const token = "${pat}";\n`, 'network/edge.cfg': routerConfig(hash) });
    const file = path.join(dir, '.shadowscan-baseline.json');
    const created = runCli(['baseline', 'create'], { cwd: dir });
    expect(created.code).toBe(0);
    expect(created.stdout).toContain('1 token');
    expect((JSON.parse(fs.readFileSync(file, 'utf8')).tokens as Array<{ ruleId: string }>).map((t) => t.ruleId)).toEqual(['github.pat.classic']);
    // The review-tier token is still found with --include-review; the known one is not.
    const known = json(['scan', '.', '--include-review'], dir);
    expect(known.code).toBe(0);
    expect(known.inv.tokens.map((t) => t.ruleId)).toEqual(['cisco.type5-secret']);

    expect(runCli(['baseline', 'create', '--include-review', '--force'], { cwd: dir }).stdout).toContain('2 tokens');
    expect(json(['scan', '.', '--include-review'], dir).inv.tokens).toEqual([]);
    // Prune keeps entries of both tiers while their tokens are found.
    const prune = runCli(['baseline', 'prune'], { cwd: dir });
    expect(prune.stdout).toContain('2 tokens kept, 0 tokens dropped');
  });
});
