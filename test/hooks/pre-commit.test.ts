// The pre-commit hook end to end: `git commit` in a temp repository with the hook installed by
// `shadowscan install-hook` is blocked by a staged fake token, with a message that names file, line, rule and the
// redacted token and the three ways forward; the commit succeeds once the token is baselined or its line allowed.
// Then install-hook's behaviours: an existing hook, --force, --chain, core.hooksPath, uninstall-hook.
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { ALICE, FixtureRepo, gitEnv } from '../helpers/git-fixtures.js';
import { fakeGithubPat, fakeStripeLiveKey } from '../helpers/fake-tokens.js';

const KEY = 'hook-test-key';
const ENV = { SHADOWSCAN_FINGERPRINT_KEY: KEY, NO_COLOR: '1' };
const fp = (secret: string) => crypto.createHmac('sha256', KEY).update(secret, 'utf8').digest('hex');

function newRepo(): FixtureRepo {
  const repo = FixtureRepo.init('shadowscan-hook-');
  repo.write('README.md', '# app\n');
  repo.write('src/app.js', 'export const retries = 3;\n');
  repo.commit('root', ALICE, '2024-01-01T10:00:00Z');
  return repo;
}

/** `git commit` as a developer runs it: hooks on, stdout and stderr together. */
function gitCommit(repo: FixtureRepo, args: string[]): { code: number; out: string } {
  const r = spawnSync('git', ['commit', ...args], { cwd: repo.dir, env: gitEnv(ENV), encoding: 'utf8' });
  return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
}

const cli = (args: string[], cwd: string) => runCli(args, { cwd, env: ENV });

describe('pre-commit hook, end to end', () => {
  it('blocks a commit that adds a token, with file, line, rule, redacted token and the three ways forward', () => {
    const repo = newRepo();
    const install = cli(['install-hook'], repo.dir);
    expect(install.code).toBe(0);
    expect(install.stdout).toContain(path.join('.git', 'hooks', 'pre-commit'));

    const token = fakeGithubPat();
    repo.write('src/config.js', `export const retries = 3;\nexport const token = "${token}";\n`);
    repo.git(['add', 'src/config.js']);
    const blocked = gitCommit(repo, ['-m', 'add config']);
    expect(blocked.code).not.toBe(0);
    const id = fp(token);
    const short = id.slice(0, 12);
    expect(blocked.out).toContain('commit blocked: 1 secret in the staged changes');
    expect(blocked.out).toContain('src/config.js:2:');
    expect(blocked.out).toContain('[github.pat.classic]');
    expect(blocked.out).toContain(`${token.slice(0, 6)}…(40)`);
    expect(blocked.out).toContain(`fingerprint ${short}`);
    // The three ways forward, with the exact commands.
    expect(blocked.out).toMatch(/1\. Remove it/);
    expect(blocked.out).toContain(`shadowscan baseline add --from staged ${short}`);
    expect(blocked.out).toContain('git add .shadowscan-baseline.json');
    expect(blocked.out).toContain(`shadowscan:allow ${short}`);
    expect(blocked.out).toContain('src/config.js line 2');
    expect(blocked.out).not.toContain(token);
    expect(repo.git(['rev-list', '--count', 'HEAD'])).toBe('1');

    // Way 2: baseline it with the command the message gives; the commit goes through.
    const add = cli(['baseline', 'add', '--from', 'staged', short], repo.dir);
    expect(add.code).toBe(0);
    expect(add.stdout).toContain('1 token added');
    const baseline = fs.readFileSync(path.join(repo.dir, '.shadowscan-baseline.json'), 'utf8');
    expect(baseline).toContain(id);
    expect(baseline).not.toContain(token);
    repo.git(['add', '.shadowscan-baseline.json']);
    const ok = gitCommit(repo, ['-m', 'add config']);
    expect(ok.out).toContain('no new secrets in the staged changes');
    expect(ok.code).toBe(0);
    expect(repo.git(['rev-list', '--count', 'HEAD'])).toBe('2');

    // The baselined token moved elsewhere is still known; a different token is not.
    const other = fakeStripeLiveKey();
    repo.write('src/billing.js', `const key = "${token}";\nconst stripe = "${other}";\n`);
    repo.git(['add', 'src/billing.js']);
    const again = gitCommit(repo, ['-m', 'billing']);
    expect(again.code).not.toBe(0);
    expect(again.out).toContain('1 secret in the staged changes');
    expect(again.out).toContain('src/billing.js:2:');
    expect(again.out).toContain('1 known token (baseline) not reported');
    expect(again.out).not.toContain(other);

    // Way 3: mark the line with shadowscan:allow and the fingerprint prefix; the commit goes through.
    const otherShort = fp(other).slice(0, 12);
    expect(again.out).toContain(`shadowscan:allow ${otherShort}`);
    repo.write('src/billing.js', `const key = "${token}";\nconst stripe = "${other}"; // test key, shadowscan:allow ${otherShort}\n`);
    repo.git(['add', 'src/billing.js']);
    expect(gitCommit(repo, ['-m', 'billing']).code).toBe(0);
  });

  it('scans what `git commit -a` commits (a temporary index), and a removed token unblocks the commit', () => {
    const repo = newRepo();
    expect(cli(['install-hook'], repo.dir).code).toBe(0);
    const token = fakeGithubPat();
    repo.write('src/app.js', `export const retries = 3;\nconst t = "${token}";\n`);
    const blocked = gitCommit(repo, ['-a', '-m', 'edit']);
    expect(blocked.code).not.toBe(0);
    expect(blocked.out).toContain('src/app.js:2:');
    // Way 1: remove it.
    repo.write('src/app.js', 'export const retries = 3;\nconst t = process.env.TOKEN;\n');
    expect(gitCommit(repo, ['-a', '-m', 'edit']).code).toBe(0);
  });
});

