// The respond engine against loopback fake providers: exact requests, classification, limits, host safety.
import { describe, expect, it } from 'vitest';
import type { Rule, VerifySpec } from '../../src/model/index.js';
import { applyVerification, buildRequest, previewRevocations, revokeBatches, revokeCredentials, verifyCredentials, verifyOne } from '../../src/respond/index.js';
import { fakeAwsAccessKeyId, fakeAwsSecretKey, fakeGithubPat } from '../helpers/fake-tokens.js';
import { fakeServersClosedAfterEach } from './fake-server.js';

const GITHUB_VERIFY: VerifySpec = {
  request: { method: 'GET', url: 'https://api.github.com/user', headers: { Authorization: 'Bearer {{secret}}', Accept: 'application/vnd.github+json' } },
  live: [{ status: 200 }],
  invalid: [{ status: 401 }],
  identity: [{ json: 'login', label: 'user' }],
  scopes: { header: 'X-OAuth-Scopes', split: ',' },
  privilegeFromScopes: [
    { privilege: 'admin', anyOf: ['admin:org', 'delete_repo'] },
    { privilege: 'write', anyOf: ['repo', 'public_repo'] },
  ],
  docs: ['https://docs.github.com/rest/users/users#get-the-authenticated-user'],
};

function rule(over: Partial<Rule> = {}): Rule {
  return {
    id: 'test.github.pat', name: 'Test PAT', provider: 'GitHub', kind: 'personal-access-token', pattern: '(ghp_[A-Za-z0-9]{36})',
    keywords: ['ghp_'], confidence: 'high', severity: 'critical', privilege: 'write', privilegeReason: 'static', rotate: 'x',
    examples: [], negativeExamples: [], source: 'github.yaml', verify: GITHUB_VERIFY, ...over,
  };
}

const serve = fakeServersClosedAfterEach();

