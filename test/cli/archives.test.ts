// Archives and packages through the built CLI: locations, --no-archives, --archive-depth and the config's keys,
// corrupt archives, baselines, history (an archive committed then deleted), org, and that no format leaks a secret.
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir, writeTree } from '../helpers/cli.js';
import { fakeGithubPat } from '../helpers/fake-tokens.js';
import { ALICE, FixtureRepo, gitEnv } from '../helpers/git-fixtures.js';
import { gz, tarOf, zipOf } from '../helpers/archives.js';

interface Inv {
  scan: { files: number; skipped: { path: string; reason: string }[]; warnings: string[] };
  tokens: { id: string; occurrences: { path: string; line: number; commit?: string; repo?: string }[] }[];
}
const json = (args: string[], options: Parameters<typeof runCli>[1] = {}) => {
  const r = runCli([...args, '--format', 'json'], options);
  return { ...r, inv: JSON.parse(r.stdout) as Inv };
};
const places = (inv: Inv) => inv.tokens.flatMap((t) => t.occurrences.map((o) => `${o.path}:${o.line}`)).sort();
const env = (token: string) => `# deploy settings\nGITHUB_TOKEN=${token}\n`;

describe('archives through the CLI', () => {
  let dir: string;
  let secrets: string[];

  beforeAll(async () => {
    secrets = [fakeGithubPat(), fakeGithubPat()];
    dir = tempDir();
    const inner = await zipOf([['config/app.env', env(secrets[0])]]);
    writeTree(dir, {
      'release.tar.gz': gz(await tarOf([['release/bundle.zip', inner]])),
      'dist/pkg-1.0-py3-none-any.whl': await zipOf([['pkg/settings.py', `TOKEN = "${secrets[1]}"\n`]]),
      'README.md': 'nothing\n',
    });
  });

  it('reports members at archive!member with their lines, and exits 1', () => {
    const r = json(['scan', dir]);
    expect(r.code).toBe(1);
    expect(places(r.inv)).toEqual(['dist/pkg-1.0-py3-none-any.whl!pkg/settings.py:1', 'release.tar.gz!release/bundle.zip!config/app.env:2']);
    expect(r.inv.scan.files).toBe(3);
    const text = runCli(['scan', dir]);
    expect(text.stdout).toContain('release.tar.gz!release/bundle.zip!config/app.env:2:');
  });

  it('--no-archives (or archives: false in the config) skips archives as binary files; --archive-depth 1 opens only the outer one', () => {
    const off = json(['scan', dir, '--no-archives']);
    expect(off.code).toBe(0);
    expect(off.inv.scan.skipped).toEqual([
      { path: 'dist/pkg-1.0-py3-none-any.whl', reason: 'binary file' },
      { path: 'release.tar.gz', reason: 'binary file' },
    ]);
    const cfgDir = tempDir();
    fs.writeFileSync(path.join(cfgDir, 'off.yaml'), 'archives: false\n');
    fs.writeFileSync(path.join(cfgDir, 'depth.yaml'), 'archiveDepth: 1\n');
    fs.writeFileSync(path.join(cfgDir, 'bad.yaml'), 'archiveDepth: two\n');
    expect(json(['scan', dir, '-c', path.join(cfgDir, 'off.yaml')]).code).toBe(0);
    // The command line wins over the config.
    expect(json(['scan', dir, '-c', path.join(cfgDir, 'off.yaml'), '--archives']).code).toBe(1);
    for (const args of [['--archive-depth', '1'], ['-c', path.join(cfgDir, 'depth.yaml')]]) {
      const one = json(['scan', dir, ...args]);
      expect(places(one.inv)).toEqual(['dist/pkg-1.0-py3-none-any.whl!pkg/settings.py:1']);
      expect(one.inv.scan.skipped).toEqual([{ path: 'release.tar.gz!release/bundle.zip', reason: 'archive nested deeper than --archive-depth 1: not opened' }]);
    }
    const bad = runCli(['scan', dir, '-c', path.join(cfgDir, 'bad.yaml')]);
    expect(bad.code).toBe(2);
    expect(runCli(['scan', dir, '--archive-depth', '0']).code).toBe(2);
  });

  it('leaves out members under .git and vendored folders as a walk of the tree does, unless --include-vendored', async () => {
    const [app, vendored, inGit] = [fakeGithubPat(), fakeGithubPat(), fakeGithubPat()];
    const d = tempDir();
    writeTree(d, {
      'bundle.tgz': gz(await tarOf([['app/.env', env(app)], ['app/node_modules/lib/.env', env(vendored)], ['.git/config.env', env(inGit)]])),
      'site.zip': await zipOf([['venv/lib/settings.py', `TOKEN = "${vendored}"\n`]]),
    });
    expect(places(json(['scan', d]).inv)).toEqual(['bundle.tgz!app/.env:2']);
    expect(places(json(['scan', d, '--include-vendored']).inv)).toEqual(['bundle.tgz!app/.env:2', 'bundle.tgz!app/node_modules/lib/.env:2', 'site.zip!venv/lib/settings.py:1']);
  });

  it('a corrupt archive is a warning and a skip; the exit code reflects the other files', async () => {
    const d = tempDir();
    const zip = await zipOf([['a.env', 'A=1\n']]);
    writeTree(d, { 'broken.zip': Buffer.concat([zip.subarray(0, 40), Buffer.alloc(64, 9)]), 'ok.txt': 'fine\n' });
    const clean = json(['scan', d]);
    expect(clean.code).toBe(0);
    expect(clean.stderr).toMatch(/warning: broken\.zip: corrupt zip archive \(.*\); skipped, the scan goes on/);
    // One line for the one problem, not a skip line and a warning line.
    expect(clean.stderr.split('\n').filter((l) => l.includes('broken.zip'))).toHaveLength(1);
    expect(clean.inv.scan.skipped).toEqual([{ path: 'broken.zip', reason: expect.stringMatching(/^corrupt zip archive/) }]);
    fs.writeFileSync(path.join(d, 'ok.txt'), env(fakeGithubPat()));
    expect(json(['scan', d]).code).toBe(1);
  });

  it('a baseline knows tokens in members, and an inline allow marker in a member is honoured', async () => {
    const d = tempDir();
    const [a, b] = [fakeGithubPat(), fakeGithubPat()];
    writeTree(d, { 'app.zip': await zipOf([['one.env', `GITHUB_TOKEN=${a}\n`], ['two.env', `GITHUB_TOKEN=${b} # shadowscan:allow\n`]]) });
    expect(places(json(['scan', d]).inv)).toEqual(['app.zip!one.env:1']);
    const baseline = path.join(d, 'baseline.json');
    expect(runCli(['baseline', 'create', d, '-o', baseline]).code).toBe(0);
    expect(json(['scan', d, '--baseline', baseline]).code).toBe(0);
  });

  it('never writes a raw secret in any format; SARIF carries the member path as its artifact URI', () => {
    const out = tempDir();
    for (const format of ['text', 'json', 'sarif', 'csv', 'html', 'markdown']) {
      const r = runCli(['scan', dir, '--format', format]);
      const file = path.join(out, `report.${format}`);
      const f = runCli(['scan', dir, '--format', format, '--output', file]);
      expect(r.code).toBe(1);
      expect(f.code).toBe(1);
      const written = fs.readFileSync(file, 'utf8');
      for (const s of secrets) for (const t of [r.stdout, r.stderr, f.stdout, f.stderr, written]) expect(t.includes(s), `${format} leaked a secret`).toBe(false);
      if (format === 'sarif') {
        const uris = JSON.parse(written).runs[0].results.map((x: { locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }) => x.locations[0].physicalLocation.artifactLocation.uri);
        // `!` is a legal URI character (RFC 3986 sub-delims): it stays as it is.
        expect(uris.sort()).toEqual(['dist/pkg-1.0-py3-none-any.whl!pkg/settings.py', 'release.tar.gz!release/bundle.zip!config/app.env']);
      }
    }
  });
});

