// Repositories that try to hide history or that are broken (issue 13): git's repository variables in the caller's
// environment, replace refs and grafts, bad refs and missing trees, and a corrupt repository read without git.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli.js';
import { ALICE, BOB, FixtureRepo, looseObjectPath } from '../helpers/git-fixtures.js';
import { fakeGithubPat } from '../helpers/fake-tokens.js';

const KEY = 'hostile-repos-key';
const ENV = { SHADOWSCAN_FINGERPRINT_KEY: KEY };
const fp = (secret: string) => crypto.createHmac('sha256', KEY).update(secret, 'utf8').digest('hex');

interface Inv {
  scan: { warnings: string[]; skipped: Array<{ path: string; reason: string }>; history?: Record<string, unknown> };
  tokens: Array<{ id: string; occurrences: Array<{ path: string; commit?: string; line: number }>; presentInHead?: boolean }>;
}

function run(args: string[], env: NodeJS.ProcessEnv = {}): { code: number; inv: Inv; stderr: string } {
  const r = runCli([...args, '--format', 'json'], { env: { ...ENV, ...env } });
  let inv = { scan: { warnings: [], skipped: [] }, tokens: [] } as unknown as Inv;
  try {
    inv = JSON.parse(r.stdout) as Inv;
  } catch {
    // checked through the exit code
  }
  return { code: r.code, inv, stderr: r.stderr };
}

const ids = (inv: Inv) => inv.tokens.map((t) => t.id).sort();

/** A PATH holding only node: no git executable, so the isomorphic-git reader is used. */
function pathWithoutGit(): string {
  const bin = tempDir('shadowscan-nogit-');
  fs.symlinkSync(process.execPath, path.join(bin, 'node'));
  return bin;
}

describe("git's repository variables in the environment (item 9)", () => {
  it('history and staged read the repository given, whatever GIT_DIR, GIT_WORK_TREE, GIT_INDEX_FILE and the object variables say', () => {
    const a = FixtureRepo.init('shadowscan-env-a-');
    const b = FixtureRepo.init('shadowscan-env-b-');
    const [ta, tb, sa, sb] = [fakeGithubPat(), fakeGithubPat(), fakeGithubPat(), fakeGithubPat()];
    a.write('a.py', `GITHUB_TOKEN = "${ta}"\n`);
    a.commit('a', ALICE, '2024-05-01T10:00:00Z');
    b.write('b.py', `GITHUB_TOKEN = "${tb}"\n`);
    b.commit('b', BOB, '2024-05-01T10:00:00Z');
    a.write('staged-a.py', `GITHUB_TOKEN = "${sa}"\n`);
    a.git(['add', 'staged-a.py']);
    b.write('staged-b.py', `GITHUB_TOKEN = "${sb}"\n`);
    b.git(['add', 'staged-b.py']);
    // What git exports to a hook running in b.
    const hostile = {
      GIT_DIR: path.join(b.dir, '.git'),
      GIT_WORK_TREE: b.dir,
      GIT_INDEX_FILE: path.join(b.dir, '.git', 'index'),
      GIT_OBJECT_DIRECTORY: path.join(b.dir, '.git', 'objects'),
      GIT_ALTERNATE_OBJECT_DIRECTORIES: path.join(b.dir, '.git', 'objects'),
      GIT_COMMON_DIR: path.join(b.dir, '.git'),
      GIT_NAMESPACE: 'elsewhere',
    };
    const h = run(['history', a.dir], hostile);
    expect(h.code).toBe(1);
    expect(ids(h.inv)).toEqual([fp(ta)]);
    const s = run(['staged', a.dir], hostile);
    expect(s.code).toBe(1);
    expect(ids(s.inv)).toEqual([fp(sa)]);
  });
});

