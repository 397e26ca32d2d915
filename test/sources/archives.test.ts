// Archives opened in memory: the formats, nesting and its depth, and the limits against bombs and bad data.
import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { archiveKind, archiveLimits, expandArchive, type ArchiveItem, type ArchiveLimits } from '../../src/sources/archives.js';
import { gz, tarOf, zipOf } from '../helpers/archives.js';

const limits = archiveLimits(50 * 1024 * 1024);

async function expand(bytes: Buffer, name: string, l: ArchiveLimits = limits): Promise<{ members: Record<string, string>; skips: Array<{ path: string; reason: string; corrupt?: boolean }> }> {
  const members: Record<string, string> = {};
  const skips: Array<{ path: string; reason: string; corrupt?: boolean }> = [];
  const it = expandArchive(bytes, name, l);
  if (!it) throw new Error('not an archive');
  for await (const item of it as AsyncIterable<ArchiveItem>) {
    if (item.kind === 'member') members[item.path] = item.bytes.toString('utf8');
    else skips.push({ path: item.path, reason: item.reason, ...(item.corrupt ? { corrupt: true } : {}) });
  }
  return { members, skips };
}

describe('archiveKind', () => {
  it('knows zip, gzip and tar by their magic bytes, whatever the name', async () => {
    expect(archiveKind(await zipOf([['a', 'x']]), 'x.bin')).toBe('zip');
    expect(archiveKind(gz('x'), 'x')).toBe('gzip');
    expect(archiveKind(await tarOf([['a', 'x']]), 'noext')).toBe('tar');
    expect(archiveKind(Buffer.from('PK but not a zip'), 'a.zip')).toBeUndefined();
    expect(archiveKind(Buffer.from('plain text'), 'a.tar')).toBeUndefined();
  });
});

