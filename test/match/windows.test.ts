// The keyword locator finds every windowed-rule keyword in one pass: case-sensitive and case-insensitive keywords
// in the same pattern, keywords inside longer ones, the same letters in both case modes.
import { describe, expect, it } from 'vitest';
import { KeywordLocator, MAX_WINDOWS, maxWindows } from '../../src/match/windows.js';

/** Every start of each keyword, by plain search (ASCII case folded for the case-insensitive ones). */
function naive(content: string, keywords: string[], cs: boolean[]): Map<number, number[]> {
  const out = new Map<number, number[]>();
  keywords.forEach((k, i) => {
    const hay = cs[i] ? content : content.toLowerCase();
    const needle = cs[i] ? k : k.toLowerCase();
    const at: number[] = [];
    for (let p = hay.indexOf(needle); p !== -1; p = hay.indexOf(needle, p + 1)) at.push(p);
    out.set(i, at);
  });
  return out;
}

describe('KeywordLocator', () => {
  const keywords = ['api', 'apikey', 'Token', 'token', 'AKIA', 'secret'];
  const cs = [false, false, true, false, true, false];
  const locator = new KeywordLocator(keywords, cs, keywords.keys());

  it('finds the same offsets as searching for each keyword in turn', () => {
    const text = 'x APIKEY=1; token Token TOKEN; id=AKIA and akia; my_secret apikey api SeCrEt';
    const got = locator.locate(Buffer.from(text));
    const want = naive(text, keywords, cs);
    for (const [k, at] of want) expect(got.get(k) ?? [], keywords[k]).toEqual(at);
  });

  it('finds a keyword that starts inside another one it overlaps (`github` in `npm_github`, `cdef` in `abcdef`)', () => {
    const kws = ['abcd', 'cdef', 'npm_', '_github', 'github'];
    const sensitive = kws.map(() => false);
    const overlapping = new KeywordLocator(kws, sensitive, kws.keys());
    const text = 'x abcdef y NPM_GITHUB_TOKEN z abcd cdef';
    const got = overlapping.locate(Buffer.from(text));
    const want = naive(text, kws, sensitive);
    for (const [k, at] of want) expect(got.get(k) ?? [], kws[k]).toEqual(at);
  });

  it('finds every occurrence of random overlapping keywords in random text, as searching for each does', () => {
    const pick = (alphabet: string, n: number) => Array.from({ length: n }, () => alphabet[Math.floor(Math.random() * alphabet.length)]).join('');
    for (let round = 0; round < 300; round++) {
      // Keywords are at least three characters (the rule schema's minLength), one per text in each case mode.
      const sensitive: boolean[] = [];
      const kws: string[] = [];
      const seen = new Set<string>();
      for (let n = 2 + Math.floor(Math.random() * 6); n > 0; n--) {
        const k = pick('abAB', 3 + Math.floor(Math.random() * 3));
        const cs = Math.random() < 0.3;
        const key = cs ? `=${k}` : `~${k.toLowerCase()}`;
        if (seen.has(key)) continue;
        seen.add(key);
        kws.push(k);
        sensitive.push(cs);
      }
      const text = pick('abAB_', 60);
      const got = new KeywordLocator(kws, sensitive, kws.keys()).locate(Buffer.from(text));
      const want = naive(text, kws, sensitive);
      for (const [k, at] of want) expect(got.get(k) ?? [], `${JSON.stringify(kws)} ${sensitive} ${text} ${kws[k]}`).toEqual(at);
    }
  });

  it('gives up on a keyword seen more than MAX_WINDOWS times', () => {
    const text = 'secret '.repeat(MAX_WINDOWS + 1);
    const got = locator.locate(Buffer.from(text));
    expect(got.has(5)).toBe(true);
    expect(got.get(5)).toBeUndefined();
    expect(got.has(0)).toBe(false);
  });

  it('affords a big file one window per 512 bytes before giving up', () => {
    const filler = 'x'.repeat(2000);
    const text = Array.from({ length: MAX_WINDOWS + 40 }, () => `secret ${filler}`).join('\n');
    expect(maxWindows(text.length)).toBeGreaterThan(MAX_WINDOWS + 40);
    expect(locator.locate(Buffer.from(text)).get(5)).toHaveLength(MAX_WINDOWS + 40);
  });
});

describe('windowed rules in files full of their keyword', () => {
  /** The built-in rules' matcher and a fresh 40-hex token for `HOMEBREW_GITHUB_API_TOKEN`. */
  async function builtinMatcherAndToken() {
    const crypto = await import('node:crypto');
    const { BUILTIN_RULES_DIR, loadRules } = await import('../../src/rules/load.js');
    const { compileRules } = await import('../../src/rules/compile.js');
    const { DECODE_KEYWORDS, Matcher } = await import('../../src/match/matcher.js');
    const matcher = new Matcher(compileRules(loadRules([BUILTIN_RULES_DIR]).rules, { extraKeywords: DECODE_KEYWORDS }));
    return { matcher, token: crypto.randomBytes(20).toString('hex') };
  }

  it('a keyword seen more than MAX_WINDOWS times makes its rule read the whole content, not nothing', async () => {
    const { matcher, token } = await builtinMatcherAndToken();
    const lines = Array.from({ length: MAX_WINDOWS + 50 }, (_, i) => `- see https://github.com/org/repo/pull/${i} for the change`);
    lines.splice(200, 0, `export HOMEBREW_GITHUB_API_TOKEN=${token}`);
    const found = matcher.match(Buffer.from(lines.join('\n') + '\n'), 'CHANGELOG.txt').matches.find((m) => m.secret === token);
    // The windowed provider rule, not only the generic grammar, must have read the line.
    expect(found?.ruleId).toBe('github.token.legacy');
  });

  it('a minified file (one long line) full of the keyword still has the secret found on that line', async () => {
    const { matcher, token } = await builtinMatcherAndToken();
    const parts = Array.from({ length: 2 * MAX_WINDOWS }, (_, i) => `u${i}="https://github.com/org/repo/pull/${i}";`);
    parts.splice(MAX_WINDOWS + 7, 0, `HOMEBREW_GITHUB_API_TOKEN="${token}";`);
    const found = matcher.match(Buffer.from(`var ${parts.join('')}\n`), 'dist/bundle.min.js').matches.find((m) => m.secret === token);
    expect(found?.ruleId).toBe('github.token.legacy');
  });
});
