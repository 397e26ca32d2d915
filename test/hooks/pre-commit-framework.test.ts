// The pre-commit framework (https://pre-commit.com) with this repository's .pre-commit-hooks.yaml, for real: a
// copy of this checkout committed in a temp repository is the hook's `repo:`, pre-commit installs it (npm install,
// npm pack, npm install -g: the way it installs every node hook) into a cache under the temp folder, and
// `pre-commit run --all-files` and `git commit` are blocked by a staged fake token until the token is baselined.
// CI installs Debian's pre-commit (3.0.4; .ci/run); a machine without it skips this, and says so.
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli, tempDir } from '../helpers/cli.js';
import { ALICE, FixtureRepo, gitEnv } from '../helpers/git-fixtures.js';
import { fakeGithubPat } from '../helpers/fake-tokens.js';

const KEY = 'pre-commit-framework-key';
const fp = (secret: string) => crypto.createHmac('sha256', KEY).update(secret, 'utf8').digest('hex');

const havePreCommit = spawnSync('pre-commit', ['--version'], { encoding: 'utf8' }).status === 0;
if (!havePreCommit && !process.env.CI) console.warn('pre-commit-framework.test: pre-commit missing: skipped (apt-get install pre-commit)');

/**
 * This checkout as the hook repository: the files git tracks or would track (as they are now, so uncommitted work
 * is what gets tested), committed in a new repository. dist/ and node_modules are not in it: pre-commit builds.
 */
function hookRepository(dir: string): string {
  const listed = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, env: gitEnv(), encoding: 'utf8' });
  if (listed.status !== 0) throw new Error(`git ls-files in ${ROOT}: ${listed.stderr}`);
  const repo = new FixtureRepo(dir);
  fs.mkdirSync(dir, { recursive: true });
  repo.git(['init', '-q', '-b', 'main']);
  for (const rel of new Set(listed.stdout.split('\0').filter(Boolean))) {
    if (rel === 'node_modules' || rel.startsWith('node_modules/')) continue;
    const st = fs.lstatSync(path.join(ROOT, rel), { throwIfNoEntry: false });
    if (!st?.isFile()) continue;
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.copyFileSync(path.join(ROOT, rel), path.join(dir, rel));
    fs.chmodSync(path.join(dir, rel), st.mode & 0o777);
  }
  return repo.commit('shadowscan under test', ALICE, '2024-01-01T10:00:00Z');
}

describe.skipIf(!havePreCommit && !process.env.CI)('pre-commit framework', () => {
  it(
    'installs the shadowscan hook, blocks a staged token, and passes once the token is baselined',
    async () => {
      const tmp = tempDir('shadowscan-pre-commit-framework-');
      const hookDir = path.join(tmp, 'shadowscan');
      const rev = hookRepository(hookDir);

      const repo = FixtureRepo.init('shadowscan-pre-commit-user-');
      repo.write('README.md', '# app\n');
      repo.write('.pre-commit-config.yaml', `repos:\n  - repo: ${hookDir}\n    rev: ${rev}\n    hooks:\n      - id: shadowscan\n`);
      repo.commit('root', ALICE, '2024-01-02T10:00:00Z');

      // pre-commit's cache (its clone of the hook repository and the node environment) stays in the temp folder.
      const env = gitEnv({ PRE_COMMIT_HOME: path.join(tmp, 'pre-commit-home'), SHADOWSCAN_FINGERPRINT_KEY: KEY, NO_COLOR: '1', FORCE_COLOR: undefined });
      // Asynchronous: the first run takes minutes, and a blocked event loop makes vitest's worker miss its calls.
      const run = (cmd: string, args: string[]) =>
        new Promise<{ code: number; out: string }>((resolve, reject) => {
          const child = spawn(cmd, args, { cwd: repo.dir, env });
          let out = '';
          child.stdout.on('data', (b: Buffer) => (out += b.toString('utf8')));
          child.stderr.on('data', (b: Buffer) => (out += b.toString('utf8')));
          child.on('error', reject);
          child.on('close', (code) => resolve({ code: code ?? -1, out }));
        });

      const token = fakeGithubPat();
      repo.write('src/config.js', `export const token = "${token}";\n`);
      repo.git(['add', 'src/config.js']);

      // The first run installs the hook: pre-commit's npm install, npm pack and npm install -g.
      const started = Date.now();
      const blocked = await run('pre-commit', ['run', '--all-files']);
      const installSeconds = (Date.now() - started) / 1000;
      console.log(`pre-commit-framework.test: first run, with the hook's install: ${installSeconds.toFixed(0)} s`);
      expect(blocked.code, blocked.out).toBe(1);
      expect(blocked.out).toMatch(/shadowscan \(secrets in the staged changes\)\.+Failed/);
      expect(blocked.out).toContain('commit blocked: 1 secret in the staged changes');
      expect(blocked.out).toContain('src/config.js:1:');
      expect(blocked.out).not.toContain(token);

      // As a hook: `git commit` is blocked too (the environment is installed now: no second install).
      expect((await run('pre-commit', ['install'])).code).toBe(0);
      const commit = await run('git', ['commit', '-m', 'config']);
      expect(commit.code).not.toBe(0);
      expect(commit.out).toContain('commit blocked');
      expect(repo.git(['rev-list', '--count', 'HEAD'])).toBe('1');

      // The command the message gives baselines the token; with the baseline staged, both pass.
      const command = blocked.out.split('\n').map((l) => l.trim()).find((l) => l.startsWith('shadowscan baseline add'))!;
      expect(command).toBe(`shadowscan baseline add --from staged ${fp(token).slice(0, 12)}`);
      const add = runCli(command.split(' ').slice(1), { cwd: repo.dir, env: { SHADOWSCAN_FINGERPRINT_KEY: KEY } });
      expect(add.code, add.stderr).toBe(0);
      repo.git(['add', '.shadowscan-baseline.json']);
      const passed = await run('pre-commit', ['run', '--all-files']);
      expect(passed.code, passed.out).toBe(0);
      expect(passed.out).toMatch(/shadowscan \(secrets in the staged changes\)\.+Passed/);
      const committed = await run('git', ['commit', '-m', 'config']);
      expect(committed.code, committed.out).toBe(0);
      expect(repo.git(['rev-list', '--count', 'HEAD'])).toBe('2');

      fs.rmSync(tmp, { recursive: true, force: true });
    },
    30 * 60_000,
  );
});
