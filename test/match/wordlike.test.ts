// Word-likeness: identifiers, labels and prose read as words; random secrets do not; passwords built from
// words land in between. Random values are generated at run time.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { wordLikeness, wordLikenessDetail, wordParts } from '../../src/match/wordlike.js';
import { WORDLIKE_MODEL } from '../../src/match/wordlike-model.js';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const PRINTABLE = `${ALNUM}!#$%&()*+,-./:;<=>?@[]^_{|}~`;

function randomFrom(alphabet: string, length: number): string {
  const bytes = randomBytes(length * 2);
  let s = '';
  for (let i = 0; i < length; i++) s += alphabet[bytes.readUInt16BE(i * 2) % alphabet.length];
  return s;
}

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const WORD_LIKE = [
  'userSettings', 'refresh_token', 'smtp_password', 'EMAIL_PASSWORD', 'auth.login.title', 'btn btn-primary',
  'Enter your password', 'Kennwort', 'Passwort vergessen?', 'Contraseña', 'getElementById', 'MAX_RETRY_COUNT',
  'config.json', 'your-api-key-here', 'changeme', 'authorization_code', 'X-CSRF-Token', 'password',
];

describe('wordLikeness', () => {
  it('rates words, identifiers, labels and file names as word-like', () => {
    for (const v of WORD_LIKE) expect(wordLikeness(v), v).toBeGreaterThan(0.75);
  });

  it('rates random secrets of every common alphabet as random', () => {
    const alphabets = ['0123456789abcdef', ALNUM, `${ALNUM}+/`, PRINTABLE];
    for (const alphabet of alphabets) {
      const scores = Array.from({ length: 200 }, () => wordLikeness(randomFrom(alphabet, 12 + (randomBytes(1)[0] % 29))));
      expect(median(scores), alphabet).toBeLessThan(0.1);
      // random hex of 12-40 chars: a few read like numbers; the others no more than 5% above 0.5
      expect(scores.filter((s) => s > 0.5).length, alphabet).toBeLessThanOrEqual(10);
    }
    expect(wordLikeness(randomBytes(32).toString('base64'))).toBeLessThan(0.1);
  });

  it('puts human-style passwords between words and random strings', () => {
    const human = ['Summer2019!', 'Tr0ub4dor&3x', 'RedisPass1!', 'dipPr10Gg!', 'P@ssw0rd!23', 'Welcome@2024'];
    const scores = human.map(wordLikeness);
    const wordMedian = median(WORD_LIKE.map(wordLikeness));
    const randomMedian = median(Array.from({ length: 50 }, () => wordLikeness(randomFrom(ALNUM, 12))));
    expect(median(scores)).toBeLessThan(wordMedian);
    expect(median(scores)).toBeGreaterThan(randomMedian);
    // leetspeak and random capitals break words up more than a word with a year does
    expect(wordLikeness('Tr0ub4dor&3x')).toBeLessThan(wordLikeness('Summer2019!'));
    expect(wordLikeness('dipPr10Gg!')).toBeLessThan(wordLikeness('RedisPass1!'));
  });

  it('stays in [0, 1] on edge cases', () => {
    for (const v of ['', ' ', '\t\n', 'a', '7', '!', '密码', 'パスワード', '🔑🔑', '\u0000', 'x'.repeat(10_000), randomFrom(PRINTABLE, 5000)]) {
      const s = wordLikeness(v);
      expect(s).toBeGreaterThanOrEqual(0);
      expect(s).toBeLessThanOrEqual(1);
    }
  });

  it('is deterministic and independent of earlier calls', () => {
    const values = [...WORD_LIKE, randomFrom(ALNUM, 24), 'Summer2019!'];
    const first = values.map(wordLikeness);
    const shuffled = values.slice().reverse().map(wordLikeness).reverse();
    expect(shuffled).toEqual(first);
    expect(values.map(wordLikeness)).toEqual(first);
  });

  it('ignores surrounding whitespace; random capitals inside a word lower the score', () => {
    expect(wordLikeness('  userSettings  ')).toBeCloseTo(wordLikeness('userSettings'), 1);
    expect(wordLikeness('uSeRsEtTiNgS')).toBeLessThan(wordLikeness('userSettings'));
  });

  it('scores a 20-character value in a few microseconds', () => {
    const values = Array.from({ length: 20_000 }, (_, i) => (i % 2 ? randomFrom(ALNUM, 20) : `${WORD_LIKE[i % WORD_LIKE.length]}_abcdefghijklmnop`.slice(0, 20)));
    for (const v of values) wordLikeness(v);
    let best = Infinity;
    for (let round = 0; round < 3; round++) {
      const t = process.hrtime.bigint();
      for (const v of values) wordLikeness(v);
      best = Math.min(best, Number(process.hrtime.bigint() - t) / 1000 / values.length);
    }
    expect(best).toBeLessThan(10); // ~0.5 µs measured; the bound is generous for slow CI machines
  });
});

describe('wordLikenessDetail', () => {
  it('explains the score with per-character costs', () => {
    const word = wordLikenessDetail('userSettings');
    const random = wordLikenessDetail(randomFrom(ALNUM, 24));
    expect(word.wordLikeness).toBe(wordLikeness('userSettings'));
    expect(word.logit).toBeGreaterThan(0);
    expect(random.logit).toBeLessThan(0);
    expect(word.charBits).toBeLessThan(random.charBits);
    expect(word.classBits).toBeLessThan(random.classBits);
  });
});

describe('wordParts', () => {
  it('finds the words of identifiers and passwords', () => {
    expect(wordParts('getHTTPResponse').map((p) => p.text)).toEqual(['get', 'HTTP', 'Response']);
    expect(wordParts('Summer2019!').map((p) => p.text)).toEqual(['Summer']);
    expect(wordParts('RedisPass1!').map((p) => p.text)).toEqual(['Redis', 'Pass']);
    expect(wordParts('smtp_password')).toMatchObject([{ text: 'smtp', start: 0, end: 4 }, { text: 'password', start: 5, end: 13 }]);
  });

  it('finds few words in random letters', () => {
    let parts = 0;
    for (let i = 0; i < 100; i++) parts += wordParts(randomFrom('abcdefghijklmnopqrstuvwxyz', 20)).length;
    expect(parts).toBeLessThan(40); // whole 20-letter runs; a word-like one is rare
  });
});

describe('model data', () => {
  it('has tables of the declared sizes', () => {
    const size = (b64: string) => Buffer.from(b64, 'base64').length;
    expect(size(WORDLIKE_MODEL.charCost)).toBe(WORDLIKE_MODEL.symbolCount ** WORDLIKE_MODEL.charOrder);
    expect(size(WORDLIKE_MODEL.classCost)).toBe(WORDLIKE_MODEL.classCount ** WORDLIKE_MODEL.classOrder);
    expect(size(WORDLIKE_MODEL.asciiSymbol)).toBe(128);
  });
});