describe('replace refs and grafts (item 3)', () => {
  it('reads the objects as stored, scans the replacements too, and warns; with git and without', () => {
    const repo = FixtureRepo.init('shadowscan-replace-');
    const t = Array.from({ length: 6 }, () => fakeGithubPat());
    const tokenLine = (s: string) => `GITHUB_TOKEN = "${s}"\n`;
    repo.write('secret.py', tokenLine(t[0]));
    repo.write('old.py', tokenLine(t[5]));
    const c1 = repo.commit('one', ALICE, '2024-05-01T10:00:00Z');
    repo.remove('old.py');
    repo.write('other.py', 'print("hello")\n');
    const c2 = repo.commit('two', ALICE, '2024-05-02T10:00:00Z');
    repo.write('notes.txt', tokenLine(t[4]));
    const c3 = repo.commit('three', BOB, '2024-05-03T10:00:00Z');
    const hash = (content: string) => repo.git(['hash-object', '-w', '--stdin'], { input: content });
    // 1. The token's blob replaced by a clean one: git shows the clean one everywhere.
    repo.git(['replace', repo.blobOf(c1, 'secret.py'), hash('clean = True\n')]);
    // 2. A replacement blob holding a token: reachable only through refs/replace.
    const t2blob = hash(tokenLine(t[1]));
    repo.git(['replace', repo.blobOf(c2, 'other.py'), t2blob]);
    // 3. A replacement tree holding a token.
    const hiddenTree = repo.git(['mktree'], { input: `100644 blob ${hash(tokenLine(t[2]))}\thidden.py\n` });
    repo.git(['replace', repo.git(['rev-parse', `${c3}^{tree}`]), hiddenTree]);
    // 4. A replacement commit holding a token, hiding the commit it replaces (which holds another).
    const t4tree = repo.git(['mktree'], { input: `100644 blob ${hash(tokenLine(t[3]))}\tswapped.py\n` });
    const t4commit = repo.git(['commit-tree', t4tree, '-p', c2, '-m', 'swapped'], { env: repo.identity(BOB, '2024-05-04T10:00:00Z') });
    repo.git(['replace', '-f', c3, t4commit]);
    // 5. A graft that cuts c2 from c1 (c1 alone holds old.py's token).
    fs.writeFileSync(path.join(repo.dir, '.git', 'info', 'grafts'), `${c2}\n`);
    // What git itself shows now: neither the replaced blob's token nor the grafted-away commit's.
    const shown = repo.git(['log', '--all', '-p', '--format=%H']);
    for (const hiddenToken of [t[0], t[4], t[5]]) expect(shown).not.toContain(hiddenToken);

    for (const env of [{}, { PATH: pathWithoutGit() }]) {
      const r = run(['history', repo.dir], env);
      expect(r.code).toBe(1);
      expect(ids(r.inv), JSON.stringify(env)).toEqual(t.map(fp).sort());
      const warnings = r.inv.scan.warnings.join('\n');
      expect(warnings).toMatch(/refs\/replace/);
      expect(warnings).toMatch(/grafts/);
      const byId = new Map(r.inv.tokens.map((x) => [x.id, x]));
      expect(byId.get(fp(t[0]))!.occurrences[0]).toMatchObject({ path: 'secret.py', commit: c1 });
      expect(byId.get(fp(t[5]))!.occurrences[0]).toMatchObject({ path: 'old.py', commit: c1 });
      expect(byId.get(fp(t[1]))!.occurrences[0].path).toBe(`refs/replace/${repo.blobOf(c2, 'other.py')}`);
      expect(byId.get(fp(t[2]))!.occurrences[0].path).toMatch(/^refs\/replace\/[0-9a-f]{40}:hidden\.py$/);
      expect(byId.get(fp(t[3]))!.occurrences[0]).toMatchObject({ path: 'swapped.py', commit: t4commit });
      expect(byId.get(fp(t[4]))!.occurrences[0]).toMatchObject({ path: 'notes.txt', commit: c3 });
    }
    // Asked for one ref: the warning still says that replacements exist.
    const one = run(['history', repo.dir, '--ref', 'main']);
    expect(one.inv.scan.warnings.join('\n')).toMatch(/refs\/replace/);
  });
});

