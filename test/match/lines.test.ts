// LineIndex finds newlines only as far as a lookup needs: whatever the order of lookups, it answers as a full index.
import { describe, expect, it } from 'vitest';
import { LineIndex } from '../../src/match/lines.js';

/** The answers of an index built whole, the obvious way. */
function naive(content: Buffer) {
  const nl: number[] = [];
  for (let i = 0; i < content.length; i++) if (content[i] === 10) nl.push(i);
  const lineOf = (offset: number) => nl.filter((n) => n < offset).length;
  return {
    lineOf,
    lineStart: (line: number) => (line === 0 ? 0 : nl[line - 1] + 1),
    lineEnd: (line: number) => (line < nl.length ? nl[line] : content.length),
    lineCount: nl.length + 1,
  };
}

describe('LineIndex', () => {
  it('answers as an index built whole, for lookups in any order', () => {
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (let round = 0; round < 200; round++) {
      const len = rand(400);
      const bytes = Buffer.alloc(len);
      for (let i = 0; i < len; i++) bytes[i] = rand(5) === 0 ? 10 : 97 + rand(3);
      const want = naive(bytes);
      const got = new LineIndex(bytes);
      for (let q = 0; q < 30; q++) {
        const offset = rand(len + 1);
        const line = rand(want.lineCount);
        switch (rand(4)) {
          case 0:
            expect(got.lineOf(offset)).toBe(want.lineOf(offset));
            break;
          case 1:
            expect(got.lineStart(line)).toBe(want.lineStart(line));
            break;
          case 2:
            expect(got.lineEnd(line)).toBe(want.lineEnd(line));
            break;
          default:
            expect(got.position(offset).line).toBe(want.lineOf(offset) + 1);
        }
      }
      expect(got.lineCount).toBe(want.lineCount);
    }
  });

  it('counts columns in UTF-16 code units', () => {
    const index = new LineIndex(Buffer.from('ab\ncé😀x'));
    expect(index.position(3)).toEqual({ line: 2, column: 1 });
    expect(index.position(Buffer.byteLength('ab\ncé😀'))).toEqual({ line: 2, column: 5 });
  });
});
