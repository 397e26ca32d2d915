// `history --range` and `staged`: only lines the change adds count, so an old token elsewhere in a touched file
// does not block an unrelated change; merges (including a conflict resolution that adds a token) and shallow
// clones whose range base is missing.
import crypto from 'node:crypto';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli.js';
import { ALICE, BOB, FixtureRepo, buildHistoryFixture, copyRepo, fakeGenericSecret, isoUtc, type HistoryFixture } from '../helpers/git-fixtures.js';
import { fakeGithubPat } from '../helpers/fake-tokens.js';

const KEY = 'range-test-key';
const ENV = { SHADOWSCAN_FINGERPRINT_KEY: KEY };
const fp = (secret: string) => crypto.createHmac('sha256', KEY).update(secret, 'utf8').digest('hex');

interface Inv {
  scan: { warnings: string[]; history?: Record<string, unknown> };
  tokens: Array<{ id: string; occurrences: Array<Record<string, unknown>>; presentInHead?: boolean; firstSeen?: unknown; commits?: number }>;
}

function run(args: string[], cwd?: string): { code: number; inv: Inv; stderr: string } {
  const r = runCli([...args, '--format', 'json'], { env: ENV, cwd });
  let inv: Inv = { scan: { warnings: [] }, tokens: [] };
  try {
    inv = JSON.parse(r.stdout) as Inv;
  } catch {
    // the caller checks the exit code
  }
  return { code: r.code, inv, stderr: r.stderr };
}

describe('history --range', () => {
  let f: HistoryFixture;
  let pr: FixtureRepo;
  let newToken: string;
  let prCommits: { unrelated: string; adds: string };

  beforeAll(() => {
    f = buildHistoryFixture();
    pr = copyRepo(f.repo);
    pr.git(['checkout', '-q', '-b', 'pr']);
    // An unrelated change to the file that carries the old token.
    pr.write('legacy/old.py', `API_TOKEN = "${f.tokens.old}"\nRETRIES = 3\n`);
    const unrelated = pr.commit('retries', BOB, '2024-03-01T10:00:00Z');
    newToken = fakeGithubPat();
    pr.write('legacy/old.py', `API_TOKEN = "${f.tokens.old}"\nRETRIES = 3\nGITHUB_TOKEN = "${newToken}"\n`);
    const adds = pr.commit('add token', BOB, '2024-03-02T10:00:00Z');
    prCommits = { unrelated, adds };
  });

  it('an unrelated change to a file that carries an old token is clean', () => {
    const r = run(['history', pr.dir, '--range', `main..${prCommits.unrelated}`]);
    expect(r.code).toBe(0);
    expect(r.inv.tokens).toEqual([]);
    expect(r.inv.scan.history).toMatchObject({ range: `main..${prCommits.unrelated}`, commits: 1 });
  });

  it('reports only the token the range adds, with its commit', () => {
    for (const range of ['main..pr', 'main...pr']) {
      const r = run(['history', pr.dir, '--range', range]);
      expect(r.code).toBe(1);
      expect(r.inv.tokens.map((t) => t.id)).toEqual([fp(newToken)]);
      expect(r.inv.tokens[0].occurrences).toEqual([
        { path: 'legacy/old.py', line: 3, column: 17, endLine: 3, endColumn: 57, commit: prCommits.adds, author: BOB, date: isoUtc('2024-03-02T10:00:00Z') },
      ]);
      // HEAD is the pr branch here: the token is still in its tree.
      expect(r.inv.tokens[0]).toMatchObject({ commits: 1, presentInHead: true });
    }
  });

  it('covers the commits of a merged branch, and a token added by a conflict resolution in the merge itself', () => {
    const r = run(['history', f.repo.dir, '--range', `${f.commits.root}..main`]);
    expect(r.code).toBe(1);
    expect(r.inv.tokens.map((t) => t.id).sort()).toEqual([fp(f.tokens.branch), fp(f.tokens.reverted)].sort());

    const m = copyRepo(f.repo);
    m.git(['checkout', '-q', '-b', 'side', f.commits.revert]);
    m.write('config/settings.py', 'DEBUG = True\nTIMEOUT = 30\n');
    m.commit('debug on', BOB, '2024-04-01T10:00:00Z');
    m.git(['checkout', '-q', 'main']);
    m.write('config/settings.py', 'DEBUG = False\nTIMEOUT = 60\n');
    m.commit('longer timeout', ALICE, '2024-04-02T10:00:00Z');
    m.git(['merge', '-q', '--no-edit', 'side'], { allowFail: true, env: m.identity(ALICE, '2024-04-03T10:00:00Z') });
    const evil = fakeGenericSecret();
    // The resolution keeps both sides' edits and slips in a token neither side had.
    m.write('config/settings.py', `DEBUG = True\nTIMEOUT = 60\nAPI_TOKEN = "${evil}"\n`);
    const merge = m.commit('merge side', ALICE, '2024-04-03T10:00:00Z');
    expect(m.git(['rev-list', '--parents', '-n1', 'HEAD']).split(' ')).toHaveLength(3);
    const full = run(['history', m.dir]);
    const t = full.inv.tokens.find((x) => x.id === fp(evil));
    expect(t?.occurrences).toEqual([{ path: 'config/settings.py', line: 3, column: 14, endLine: 3, endColumn: 38, commit: merge, author: ALICE, date: isoUtc('2024-04-03T10:00:00Z') }]);
    expect(t?.presentInHead).toBe(true);
    const range = run(['history', m.dir, '--range', `${f.commits.revert}..main`]);
    expect(range.code).toBe(1);
    expect(range.inv.tokens.map((x) => x.id)).toEqual([fp(evil)]);
  });

  it('a shallow clone without the range base fails clearly, saying how to fetch more', () => {
    const dir = path.join(tempDir('shadowscan-shallow-'), 'clone');
    pr.git(['clone', '-q', '--depth', '1', '--branch', 'pr', '--', `file://${pr.dir}`, dir]);
    const r = run(['history', dir, '--range', `${f.commits.root}..HEAD`]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/not in this clone.*fetch/);
    expect(r.stderr).toContain('git fetch --deepen');
    // A plain history scan of the shallow clone works, and says it is shallow.
    const h = run(['history', dir]);
    expect(h.code).toBe(1);
    expect(h.inv.scan.history).toMatchObject({ shallow: true });
    expect(h.inv.scan.warnings.join('\n')).toContain('shallow clone');
    // The boundary commit's whole tree counts as introduced by it: every token in it, attributed to that commit.
    expect(h.inv.tokens.map((t) => t.id).sort()).toEqual([fp(f.tokens.old), fp(f.tokens.branch), fp(newToken)].sort());
    for (const t of h.inv.tokens) expect(t.occurrences.map((o) => o.commit)).toEqual([prCommits.adds]);
  });

  it('a rename-only branch adds nothing: its tokens are not reported against the renaming commit (both readers)', () => {
    const repo = copyRepo(pr);
    repo.git(['checkout', '-q', '-b', 'rename-only', 'main']);
    repo.git(['mv', 'legacy/old.py', 'legacy/moved.py']);
    const moved = repo.commit('move', BOB, '2024-05-01T10:00:00Z');
    // A copy of a file the commit leaves alone, with one line more: only that line counts.
    const more = fakeGithubPat();
    repo.write('deploy/copy.py', `${repo.git(['show', 'main:deploy/env.py'])}\nOTHER_TOKEN = "${more}"\n`);
    const copied = repo.commit('copy', BOB, '2024-05-02T10:00:00Z');
    for (const backend of ['git', 'isomorphic-git']) {
      const moveOnly = run(['history', repo.dir, '--range', `main..${moved}`, '--git-backend', backend]);
      expect(moveOnly.code, backend).toBe(0);
      expect(moveOnly.inv.tokens, backend).toEqual([]);
      const r = run(['history', repo.dir, '--range', 'main..rename-only', '--git-backend', backend]);
      expect(r.code, backend).toBe(1);
      expect(r.inv.tokens.map((t) => t.id), backend).toEqual([fp(more)]);
      expect(r.inv.tokens[0].occurrences.map((o) => o.commit), backend).toEqual([copied]);
    }
  });

  it('bad ranges are usage errors', () => {
    expect(run(['history', pr.dir, '--range', 'nonsense']).code).toBe(2);
    expect(run(['history', pr.dir, '--range', 'main..no-such']).stderr).toContain('no-such');
    expect(run(['history', pr.dir, '--range', 'main..pr', '--ref', 'main']).code).toBe(2);
  });
});