describe('verify engine', () => {
  it('sends the exact request and reads identity, scopes and the observed privilege', async () => {
    const secret = fakeGithubPat();
    const s = await serve(() => ({ status: 200, headers: { 'X-OAuth-Scopes': 'repo, admin:org' }, body: { login: 'octocat' } }));
    const r = await verifyOne({ id: 'a', rule: rule(), secret }, { endpoints: { github: s.url } });
    expect(s.requests).toHaveLength(1);
    expect(s.requests[0].method).toBe('GET');
    expect(s.requests[0].path).toBe('/user');
    expect(s.requests[0].headers.authorization).toBe(`Bearer ${secret}`);
    expect(s.requests[0].headers.accept).toBe('application/vnd.github+json');
    expect(r).toMatchObject({ status: 'live', identity: 'user: octocat', scopes: ['repo', 'admin:org'], privilege: 'admin' });
    const t = { privilege: 'write', privilegeReason: 'static' } as Parameters<typeof applyVerification>[0];
    applyVerification(t, r);
    expect(t.privilege).toBe('admin');
    expect(t.privilegeSource).toBe('observed');
  });

  it('invalid, unknown (500), a redirect not followed, a timeout is an error', async () => {
    const secret = fakeGithubPat();
    let reply = { status: 401 } as { status: number; headers?: Record<string, string> };
    const s = await serve(() => reply);
    const c = { id: 'a', rule: rule(), secret };
    const o = { endpoints: { 'test.github.pat': s.url } };
    expect((await verifyOne(c, o)).status).toBe('invalid');
    reply = { status: 500 };
    expect(await verifyOne(c, o)).toMatchObject({ status: 'unknown', detail: 'HTTP 500' });
    const other = await serve(() => ({ status: 200, body: { login: 'x' } }));
    reply = { status: 302, headers: { location: `${other.url}/user` } };
    expect(await verifyOne(c, o)).toMatchObject({ status: 'unknown', detail: 'HTTP 302 (redirect not followed)' });
    expect(other.requests).toHaveLength(0);
    const closed = await serve(() => ({ status: 200 }));
    await closed.close();
    expect((await verifyOne(c, { endpoints: { github: closed.url } })).status).toBe('error');
  });

  it('waits out a 429 with Retry-After, then reads the answer; gives up after the retries', async () => {
    const s = await serve((_, n) => (n === 0 ? { status: 429, headers: { 'Retry-After': '1' } } : { status: 200, body: { login: 'octocat' } }));
    const started = Date.now();
    const r = await verifyOne({ id: 'a', rule: rule(), secret: fakeGithubPat() }, { endpoints: { github: s.url } });
    expect(r.status).toBe('live');
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(s.requests).toHaveLength(2);
    const always = await serve(() => ({ status: 429, headers: { 'Retry-After': '0' } }));
    expect(await verifyOne({ id: 'a', rule: rule(), secret: fakeGithubPat() }, { endpoints: { github: always.url }, retries: 2 })).toMatchObject({ status: 'error', detail: 'rate limited (HTTP 429)' });
    expect(always.requests).toHaveLength(3);
  });

  it('one request per unique token, however many places hold it', async () => {
    const s = await serve(() => ({ status: 200, body: {} }));
    const a = fakeGithubPat();
    const b = fakeGithubPat();
    const r = rule({ verify: { ...GITHUB_VERIFY, rateLimit: { concurrency: 1 } } });
    const creds = [{ id: 'a', rule: r, secret: a }, { id: 'a', rule: r, secret: a }, { id: 'b', rule: r, secret: b }];
    const results = await verifyCredentials(creds, { endpoints: { github: s.url } });
    expect(results.size).toBe(2);
    expect(s.requests).toHaveLength(2);
  });

  it('a missing part is unknown and sends nothing; templates in a URL are encoded', async () => {
    const s = await serve(() => ({ status: 200 }));
    const r = rule({ verify: { ...GITHUB_VERIFY, request: { method: 'GET', url: 'https://api.example.com/check?user={{part.username}}', headers: { 'X-Key': '{{secret}}' } } } });
    expect(await verifyOne({ id: 'a', rule: r, secret: 'abc' }, { endpoints: { github: s.url } })).toMatchObject({ status: 'unknown', detail: 'needs part username' });
    expect(s.requests).toHaveLength(0);
    await verifyOne({ id: 'a', rule: r, secret: 'abc', parts: { username: 'a b&c' } }, { endpoints: { github: s.url } });
    expect(s.requests[0].path).toBe('/check?user=a%20b%26c');
  });

  it('only the rule host, or one `hosts` allows; a part cannot move the host', () => {
    const r = rule({ verify: { ...GITHUB_VERIFY, request: { method: 'GET', url: 'https://{{part.domain}}/api/v1/users/me', hosts: ['*.okta.com'] } } });
    expect(buildRequest(r.verify!.request, r, { secret: 's', parts: { domain: 'acme.okta.com' } }).url.host).toBe('acme.okta.com');
    expect(() => buildRequest(r.verify!.request, r, { secret: 's', parts: { domain: 'evil.com' } })).toThrow(/not the provider/);
    expect(() => buildRequest(r.verify!.request, r, { secret: 's', parts: { domain: 'evil.com/x?.okta.com' } })).toThrow();
    // A webhook whose secret is its whole URL: the host must be one `hosts` allows.
    const hook = rule({ verify: { ...GITHUB_VERIFY, request: { method: 'GET', url: '{{secret}}', hosts: ['discord.com'] } } });
    expect(buildRequest(hook.verify!.request, hook, { secret: 'https://discord.com/api/webhooks/1/abc' }).url.toString()).toBe('https://discord.com/api/webhooks/1/abc');
    expect(() => buildRequest(hook.verify!.request, hook, { secret: 'https://evil.example/api/webhooks/1/abc' })).toThrow(/not the provider/);
    expect(() => buildRequest(hook.verify!.request, hook, { secret: 'http://discord.com/x' })).toThrow(/not https/);
    const fixed = rule();
    expect(buildRequest(fixed.verify!.request, fixed, { secret: 's' }).url.toString()).toBe('https://api.github.com/user');
    expect(buildRequest(fixed.verify!.request, fixed, { secret: 's' }, { github: 'https://ghe.corp/api/v3/' }).url.toString()).toBe('https://ghe.corp/api/v3/user');
  });

  it('basic, form and json bodies; json and bodyContains matchers; details request; `*` paths', async () => {
    const s = await serve((req) =>
      req.path === '/whoami'
        ? { status: 200, body: { orgs: { data: [{ title: 'one' }, { title: 'two' }] }, scopes: ['read', 'write'] } }
        : { status: 200, body: { ok: true, team: 'acme' } },
    );
    const r = rule({
      verify: {
        request: { method: 'POST', url: 'https://slack.com/api/auth.test', basic: { username: '{{secret}}', password: '{{part.pw}}' }, form: { token: '{{secret}}' } },
        live: [{ json: { path: 'ok', equals: true }, bodyContains: 'acme' }],
        invalid: [{ json: { path: 'ok', equals: false } }],
        identity: [{ json: 'team', label: 'team' }],
        details: { request: { method: 'GET', url: 'https://slack.com/whoami' }, identity: [{ json: 'orgs.data.*.title', label: 'org' }], scopes: { json: 'scopes' } },
        privilegeFromScopes: [{ privilege: 'admin', anyOf: ['admin'] }],
        docs: ['https://api.slack.com/methods/auth.test'],
      },
    });
    const v = await verifyOne({ id: 'a', rule: r, secret: 'xoxb-1', parts: { pw: 'p' } }, { endpoints: { github: s.url } });
    expect(s.requests[0].headers.authorization).toBe(`Basic ${Buffer.from('xoxb-1:p').toString('base64')}`);
    expect(s.requests[0].headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(s.requests[0].body).toBe('token=xoxb-1');
    expect(v).toMatchObject({ status: 'live', identity: 'team: acme, org: one, two', scopes: ['read', 'write'], privilege: 'read' });
  });

  it('AWS SigV4: the Authorization header has the documented shape', async () => {
    const s = await serve(() => ({ status: 200, body: '<GetCallerIdentityResponse><Arn>arn:aws:iam::123456789012:user/x</Arn></GetCallerIdentityResponse>' }));
    const keyId = fakeAwsAccessKeyId();
    const r = rule({
      id: 'test.aws', source: 'aws.yaml',
      verify: {
        request: { method: 'POST', url: 'https://sts.amazonaws.com/', form: { Action: 'GetCallerIdentity', Version: '2011-06-15' }, sign: { kind: 'aws-sigv4', service: 'sts', region: 'us-east-1', accessKeyId: '{{secret}}', secretAccessKey: '{{part.secretAccessKey}}' } },
        live: [{ status: 200 }], invalid: [{ status: 403 }], docs: ['https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html'],
      },
    });
    const v = await verifyOne({ id: 'a', rule: r, secret: keyId, parts: { secretAccessKey: fakeAwsSecretKey() } }, { endpoints: { aws: s.url } });
    expect(v.status).toBe('live');
    const auth = String(s.requests[0].headers.authorization);
    expect(auth).toMatch(new RegExp(`^AWS4-HMAC-SHA256 Credential=${keyId}/\\d{8}/us-east-1/sts/aws4_request, SignedHeaders=[a-z0-9;-]+, Signature=[0-9a-f]{64}$`));
    expect(s.requests[0].headers['x-amz-date']).toMatch(/^\d{8}T\d{6}Z$/);
    expect(s.requests[0].body).toBe('Action=GetCallerIdentity&Version=2011-06-15');
    // Without the secret key, nothing is sent.
    expect(await verifyOne({ id: 'b', rule: r, secret: keyId }, { endpoints: { aws: s.url } })).toMatchObject({ status: 'unknown', detail: 'needs part secretAccessKey' });
    expect(s.requests).toHaveLength(1);
  });

  it('an echoed secret is scrubbed from identity', async () => {
    const secret = fakeGithubPat();
    const s = await serve(() => ({ status: 200, body: { login: `token ${secret}` } }));
    const v = await verifyOne({ id: 'a', rule: rule(), secret }, { endpoints: { github: s.url } });
    expect(v.identity).not.toContain(secret);
  });
});

describe('revoke engine', () => {
  const revokeRule = (batch: number) =>
    rule({ revoke: { request: { method: 'POST', url: 'https://api.github.com/credentials/revoke', json: { credentials: '{{secrets}}' } }, batch, success: [{ status: 202 }], docs: ['https://docs.github.com/en/rest/credentials/revoke'] } });

  it('batches per the rule, sends the secrets as an array, reports each token', async () => {
    const s = await serve(() => ({ status: 202 }));
    const r = revokeRule(2);
    const creds = [0, 1, 2].map((i) => ({ id: `t${i}`, rule: r, secret: fakeGithubPat() }));
    const batches = revokeBatches(creds);
    expect(batches.map((b) => b.credentials.length)).toEqual([2, 1]);
    const out = await revokeCredentials(batches, { endpoints: { github: s.url } });
    expect(out.filter((o) => o.status === 'revoked')).toHaveLength(3);
    expect(s.requests).toHaveLength(2);
    expect(JSON.parse(s.requests[0].body)).toEqual({ credentials: [creds[0].secret, creds[1].secret] });
    expect(s.requests[0].path).toBe('/credentials/revoke');
  });

  it('a preview is redacted', () => {
    const r = revokeRule(10);
    const secret = fakeGithubPat();
    const [p] = previewRevocations(revokeBatches([{ id: 't', rule: r, secret }]));
    expect(JSON.stringify(p)).not.toContain(secret);
    expect(p.url).toBe('https://api.github.com/credentials/revoke');
    expect(p.body).toContain('ghp_');
  });
});

describe('proxy settings', () => {
  it('HTTPS_PROXY is used unless NO_PROXY exempts the host', async () => {
    const { proxyFor } = await import('../../src/sources/proxy.js');
    const env = { HTTPS_PROXY: 'http://proxy.corp:3128', NO_PROXY: 'localhost,.internal.corp,127.0.0.1:8443' };
    expect(proxyFor(new URL('https://api.github.com/user'), env)).toBe('http://proxy.corp:3128');
    expect(proxyFor(new URL('https://ghe.internal.corp/api'), env)).toBeUndefined();
    expect(proxyFor(new URL('https://127.0.0.1:8443/x'), env)).toBeUndefined();
    expect(proxyFor(new URL('https://127.0.0.1:9000/x'), env)).toBe('http://proxy.corp:3128');
    expect(proxyFor(new URL('http://127.0.0.1:9000/x'), env)).toBeUndefined();
  });
});
