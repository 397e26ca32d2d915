// `shadowscan history` end to end on a fixture repository built at test time: the full inventory, provenance
// included, for every ref by default, a chosen ref, --since, a bare clone and a linked worktree; and the
// isomorphic-git fallback giving the very same inventory.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runCli, tempDir } from '../helpers/cli.js';
import { ALICE, BOB, buildHistoryFixture, copyRepo, FixtureRepo, isoUtc, type HistoryFixture } from '../helpers/git-fixtures.js';
import { fakeGithubPat } from '../helpers/fake-tokens.js';

const KEY = 'history-test-key';
const ENV = { SHADOWSCAN_FINGERPRINT_KEY: KEY };
const fp = (secret: string) => crypto.createHmac('sha256', KEY).update(secret, 'utf8').digest('hex');

interface Occ {
  path: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  commit?: string;
  author?: { name: string; email: string };
  date?: string;
}
interface Tok {
  id: string;
  ruleId: string;
  redacted: string;
  occurrences: Occ[];
  firstSeen?: { commit: string; date: string; path: string };
  lastSeen?: { commit: string; date: string; path: string };
  commits?: number;
  presentInHead?: boolean;
  secret?: string;
}
interface Inv {
  scan: { files: number; warnings: string[]; skipped: { path: string; reason: string }[]; history: Record<string, unknown> };
  tokens: Tok[];
}

function history(args: string[], env: NodeJS.ProcessEnv = {}): { code: number; inv: Inv; stderr: string; stdout: string } {
  const r = runCli(['history', ...args, '--format', 'json'], { env: { ...ENV, ...env } });
  let inv: Inv = { scan: { files: 0, warnings: [], skipped: [], history: {} }, tokens: [] };
  try {
    inv = JSON.parse(r.stdout) as Inv;
  } catch {
    // asserted by the caller through the exit code and stderr
  }
  return { code: r.code, inv, stderr: r.stderr, stdout: r.stdout };
}

const tokenOf = (inv: Inv, secret: string) => inv.tokens.find((t) => t.id === fp(secret));

/** What the fixture's four tokens must look like, every field of provenance included. */
function expectedTokens(f: HistoryFixture): Record<keyof HistoryFixture['tokens'], Partial<Tok>> {
  const { commits: c, dates: d } = f;
  const by = (who: typeof ALICE, commit: string, date: string) => ({ commit, author: who, date: isoUtc(date) });
  return {
    old: {
      id: fp(f.tokens.old),
      ruleId: 'generic.token',
      occurrences: [{ path: 'legacy/old.py', line: 1, column: 14, endLine: 1, endColumn: 38, ...by(ALICE, c.root, d.root) }],
      firstSeen: { commit: c.root, date: isoUtc(d.root), path: 'legacy/old.py' },
      lastSeen: { commit: c.root, date: isoUtc(d.root), path: 'legacy/old.py' },
      commits: 1,
      presentInHead: true,
    },
    branch: {
      id: fp(f.tokens.branch),
      ruleId: 'github.pat.classic',
      occurrences: [
        { path: 'config/secrets.py', line: 2, column: 17, endLine: 2, endColumn: 57, ...by(ALICE, c.added, d.added) },
        { path: 'deploy/env.py', line: 2, column: 17, endLine: 2, endColumn: 57, ...by(ALICE, c.readded, d.readded) },
      ],
      firstSeen: { commit: c.added, date: isoUtc(d.added), path: 'config/secrets.py' },
      lastSeen: { commit: c.readded, date: isoUtc(d.readded), path: 'deploy/env.py' },
      commits: 2,
      presentInHead: true,
    },
    tagged: {
      id: fp(f.tokens.tagged),
      ruleId: expect.stringMatching(/^aws\.access-key-id/) as unknown as string,
      occurrences: [{ path: 'tools/release.sh', line: 2, column: 26, endLine: 2, endColumn: 46, ...by(BOB, c.tagged, d.tagged) }],
      firstSeen: { commit: c.tagged, date: isoUtc(d.tagged), path: 'tools/release.sh' },
      lastSeen: { commit: c.tagged, date: isoUtc(d.tagged), path: 'tools/release.sh' },
      commits: 1,
      presentInHead: false,
    },
    reverted: {
      id: fp(f.tokens.reverted),
      ruleId: 'github.pat.classic',
      occurrences: [{ path: 'config/settings.py', line: 3, column: 17, endLine: 3, endColumn: 57, ...by(ALICE, c.reverted, d.reverted) }],
      firstSeen: { commit: c.reverted, date: isoUtc(d.reverted), path: 'config/settings.py' },
      lastSeen: { commit: c.reverted, date: isoUtc(d.reverted), path: 'config/settings.py' },
      commits: 1,
      presentInHead: false,
    },
  };
}