describe('staged', () => {
  let f: HistoryFixture;

  beforeAll(() => {
    f = buildHistoryFixture();
  });

  it('reports a token the staged change adds next to an old one, and not the old one', () => {
    const repo = copyRepo(f.repo);
    const added = fakeGithubPat();
    repo.write('legacy/old.py', `API_TOKEN = "${f.tokens.old}"\nGITHUB_TOKEN = "${added}"\n`);
    repo.git(['add', 'legacy/old.py']);
    const r = run(['staged'], repo.dir);
    expect(r.code).toBe(1);
    expect(r.inv.tokens.map((t) => t.id)).toEqual([fp(added)]);
    expect(r.inv.tokens[0].occurrences).toEqual([{ path: 'legacy/old.py', line: 2, column: 17, endLine: 2, endColumn: 57 }]);
    expect(r.inv.scan.history).toMatchObject({ mode: 'staged', backend: 'git' });
    // From a subfolder, and with the repository given as an argument.
    expect(run(['staged'], path.join(repo.dir, 'legacy')).inv.tokens.map((t) => t.id)).toEqual([fp(added)]);
    expect(run(['staged', repo.dir]).code).toBe(1);
    // Only what is staged counts: an unstaged token in the working tree does not.
    const unstaged = fakeGithubPat();
    repo.write('config/settings.py', `GITHUB_TOKEN = "${unstaged}"\n`);
    expect(run(['staged'], repo.dir).inv.tokens.map((t) => t.id)).toEqual([fp(added)]);
  });

  it('an unrelated staged edit to a file with an old token is clean', () => {
    const repo = copyRepo(f.repo);
    repo.write('legacy/old.py', `API_TOKEN = "${f.tokens.old}"\nRETRIES = 3\n`);
    repo.write('new-file.txt', 'hello\n');
    repo.git(['add', '-A']);
    const r = run(['staged'], repo.dir);
    expect(r.code).toBe(0);
    expect(r.inv.tokens).toEqual([]);
  });

  it('works in a repository with no commits yet, and with the isomorphic-git reader', () => {
    const repo = FixtureRepo.init('shadowscan-staged-empty-');
    const t = fakeGithubPat();
    repo.write('a b/new file.py', `x = 1\nGITHUB_TOKEN = "${t}"\n`);
    repo.git(['add', '-A']);
    const r = run(['staged'], repo.dir);
    expect(r.code).toBe(1);
    expect(r.inv.tokens[0].occurrences).toEqual([{ path: 'a b/new file.py', line: 2, column: 17, endLine: 2, endColumn: 57 }]);
    const iso = run(['staged', repo.dir, '--git-backend', 'isomorphic-git']);
    expect(iso.inv.tokens).toEqual(r.inv.tokens);

    const copy = copyRepo(f.repo);
    const added = fakeGithubPat();
    copy.write('legacy/old.py', `API_TOKEN = "${f.tokens.old}"\nGITHUB_TOKEN = "${added}"\n`);
    copy.git(['add', '-A']);
    const viaIso = run(['staged', copy.dir, '--git-backend', 'isomorphic-git']);
    expect(viaIso.inv.tokens.map((x) => x.id)).toEqual([fp(added)]);
    expect(viaIso.inv.tokens).toEqual(run(['staged', copy.dir]).inv.tokens);
  });

  it('renames and copies add no line: `git mv` of a file with a baselined token does not block (both readers)', () => {
    const repo = copyRepo(f.repo);
    // Git calls a file a rename when at least half of it is unchanged: a file of some length, as most are.
    const body = Array.from({ length: 8 }, (_, i) => `STEP_${i} = ${i}`).join('\n');
    repo.write('legacy/old.py', `API_TOKEN = "${f.tokens.old}"\n${body}\n`);
    repo.commit('longer', ALICE, '2024-04-30T10:00:00Z');
    // Baselined, then reported only with --no-baseline: the rename must not block either way.
    expect(runCli(['baseline', 'create', '--from', 'history'], { cwd: repo.dir, env: ENV }).code).toBe(0);
    repo.git(['add', '.shadowscan-baseline.json']);
    repo.commit('baseline', ALICE, '2024-05-01T10:00:00Z');
    repo.git(['mv', 'legacy/old.py', 'legacy/renamed.py']);
    for (const backend of ['git', 'isomorphic-git']) {
      const r = run(['staged', '--no-baseline', '--git-backend', backend], repo.dir);
      expect(r.code, backend).toBe(0);
      expect(r.inv.tokens, backend).toEqual([]);
    }
    // Renamed and edited: only the edit's lines count.
    const added = fakeGithubPat();
    repo.write('legacy/renamed.py', `API_TOKEN = "${f.tokens.old}"\n${body}\nRETRIES = 3\n`);
    repo.git(['add', '-A']);
    expect(run(['staged', '--no-baseline'], repo.dir).code).toBe(0);
    repo.write('legacy/renamed.py', `API_TOKEN = "${f.tokens.old}"\n${body}\nRETRIES = 3\nGITHUB_TOKEN = "${added}"\n`);
    repo.git(['add', '-A']);
    for (const backend of ['git', 'isomorphic-git']) {
      const r = run(['staged', '--no-baseline', '--git-backend', backend], repo.dir);
      expect(r.code, backend).toBe(1);
      expect(r.inv.tokens.map((t) => t.id), backend).toEqual([fp(added)]);
    }
    // A copy of a file the change does not touch (git looks for such sources only when asked) adds nothing either;
    // a new line in the copy still counts.
    const copy = copyRepo(f.repo);
    copy.write('legacy/old.py', `API_TOKEN = "${f.tokens.old}"\n${body}\n`);
    copy.commit('longer', ALICE, '2024-04-30T10:00:00Z');
    copy.write('legacy/copied.py', `API_TOKEN = "${f.tokens.old}"\n${body}\n`);
    copy.git(['add', '-A']);
    for (const backend of ['git', 'isomorphic-git']) expect(run(['staged', '--git-backend', backend], copy.dir).inv.tokens, backend).toEqual([]);
    const more = fakeGithubPat();
    copy.write('legacy/copied.py', `API_TOKEN = "${f.tokens.old}"\n${body}\nGITHUB_TOKEN = "${more}"\n`);
    copy.git(['add', '-A']);
    for (const backend of ['git', 'isomorphic-git']) {
      expect(run(['staged', '--git-backend', backend], copy.dir).inv.tokens.map((t) => t.id), backend).toEqual([fp(more)]);
    }
  });

  it('outside a repository: exit 2, one line', () => {
    const r = runCli(['staged'], { cwd: tempDir('shadowscan-norepo-') });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});
