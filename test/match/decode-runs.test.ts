// The encoded-run finders (\uXXXX escapes, %XX) give exactly the runs of the regular expressions they replaced, on
// random text made of the characters that matter: escapes, partial escapes, backslashes, quotes, spaces, markup.
import crypto from 'node:crypto';
import RE2 from 're2';
import { describe, expect, it } from 'vitest';
import { percentRuns, unicodeEscapeRuns } from '../../src/match/decode.js';

const PERCENT_RUN = new RE2('[^\\s"\'<>`]*%[0-9A-Fa-f]{2}[^\\s"\'<>`]*', 'g');
const UNICODE_RUN = new RE2('(?:\\\\u[0-9A-Fa-f]{4}|[^\\s"\'\\\\])*\\\\u[0-9A-Fa-f]{4}(?:\\\\u[0-9A-Fa-f]{4}|[^\\s"\'\\\\])*', 'g');
const PIECES = ['\\u', '\\u00', '\\u0041', '\\u00e9', '\\uZZ12', '\\\\', '\\', 'u', '%', '%2F', '%4', '%zz', 'a', 'B', '7', 'f', '"', "'", ' ', '\t', '\n', '\r\n', '<', '>', '`', '=', ':', '/', 'é'];

function byRegex(re: RE2, b: Buffer): string[] {
  const out: string[] = [];
  re.lastIndex = 0;
  for (;;) {
    const m = re.exec(b);
    if (!m) break;
    out.push(`${m.index}-${m.index + Buffer.byteLength(m[0])}`);
  }
  return out;
}

function byFinder(find: (b: Buffer, visit: (s: number, e: number) => void) => void, b: Buffer): string[] {
  const out: string[] = [];
  find(b, (s, e) => out.push(`${s}-${e}`));
  return out;
}

describe('encoded runs', () => {
  it('match the regular expressions on 3,000 random texts', () => {
    for (let n = 0; n < 3000; n++) {
      const text = Array.from({ length: 1 + crypto.randomInt(40) }, () => PIECES[crypto.randomInt(PIECES.length)]).join('');
      const b = Buffer.from(text);
      expect(byFinder(unicodeEscapeRuns, b), JSON.stringify(text)).toEqual(byRegex(UNICODE_RUN, b));
      expect(byFinder(percentRuns, b), JSON.stringify(text)).toEqual(byRegex(PERCENT_RUN, b));
    }
  });
});
