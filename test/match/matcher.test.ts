import { describe, expect, it } from 'vitest';
import type { Rule } from '../../src/model/index.js';
import { compileRules } from '../../src/rules/index.js';
import { Matcher, prepareContent, shannonEntropy, verifyChecksum, isPlaceholder } from '../../src/match/index.js';
import { resolveOverlaps } from '../../src/match/matcher.js';
import { describeValue } from '../../src/match/values.js';
import { fakeGithubPat, randomFrom } from '../helpers/fake-tokens.js';

function rule(over: Partial<Rule> & Pick<Rule, 'id' | 'pattern' | 'keywords'>): Rule {
  return {
    name: over.id,
    provider: 'Test',
    kind: 'api-key',
    confidence: 'high',
    severity: 'high',
    privilege: 'write',
    privilegeReason: 'test',
    rotate: 'https://example.invalid/rotate',
    examples: [],
    negativeExamples: [],
    source: 'test.yaml',
    ...over,
  };
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const tok = () => `tst_${randomFrom(ALNUM, 24)}`;
const provider = rule({ id: 'test.token', pattern: '\\b(tst_[A-Za-z0-9]{24})\\b', keywords: ['tst_'], minEntropy: 3 });
const generic = rule({
  id: 'generic.thing', generic: true, confidence: 'low', pattern: '(?i)token\\s*=\\s*"([^"]{8,})"', keywords: ['token'],
});

describe('Matcher', () => {
  const matcher = new Matcher(compileRules([provider, generic]));

  it('finds a token and reports 1-based line and column from byte offsets', () => {
    const t = tok();
    const { matches } = matcher.match(Buffer.from(`first line\n  x = ${t}\n`), 'a.txt');
    expect(matches).toHaveLength(1);
    expect(matches[0]).toMatchObject({ ruleId: 'test.token', secret: t, line: 2, column: 7, endLine: 2, endColumn: 7 + t.length });
  });

  it('counts columns in UTF-16 code units after multi-byte characters', () => {
    const t = tok();
    const { matches } = matcher.match(Buffer.from(`héllo wörld ${t}`), 'a.txt');
    expect(matches[0].column).toBe('héllo wörld '.length + 1);
  });

  it('runs no rule whose keyword is absent (the prefilter)', () => {
    expect(matcher.candidateRules(Buffer.from('nothing to see here'), 'a.txt')).toEqual([]);
    expect(matcher.candidateRules(Buffer.from('TST_ and TOKEN'), 'a.txt')).toEqual([0, 1]);
  });

  it('reports an overlapping span once, under the provider rule rather than the generic one', () => {
    const t = tok();
    const { matches } = matcher.match(Buffer.from(`token = "${t}"`), 'a.js');
    expect(matches.map((m) => m.ruleId)).toEqual(['test.token']);
  });

  it('drops secrets below the rule\'s minimum entropy and placeholders', () => {
    expect(matcher.match(Buffer.from('tst_aaaaaaaaaaaaaaaaaaaaaaaa'), 'a').matches).toEqual([]);
    expect(matcher.match(Buffer.from('token = "${API_TOKEN}"'), 'a').matches).toEqual([]);
    expect(matcher.match(Buffer.from('token = "xxxxxxxxxxxx"'), 'a').matches).toEqual([]);
  });

  it('honours inline allow markers, and binds a fingerprint-prefixed marker to its token', () => {
    const t = tok();
    expect(matcher.match(Buffer.from(`${t} // shadowscan:allow`), 'a').matches).toEqual([]);
    expect(matcher.match(Buffer.from(`${t} # gitleaks:allow`), 'a').matches).toEqual([]);
    expect(matcher.match(Buffer.from(`${t} # pragma: allowlist secret`), 'a').matches).toEqual([]);
    const bound = matcher.match(Buffer.from(`${t} // shadowscan:allow 3fa9c1`), 'a');
    expect(bound.matches).toEqual([]);
    expect(bound.conditionallyAllowed[0].fingerprintPrefix).toBe('3fa9c1');
  });

  it('honours detect-secrets\' `pragma: allowlist nextline secret` on the line before, and only for the next line', () => {
    const t = tok();
    const u = tok();
    expect(matcher.match(Buffer.from(`# pragma: allowlist nextline secret\ntoken = "${t}"\n`), 'a').matches).toEqual([]);
    // First line of the content, indented comment, CRLF line ends.
    expect(matcher.match(Buffer.from(`x = 1\r\n    // pragma: allowlist nextline secret\r\n${t}\r\n`), 'a').matches).toEqual([]);
    // Only the next line: a token two lines below, or on the marker's own line, is reported.
    const below = matcher.match(Buffer.from(`# pragma: allowlist nextline secret\n${t}\n${u}\n`), 'a').matches;
    expect(below.map((m) => m.secret)).toEqual([u]);
    expect(matcher.match(Buffer.from(`${t} # pragma: allowlist nextline secret\n`), 'a').matches).toHaveLength(1);
  });

  it('skips lock files for generic rules only', () => {
    const t = tok();
    const content = Buffer.from(`token = "${randomFrom(ALNUM, 16)}"\n${t}\n`);
    const ids = matcher.match(content, 'sub/package-lock.json').matches.map((m) => m.ruleId);
    expect(ids).toEqual(['test.token']);
  });

  it('applies path constraints', () => {
    const npmrc = rule({ id: 'test.npmrc', pattern: '_authToken=(\\S{8,})', keywords: ['_authToken'], paths: ['**/.npmrc'] });
    const m = new Matcher(compileRules([npmrc]));
    const content = Buffer.from(`//registry/:_authToken=${randomFrom('ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789', 12)}`);
    expect(m.match(content, 'pkg/.npmrc').matches).toHaveLength(1);
    expect(m.match(content, '.npmrc').matches).toHaveLength(1);
    expect(m.match(content, 'README.md').matches).toHaveLength(0);
  });

  it('finds multi-part credentials nearby and lowers confidence when a part is missing', () => {
    const pair = rule({
      id: 'test.pair', pattern: 'secret=([A-Za-z0-9]{20})', keywords: ['secret='],
      parts: [{ name: 'keyId', pattern: 'key_id=([A-Z0-9]{10})', within: 2 }],
    });
    const m = new Matcher(compileRules([pair]));
    const s = randomFrom(ALNUM, 20);
    const withPart = m.match(Buffer.from(`key_id=AB12CD34EF\nsecret=${s}\n`), 'a').matches[0];
    expect(withPart.parts).toEqual({ keyId: 'AB12CD34EF' });
    expect(withPart.confidence).toBe('high');
    const alone = m.match(Buffer.from(`secret=${s}\n`), 'a').matches[0];
    expect(alone.parts).toBeUndefined();
    expect(alone.confidence).toBe('medium');
  });
});

describe('content preparation', () => {
  it('treats NUL bytes in the first 8 KB as binary', () => {
    expect(prepareContent(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 1, 2])).kind).toBe('binary');
  });

  it('transcodes UTF-16 text so ASCII patterns match', () => {
    const text = `token = ${'x'.repeat(3)}\n`;
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    const prepared = prepareContent(le);
    expect(prepared.kind).toBe('text');
    if (prepared.kind === 'text') expect(prepared.content.toString()).toBe(text);
    const noBom = prepareContent(Buffer.from(text.repeat(4), 'utf16le'));
    expect(noBom.kind).toBe('text');
  });

  it('keeps invalid UTF-8 as text', () => {
    expect(prepareContent(Buffer.from([0x61, 0xff, 0xfe, 0x62, 0x0a])).kind).toBe('text');
  });
});

