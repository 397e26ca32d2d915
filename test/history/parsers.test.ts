// The stream parsers behind the git reader, on hand-made input split at every possible byte.
import { describe, expect, it } from 'vitest';
import { RawLogParser, parseRawEntry } from '../../src/sources/git/log.js';
import { PatchParser, isAdded } from '../../src/sources/git/patch.js';
import { addedLineNumbers } from '../../src/sources/git/line-diff.js';
import { decodePath } from '../../src/sources/git/paths.js';
import { isLfsPointer } from '../../src/sources/git/lfs.js';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const C = 'c'.repeat(40);
const Z = '0'.repeat(40);

function logBytes(): Buffer {
  const parts: Buffer[] = [];
  const header = (id: string, parents: string, name: string) => Buffer.from(`\x01${id}\0${parents}\0${name}\0${name.toLowerCase()}@x.org\x002024-01-02T03:04:05+01:00\0`);
  parts.push(header(C, `${A} ${B}`, 'Merger'), Buffer.from('\0'));
  parts.push(Buffer.from(`::100644 100644 100644 ${A} ${B} ${C} MM\0`), Buffer.from('conf/a b.txt\0'));
  parts.push(header(B, A, 'Ann'), Buffer.from('\n'));
  parts.push(Buffer.from(`:100644 100644 ${A} ${B} M\0`), Buffer.concat([Buffer.from('new\nline-'), Buffer.from([0xff]), Buffer.from('\0')]));
  parts.push(Buffer.from(`:100644 000000 ${A} ${Z} D\0`), Buffer.from('gone.txt\0'));
  parts.push(Buffer.from(`:100644 100755 ${A} ${A} M\0`), Buffer.from(':starts-with-colon\0'));
  parts.push(header(A, '', 'Root'), Buffer.from('\n'));
  parts.push(Buffer.from(`:000000 160000 ${Z} ${C} A\0`), Buffer.from('\x01sub\0'));
  return Buffer.concat(parts);
}

describe('git log --raw -z parser', () => {
  it('parses merges (combined), deletions, odd paths and root commits, however the stream is cut', () => {
    const bytes = logBytes();
    const expected = [
      { commit: { id: C, parents: [A, B], author: { name: 'Merger', email: 'merger@x.org' }, date: '2024-01-02T03:04:05+01:00', time: Date.parse('2024-01-02T03:04:05+01:00') }, changes: [{ path: 'conf/a b.txt', mode: '100644', blob: C }] },
      {
        commit: { id: B, parents: [A], author: { name: 'Ann', email: 'ann@x.org' }, date: '2024-01-02T03:04:05+01:00', time: Date.parse('2024-01-02T03:04:05+01:00') },
        changes: [
          { path: 'new\nline-\\xff', mode: '100644', blob: B },
          { path: ':starts-with-colon', mode: '100755', blob: A, unchanged: true },
        ],
      },
      { commit: { id: A, parents: [], author: { name: 'Root', email: 'root@x.org' }, date: '2024-01-02T03:04:05+01:00', time: Date.parse('2024-01-02T03:04:05+01:00') }, changes: [{ path: '\x01sub', mode: '160000', blob: C }] },
    ];
    for (const step of [1, 2, 3, 7, 64, bytes.length]) {
      const p = new RawLogParser();
      const out = [];
      for (let i = 0; i < bytes.length; i += step) out.push(...p.push(bytes.subarray(i, i + step)));
      out.push(...p.end());
      expect(out, `chunks of ${step}`).toEqual(expected);
    }
  });

  it('reads the result side of raw entries', () => {
    expect(parseRawEntry(`:100644 100644 ${A} ${B} M`)).toEqual({ mode: '100644', blob: B, unchanged: false });
    expect(parseRawEntry(`:::100644 100644 100644 100755 ${A} ${B} ${C} ${B} MMM`)).toEqual({ mode: '100755', blob: B, unchanged: true });
    expect(parseRawEntry(`:100644 000000 ${A} ${Z} D`)).toBeNull();
  });
});

