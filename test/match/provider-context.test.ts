// Provider names as evidence: where a name counts (whole words of the key, comments and headers above, not other
// keys' assignments), and which rules may veto a value for not being in the provider's format.
import crypto from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { BUILTIN_RULES_DIR, loadRules } from '../../src/rules/load.js';
import { compileRules, foldWords } from '../../src/rules/compile.js';
import { DECODE_KEYWORDS, Matcher } from '../../src/match/matcher.js';
import { DEFAULT_MIN_SCORE } from '../../src/match/thresholds.js';
import { randomFrom } from '../helpers/fake-tokens.js';

let matcher: Matcher;
beforeAll(() => {
  matcher = new Matcher(compileRules(loadRules([BUILTIN_RULES_DIR]).rules, { extraKeywords: DECODE_KEYWORDS }));
});

const hex = (n: number) => crypto.randomBytes(n).toString('hex');
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function only(text: string, path: string) {
  const ms = matcher.match(Buffer.from(text), path).matches;
  expect(ms.length, JSON.stringify(ms.map((m) => [m.ruleId, m.reasons]))).toBe(1);
  return ms[0];
}

describe('provider names', () => {
  it('are words of the key: a name inside another word names nobody', () => {
    expect(foldWords('MITE_API_KEY')).toEqual({ folded: 'miteapikey', bounds: new Set([0, 4, 7, 10]) });
    expect(foldWords('abuseIPDBKey').bounds).toEqual(new Set([0, 5, 9, 12]));
    const key = hex(16);
    // `restart systemd` holds the letters of "artsy", a provider's name, but not the word.
    const m = only(`# restart systemd after a change\nWEBHOOK_SECRET=${key}\n`, '.env');
    expect(m.reasons.join(' ')).not.toMatch(/named for/);
    expect(m.score).toBeGreaterThan(0.9);
  });

  it("another key's assignment above does not name this key's provider", () => {
    const token = randomFrom(ALNUM, 40);
    const text = `ZULIP_API_KEY=${randomFrom(ALNUM, 32)}\n\nAPI_TOKEN=${token}\n`;
    const m = matcher.match(Buffer.from(text), '.env').matches.find((x) => x.secret === token)!;
    expect(m.reasons.join(' ')).not.toMatch(/Zulip/);
    expect(m.score).toBeGreaterThanOrEqual(DEFAULT_MIN_SCORE);
  });

  it('a section header above still names the provider', () => {
    const key = hex(16);
    const m = only(`zulip:\n  api_key: "${key}"\n`, 'config/settings.yml');
    expect(m.reasons.join(' ')).toMatch(/Zulip/);
  });

  it("a provider's webhook-URL rule does not veto its API key", () => {
    const m = only(`TINES_API_KEY=${hex(16)}\n`, '.env');
    expect(m.reasons.join(' ')).not.toMatch(/not in its format/);
    expect(m.score).toBeGreaterThan(0.9);
  });

  it("a value accepted by the provider's grammar-fed rule is not vetoed by the same provider's pattern rules", () => {
    const m = only(`WEPAY_CLIENT_SECRET=${hex(5)}\n`, '.env');
    expect(m.ruleId).toBe('wepay.client-secret');
    expect(m.reasons.join(' ')).not.toMatch(/not in its format/);
  });
});

describe('key names', () => {
  it('a verb before a two-word term says what the credential may do; before a bare word it names a function', async () => {
    const { classifyKey } = await import('../../src/match/keys.js');
    expect(classifyKey('READ_ACCESS_TOKEN')?.cls).toBe('token');
    expect(classifyKey('tmdbReadAccessToken')?.cls).toBe('token');
    expect(classifyKey('readToken')?.cls).toBe('metadata');
    expect(classifyKey('getPassword')?.cls).toBe('metadata');
  });
});

describe('provider veto', () => {
  it("a value named for a provider but not in its format is held for review, not reported", () => {
    const text = `GIPHY_API_KEY=${randomFrom(ALNUM, 13)}\n`;
    const m = matcher.match(Buffer.from(text), '.env').matches[0];
    if (m) {
      expect(m.reasons.join(' ')).toMatch(/named for GIPHY, but not in its format/i);
      expect(m.score).toBeLessThan(DEFAULT_MIN_SCORE);
    }
  });
});

describe("names that are Object's own members", () => {
  // Lookup tables were plain objects: a file named `constructor` failed its scan (its family was Object's
  // constructor), and a key word `constructor` was read as a term of its own.
  it('a file named constructor or __proto__ is matched like any other file', () => {
    const value = randomFrom(ALNUM, 24);
    for (const path of ['constructor', 'conf/__proto__', 'x.constructor', 'hasOwnProperty']) {
      const ms = matcher.match(Buffer.from(`password = "${value}"\n`), path).matches;
      expect(ms.map((m) => m.secret), path).toEqual([value]);
    }
  });

  it('a key that starts with constructor names its secret by its other words', () => {
    const value = randomFrom(ALNUM, 24);
    const ms = matcher.match(Buffer.from(`const constructor_password = "${value}";\n`), 'src/app.js').matches;
    expect(ms.map((m) => [m.ruleId, m.secret])).toEqual([['generic.password', value]]);
  });
});

describe('the provider-acceptance bound', () => {
  // runGrammar drops a candidate before its provider lookup when, scored as if a provider accepted it, it stays below
  // KEEP_SCORE: sound only if neither a veto nor no naming at all ever scores higher than that.
  it('no provider reading scores a candidate higher than an acceptance does', async () => {
    const { findCandidates } = await import('../../src/match/grammar.js');
    const { scoreCandidate } = await import('../../src/match/score.js');
    const { pathRole } = await import('../../src/match/syntax.js');
    let compared = 0;
    for (const rule of loadRules([BUILTIN_RULES_DIR]).rules) {
      for (const ex of [...rule.examples, ...rule.negativeExamples]) {
        const path = ex.path ?? 'config/settings.py';
        for (const g of findCandidates(Buffer.from(ex.text), path)) {
          const role = pathRole(path);
          const bound = scoreCandidate(g, role, undefined, 'accepted');
          for (const other of [scoreCandidate(g, role), scoreCandidate(g, role, 'vetoed')]) {
            if ('drop' in bound) expect('drop' in other, ex.text).toBe(true);
            else if (!('drop' in other)) expect(other.score, ex.text).toBeLessThanOrEqual(bound.score);
            compared++;
          }
        }
      }
    }
    expect(compared).toBeGreaterThan(2000);
  });
});
