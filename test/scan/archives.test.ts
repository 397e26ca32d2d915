// Archives in a working-tree scan (through the built scan layer, so that worker threads run as they do in the CLI):
// members matched as files at `archive!member`, package formats, bombs, corrupt data, depth, large archives.
import crypto from 'node:crypto';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Inventory } from '../../src/model/index.js';
import { ROOT, tempDir, writeTree } from '../helpers/cli.js';
import { fakeGithubPat } from '../helpers/fake-tokens.js';
import { gz, tarOf, zipOf } from '../helpers/archives.js';

type ScanTree = typeof import('../../src/scan/scan-tree.js').scanTree;
let scanTree: ScanTree;
let base: Omit<Parameters<ScanTree>[0], 'targets'>;
let archiveLimits: typeof import('../../src/sources/archive-kind.js').archiveLimits;

beforeAll(async () => {
  ({ scanTree } = (await import(path.join(ROOT, 'dist/scan/scan-tree.js'))) as typeof import('../../src/scan/scan-tree.js'));
  ({ archiveLimits } = (await import(path.join(ROOT, 'dist/sources/archive-kind.js'))) as typeof import('../../src/sources/archive-kind.js'));
  const { loadRules, BUILTIN_RULES_DIR } = (await import(path.join(ROOT, 'dist/rules/index.js'))) as typeof import('../../src/rules/index.js');
  const { emptyConfig } = (await import(path.join(ROOT, 'dist/scan/config.js'))) as typeof import('../../src/scan/config.js');
  const maxFileSize = 50 * 1024 * 1024;
  base = { rules: loadRules([BUILTIN_RULES_DIR], { cache: true }).rules, config: emptyConfig(), maxFileSize, fingerprintKey: 'k', version: 'test', gitIgnore: false, archives: archiveLimits(maxFileSize) };
});

const env = (token: string) => `GITHUB_TOKEN=${token}\n`;
const places = (inv: Inventory) => inv.tokens.flatMap((t) => t.occurrences.map((o) => `${o.path}:${o.line}`)).sort();