describe('patch parser (added lines)', () => {
  it('takes added lines from -U0 hunks, combined hunks and binary notes, per commit and blob', () => {
    const text = [
      `\x01${A}`,
      'diff --git a/x b/x',
      `index ${B}..${C} 100644`,
      '--- a/x',
      '+++ b/x',
      '@@ -1,0 +2,2 @@',
      '+one',
      '+two',
      '@@ -9 +11 @@',
      '-old',
      '+new',
      '@@ -20,2 +23,0 @@',
      '-gone',
      '-gone',
      `\x01${B}`,
      'diff --cc merged.txt',
      `index ${A},${B}..${C}`,
      '@@@ -1,2 -1,2 +1,4 @@@',
      '  same',
      '+ from first parent',
      ' +from second parent',
      '++evil line',
      '- dropped',
      '\\ No newline at end of file',
      'diff --git a/bin b/bin',
      `index ${A}..${B}`,
      'Binary files a/bin and b/bin differ',
      '',
    ].join('\n');
    const bytes = Buffer.from(text, 'latin1');
    for (const step of [1, 5, bytes.length]) {
      const p = new PatchParser();
      for (let i = 0; i < bytes.length; i += step) p.push(bytes.subarray(i, i + step));
      const idx = p.end();
      expect(idx.get(`${A}:${C}`), `chunks of ${step}`).toEqual(new Set([2, 3, 11]));
      expect(idx.get(`${B}:${C}`)).toEqual(new Set([4]));
      expect(idx.get(`${B}:${B}`)).toBe('all');
    }
    expect(isAdded(new Set([3]), 1, 2)).toBe(false);
    expect(isAdded(new Set([3]), 2, 4)).toBe(true);
    expect(isAdded('all', 9, 9)).toBe(true);
  });
});

describe('line diff (isomorphic-git fallback)', () => {
  it('finds added lines like git does for unambiguous edits', () => {
    const prev = Buffer.from('a\nb\nc\nd\ne\n');
    expect([...addedLineNumbers(prev, Buffer.from('a\nb\nX\nc\nd\ne\nY\n'))]).toEqual([3, 7]);
    expect([...addedLineNumbers(prev, Buffer.from('a\nc\ne\n'))]).toEqual([]);
    expect([...addedLineNumbers(prev, Buffer.from('Q\nb\nc\nR\ne\n'))]).toEqual([1, 4]);
    expect([...addedLineNumbers(Buffer.alloc(0), Buffer.from('x\ny\n'))]).toEqual([1, 2]);
  });
});

describe('paths and LFS pointers', () => {
  it('decodes UTF-8 paths as text and escapes other bytes', () => {
    expect(decodePath(Buffer.from('dir/ü ñ.txt'))).toBe('dir/ü ñ.txt');
    expect(decodePath(Buffer.from([0x61, 0xe9, 0x62]))).toBe('a\\xe9b');
  });

  it('recognises LFS pointer files only', () => {
    const oid = 'ab'.repeat(32);
    expect(isLfsPointer(Buffer.from(`version https://git-lfs.github.com/spec/v1\noid sha256:${oid}\nsize 12\n`))).toBe(true);
    expect(isLfsPointer(Buffer.from(`version https://git-lfs.github.com/spec/v1\nnothing\n`))).toBe(false);
    expect(isLfsPointer(Buffer.from('hello'))).toBe(false);
  });
});

describe('cat-file --batch reader', () => {
  it('returns every blob byte for byte, in order, across slab boundaries; says which are missing or too large', async () => {
    const { FixtureRepo } = await import('../helpers/git-fixtures.js');
    const { CatFileReader } = await import('../../src/sources/git/cat-file.js');
    const crypto = await import('node:crypto');
    const repo = FixtureRepo.init('shadowscan-catfile-');
    const ids: string[] = [];
    for (let i = 0; i < 120; i++) {
      const size = i % 10 === 0 ? 150_000 + i : Math.floor(Math.random() * 40_000);
      repo.write(`f${i}.bin`, crypto.randomBytes(size));
    }
    repo.write('empty.txt', '');
    repo.commit('blobs', { name: 'A', email: 'a@x' }, '2024-01-01T00:00:00Z');
    for (const line of repo.git(['ls-tree', '-r', 'HEAD']).split('\n')) ids.push(line.split(/\s+/)[2]);
    const missing = 'f'.repeat(40);
    const asked = [...ids.slice(0, 60), missing, ...ids.slice(60)];
    const reader = new CatFileReader(repo.dir, 145_000);
    const got: Array<{ id: string; size: number; data?: Buffer; error?: string; tooLarge?: boolean }> = [];
    const consumer = (async () => {
      for await (const r of reader) got.push({ ...r, data: r.data && Buffer.from(r.data) });
    })();
    for (const id of asked) await reader.request(id);
    reader.end();
    await consumer;
    expect(got.map((r) => r.id)).toEqual(asked);
    for (const r of got) {
      if (r.id === missing) expect(r.error).toContain('missing');
      else if (r.tooLarge) expect(r.size).toBeGreaterThan(145_000);
      else {
        const hash = crypto.createHash('sha1').update(`blob ${r.data!.length}\0`).update(r.data!).digest('hex');
        expect(hash).toBe(r.id);
      }
    }
    expect(got.filter((r) => r.tooLarge).length).toBeGreaterThan(0);
    expect(got.filter((r) => r.data?.length === 0)).toHaveLength(1);
  });
});