describe('expandArchive', () => {
  it('yields zip, tar and gzip members; nested archives as outer!inner', async () => {
    const inner = await zipOf([['conf/app.env', 'A=1\n'], ['docs/', '']]);
    const t = await tarOf([['./pkg/inner.zip', inner], ['pkg/readme.txt', 'hello\n']]);
    const r = await expand(gz(t), 'release.tgz');
    expect(r.members).toEqual({ 'pkg/inner.zip!conf/app.env': 'A=1\n', 'pkg/readme.txt': 'hello\n' });
    expect(r.skips).toEqual([]);
  });

  it('names the member of a single .gz after the archive', async () => {
    expect((await expand(gz('K=v\n'), 'app.env.gz')).members).toEqual({ 'app.env': 'K=v\n' });
  });

  it('does not open archives nested deeper than the depth, and says so', async () => {
    const z3 = await zipOf([['deep.env', 'X=1\n']]);
    const z2 = await zipOf([['z3.zip', z3], ['mid.env', 'Y=1\n']]);
    const z1 = await zipOf([['z2.zip', z2]]);
    const r = await expand(z1, 'z1.zip');
    expect(r.members).toEqual({ 'z2.zip!mid.env': 'Y=1\n' });
    expect(r.skips).toEqual([{ path: 'z2.zip!z3.zip', reason: 'archive nested deeper than --archive-depth 2: not opened' }]);
    const one = await expand(z1, 'z1.zip', { ...limits, depth: 1 });
    expect(one.members).toEqual({});
    expect(one.skips[0].path).toBe('z2.zip');
    expect((await expand(z1, 'z1.zip', { ...limits, depth: 3 })).members).toHaveProperty(['z2.zip!z3.zip!deep.env']);
  });

  it('skips a member of a bomb by its compression ratio, and keeps the members before it', async () => {
    const bomb = await zipOf([['a.env', 'A=1\n'], ['zeros.bin', Buffer.alloc(20 * 1024 * 1024)], ['b.env', 'B=1\n']]);
    expect(bomb.length).toBeLessThan(200 * 1024);
    const r = await expand(bomb, 'bomb.zip');
    expect(r.members).toEqual({ 'a.env': 'A=1\n', 'b.env': 'B=1\n' });
    expect(r.skips).toHaveLength(1);
    expect(r.skips[0].path).toBe('zeros.bin');
    expect(r.skips[0].reason).toMatch(/^compression ratio over 100:1 /);
  });

  it('stops a gzip bomb at its ratio, and a tar.gz keeps the members read before it', async () => {
    const t = await tarOf([['pkg/first.env', 'F=1\n'], ['pkg/zeros', Buffer.alloc(8 * 1024 * 1024)], ['pkg/last.env', 'L=1\n']]);
    const r = await expand(gz(t), 'b.tgz');
    expect(r.members).toEqual({ 'pkg/first.env': 'F=1\n' });
    expect(r.skips).toHaveLength(1);
    expect(r.skips[0]).toMatchObject({ path: '' });
    expect(r.skips[0].reason).toMatch(/^compression ratio over 100:1 .*the rest was not read$/);
  });

  it('stops at the total expanded size and the entry count', async () => {
    const random = (n: number) => crypto.randomBytes(n);
    const z = await zipOf([['a', random(600)], ['b', random(600)], ['c', random(600)]]);
    const total = await expand(z, 'z.zip', { ...limits, maxExpanded: 1000 });
    expect(Object.keys(total.members)).toEqual(['a']);
    expect(total.skips).toEqual([{ path: '', reason: 'expands to more than 1000 bytes (the limit against archive bombs): the rest was not read' }]);
    const count = await expand(z, 'z.zip', { ...limits, maxEntries: 2 });
    expect(Object.keys(count.members)).toEqual(['a', 'b']);
    expect(count.skips[0].reason).toMatch(/^more than 2 entries/);
  });

  it('skips a member larger than the file size limit', async () => {
    const z = await zipOf([['big', crypto.randomBytes(3000)], ['small', 'S\n']]);
    const r = await expand(z, 'z.zip', { ...limits, maxMemberSize: 2000 });
    expect(r.members).toEqual({ small: 'S\n' });
    expect(r.skips).toEqual([{ path: 'big', reason: 'larger than --max-file-size (3000 bytes)' }]);
  });

  it('reads members whose names climb out or are absolute: names are labels, nothing is written', async () => {
    const z = await zipOf([['xx/up.env', 'U=1\n'], ['yy.env', 'A=1\n'], ['ok.env', 'O=1\n']]);
    // Same length names, so offsets hold: `../up.env` and `/yy.env` (a yauzl that validated names would refuse all).
    const hostile = Buffer.from(z.toString('latin1').replaceAll('xx/up.env', '../up.env').replaceAll('yy.env', '/y.env'), 'latin1');
    const r = await expand(hostile, 'h.zip');
    expect(r.members).toEqual({ '../up.env': 'U=1\n', 'y.env': 'A=1\n', 'ok.env': 'O=1\n' });
  });

  it('reports a corrupt archive as a corrupt skip, after the members it could read', async () => {
    const z = await zipOf([['a.env', 'A=1\n']]);
    const broken = Buffer.concat([z.subarray(0, 30), Buffer.alloc(40, 7)]);
    const r = await expand(broken, 'broken.zip');
    expect(r.members).toEqual({});
    expect(r.skips).toHaveLength(1);
    expect(r.skips[0]).toMatchObject({ path: '', corrupt: true });
    expect(r.skips[0].reason).toMatch(/^corrupt zip archive \(/);

    const t = await tarOf([['one.env', 'O=1\n'], ['two.env', 'x'.repeat(5000)]]);
    const cut = await expand(gz(t.subarray(0, 1500)), 'cut.tgz');
    expect(cut.members).toEqual({ 'one.env': 'O=1\n' });
    expect(cut.skips[0]).toMatchObject({ path: '', corrupt: true });
    expect(cut.skips[0].reason).toMatch(/the rest was not read$/);

    const badGz = Buffer.concat([gz('hello world, this is text\n').subarray(0, 12), Buffer.alloc(20, 0xff)]);
    expect((await expand(badGz, 'x.gz')).skips[0]).toMatchObject({ corrupt: true });
  });
});