describe('archives in a tree scan', () => {
  for (const concurrency of [1, 2]) {
    it(`finds tokens in zip, jar, whl, npm tgz, tar, gz and nested members (-j ${concurrency})`, async () => {
      const t = Array.from({ length: 7 }, fakeGithubPat);
      const dir = tempDir();
      const inner = await zipOf([['config/app.env', `# settings\n${env(t[0])}`]]);
      writeTree(dir, {
        'dist/release.tar.gz': gz(await tarOf([['release/inner.zip', inner], ['release/notes.txt', 'nothing\n']])),
        'lib/app.jar': await zipOf([['META-INF/MANIFEST.MF', 'Manifest-Version: 1.0\n'], ['application.properties', `github.token=${t[1]}\n`], ['App.class', Buffer.from([0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 0x34])]]),
        'wheels/pkg-1.0-py3-none-any.whl': await zipOf([['pkg/__init__.py', ''], ['pkg/settings.py', `TOKEN = "${t[2]}"\n`]]),
        'npm/pkg-1.0.0.tgz': gz(await tarOf([['package/package.json', '{"name":"pkg"}\n'], ['package/.env', env(t[3])]])),
        'backup.tar': await tarOf([['etc/app.env', env(t[4])]]),
        'app.env.gz': gz(env(t[5])),
        'plain.env': env(t[6]),
        // Enough files that the threads start (see INLINE_MAX_FILES).
        ...Object.fromEntries(Array.from({ length: concurrency > 1 ? 250 : 0 }, (_, i) => [`filler/${i}.txt`, `line ${i}\n`])),
      });
      const inv = await scanTree({ ...base, targets: [dir], concurrency });
      expect(places(inv)).toEqual([
        'app.env.gz!app.env:1',
        'backup.tar!etc/app.env:1',
        'dist/release.tar.gz!release/inner.zip!config/app.env:2',
        'lib/app.jar!application.properties:1',
        'npm/pkg-1.0.0.tgz!package/.env:1',
        'plain.env:1',
        'wheels/pkg-1.0-py3-none-any.whl!pkg/settings.py:1',
      ]);
      expect(inv.scan.skipped).toEqual([{ path: 'lib/app.jar!App.class', reason: 'binary file' }]);
      expect(inv.scan.warnings).toEqual([]);
    });
  }

  it('a bomb member is skipped by its ratio; the token in the member before it is found', async () => {
    const token = fakeGithubPat();
    const dir = tempDir();
    writeTree(dir, { 'bomb.zip': await zipOf([['first.env', env(token)], ['zeros.dat', Buffer.alloc(30 * 1024 * 1024)]]) });
    const inv = await scanTree({ ...base, targets: [dir], concurrency: 1 });
    expect(places(inv)).toEqual(['bomb.zip!first.env:1']);
    expect(inv.scan.skipped).toEqual([{ path: 'bomb.zip!zeros.dat', reason: expect.stringMatching(/^compression ratio over 100:1 \(.* expands to 30 MB; the limit against archive bombs\)$/) }]);
  });

  it('a corrupt archive is a warning and a skip; the other files are scanned', async () => {
    const token = fakeGithubPat();
    const dir = tempDir();
    const zip = await zipOf([['a.env', env(fakeGithubPat())]]);
    writeTree(dir, { 'broken.zip': Buffer.concat([zip.subarray(0, 40), crypto.randomBytes(64)]), 'broken.tgz': Buffer.from([0x1f, 0x8b, 8, 0, 1, 2, 3, 4, 5, 6, 7, 8]), 'ok.env': env(token) });
    const inv = await scanTree({ ...base, targets: [dir], concurrency: 1 });
    expect(places(inv)).toEqual(['ok.env:1']);
    expect(inv.scan.skipped.map((s) => s.path)).toEqual(['broken.tgz', 'broken.zip']);
    expect(inv.scan.skipped[1].reason).toMatch(/^corrupt zip archive \(/);
    expect(inv.scan.warnings).toHaveLength(2);
    expect(inv.scan.warnings[1]).toMatch(/^broken\.zip: corrupt zip archive \(.*\); skipped, the scan goes on$/);
    expect(inv.scan.files).toBe(1);
  });

  it('a text that only looks like an archive is scanned as text: bad input never loses findings', async () => {
    const [a, b] = [fakeGithubPat(), fakeGithubPat()];
    const dir = tempDir();
    const ustarAt257 = `${'#'.repeat(256)}\nustar and more\n${env(a)}`;
    writeTree(dir, { 'notes.txt': ustarAt257, 'fake.zip': `PK\x03\x04 is how a zip starts\n${env(b)}` });
    const inv = await scanTree({ ...base, targets: [dir], concurrency: 1 });
    expect(places(inv)).toEqual(['fake.zip:2', 'notes.txt:3']);
    expect(inv.scan.skipped).toEqual([]);
  });

  it('opens archives nested up to the depth, and lists the deeper ones as skipped', async () => {
    const token = fakeGithubPat();
    const dir = tempDir();
    const deep = await zipOf([['deep.env', env(token)]]);
    writeTree(dir, { 'outer.zip': await zipOf([['middle.tgz', gz(await tarOf([['deep.zip', deep]]))]]) });
    const two = await scanTree({ ...base, targets: [dir], concurrency: 1 });
    expect(places(two)).toEqual([]);
    expect(two.scan.skipped).toEqual([{ path: 'outer.zip!middle.tgz!deep.zip', reason: 'archive nested deeper than --archive-depth 2: not opened' }]);
    const three = await scanTree({ ...base, targets: [dir], concurrency: 1, archives: archiveLimits(base.maxFileSize, 3) });
    expect(places(three)).toEqual(['outer.zip!middle.tgz!deep.zip!deep.env:1']);
  });

  it('without archives an archive is a binary file, as before', async () => {
    const dir = tempDir();
    writeTree(dir, { 'a.zip': await zipOf([['a.env', env(fakeGithubPat())]]) });
    const inv = await scanTree({ ...base, targets: [dir], concurrency: 1, archives: undefined });
    expect(inv.tokens).toEqual([]);
    expect(inv.scan.skipped).toEqual([{ path: 'a.zip', reason: 'binary file' }]);
  });

  it('an archive larger than the binary sniff (1 MB) is opened; inline allow markers work in members', async () => {
    const [kept, allowed] = [fakeGithubPat(), fakeGithubPat()];
    const dir = tempDir();
    const big = await zipOf([['noise.bin', crypto.randomBytes(2 * 1024 * 1024)], ['conf/app.env', `A=${kept}\nB=${allowed} # shadowscan:allow\n`]], { store: ['noise.bin'] });
    writeTree(dir, { 'big.zip': big });
    // An explicit file target, whose size is known: it goes as chunks to the threads, and the first opens it.
    for (const targets of [[dir], [path.join(dir, 'big.zip')]]) {
      const inv = await scanTree({ ...base, targets, concurrency: 2 });
      expect(places(inv)).toEqual(['big.zip!conf/app.env:1']);
      expect(inv.scan.skipped).toEqual([{ path: 'big.zip!noise.bin', reason: 'binary file' }]);
    }
  });
});
