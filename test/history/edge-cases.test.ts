// Inputs that break naive history scanners: odd refs and paths, submodules, LFS pointers, missing and corrupt
// objects, renames, big and binary blobs, excluded paths. Bad input gives warnings, never lost findings.
import crypto from 'node:crypto';
import fs from 'node:fs';
import zlib from 'node:zlib';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli.js';
import { ALICE, BOB, FixtureRepo, fakeGenericSecret, looseObjectPath } from '../helpers/git-fixtures.js';
import { fakeGithubPat } from '../helpers/fake-tokens.js';

const KEY = 'edge-test-key';
const ENV = { SHADOWSCAN_FINGERPRINT_KEY: KEY };
const fp = (secret: string) => crypto.createHmac('sha256', KEY).update(secret, 'utf8').digest('hex');

interface Inv {
  scan: { warnings: string[]; skipped: Array<{ path: string; reason: string }>; history?: Record<string, unknown>; files: number };
  tokens: Array<{ id: string; occurrences: Array<{ path: string; commit?: string; line: number }>; presentInHead?: boolean; commits?: number }>;
}

function history(args: string[]): { code: number; inv: Inv; stderr: string } {
  const r = runCli(['history', ...args, '--format', 'json'], { env: ENV });
  let inv = { scan: { warnings: [], skipped: [], files: 0 }, tokens: [] } as Inv;
  try {
    inv = JSON.parse(r.stdout) as Inv;
  } catch {
    // checked through the exit code
  }
  return { code: r.code, inv, stderr: r.stderr };
}

const ids = (inv: Inv) => inv.tokens.map((t) => t.id).sort();
const tokenOf = (inv: Inv, secret: string) => inv.tokens.find((t) => t.id === fp(secret));

