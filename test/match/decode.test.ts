// Decoded content: base64 (Kubernetes Secret data, base64 JSON), percent-encoding, \uXXXX escapes.
import { describe, expect, it } from 'vitest';
import type { Rule } from '../../src/model/index.js';
import { compileRules } from '../../src/rules/index.js';
import { DECODE_KEYWORDS, Matcher } from '../../src/match/index.js';
import { randomFrom } from '../helpers/fake-tokens.js';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const base = { provider: 'Test', kind: 'api-key', confidence: 'high', severity: 'high', privilege: 'write', privilegeReason: 'test', rotate: 'https://example.invalid/', examples: [], negativeExamples: [], source: 't.yaml' } as const;
const rules: Rule[] = [
  { ...base, id: 'test.token', name: 'token', pattern: '\\b(tst_[A-Za-z0-9]{24})\\b', keywords: ['tst_'] },
  { ...base, id: 'test.password', name: 'password', kind: 'password', generic: true, confidence: 'low', pattern: '(?m)^\\s*password:\\s*(\\S{6,})$', keywords: ['password'] },
];
const matcher = new Matcher(compileRules(rules, { extraKeywords: DECODE_KEYWORDS }));
const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('decoding', () => {
  it('matches a Kubernetes Secret data value with the key as context, at the encoded span', () => {
    const pw = randomFrom(ALNUM, 12);
    const doc = `apiVersion: v1\nkind: Secret\ndata:\n  password: ${b64(pw)}\n`;
    const [m] = matcher.match(Buffer.from(doc), 'secret.yaml').matches;
    expect(m).toMatchObject({ ruleId: 'test.password', secret: pw, decoded: 'base64', line: 4, column: 13 });
    expect(m.endColumn).toBe(13 + b64(pw).length);
  });

  it('finds a token inside base64-encoded JSON', () => {
    const t = `tst_${randomFrom(ALNUM, 24)}`;
    const doc = `credentials: ${b64(JSON.stringify({ type: 'service', token: t }, null, 2))}\n`;
    expect(matcher.match(Buffer.from(doc), 'x.yaml').matches.map((m) => [m.secret, m.decoded])).toEqual([[t, 'base64']]);
  });

  it("decodes Docker's and npm's base64 auth, each form on its own", () => {
    const t = `tst_${randomFrom(ALNUM, 24)}`;
    const docker = `{"auths": {"registry.example.com": {"auth": "${b64(`deploy:${t}`)}"}}}`;
    expect(matcher.match(Buffer.from(docker), 'config.json').matches.map((m) => [m.secret, m.decoded])).toEqual([[t, 'base64']]);
    const npm = `//registry.example.com/:_auth = ${b64(`deploy:${t}`)}\n`;
    expect(matcher.match(Buffer.from(npm), '.npmrc').matches.map((m) => [m.secret, m.decoded])).toEqual([[t, 'base64']]);
  });

  it('decodes percent-encoding and \\u escapes', () => {
    const t = `tst_${randomFrom(ALNUM, 24)}`;
    const pct = matcher.match(Buffer.from(`cb=https://h/?t=${t.replace('_', '%5F')}\n`), 'a').matches;
    expect(pct.map((m) => [m.secret, m.decoded])).toEqual([[t, 'percent']]);
    const uni = matcher.match(Buffer.from(`{"k": "\\u0074st_${t.slice(4)}"}`), 'a.json').matches;
    expect(uni.map((m) => [m.secret, m.decoded])).toEqual([[t, 'unicode-escape']]);
  });

  it('does not decode without a trigger, and ignores base64 that decodes to binary', () => {
    const t = `tst_${randomFrom(ALNUM, 24)}`;
    expect(matcher.match(Buffer.from(`blob ${b64(`token ${t}`)}\n`), 'a').matches).toEqual([]);
    expect(matcher.match(Buffer.from(`kind: Secret\n  password: ${Buffer.from(Array.from({ length: 24 }, (_, i) => i * 7)).toString('base64')}\n`), 'a').matches.every((m) => !m.decoded)).toBe(true);
  });

  it('decodes Basic credentials only where `basic` starts a word, and `| base64` only after a pipe', () => {
    const t = `tst_${randomFrom(ALNUM, 24)}`;
    const secrets = (doc: string) => matcher.match(Buffer.from(doc), 'a.txt').matches.filter((m) => m.decoded).map((m) => m.secret);
    expect(secrets(`Authorization: Basic ${b64(`user:${t}`)}\n`)).toEqual([t]);
    expect(secrets(`auth = BASIC ${b64(`user:${t}`)}\n`)).toEqual([t]);
    expect(secrets(`isbasic ${b64(`user:${t}`)}\n`)).toEqual([]);
    // A word-inside `basic` before the real one does not hide it.
    expect(secrets(`xbasic abc/basic ${b64(`user:${t}`)}\n`)).toEqual([t]);
    expect(secrets(`echo ${b64(`token ${t}`)} |\t base64 -d\n`)).toEqual([t]);
    expect(secrets(`echo ${b64(`token ${t}`)} base64\n`)).toEqual([]);
  });
});