describe('install-hook and uninstall-hook', () => {
  const hookOf = (repo: FixtureRepo, dir = path.join('.git', 'hooks')) => path.join(repo.dir, dir, 'pre-commit');

  it('never overwrites an existing hook without --force; --force keeps a copy that uninstall puts back', () => {
    const repo = newRepo();
    const mine = '#!/bin/sh\necho my hook\n';
    fs.writeFileSync(hookOf(repo), mine, { mode: 0o755 });
    const refused = cli(['install-hook'], repo.dir);
    expect(refused.code).toBe(2);
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect(refused.stderr).toMatch(/a pre-commit hook already exists: .*--chain.*--force/);
    expect(fs.readFileSync(hookOf(repo), 'utf8')).toBe(mine);

    const forced = cli(['install-hook', '--force'], repo.dir);
    expect(forced.code).toBe(0);
    expect(fs.readFileSync(hookOf(repo), 'utf8')).toContain('shadowscan-hook');
    expect(fs.readFileSync(`${hookOf(repo)}.shadowscan-backup`, 'utf8')).toBe(mine);
    expect(fs.statSync(hookOf(repo)).mode & 0o111).not.toBe(0);

    // Installing again updates our own hook, no flag needed.
    const again = cli(['install-hook'], repo.dir);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('updated');

    const un = cli(['uninstall-hook'], repo.dir);
    expect(un.code).toBe(0);
    expect(un.stdout).toContain('restored');
    expect(fs.readFileSync(hookOf(repo), 'utf8')).toBe(mine);
    expect(fs.existsSync(`${hookOf(repo)}.shadowscan-backup`)).toBe(false);

    // A hook shadowscan did not write is left alone; no hook at all is nothing to do.
    const foreign = cli(['uninstall-hook'], repo.dir);
    expect(foreign.code).toBe(0);
    expect(foreign.stdout).toContain('not written by shadowscan');
    fs.rmSync(hookOf(repo));
    expect(cli(['uninstall-hook'], repo.dir).stdout).toContain('nothing to remove');
  });

  it('--chain runs the existing hook first: its failure blocks the commit, its success hands over to shadowscan', () => {
    const repo = newRepo();
    const marker = path.join(repo.dir, '.git', 'chained-ran');
    const chained = `#!/bin/sh\necho ran > "${marker}"\n[ -f "$(git rev-parse --show-toplevel)/.block" ] && { echo "blocked by the old hook" >&2; exit 3; }\nexit 0\n`;
    fs.writeFileSync(hookOf(repo), chained, { mode: 0o755 });
    const r = cli(['install-hook', '--chain'], repo.dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('previous hook runs first');
    expect(fs.readFileSync(`${hookOf(repo)}.shadowscan-chained`, 'utf8')).toBe(chained);

    // The chained hook fails: the commit is blocked by it, whatever shadowscan would say.
    repo.write('.block', '');
    repo.write('src/a.js', 'export const a = 1;\n');
    repo.git(['add', 'src/a.js']);
    const blocked = gitCommit(repo, ['-m', 'a']);
    expect(blocked.code).not.toBe(0);
    expect(blocked.out).toContain('blocked by the old hook');

    // The chained hook passes: shadowscan runs next and blocks a token.
    fs.rmSync(path.join(repo.dir, '.block'));
    const token = fakeGithubPat();
    repo.write('src/b.js', `const b = "${token}";\n`);
    repo.git(['add', 'src/b.js']);
    fs.rmSync(marker, { force: true });
    const second = gitCommit(repo, ['-m', 'b']);
    expect(fs.existsSync(marker)).toBe(true);
    expect(second.code).not.toBe(0);
    expect(second.out).toContain('commit blocked');
    repo.git(['rm', '-q', '--cached', 'src/b.js']);
    expect(gitCommit(repo, ['-m', 'a only']).code).toBe(0);

    // Chaining again is refused while a chained hook is kept; uninstall puts it back.
    fs.writeFileSync(hookOf(repo), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
    expect(cli(['install-hook', '--chain'], repo.dir).stderr).toContain('already exists');
    fs.rmSync(hookOf(repo));
    expect(cli(['install-hook'], repo.dir).code).toBe(0);
    expect(cli(['uninstall-hook'], repo.dir).code).toBe(0);
    expect(fs.readFileSync(hookOf(repo), 'utf8')).toBe(chained);
  });

  it('installs where core.hooksPath points, and git runs it from there', () => {
    const repo = newRepo();
    repo.git(['config', 'core.hooksPath', '.githooks']);
    const r = cli(['install-hook'], path.join(repo.dir, 'src'));
    expect(r.code).toBe(0);
    expect(fs.existsSync(hookOf(repo, '.githooks'))).toBe(true);
    expect(fs.existsSync(hookOf(repo))).toBe(false);
    const token = fakeGithubPat();
    repo.write('src/c.js', `const c = "${token}";\n`);
    repo.git(['add', 'src/c.js']);
    const blocked = gitCommit(repo, ['-m', 'c']);
    expect(blocked.code).not.toBe(0);
    expect(blocked.out).toContain('src/c.js:1:');
    expect(cli(['uninstall-hook'], repo.dir).code).toBe(0);
    expect(fs.existsSync(hookOf(repo, '.githooks'))).toBe(false);
  });

  it('outside a repository, and with --force and --chain together: one line, exit 2', () => {
    const repo = newRepo();
    const both = cli(['install-hook', '--force', '--chain'], repo.dir);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('cannot be used together');
    const outside = cli(['install-hook'], fs.mkdtempSync(path.join(path.dirname(repo.dir), 'shadowscan-nogit-')));
    expect(outside.code).toBe(2);
    expect(outside.stderr).toMatch(/^shadowscan: not a git repository/);
  });
});