describe('history edge cases', () => {
  it('handles refs beginning with "-" and paths with spaces, newlines and non-UTF-8 bytes', () => {
    const repo = FixtureRepo.init('shadowscan-odd-');
    const [a, b, c, d] = [fakeGithubPat(), fakeGithubPat(), fakeGithubPat(), fakeGithubPat()];
    repo.write('dir with space/a file.py', `GITHUB_TOKEN = "${a}"\n`);
    repo.write('new\nline.py', `GITHUB_TOKEN = "${b}"\n`);
    repo.write(Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x2e, 0x70, 0x79]), `GITHUB_TOKEN = "${c}"\n`); // "caf\xe9.py", Latin-1
    repo.write('-leading-dash.py', 'nothing\n');
    repo.commit('odd paths', ALICE, '2024-05-01T10:00:00Z');
    repo.git(['checkout', '-q', '-b', 'side']);
    repo.write('-leading-dash.py', `GITHUB_TOKEN = "${d}"\n`);
    const sideCommit = repo.commit('dash', BOB, '2024-05-02T10:00:00Z');
    repo.git(['checkout', '-q', 'main']);
    repo.git(['update-ref', 'refs/heads/-dash', sideCommit]);
    repo.git(['branch', '-q', '-D', 'side']);

    const r = history([repo.dir]);
    expect(r.code).toBe(1);
    expect(ids(r.inv)).toEqual([a, b, c, d].map(fp).sort());
    expect(tokenOf(r.inv, a)!.occurrences[0].path).toBe('dir with space/a file.py');
    expect(tokenOf(r.inv, b)!.occurrences[0].path).toBe('new\nline.py');
    expect(tokenOf(r.inv, c)!.occurrences[0].path).toBe('caf\\xe9.py');
    expect(tokenOf(r.inv, d)!.occurrences[0]).toMatchObject({ path: '-leading-dash.py', commit: sideCommit });

    // A ref named like an option is a ref, never an option.
    const dash = history([repo.dir, '--ref=-dash']);
    expect(dash.code).toBe(1);
    expect(ids(dash.inv)).toEqual([a, b, c, d].map(fp).sort());
    const notOption = history([repo.dir, '--ref', '--output=/tmp/x']);
    expect(notOption.code).toBe(2);
    expect(notOption.stderr).toContain('unknown ref');
    // The fallback reader decodes the odd paths exactly alike.
    const iso = history([repo.dir, '--git-backend', 'isomorphic-git']);
    expect(iso.inv.tokens).toEqual(r.inv.tokens);
  });

  it('skips submodule gitlinks with a note and LFS pointers with a reason', () => {
    const repo = FixtureRepo.init('shadowscan-sub-');
    const t = fakeGithubPat();
    repo.write('app.py', `GITHUB_TOKEN = "${t}"\n`);
    // An LFS pointer: its sha256 must not be mistaken for a secret.
    const oid = crypto.randomBytes(32).toString('hex');
    repo.write('assets/model.bin', `version https://git-lfs.github.com/spec/v1\noid sha256:${oid}\nsize 123456\n`);
    repo.commit('app', ALICE, '2024-05-01T10:00:00Z');
    const sub = repo.rev('HEAD');
    repo.git(['update-index', '--add', '--cacheinfo', `160000,${sub},vendor-lib`]);
    repo.commit('add submodule', ALICE, '2024-05-02T10:00:00Z', { all: false });
    const r = history([repo.dir]);
    expect(r.code).toBe(1);
    expect(ids(r.inv)).toEqual([fp(t)]);
    expect(r.inv.scan.warnings.join('\n')).toMatch(/submodule skipped.*vendor-lib/);
    expect(r.inv.scan.warnings.join('\n')).toContain('Git LFS pointer');
    expect(r.inv.scan.skipped).toEqual([{ path: 'assets/model.bin', reason: expect.stringContaining('Git LFS pointer') }]);
  });

  it('warns about a missing and a corrupt object and finds everything else (git dies on the corrupt one and is restarted)', () => {
    const repo = FixtureRepo.init('shadowscan-broken-');
    const [keep1, lost1, lost2, keep2] = [fakeGithubPat(), fakeGithubPat(), fakeGithubPat(), fakeGithubPat()];
    repo.write('a.py', `GITHUB_TOKEN = "${keep1}"\n`);
    repo.write('missing.py', `GITHUB_TOKEN = "${lost1}"\n`);
    repo.write('corrupt.py', `GITHUB_TOKEN = "${lost2}"\n`);
    repo.commit('one', ALICE, '2024-05-01T10:00:00Z');
    repo.write('z.py', `GITHUB_TOKEN = "${keep2}"\n`);
    repo.commit('two', ALICE, '2024-05-02T10:00:00Z');
    const missing = repo.blobOf('HEAD', 'missing.py');
    const corrupt = repo.blobOf('HEAD', 'corrupt.py');
    fs.rmSync(looseObjectPath(repo, missing));
    const p = looseObjectPath(repo, corrupt);
    fs.chmodSync(p, 0o644);
    // A valid header, then a cut-off stream: git prints the header, then dies mid-object.
    const z = zlib.deflateSync(zlib.inflateSync(fs.readFileSync(p)));
    fs.writeFileSync(p, z.subarray(0, Math.floor(z.length / 2)));
    const r = history([repo.dir]);
    expect(r.code).toBe(1);
    expect(ids(r.inv)).toEqual([keep1, keep2].map(fp).sort());
    const warnings = r.inv.scan.warnings.join('\n');
    expect(warnings).toContain(`blob ${missing} (missing.py): object missing`);
    expect(warnings).toContain(`blob ${corrupt} (corrupt.py): unreadable object`);
    expect(r.stderr).toContain('warning: blob');
    expect(r.inv.scan.skipped.map((s) => s.path).sort()).toEqual(['corrupt.py', 'missing.py']);
    // Garbage instead of an object: git calls it missing; still a warning, still everything else found.
    fs.writeFileSync(looseObjectPath(repo, repo.blobOf('HEAD', 'a.py')), 'not zlib at all');
    const again = history([repo.dir]);
    expect(again.code).toBe(1);
    expect(ids(again.inv)).toEqual([fp(keep2)]);
    expect(again.inv.scan.warnings).toHaveLength(3);
  });

  it('keeps the path of each appearance across renames, and counts commits', () => {
    const repo = FixtureRepo.init('shadowscan-rename-');
    const t = fakeGenericSecret();
    repo.write('one.py', `API_TOKEN = "${t}"\n`);
    const c1 = repo.commit('one', ALICE, '2024-05-01T10:00:00Z');
    repo.git(['mv', 'one.py', 'two.py']);
    const c2 = repo.commit('rename', BOB, '2024-05-02T10:00:00Z');
    repo.write('two.py', `# moved\nAPI_TOKEN = "${t}"\n`);
    const c3 = repo.commit('edit', ALICE, '2024-05-03T10:00:00Z');
    const r = history([repo.dir]);
    const tok = tokenOf(r.inv, t)!;
    expect(tok.occurrences.map((o) => [o.commit, o.path, o.line])).toEqual([
      [c1, 'one.py', 1],
      [c2, 'two.py', 1],
      [c3, 'two.py', 2],
    ]);
    expect(tok).toMatchObject({ commits: 3, presentInHead: true, firstSeen: { commit: c1, path: 'one.py' }, lastSeen: { commit: c3, path: 'two.py' } });
    // Two unique blobs: the rename moved the same bytes.
    expect(r.inv.scan.history).toMatchObject({ blobs: 2, commits: 3 });
  });

  it('honours excludes, vendored folders, the config file and --max-file-size; skips binaries', () => {
    const repo = FixtureRepo.init('shadowscan-scope-');
    const [kept, vendored, excluded, big, cfgExcluded] = [fakeGithubPat(), fakeGithubPat(), fakeGithubPat(), fakeGithubPat(), fakeGithubPat()];
    repo.write('src/app.py', `GITHUB_TOKEN = "${kept}"\n`);
    repo.write('node_modules/pkg/index.js', `const GITHUB_TOKEN = "${vendored}";\n`);
    repo.write('fixtures/data.py', `GITHUB_TOKEN = "${excluded}"\n`);
    repo.write('generated/big.py', `GITHUB_TOKEN = "${big}"\n${'# filler\n'.repeat(20_000)}`);
    repo.write('docs/ignored.md', `GITHUB_TOKEN = "${cfgExcluded}"\n`);
    repo.write('img/logo.png', Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0]), Buffer.from(`GITHUB_TOKEN = "${fakeGithubPat()}"`)]));
    repo.write('.shadowscan.yaml', 'exclude:\n  - docs/**\n');
    repo.commit('scope', ALICE, '2024-05-01T10:00:00Z');
    const r = history([repo.dir, '--exclude', 'fixtures/**', '--max-file-size', '100KB']);
    expect(ids(r.inv)).toEqual([fp(kept)]);
    expect(r.inv.scan.skipped).toEqual(
      expect.arrayContaining([
        { path: 'generated/big.py', reason: expect.stringContaining('larger than --max-file-size') },
        { path: 'img/logo.png', reason: 'binary file' },
      ]),
    );
    const all = history([repo.dir, '--include-vendored', '--config', path.join(tempDir(), 'none.yaml')]);
    expect(all.code).toBe(2); // a config file that does not exist is an error
    fs.writeFileSync(path.join(repo.dir, 'empty.yaml'), '{}\n');
    const wide = history([repo.dir, '--include-vendored', '--config', path.join(repo.dir, 'empty.yaml')]);
    expect(ids(wide.inv)).toEqual([kept, vendored, excluded, big, cfgExcluded].map(fp).sort());
  });

  it('scans a history with many commits and blobs through the worker pool', () => {
    const repo = FixtureRepo.init('shadowscan-many-');
    // fast-import: 300 commits, each adding a file; one token in the middle.
    const t = fakeGithubPat();
    let stream = '';
    for (let i = 1; i <= 300; i++) {
      const body = i === 150 ? `GITHUB_TOKEN = "${t}"\n` : `value_${i} = ${i}\n${'x'.repeat(40_000)}\n`;
      stream += `commit refs/heads/main\nmark :${i}\ncommitter ${ALICE.name} <${ALICE.email}> ${1_700_000_000 + i * 60} +0000\ndata 3\nc${String(i).padStart(1, '0').slice(-1)}\n${i > 1 ? `from :${i - 1}\n` : ''}M 100644 inline f${i}.txt\ndata ${Buffer.byteLength(body)}\n${body}\n`;
    }
    repo.git(['fast-import', '--quiet'], { input: stream });
    const r = history([repo.dir, '-j', '2']);
    expect(r.code).toBe(1);
    expect(ids(r.inv)).toEqual([fp(t)]);
    expect(r.inv.scan.history).toMatchObject({ commits: 300, blobs: 300 });
    expect(tokenOf(r.inv, t)!.occurrences).toEqual([expect.objectContaining({ path: 'f150.txt', line: 1 })]);
  });
});