function expectToken(inv: Inv, secret: string, expected: Partial<Tok>): void {
  const t = tokenOf(inv, secret);
  expect(t, `token ${expected.ruleId} not reported`).toBeDefined();
  expect(t).toMatchObject(expected);
  // Exactly these occurrences, in this (chronological) order: no extra ones.
  expect(t!.occurrences).toEqual(expected.occurrences);
}

describe('shadowscan history', () => {
  let f: HistoryFixture;
  let exp: ReturnType<typeof expectedTokens>;

  beforeAll(() => {
    f = buildHistoryFixture();
    exp = expectedTokens(f);
  });

  it('scans every ref: branch, merge, tag-only and reverted tokens, with full provenance', () => {
    const r = history([f.repo.dir]);
    expect(r.code).toBe(1);
    expect(r.inv.tokens).toHaveLength(4);
    for (const k of ['old', 'branch', 'tagged', 'reverted'] as const) expectToken(r.inv, f.tokens[k], exp[k]);
    // 9 commits; 7 unique blobs (the re-added file has the same bytes; the revert restores an old version).
    expect(r.inv.scan.history).toMatchObject({ mode: 'history', backend: 'git', commits: 9, blobs: 7, head: f.commits.revert });
    expect(r.inv.scan.files).toBe(7);
    expect(r.inv.scan.warnings).toEqual([]);
    // Secrets never leave the process unless asked for.
    for (const s of Object.values(f.tokens)) expect(r.stdout).not.toContain(s);
    expect(r.stderr).not.toContain(f.tokens.branch);
  });

  it('--ref limits the scan to what the ref reaches; presentInHead still reflects HEAD', () => {
    const r = history([f.repo.dir, '--ref', 'v0.9-rc']);
    expect(r.code).toBe(1);
    expect(r.inv.tokens.map((t) => t.id).sort()).toEqual([fp(f.tokens.old), fp(f.tokens.tagged)].sort());
    expectToken(r.inv, f.tokens.tagged, exp.tagged);
    expectToken(r.inv, f.tokens.old, exp.old);
    expect(r.inv.scan.history).toMatchObject({ refs: ['v0.9-rc'], commits: 3 });

    const both = history([f.repo.dir, '--ref', 'feature', '--ref', 'v0.9-rc']);
    expect(both.inv.tokens).toHaveLength(3);
    expectToken(both.inv, f.tokens.branch, exp.branch);
  });

  it('--since keeps only newer commits; HEAD blobs it skipped still decide presentInHead', () => {
    const r = history([f.repo.dir, '--since', '2024-01-06T00:00:00Z']);
    expect(r.code).toBe(1);
    expect(r.inv.tokens.map((t) => t.id).sort()).toEqual([fp(f.tokens.tagged), fp(f.tokens.reverted)].sort());
    expectToken(r.inv, f.tokens.reverted, exp.reverted);
  });

  it('an unparsable --since is a usage error naming the accepted forms, never an empty scan', async () => {
    for (const bad of ['banana', '2024-13-45', '2024-02-30', 'foo 2', '2024-01-31T25:00']) {
      const r = history([f.repo.dir, '--since', bad]);
      expect(r.code, bad).toBe(2);
      expect(r.stdout, bad).toBe('');
      expect(r.stderr.trim().split('\n'), bad).toHaveLength(1);
      expect(r.stderr, bad).toContain('not a date');
      expect(r.stderr, bad).toContain('2 weeks ago');
    }
    // The forms it takes: a date, a date and time with or without a zone, a time ago.
    const { parseSince } = await import('../../src/scan/since.js');
    const now = Date.parse('2024-03-15T12:00:00Z');
    expect(parseSince('2024-01-31', now)).toBe(Date.parse('2024-01-31T00:00:00Z'));
    expect(parseSince('2024-01-31 14:30 +02:00', now)).toBe(Date.parse('2024-01-31T12:30:00Z'));
    expect(parseSince('2024-01-31T14:30:05Z', now)).toBe(Date.parse('2024-01-31T14:30:05Z'));
    expect(parseSince('2 weeks ago', now)).toBe(now - 14 * 86_400_000);
    expect(parseSince('3.days', now)).toBe(now - 3 * 86_400_000);
    expect(parseSince('1 month ago', now)).toBe(Date.parse('2024-02-15T12:00:00Z'));
    expect(parseSince('yesterday', now)).toBe(now - 86_400_000);
    // Not a unit, though Object has a member of that name.
    expect(parseSince('2 constructor', now)).toBeUndefined();
    // A time ago reads the same through both readers (the fallback took only dates before).
    expect(history([f.repo.dir, '--since', '10 years ago']).inv.tokens).toHaveLength(4);
    expect(history([f.repo.dir, '--since', '10 years ago', '--git-backend', 'isomorphic-git']).inv.tokens).toHaveLength(4);
  });

  it('an unknown ref is a usage error: exit 2, one line', () => {
    const r = history([f.repo.dir, '--ref', 'no-such-branch']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('unknown ref: no-such-branch');
  });

  it('gives the same inventory for a bare clone and for a linked worktree', () => {
    const bareDir = path.join(tempDir('shadowscan-bare-'), 'repo.git');
    f.repo.git(['clone', '-q', '--bare', '--', f.repo.dir, bareDir]);
    // A bare clone has the branches and tags (not the deleted branch, which only the tag reaches anyway).
    const bare = history([bareDir]);
    expect(bare.code).toBe(1);
    expect(bare.inv.tokens).toHaveLength(4);
    for (const k of ['old', 'branch', 'tagged', 'reverted'] as const) expectToken(bare.inv, f.tokens[k], exp[k]);
    expect(bare.inv.scan.history).toMatchObject({ bare: true });

    const copy = copyRepo(f.repo);
    const wt = path.join(tempDir('shadowscan-wt-'), 'wt');
    copy.git(['worktree', 'add', '-q', wt, 'feature']);
    const inWt = history([wt]);
    expect(inWt.code).toBe(1);
    expect(inWt.inv.tokens).toHaveLength(4);
    for (const k of ['old', 'branch', 'tagged', 'reverted'] as const) expect(tokenOf(inWt.inv, f.tokens[k])).toMatchObject({ ...exp[k], presentInHead: expect.any(Boolean) });
    // The worktree's HEAD is `feature`: the old token and the branch token are there, the reverted one never was.
    expect(tokenOf(inWt.inv, f.tokens.branch)!.presentInHead).toBe(true);
    expect(tokenOf(inWt.inv, f.tokens.reverted)!.presentInHead).toBe(false);
    // From a folder inside the worktree too.
    fs.mkdirSync(path.join(wt, 'deploy'), { recursive: true });
    expect(history([path.join(wt, 'deploy')]).inv.tokens).toHaveLength(4);
  });

  it('finds tokens only in the stash (every entry), in refs/pull/*, and in remote-tracking refs', () => {
    const copy = copyRepo(f.repo);
    const stashed1 = fakeGithubPat();
    const stashed2 = fakeGithubPat();
    const pulled = fakeGithubPat();
    const remote = fakeGithubPat();
    copy.write('README.md', `token: GITHUB_TOKEN = "${stashed1}"\n`);
    copy.git(['stash', '-q'], { env: copy.identity(BOB, '2024-02-01T10:00:00Z') });
    copy.write('README.md', `token: GITHUB_TOKEN = "${stashed2}"\n`);
    copy.git(['stash', '-q'], { env: copy.identity(BOB, '2024-02-02T10:00:00Z') });
    // A pull request head and a remote-tracking branch, fetched but never checked out.
    copy.git(['checkout', '-q', '-b', 'pr-branch']);
    copy.write('pr.txt', `GITHUB_TOKEN = "${pulled}"\n`);
    const prCommit = copy.commit('pr', BOB, '2024-02-03T10:00:00Z');
    copy.write('pr.txt', `GITHUB_TOKEN = "${remote}"\n`);
    const remoteCommit = copy.commit('remote', BOB, '2024-02-04T10:00:00Z');
    copy.git(['checkout', '-q', 'main']);
    copy.git(['update-ref', 'refs/pull/7/head', prCommit]);
    copy.git(['update-ref', 'refs/remotes/origin/topic', remoteCommit]);
    copy.git(['branch', '-q', '-D', 'pr-branch']);
    const r = history([copy.dir]);
    expect(r.code).toBe(1);
    for (const s of [stashed1, stashed2, pulled, remote]) expect(tokenOf(r.inv, s), 'token missing').toBeDefined();
    expect(tokenOf(r.inv, stashed1)!.occurrences[0]).toMatchObject({ path: 'README.md', author: BOB });
    expect(tokenOf(r.inv, pulled)!.firstSeen).toMatchObject({ commit: prCommit, path: 'pr.txt' });
    expect(tokenOf(r.inv, remote)!.presentInHead).toBe(false);
  });

  it('gives each token the refs whose tip holds it and a status: active, unmerged (branch, tag, stash) or history-only', () => {
    const copy = copyRepo(f.repo);
    const onBranch = fakeGithubPat();
    copy.git(['checkout', '-q', '-b', 'wip']);
    copy.write('wip.py', `GITHUB_TOKEN = "${onBranch}"\n`);
    copy.commit('wip', BOB, '2024-02-01T10:00:00Z');
    copy.git(['checkout', '-q', 'main']);
    const [stashedFirst, stashedLast] = [fakeGithubPat(), fakeGithubPat()];
    copy.write('README.md', `GITHUB_TOKEN = "${stashedFirst}"\n`);
    copy.git(['stash', '-q'], { env: copy.identity(BOB, '2024-02-02T10:00:00Z') });
    copy.write('README.md', `GITHUB_TOKEN = "${stashedLast}"\n`);
    copy.git(['stash', '-q'], { env: copy.identity(BOB, '2024-02-03T10:00:00Z') });
    // Every tip branched from main (and the stashes, made on it) holds the old token and the merged one.
    const everywhere = ['refs/heads/feature', 'refs/heads/main', 'refs/heads/wip', 'refs/stash', 'refs/stash@{1}'];
    const expected = {
      old: { presentInHead: true, status: 'active', refs: [...everywhere, 'refs/tags/v0.9-rc'].sort() },
      branch: { presentInHead: true, status: 'active', refs: everywhere },
      tagged: { presentInHead: false, status: 'unmerged', refs: ['refs/tags/v0.9-rc'] },
      reverted: { presentInHead: false, status: 'history-only', refs: [] },
    };
    for (const backend of ['git', 'isomorphic-git']) {
      const r = history([copy.dir, '--git-backend', backend]);
      expect(r.code, backend).toBe(1);
      for (const k of ['old', 'branch', 'tagged', 'reverted'] as const) expect(tokenOf(r.inv, f.tokens[k]), `${backend} ${k}`).toMatchObject(expected[k]);
      expect(tokenOf(r.inv, onBranch), backend).toMatchObject({ presentInHead: false, status: 'unmerged', refs: ['refs/heads/wip'] });
      expect(tokenOf(r.inv, stashedLast), backend).toMatchObject({ status: 'unmerged', refs: ['refs/stash'] });
      expect(tokenOf(r.inv, stashedFirst), backend).toMatchObject({ status: 'unmerged', refs: ['refs/stash@{1}'] });
    }
    // Limited to one ref, the status still says where every tip stands (their blobs are read for it).
    const one = history([copy.dir, '--ref', 'v0.9-rc']);
    expect(tokenOf(one.inv, f.tokens.old)).toMatchObject(expected.old);
    expect(tokenOf(one.inv, f.tokens.tagged)).toMatchObject(expected.tagged);
    const since = history([copy.dir, '--since', '2024-01-07']);
    expect(tokenOf(since.inv, f.tokens.tagged)).toMatchObject(expected.tagged);
    expect(tokenOf(since.inv, onBranch)).toMatchObject({ status: 'unmerged', refs: ['refs/heads/wip'] });
    // Every report says the same three states.
    const md = runCli(['history', copy.dir, '--format', 'markdown'], { env: ENV }).stdout;
    expect(md).toContain('**2 active**');
    expect(md).toContain('**4 unmerged**');
    expect(md).toContain('**1 only in history**');
    const html = runCli(['history', copy.dir, '--format', 'html'], { env: ENV }).stdout;
    expect(html).toMatch(/data-card="unmerged"><div class="n">4</);
    expect(html).toContain('<span class="exp exp-unmerged" title="refs/heads/wip">unmerged</span>');
    const csv = runCli(['history', copy.dir, '--format', 'csv'], { env: ENV }).stdout.split('\n');
    expect(csv[0].split(',').pop()).toBe('status');
    expect(csv.filter((l) => l.includes(fp(onBranch))).every((l) => l.endsWith(',unmerged'))).toBe(true);
    const sarif = JSON.parse(runCli(['history', copy.dir, '--format', 'sarif'], { env: ENV }).stdout) as { runs: Array<{ results: Array<{ properties: { fingerprint: string; status?: string } }> }> };
    expect(sarif.runs[0].results.find((x) => x.properties.fingerprint === fp(f.tokens.reverted))?.properties.status).toBe('history-only');
  });

  it('the text report of a history scan shows each token\'s status and commits, and counts commits and blobs', () => {
    const r = runCli(['history', f.repo.dir], { env: ENV });
    expect(r.code).toBe(1);
    const blocks = r.stdout.split('\n\n');
    const block = (secret: string) => blocks.find((b) => b.includes(fp(secret).slice(0, 12)))!;
    expect(block(f.tokens.old)).toContain(`active (in HEAD); 1 commit; first 2024-01-01 ${f.commits.root.slice(0, 10)}`);
    expect(block(f.tokens.branch)).toContain(`active (in HEAD); 2 commits; first 2024-01-02 ${f.commits.added.slice(0, 10)}, last 2024-01-04 ${f.commits.readded.slice(0, 10)}`);
    expect(block(f.tokens.tagged)).toContain('unmerged (not in HEAD; at refs/tags/v0.9-rc); 1 commit');
    expect(block(f.tokens.reverted)).toContain('history only (no branch, tag or stash holds it); 1 commit');
    // The summary counts what a history scan reads: commits and blobs, not files.
    const summary = blocks[blocks.length - 1];
    expect(summary).toMatch(/^4 tokens \(5 occurrences\) in 9 commits, 7 blobs, \d/);
    expect(summary).not.toContain('file');
    // A scan of files says files, and no status.
    const tree = runCli(['scan', f.repo.dir], { env: ENV }).stdout;
    expect(tree).toMatch(/in \d+ files, /);
    expect(tree).not.toMatch(/active \(in HEAD\)|commits;/);
    // The summary line on stderr says the same.
    expect(runCli(['history', f.repo.dir, '--format', 'json'], { env: ENV }).stderr).toMatch(/occurrence\(s\) in 9 commits, 7 blobs \(/);
  });

  it('the isomorphic-git fallback gives the same inventory (no git on PATH: a warning says so)', async () => {
    // Through the built CLI with a PATH that holds only node: the fallback is chosen and announced.
    const bin = tempDir('shadowscan-nogit-');
    fs.symlinkSync(process.execPath, path.join(bin, 'node'));
    const viaGit = history([f.repo.dir]);
    const noGit = history([f.repo.dir], { PATH: bin });
    expect(noGit.code).toBe(1);
    expect(noGit.stderr).toContain('no git executable on PATH');
    expect(noGit.inv.scan.history).toMatchObject({ backend: 'isomorphic-git' });
    const strip = (inv: Inv) => ({ ...inv, scan: { ...inv.scan, startedAt: 0, durationMs: 0, warnings: [], history: { ...inv.scan.history, backend: 0 } } });
    expect(strip(noGit.inv)).toEqual(strip(viaGit.inv));

    // And through the library, for range and since as well.
    const { scanHistory } = (await import(path.join(ROOT, 'dist/scan/scan-history.js'))) as typeof import('../../src/scan/scan-history.js');
    const { loadRules, BUILTIN_RULES_DIR } = (await import(path.join(ROOT, 'dist/rules/index.js'))) as typeof import('../../src/rules/index.js');
    const { emptyConfig } = (await import(path.join(ROOT, 'dist/scan/config.js'))) as typeof import('../../src/scan/config.js');
    const rules = loadRules([BUILTIN_RULES_DIR], { cache: true }).rules;
    const base = { repo: f.repo.dir, rules, config: emptyConfig(), maxFileSize: 50 * 1024 * 1024, fingerprintKey: KEY, version: 'test', concurrency: 1 };
    for (const extra of [{}, { range: `${f.commits.root}..feature` }, { range: 'v0.9-rc...main' }, { range: `${f.commits.root}..main` }, { since: '2024-01-04' }, { refs: ['feature', 'v0.9-rc'] }]) {
      const a = await scanHistory({ ...base, ...extra, backend: 'git' });
      const b = await scanHistory({ ...base, ...extra, backend: 'isomorphic-git' });
      expect(strip(b as unknown as Inv), JSON.stringify(extra)).toEqual(strip(a as unknown as Inv));
      expect(a.tokens.length, JSON.stringify(extra)).toBeGreaterThan(0);
    }
  });

  it('reports one line and exit 2 for a folder that is not a repository, and for a missing path', () => {
    const notRepo = tempDir('shadowscan-notrepo-');
    const r = runCli(['history', notRepo]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('not a git repository');
    const gone = runCli(['history', path.join(notRepo, 'nope')]);
    expect(gone.code).toBe(2);
    expect(gone.stderr.trim().split('\n')).toHaveLength(1);
    expect(gone.stderr).toContain('does not exist');
  });

  it('an empty repository is clean: exit 0 and a note', () => {
    const empty = FixtureRepo.init('shadowscan-empty-');
    const r = history([empty.dir]);
    expect(r.code).toBe(0);
    expect(r.inv.tokens).toEqual([]);
    expect(r.inv.scan.warnings.join('\n')).toContain('no commits');
  });

  it('writes every format, and --show-secrets is the only way to see a secret', () => {
    for (const format of ['text', 'sarif', 'csv']) {
      const r = runCli(['history', f.repo.dir, '--format', format], { env: ENV });
      expect(r.code).toBe(1);
      expect(r.stdout).toContain(f.commits.added.slice(0, 10));
      for (const s of Object.values(f.tokens)) expect(r.stdout).not.toContain(s);
    }
    const shown = history([f.repo.dir, '--show-secrets']);
    expect(tokenOf(shown.inv, f.tokens.branch)!.secret).toBe(f.tokens.branch);
  });
});
