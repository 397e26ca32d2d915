// --verify on scan, history and org, --fail-on live, and the safety rules, against a loopback fake provider.
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Inventory } from '../../src/model/index.js';
import { runCli, tempDir, writeTree } from '../helpers/cli.js';
import { ALICE, FixtureRepo } from '../helpers/git-fixtures.js';
import { fakeServersClosedAfterEach } from './fake-server.js';
import { allText, fakeProviderRules, fakeProviderToken, runCliAsync } from './helpers.js';

let rulesDir: string;
beforeAll(() => {
  rulesDir = fakeProviderRules();
  const check = runCli(['rules', 'check', rulesDir]);
  expect(check.stderr).toBe('');
});

const serve = fakeServersClosedAfterEach();

const LIVE = { status: 200, headers: { 'X-Scopes': 'read, admin' }, body: { user: { name: 'octo' } } };

function project(secrets: string[]): string {
  const dir = tempDir('shadowscan-verify-');
  writeTree(dir, Object.fromEntries(secrets.map((s, i) => [`config/app${i}.env`, `FAKEPROV_KEY=${s}\n`])));
  return dir;
}

describe('scan --verify', () => {
  it('checks each unique token once, writes status, identity, scopes and the observed privilege; the secret is in no output', async () => {
    const secret = fakeProviderToken();
    const dir = project([secret, secret, secret]);
    const s = await serve((req) => (req.headers.authorization === `Bearer ${secret}` ? LIVE : { status: 401 }));
    const out = path.join(tempDir(), 'inv.json');
    const r = await runCliAsync(['scan', dir, '--rules', rulesDir, '--verify', '--verify-endpoint', `fakeprov=${s.url}`, '-f', 'json', '-o', out]);
    expect(r.code).toBe(1);
    expect(s.requests).toHaveLength(1);
    expect(s.requests[0]).toMatchObject({ method: 'GET', path: '/v1/me' });
    const inv = JSON.parse(fs.readFileSync(out, 'utf8')) as Inventory;
    const t = inv.tokens.find((x) => x.ruleId === 'fakeprov.key')!;
    expect(t.verification).toMatchObject({ status: 'live', identity: 'user: octo', scopes: ['read', 'admin'] });
    expect(t.verification!.checkedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(t.privilege).toBe('admin');
    expect(t.privilegeSource).toBe('observed');
    expect(r.stderr).toContain('verified 1 token(s): 1 live');
    for (const format of ['text', 'sarif', 'html', 'markdown', 'csv']) {
      const o = await runCliAsync(['scan', dir, '--rules', rulesDir, '--verify', '--verify-endpoint', `fakeprov.key=${s.url}`, '-f', format]);
      expect(o.stdout + o.stderr, format).not.toContain(secret);
      expect(o.stdout.toLowerCase(), format).toContain('live');
    }
    expect(r.stdout + r.stderr + allText(path.dirname(out))).not.toContain(secret);
  });

  it('--fail-on live: exit 1 for a live token, 0 when every token is invalid; needs --verify', async () => {
    const secret = fakeProviderToken();
    const dir = project([secret]);
    let reply: { status: number } = LIVE;
    const s = await serve(() => reply);
    const args = ['scan', dir, '--rules', rulesDir, '--verify', '--verify-endpoint', `fakeprov=${s.url}`, '--fail-on', 'live', '-q'];
    expect((await runCliAsync(args)).code).toBe(1);
    reply = { status: 401 };
    const invalid = await runCliAsync(args);
    expect(invalid.code).toBe(0);
    expect(invalid.stdout).toContain('invalid');
    reply = { status: 500 };
    expect((await runCliAsync(args)).code).toBe(0);
    const usage = runCli(['scan', dir, '--fail-on', 'live']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('--fail-on live needs --verify');
  });

  it('without --verify nothing is sent; with it, only the rule host is contacted', async () => {
    const secret = fakeProviderToken();
    const dir = project([secret]);
    // The "proxy" counts every connection any HTTPS request would make.
    const proxy = await serve(() => ({ status: 500 }));
    const env = { HTTPS_PROXY: proxy.url, NO_PROXY: '' };
    const quiet = await runCliAsync(['scan', dir, '--rules', rulesDir, '-q'], { env });
    expect(quiet.code).toBe(1);
    expect(proxy.requests).toHaveLength(0);
    const verified = await runCliAsync(['scan', dir, '--rules', rulesDir, '--verify', '-f', 'json'], { env });
    expect(proxy.requests.map((q) => `${q.method} ${q.path}`)).toEqual(['CONNECT api.fakeprov.example:443']);
    const inv = JSON.parse(verified.stdout) as Inventory;
    expect(inv.tokens[0].verification?.status).toBe('error');
    expect(verified.stdout + verified.stderr).not.toContain(secret);
  });

  it("a repository's own config cannot add verification or redirect it", async () => {
    const secret = fakeProviderToken();
    const dir = project([secret]);
    const s = await serve(() => LIVE);
    // The repository ships the rule itself, pointed at a host of its choosing (here: the counting server).
    fs.mkdirSync(path.join(dir, 'myrules'));
    fakeProviderRules(path.join(dir, 'myrules'), s.url.replace('http://', ''));
    fs.writeFileSync(path.join(dir, '.shadowscan.yaml'), 'rules:\n  paths: [myrules]\nexclude: [myrules/**]\n');
    const proxy = await serve(() => ({ status: 500 }));
    const r = await runCliAsync(['scan', dir, '--verify', '-f', 'json'], { env: { HTTPS_PROXY: proxy.url, NO_PROXY: '' } });
    expect(r.stderr).toMatch(/warning: rules from the config's rules.paths cannot verify or revoke; ignored for fakeprov.key/);
    expect(s.requests).toHaveLength(0);
    expect(proxy.requests).toHaveLength(0);
    const inv = JSON.parse(r.stdout) as Inventory;
    expect(inv.tokens.find((t) => t.ruleId === 'fakeprov.key')?.verification).toBeUndefined();
  });

  it('tokens without verification render as before (no verification field, no privilegeSource)', async () => {
    const dir = project([fakeProviderToken()]);
    const r = await runCliAsync(['scan', dir, '--rules', rulesDir, '-f', 'json']);
    const inv = JSON.parse(r.stdout) as Inventory;
    expect(inv.tokens[0].verification).toBeUndefined();
    expect(inv.tokens[0].privilegeSource).toBeUndefined();
  });
});

describe('history and staged', () => {
  it('history --verify checks a token found only in a past commit; staged never verifies without --verify', async () => {
    const secret = fakeProviderToken();
    const repo = FixtureRepo.init();
    repo.write('app.env', `FAKEPROV_KEY=${secret}\n`);
    repo.commit('add key', ALICE, '2024-01-01T00:00:00Z');
    repo.write('app.env', 'FAKEPROV_KEY=\n');
    repo.commit('remove key', ALICE, '2024-01-02T00:00:00Z');
    const s = await serve(() => LIVE);
    const r = await runCliAsync(['history', repo.dir, '--rules', rulesDir, '--verify', '--verify-endpoint', `fakeprov=${s.url}`, '-f', 'json']);
    const inv = JSON.parse(r.stdout) as Inventory;
    expect(inv.tokens.find((t) => t.ruleId === 'fakeprov.key')?.verification?.status).toBe('live');
    expect(s.requests).toHaveLength(1);
    repo.write('app.env', `FAKEPROV_KEY=${fakeProviderToken()}\n`);
    repo.git(['add', '-A']);
    const proxy = await serve(() => ({ status: 500 }));
    const staged = await runCliAsync(['staged', repo.dir, '-q', '--rules', rulesDir], { env: { HTTPS_PROXY: proxy.url, NO_PROXY: '' } });
    expect(staged.code).toBe(1);
    expect(proxy.requests).toHaveLength(0);
    // Asked explicitly, staged verifies too.
    const asked = await runCliAsync(['staged', repo.dir, '--rules', rulesDir, '--verify', '--verify-endpoint', `fakeprov=${s.url}`, '-f', 'json']);
    expect((JSON.parse(asked.stdout) as Inventory).tokens[0].verification?.status).toBe('live');
    expect(s.requests).toHaveLength(2);
  });
});