describe('archives in history and org scans', () => {
  it('finds a token in an archive committed and then deleted, at archive.zip!member in that commit', async () => {
    const token = fakeGithubPat();
    const repo = FixtureRepo.init();
    repo.write('README.md', 'fixture\n');
    repo.write('archive.zip', await zipOf([['conf/secrets.env', env(token)]]));
    repo.write('npm/pkg.tgz', gz(await tarOf([['package/index.js', 'module.exports = 1;\n']])));
    // Enough blobs that -j 2 starts the matcher threads (blobs reach them in shared memory).
    for (let i = 0; i < 210; i++) repo.write(`notes/${i}.txt`, `note ${i}\n`);
    const added = repo.commit('add archives', ALICE, '2024-01-02T10:00:00Z');
    repo.remove('archive.zip');
    repo.commit('remove archive', ALICE, '2024-01-03T10:00:00Z');
    for (const j of ['1', '2']) {
      const r = json(['history', repo.dir, '-j', j], { env: gitEnv() });
      expect(r.code).toBe(1);
      expect(r.inv.tokens).toHaveLength(1);
      expect(r.inv.tokens[0].occurrences).toEqual([expect.objectContaining({ path: 'archive.zip!conf/secrets.env', line: 2, commit: added })]);
      expect(r.stdout.includes(token) || r.stderr.includes(token)).toBe(false);
    }
    expect(json(['history', repo.dir, '--no-archives'], { env: gitEnv() }).code).toBe(0);

    // org: the same repository among others, with a datastore (a re-run reuses the archive blob's findings).
    const root = tempDir();
    fs.cpSync(repo.dir, path.join(root, 'app'), { recursive: true });
    const db = path.join(tempDir(), 'org.db');
    for (let run = 0; run < 2; run++) {
      const o = json(['org', root, '--db', db], { env: gitEnv() });
      expect(o.code).toBe(1);
      expect(o.inv.tokens[0].occurrences).toEqual([expect.objectContaining({ path: 'archive.zip!conf/secrets.env', line: 2, repo: 'app' })]);
    }
    expect(fs.readFileSync(db).includes(Buffer.from(token))).toBe(false);
  });
});