describe('entropy, placeholders, checksums', () => {
  it('computes Shannon entropy in bits per character', () => {
    expect(shannonEntropy('aaaa')).toBe(0);
    expect(shannonEntropy('abcd')).toBe(2);
  });

  it('recognises placeholders', () => {
    for (const p of ['<token>', '${VAR}', '{{ .Values.token }}', '%s', 'xxxxxxxx', 'changeme', 'your-api-key', 'abcdefghij', '1234567890', 'aaaaaaaaaa']) {
      expect(isPlaceholder(p), p).toBe(true);
    }
    expect(isPlaceholder('q8Rz2LkP0vXw7NmB4tYc')).toBe(false);
  });

  it('counts placeholder words in grammar values as whole words only', () => {
    for (const p of ['TODO', 'tbd', 'placeholderKey', 'changeme123', 'CHANGE_ME', 'token-redacted', 'n/a', 'not_set']) {
      expect(describeValue(p).placeholder, p).toBeDefined();
    }
    // Random tokens that hold the letters by chance.
    for (const v of ['q8RzxitEWhTbdgo2LkP0vXw7NmB4tYc', 'Zk3Gn/aB9x0PqLm4RtY7uWv2', 'aTODOq8Rz2LkP0vXw7NmB4', 'hRemovedxq8Rz2LkP0vXw7']) {
      expect(describeValue(v).placeholder, v).toBeUndefined();
    }
  });

  it('verifies the CRC32 suffix of GitHub tokens', () => {
    const pat = fakeGithubPat();
    expect(verifyChecksum('github-crc32', pat)).toBe(true);
    const broken = pat.slice(0, -1) + (pat.endsWith('A') ? 'B' : 'A');
    expect(verifyChecksum('github-crc32', broken)).toBe(false);
  });
});

describe('resolveOverlaps', () => {
  // The sweep keeps disjoint spans in start order; it must pick exactly what comparing each candidate with every
  // kept span picks, only without the quadratic cost.
  it('keeps the same spans as the pairwise check, in start order', () => {
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let round = 0; round < 200; round++) {
      const cands = Array.from({ length: 1 + rand(60) }, (_, i) => {
        const start = rand(500);
        const end = start + 1 + rand(40);
        return { rule: { rule: { generic: rand(2) === 0 } }, ruleIndex: i, secret: '', start, end, context: end - start, entropy: 0, confidence: (['low', 'medium', 'high'] as const)[rand(3)], score: 0, reasons: [] };
      });
      const pairwise: typeof cands = [];
      for (const c of [...cands].sort((a, b) => {
        const ra = [a.rule.rule.generic ? 0 : 1, a.end - a.start, 0, ['low', 'medium', 'high'].indexOf(a.confidence), 0, -a.ruleIndex];
        const rb = [b.rule.rule.generic ? 0 : 1, b.end - b.start, 0, ['low', 'medium', 'high'].indexOf(b.confidence), 0, -b.ruleIndex];
        for (let i = 0; i < ra.length; i++) if (ra[i] !== rb[i]) return rb[i] - ra[i];
        return 0;
      })) {
        if (!pairwise.some((k) => c.start < k.end && k.start < c.end)) pairwise.push(c);
      }
      pairwise.sort((a, b) => a.start - b.start);
      expect(resolveOverlaps(cands as never).map((c: { ruleIndex: number }) => c.ruleIndex)).toEqual(pairwise.map((c) => c.ruleIndex));
    }
  });
});