describe('bad refs and missing trees (item 11)', () => {
  it('scans every readable ref, warns about each bad one and each unreadable tree, and keeps what it matched', () => {
    const repo = FixtureRepo.init('shadowscan-badref-');
    const [head1, head2, side, lost] = [fakeGithubPat(), fakeGithubPat(), fakeGithubPat(), fakeGithubPat()];
    const tokenLine = (s: string) => `GITHUB_TOKEN = "${s}"\n`;
    repo.write('a.py', tokenLine(head1));
    repo.commit('one', ALICE, '2024-05-01T10:00:00Z');
    repo.git(['checkout', '-q', '-b', 'side']);
    repo.write('side.py', tokenLine(side));
    repo.commit('side', BOB, '2024-05-02T10:00:00Z');
    repo.git(['checkout', '-q', 'main']);
    repo.write('b.py', tokenLine(head2));
    repo.commit('two', ALICE, '2024-05-03T10:00:00Z');
    repo.write('docs/guide/lost.py', tokenLine(lost));
    repo.write('docs/readme.md', 'docs\n');
    const tip = repo.commit('three', ALICE, '2024-05-04T10:00:00Z');
    // A missing tree at the tip (git log dies on it at once), and a loose ref to an object that does not exist.
    const docs = repo.git(['rev-parse', `${tip}:docs`]);
    fs.rmSync(looseObjectPath(repo, docs));
    fs.writeFileSync(path.join(repo.dir, '.git', 'refs', 'heads', 'broken'), `${'1234567890'.repeat(4)}\n`);

    for (const env of [{}, { PATH: pathWithoutGit() }]) {
      const r = run(['history', repo.dir], env);
      const label = JSON.stringify(env);
      expect(r.code, label).toBe(1);
      expect(ids(r.inv), label).toEqual([head1, head2, side].map(fp).sort());
      const warnings = r.inv.scan.warnings.join('\n');
      expect(warnings, label).toContain('refs/heads/broken');
      expect(warnings, label).toContain(tip);
      expect(warnings, label).toContain(docs);
      // HEAD's readable files still count as present in HEAD.
      const inHead = new Map(r.inv.tokens.map((t) => [t.id, t.presentInHead]));
      expect(inHead.get(fp(head1)), label).toBe(true);
      expect(inHead.get(fp(head2)), label).toBe(true);
      expect(inHead.get(fp(side)), label).toBe(false);
    }
  });

  it('a missing tree deep in the history: commits on both sides of it are listed', () => {
    const repo = FixtureRepo.init('shadowscan-midtree-');
    const [before, after] = [fakeGithubPat(), fakeGithubPat()];
    repo.write('old.py', `GITHUB_TOKEN = "${before}"\n`);
    repo.commit('one', ALICE, '2024-05-01T10:00:00Z');
    repo.write('mid/x.py', 'x = 1\n');
    const mid = repo.commit('two', ALICE, '2024-05-02T10:00:00Z');
    repo.git(['rm', '-q', 'old.py']);
    repo.write('new.py', `GITHUB_TOKEN = "${after}"\n`);
    repo.commit('three', ALICE, '2024-05-03T10:00:00Z');
    repo.write('mid/x.py', 'x = 2\n');
    repo.commit('four', ALICE, '2024-05-04T10:00:00Z');
    fs.rmSync(looseObjectPath(repo, repo.git(['rev-parse', `${mid}:mid`])));
    const r = run(['history', repo.dir]);
    expect(r.code).toBe(1);
    expect(ids(r.inv)).toEqual([before, after].map(fp).sort());
    expect(r.inv.scan.warnings.join('\n')).toContain(mid);
  });
});

describe('a corrupt repository without git (item 6)', () => {
  function corrupt(): FixtureRepo {
    const repo = FixtureRepo.init('shadowscan-corrupt-');
    repo.write('a.py', `GITHUB_TOKEN = "${fakeGithubPat()}"\n`);
    repo.commit('one', ALICE, '2024-05-01T10:00:00Z');
    repo.write('b.py', 'b = 1\n');
    repo.commit('two', ALICE, '2024-05-02T10:00:00Z');
    // Every object overwritten with garbage.
    const objects = path.join(repo.dir, '.git', 'objects');
    for (const d of fs.readdirSync(objects).filter((n) => /^[0-9a-f]{2}$/.test(n))) {
      for (const f of fs.readdirSync(path.join(objects, d))) {
        const p = path.join(objects, d, f);
        fs.chmodSync(p, 0o644);
        fs.writeFileSync(p, 'garbage, not a zlib stream');
      }
    }
    return repo;
  }

  it('history fails with one line and exit 2, as it does with git, instead of "no commits yet"', () => {
    const repo = corrupt();
    const withGit = run(['history', repo.dir]);
    expect(withGit.code).toBe(2);
    const r = run(['history', repo.dir], { PATH: pathWithoutGit() });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).not.toContain('no commits');
  });

  it('org reports the corrupt repository as failed and scans the others', () => {
    const root = tempDir('shadowscan-org-corrupt-');
    const good = FixtureRepo.init('shadowscan-good-');
    const t = fakeGithubPat();
    good.write('a.py', `GITHUB_TOKEN = "${t}"\n`);
    good.commit('one', ALICE, '2024-05-01T10:00:00Z');
    fs.cpSync(good.dir, path.join(root, 'good'), { recursive: true });
    fs.cpSync(corrupt().dir, path.join(root, 'corrupt'), { recursive: true });
    const out = path.join(tempDir(), 'inv.json');
    const r = runCli(['org', root, '--format', 'json', '--output', out], { env: { ...ENV, PATH: pathWithoutGit(), SHADOWSCAN_PROGRESS: 'plain' } });
    const inv = JSON.parse(fs.readFileSync(out, 'utf8')) as { scan: { org: { repositories: Array<{ name: string; status: string }> } } } & Inv;
    expect(Object.fromEntries(inv.scan.org.repositories.map((x) => [x.name, x.status]))).toEqual({ corrupt: 'failed', good: 'scanned' });
    expect(ids(inv)).toEqual([fp(t)]);
    expect(r.code).toBe(1);
  });
});
