// What a working-tree scan leaves out (issue 12, item 10): what git ignores, in a git work tree; exclude patterns in
// gitignore syntax; and the config, baseline and ignore file of the repository when a subfolder is scanned.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir, writeTree } from '../helpers/cli.js';
import { fakeGithubPat } from '../helpers/fake-tokens.js';
import { ALICE, FixtureRepo } from '../helpers/git-fixtures.js';
import { compileExcludes } from '../../src/sources/globs.js';

interface Inv {
  scan: { warnings: string[]; baseline?: { known: number } };
  tokens: { id: string; occurrences: { path: string }[] }[];
}

/** A clean git configuration, so that the machine's core.excludesFile cannot change what is ignored. */
const ENV = { GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' };

function scan(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): { code: number; stderr: string; inv: Inv; paths: string[] } {
  const r = runCli([...args, '--format', 'json'], { cwd, env: { ...ENV, ...env } });
  let inv: Inv = { scan: { warnings: [] }, tokens: [] };
  try {
    inv = JSON.parse(r.stdout) as Inv;
  } catch {
    // checked through the exit code
  }
  return { code: r.code, stderr: r.stderr, inv, paths: inv.tokens.flatMap((t) => t.occurrences.map((o) => o.path)).sort() };
}

const env = (t: string) => `GITHUB_TOKEN=${t}\n`;

/** A tree where every file holds a token of its own. */
function tokens(dir: string, files: string[]): void {
  writeTree(dir, Object.fromEntries(files.map((f) => [f, env(fakeGithubPat())])));
}

describe('what git ignores (item 10)', () => {
  const files = ['app.env', 'debug.log', 'keep.log', 'build/out.env', 'sub/local.env', 'sub/deep/x.env', 'excluded-by-info.env', 'global.env', 'tracked.log'];

  function repo(): FixtureRepo {
    const r = FixtureRepo.init('shadowscan-gitignore-');
    tokens(r.dir, files);
    writeTree(r.dir, { '.gitignore': 'build/\n*.log\n!keep.log\n', 'sub/.gitignore': 'local.env\n' });
    fs.appendFileSync(path.join(r.dir, '.git/info/exclude'), 'excluded-by-info.env\n');
    // A tracked file is never ignored by git, whatever .gitignore says.
    r.git(['add', '-f', 'tracked.log', '.gitignore']);
    r.commit('tracked', ALICE, '2024-01-01T10:00:00Z', { all: false });
    return r;
  }

  it('scan leaves out what git ignores in a work tree, as git says; --no-ignore scans everything', () => {
    const r = repo();
    const globalIgnore = path.join(tempDir(), 'ignore');
    fs.writeFileSync(globalIgnore, 'global.env\n');
    const config = path.join(tempDir(), 'gitconfig');
    fs.writeFileSync(config, `[core]\n\texcludesFile = ${globalIgnore}\n`);
    const found = scan(['scan', '.'], r.dir, { GIT_CONFIG_GLOBAL: config });
    expect(found.code, found.stderr).toBe(1);
    expect(found.paths).toEqual(['app.env', 'keep.log', 'sub/deep/x.env', 'tracked.log']);
    expect(found.inv.scan.warnings).toEqual([]);
    // A subfolder: what git ignores there too.
    expect(scan(['scan', 'sub'], r.dir).paths).toEqual(['deep/x.env']);
    // A folder named to be scanned is scanned, even when git ignores it or a folder above it.
    expect(scan(['scan', 'build'], r.dir).paths).toEqual(['out.env']);
    tokens(r.dir, ['build/x/y/deeper.env']);
    const deep = scan(['scan', 'build/x'], r.dir);
    expect(deep.paths).toEqual(['y/deeper.env']);
    expect(deep.inv.scan.warnings).toEqual([]);
    const all = scan(['scan', '.', '--no-ignore'], r.dir, { GIT_CONFIG_GLOBAL: config });
    expect(all.paths).toEqual([...files, 'build/x/y/deeper.env'].sort());
  });

  it('outside a work tree, .gitignore is an ordinary file', () => {
    const dir = tempDir();
    tokens(dir, ['a.env', 'b.log']);
    writeTree(dir, { '.gitignore': '*.log\n' });
    expect(scan(['scan', '.'], dir).paths).toEqual(['a.env', 'b.log']);
  });

  it('without git on PATH, nothing is left out and a warning says so', () => {
    const r = repo();
    const bin = tempDir('shadowscan-nogit-');
    fs.symlinkSync(process.execPath, path.join(bin, 'node'));
    const found = scan(['scan', '.'], r.dir, { PATH: bin });
    expect(found.code).toBe(1);
    expect(found.paths).toContain('debug.log');
    expect(found.inv.scan.warnings.join('\n')).toMatch(/no git executable on PATH: files that \.gitignore lists under .* were scanned too/);
  });
});

describe('exclude patterns are in gitignore syntax (item 10)', () => {
  it('compileExcludes answers as git does: unanchored patterns at any depth, anchored ones from the top, folders only, negations', () => {
    const excluded = compileExcludes(['*.pem', 'fixtures', '/top.env', 'src/gen', 'build/', '!keep.pem', './dot.env']);
    const cases: Array<[string, boolean, boolean?]> = [
      ['a.pem', true], ['deep/er/a.pem', true], ['deep/keep.pem', false],
      ['fixtures', true, true], ['x/fixtures/a.env', true], ['x/fixtures', true],
      ['top.env', true], ['x/top.env', false],
      ['src/gen/a.js', true], ['x/src/gen/a.js', false],
      ['build', true, true], ['x/build', true, true], ['build', false], ['x/build/a', true],
      ['dot.env', true], ['x/dot.env', false],
      ['Fixtures/a', false],
    ];
    for (const [p, want, dir] of cases) expect(excluded(p, dir), `${p}${dir ? '/' : ''}`).toBe(want);
  });

  it('--exclude, the config and .shadowscanignore match at any depth, and the ignore file can bring a path back', () => {
    const dir = tempDir();
    tokens(dir, ['a.env', 'src/fixtures/b.env', 'fixtures/c.env', 'deep/x/secret.pem', 'deep/keep.pem', 'logs/d.env', 'src/logs/e.env']);
    writeTree(dir, { '.shadowscanignore': 'fixtures/\n*.pem\n!keep.pem\n', '.shadowscan.yaml': 'exclude:\n  - /logs\n' });
    expect(scan(['scan', '.'], dir).paths).toEqual(['a.env', 'deep/keep.pem', 'src/logs/e.env']);
    expect(scan(['scan', '.', '--exclude', 'e.env'], dir).paths).toEqual(['a.env', 'deep/keep.pem']);
  });

  it('history and staged take the same patterns (from the top of the repository)', () => {
    const r = FixtureRepo.init('shadowscan-ignore-history-');
    tokens(r.dir, ['a.env', 'src/fixtures/b.env', 'docs/x.pem']);
    r.write('.shadowscanignore', 'fixtures/\n');
    r.git(['add', '-A']);
    expect(scan(['staged', '.', '--exclude', '*.pem'], r.dir).paths).toEqual(['a.env']);
    r.commit('all', ALICE, '2024-01-01T10:00:00Z');
    expect(scan(['history', '.', '--exclude', '*.pem'], r.dir).paths).toEqual(['a.env']);
  });
});

describe('scanning a subfolder uses the repository config, baseline and ignore file (item 10)', () => {
  it('walks up to the top of the work tree for them; their patterns are relative to where they are', () => {
    const r = FixtureRepo.init('shadowscan-subfolder-');
    const known = fakeGithubPat();
    writeTree(r.dir, { 'src/known.env': env(known) });
    tokens(r.dir, ['src/app.env', 'src/fixtures/a.env', 'src/gen/b.env', 'src/deep/gen/c.env', 'other/d.env']);
    // Patterns from the top: /src/gen is that folder only; fixtures/ is any folder so named.
    writeTree(r.dir, { '.shadowscan.yaml': 'exclude:\n  - /src/gen\n', '.shadowscanignore': 'fixtures/\n' });
    const baseline = scan(['scan', '.', '--no-baseline'], r.dir);
    const knownId = baseline.inv.tokens.find((t) => t.occurrences[0].path === 'src/known.env')!.id;
    fs.writeFileSync(path.join(r.dir, '.shadowscan-baseline.json'), JSON.stringify({ version: 1, tokens: [{ ruleId: 'github.pat.classic', id: knownId, redacted: 'x' }] }));

    const sub = scan(['scan', '.'], path.join(r.dir, 'src'));
    expect(sub.code, sub.stderr).toBe(1);
    expect(sub.paths).toEqual(['app.env', 'deep/gen/c.env']);
    expect(sub.inv.scan.baseline?.known).toBe(1);
    // From the top, naming the subfolder: the same.
    expect(scan(['scan', 'src'], r.dir).paths).toEqual(['app.env', 'deep/gen/c.env']);
    // A folder the patterns exclude, named to be scanned, is scanned.
    expect(scan(['scan', 'src/gen'], r.dir).paths).toEqual(['b.env']);
    // A folder holding its own config is its own root.
    writeTree(r.dir, { 'src/.shadowscan.yaml': 'exclude: []\n' });
    expect(scan(['scan', '.'], path.join(r.dir, 'src')).paths).toEqual(['app.env', 'deep/gen/c.env', 'fixtures/a.env', 'gen/b.env', 'known.env']);
  });

  it('outside a work tree, the folder above is not looked at', () => {
    const top = tempDir();
    tokens(top, ['sub/a.env']);
    writeTree(top, { '.shadowscanignore': 'a.env\n' });
    expect(scan(['scan', '.'], path.join(top, 'sub')).paths).toEqual(['a.env']);
  });
});
