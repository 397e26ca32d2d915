// Credentials written in encoded forms, through the real matcher and rules: base64 of a JWT and of a PEM key, a PEM
// key escaped in a string, split over concatenated literals and printed in a log with a prefix on every line; and
// the precision data: documentation credentials, the JWT header check, checksums over placeholder words.
import crypto from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { BUILTIN_RULES_DIR, loadRules } from '../../src/rules/load.js';
import { compileRules } from '../../src/rules/compile.js';
import { DECODE_KEYWORDS, Matcher } from '../../src/match/matcher.js';
import { DEFAULT_MIN_SCORE } from '../../src/match/thresholds.js';
import type { RawMatch } from '../../src/model/index.js';
import { crc32, base62 } from '../../src/match/checksum.js';
import { randomFrom } from '../helpers/fake-tokens.js';

let matcher: Matcher;
beforeAll(() => {
  matcher = new Matcher(compileRules(loadRules([BUILTIN_RULES_DIR]).rules, { extraKeywords: DECODE_KEYWORDS }));
});

const reported = (m: RawMatch) => m.score >= DEFAULT_MIN_SCORE && !m.review;
const b64url = (s: string) => Buffer.from(s).toString('base64url');

function fakeJwt(): string {
  const header = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const payload = b64url(JSON.stringify({ sub: `svc-${crypto.randomInt(1e6)}`, scope: 'deploy', iat: 1_718_000_000 }));
  return `${header}.${payload}.${crypto.randomBytes(32).toString('base64url')}`;
}

function fakePkcs8Lines(): string[] {
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 1024, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
  return privateKey.trim().split('\n');
}

describe('encoded forms', () => {
  it('base64 of a JWT is decoded and reported at the encoded span', () => {
    const jwt = fakeJwt();
    const blob = Buffer.from(jwt).toString('base64');
    const text = `SERVICE_TOKEN_B64=${blob}\n`;
    const m = matcher.match(Buffer.from(text), 'deploy/.env').matches.find((x) => x.secret === jwt);
    expect(m, JSON.stringify(matcher.match(Buffer.from(text), 'deploy/.env').matches.map((x) => x.ruleId))).toBeDefined();
    expect(m!.decoded).toBe('base64');
    expect(m!.column).toBe(text.indexOf(blob) + 1);
  });

  it('base64 of a PEM private key is reported at the encoded blob', () => {
    const lines = fakePkcs8Lines();
    const blob = Buffer.from(lines.join('\n') + '\n').toString('base64');
    const m = matcher.match(Buffer.from(`apiVersion: v1\nkind: Secret\ndata:\n  tls.key: ${blob}\n`), 'k8s/tls.yaml').matches;
    expect(m.map((x) => x.ruleId)).toContain('private-key.pkcs8');
    expect(m.find((x) => x.ruleId === 'private-key.pkcs8')!.line).toBe(4);
  });

  const forms: [string, (lines: string[]) => string, string][] = [
    ['escaped \\n in a JSON string', (l) => `{\n  "type": "service_account",\n  "private_key": "${l.join('\\n')}\\n"\n}\n`, 'sa.json'],
    ['concatenated Java literals', (l) => `String key = ${l.map((x, i) => `"${x}\\n"${i < l.length - 1 ? ' +' : ';'}`).join('\n    ')}\n`, 'src/Keys.java'],
    ['log lines with a prefix', (l) => l.map((x, i) => `2024-05-01T10:00:${String(i).padStart(2, '0')}Z INFO ${x}`).join('\n') + '\n', 'logs/app.log'],
    ['docker build output', (l) => l.map((x) => `#6 0.245 ${x}`).join('\n') + '\n', 'build.log'],
  ];
  it.each(forms)('a PEM private key %s is one finding over its lines', (_name, write, path) => {
    const lines = fakePkcs8Lines();
    const text = write(lines);
    const ms = matcher.match(Buffer.from(text), path).matches.filter((x) => x.ruleId === 'private-key.pkcs8');
    expect(ms).toHaveLength(1);
    expect(reported(ms[0])).toBe(true);
    expect(ms[0].secret).toBe(lines.slice(1, -1).join(''));
  });

  it('a string with escaped quotes holds a JSON password', () => {
    const pw = `Q${randomFrom('ABCDEFGHJKLMNPQRSTUVWXYZabcdefghjkmnpqrstuvwxyz23456789', 14)}!`;
    const text = `payload = "{\\"user\\":\\"svc\\",\\"password\\":\\"${pw}\\"}"\n`;
    const m = matcher.match(Buffer.from(text), 'jobs/sync.py').matches.find((x) => x.secret === pw);
    expect(m && reported(m)).toBe(true);
  });
});

describe('precision data', () => {
  it("providers' documentation credentials are not reported; the jwt.io demo token goes to review", () => {
    // Published on the providers' own pages (see src/match/documented.ts).
    const aws = `aws_access_key_id = ${'AKIA' + 'IOSFODNN7' + 'EXAMPLE'}\naws_secret_access_key = ${'wJalrXUtnFEMI/K7MDENG/bPxRfiCY' + 'EXAMPLEKEY'}\n`;
    expect(matcher.match(Buffer.from(aws), 'credentials').matches.filter(reported)).toEqual([]);
    const stripe = `STRIPE_SECRET_KEY=${'sk_' + 'test_' + '4eC39HqLyjWDarjtT1zdp7dc'}\n`;
    expect(matcher.match(Buffer.from(stripe), '.env').matches).toEqual([]);
    const demo = ['eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9', 'eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ', 'SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c'].join('.');
    const m = matcher.match(Buffer.from(`const token = "${demo}";\n`), 'src/demo.js').matches;
    expect(m).toHaveLength(1);
    expect(m[0].review).toMatch(/jwt\.io/);
  });

  it('a JWT-shaped string whose header is not JSON with an alg is not a JWT', () => {
    const fake = `eyJ${randomFrom('abcdefghijklmnopqrstuvwxyz', 20)}.eyJ${randomFrom('abcdefghijklmnopqrstuvwxyz', 20)}.${crypto.randomBytes(24).toString('base64url')}`;
    const jwt = fakeJwt();
    const text = `a = "${fake}"\nb = "${jwt}"\n`;
    const ms = matcher.match(Buffer.from(text), 'notes.txt').matches.filter((x) => x.ruleId === 'generic.jwt');
    expect(ms.map((x) => x.secret)).toEqual([jwt]);
  });

  it('a token whose checksum holds is reported even when it happens to contain a placeholder word', () => {
    // A GitHub PAT: 30 random characters, then the base62 CRC32 of the whole; force "xxxx" into the random part.
    const body = `xxxx${randomFrom('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789', 26)}`;
    const token = `ghp_${body}${base62(crc32(body), 6)}`;
    const m = matcher.match(Buffer.from(`GITHUB_TOKEN=${token}\n`), '.env').matches.find((x) => x.secret === token);
    expect(m?.checksumValid).toBe(true);
    expect(m && reported(m)).toBe(true);
  });
});
