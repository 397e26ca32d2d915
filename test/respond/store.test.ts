// The datastore caches verifications; `inventory verify` and `revoke` read each secret again where it was found
// (a file, or a commit and path through git cat-file) and check its fingerprint before use.
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Inventory } from '../../src/model/index.js';
import { tempDir, writeTree } from '../helpers/cli.js';
import { ALICE, FixtureRepo } from '../helpers/git-fixtures.js';
import { fakeServersClosedAfterEach } from './fake-server.js';
import { allText, fakeProviderRules, fakeProviderToken, runCliAsync } from './helpers.js';

let rulesDir: string;
beforeAll(() => {
  rulesDir = fakeProviderRules();
});
const serve = fakeServersClosedAfterEach();

/** An org folder with one repository whose key was committed, then deleted (history only). */
function orgWithKey(secret: string): string {
  const org = tempDir('shadowscan-org-');
  const repo = FixtureRepo.init();
  repo.write('deploy/app.env', `FAKEPROV_KEY=${secret}\n`);
  repo.commit('add', ALICE, '2024-01-01T00:00:00Z');
  repo.write('deploy/app.env', 'FAKEPROV_KEY=\n');
  repo.commit('remove', ALICE, '2024-01-02T00:00:00Z');
  fs.renameSync(repo.dir, path.join(org, 'api'));
  return org;
}

const answer = (secret: string) => (req: { method: string; path: string; headers: Record<string, unknown>; body: string }) => {
  if (req.path === '/v1/me') return req.headers.authorization === `Bearer ${secret}` ? { status: 200, body: { user: { name: 'octo' } } } : { status: 401 };
  if (req.path === '/v1/revoke') return { status: 202 };
  return { status: 404 };
};

describe('inventory verify and revoke with a datastore', () => {
  it('re-checks stored tokens from git history, caches the answer, revokes (dry run, then --yes) and records it', async () => {
    const secret = fakeProviderToken();
    const org = orgWithKey(secret);
    const db = path.join(tempDir(), 'org.db');
    const scan = await runCliAsync(['org', org, '--db', db, '--rules', rulesDir, '-q']);
    expect(scan.code).toBe(1);
    const s = await serve(answer(secret));
    const endpoint = `fakeprov=${s.url}`;

    const verified = await runCliAsync(['inventory', 'verify', '--db', db, '--rules', rulesDir, '--verify-endpoint', endpoint, '-f', 'json']);
    expect(verified.stderr).toContain('verified 1 token(s): 1 live');
    expect(verified.code).toBe(1);
    expect(s.requests).toHaveLength(1);
    const shown = await runCliAsync(['inventory', 'show', '--db', db, '-f', 'json']);
    const t = (JSON.parse(shown.stdout) as Inventory).tokens[0];
    expect(t.verification).toMatchObject({ status: 'live', identity: 'user: octo' });

    const dry = await runCliAsync(['revoke', '--db', db, '--status', 'live', '--provider', 'fakeprov', '--rules', rulesDir, '--verify-endpoint', endpoint, '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain(`POST ${s.url}/v1/revoke`);
    expect(dry.stdout).toContain('"keys":["fkp_');
    expect(dry.stdout + dry.stderr).not.toContain(secret);
    expect(s.requests).toHaveLength(1);

    const noTty = await runCliAsync(['revoke', '--db', db, '--status', 'live', '--rules', rulesDir, '--verify-endpoint', endpoint]);
    expect(noTty.code).toBe(2);
    expect(noTty.stderr).toContain('--yes');
    expect(s.requests).toHaveLength(1);

    const done = await runCliAsync(['revoke', '--db', db, '--status', 'live', '--provider', 'FakeProv', '--rules', rulesDir, '--verify-endpoint', endpoint, '--yes']);
    expect(done.code).toBe(0);
    expect(done.stdout).toMatch(/^revoked +FakeProv fkp_/);
    expect(s.requests).toHaveLength(2);
    expect(s.requests[1]).toMatchObject({ method: 'POST', path: '/v1/revoke' });
    expect(JSON.parse(s.requests[1].body)).toEqual({ keys: [secret] });
    const audit = await runCliAsync(['inventory', 'show', '--db', db, '-f', 'markdown']);
    expect(audit.stdout).toContain('## Revoked');
    expect(audit.stdout).toContain('1 live token, 0 with admin privilege');
    expect(allText(path.dirname(db))).not.toContain(secret);
    for (const r of [verified, shown, dry, done, audit]) expect(r.stdout + r.stderr).not.toContain(secret);
  });

  it('org --verify --db: a token whose blob the datastore answered is read again from git', async () => {
    const secret = fakeProviderToken();
    const org = orgWithKey(secret);
    const db = path.join(tempDir(), 'org.db');
    const s = await serve(answer(secret));
    const args = ['org', org, '--db', db, '--rules', rulesDir, '--verify', '--verify-endpoint', `fakeprov=${s.url}`, '-f', 'json'];
    const first = await runCliAsync(args);
    expect((JSON.parse(first.stdout) as Inventory).tokens[0].verification?.status).toBe('live');
    // The second run reuses the repository as stored (no blob read): the secret comes from git again.
    const second = await runCliAsync(args);
    expect((JSON.parse(second.stdout) as Inventory).tokens[0].verification?.status).toBe('live');
    expect(s.requests).toHaveLength(2);
    expect(s.requests.every((r) => r.headers.authorization === `Bearer ${secret}`)).toBe(true);
    // Blob findings are stored without the secret the run held for --verify.
    expect(allText(path.dirname(db))).not.toContain(secret);
    expect(first.stdout + first.stderr + second.stdout + second.stderr).not.toContain(secret);
  });
});

describe('revoke from an inventory file', () => {
  it('batches per the rule, and refuses a token whose place now holds another secret', async () => {
    const secrets = [fakeProviderToken(), fakeProviderToken(), fakeProviderToken()];
    const dir = tempDir('shadowscan-revoke-');
    writeTree(dir, Object.fromEntries(secrets.map((x, i) => [`k${i}.env`, `FAKEPROV_KEY=${x}\n`])));
    const inv = path.join(tempDir(), 'inv.json');
    await runCliAsync(['scan', dir, '--rules', rulesDir, '-f', 'json', '-o', inv, '-q']);
    const tokens = (JSON.parse(fs.readFileSync(inv, 'utf8')) as Inventory).tokens;
    expect(tokens).toHaveLength(3);
    // One file changed since the scan: its secret no longer has the token's fingerprint.
    const changed = tokens.find((t) => t.occurrences[0].path === 'k2.env')!;
    fs.writeFileSync(path.join(dir, 'k2.env'), `FAKEPROV_KEY=${fakeProviderToken()}\n`);
    const s = await serve(() => ({ status: 202 }));
    const r = await runCliAsync(['revoke', '--inventory', inv, '--provider', 'fakeprov', '--rules', rulesDir, '--verify-endpoint', `fakeprov.key=${s.url}`, '--yes'], { cwd: dir });
    expect(r.stderr).toContain(`${changed.id.slice(0, 12)}: the secret could not be read again`);
    expect(r.code).toBe(2);
    expect(s.requests).toHaveLength(1);
    expect(JSON.parse(s.requests[0].body).keys.sort()).toEqual([secrets[0], secrets[1]].sort());
    const one = await runCliAsync(['revoke', '--inventory', inv, '--fingerprint', tokens[0].id.slice(0, 10), '--rules', rulesDir, '--verify-endpoint', `fakeprov=${s.url}`, '--yes']);
    expect(one.code).toBe(0);
    expect(JSON.parse(s.requests[1].body).keys).toHaveLength(1);
    const none = await runCliAsync(['revoke', '--inventory', inv, '--rules', rulesDir]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('choose the tokens');
  });
});

describe('revoke from a history inventory', () => {
  it('reads the secret from the commit that wrote it (the file is gone from the tree)', async () => {
    const secret = fakeProviderToken();
    const repo = FixtureRepo.init();
    repo.write('app.env', `FAKEPROV_KEY=${secret}\n`);
    repo.commit('add', ALICE, '2024-01-01T00:00:00Z');
    repo.remove('app.env');
    repo.commit('remove', ALICE, '2024-01-02T00:00:00Z');
    const inv = path.join(tempDir(), 'history.json');
    await runCliAsync(['history', repo.dir, '--rules', rulesDir, '-f', 'json', '-o', inv, '-q']);
    const s = await serve(() => ({ status: 202 }));
    const r = await runCliAsync(['revoke', '--inventory', inv, '--provider', 'fakeprov', '--rules', rulesDir, '--verify-endpoint', `fakeprov=${s.url}`, '--yes']);
    expect(r.stderr).not.toContain('could not be read');
    expect(r.code).toBe(0);
    expect(JSON.parse(s.requests[0].body)).toEqual({ keys: [secret] });
    expect(r.stdout + r.stderr).not.toContain(secret);
  });
});

describe('datastore: verifications and revocations', () => {
  it('keeps the latest answer per token, every revocation, and merges both', async () => {
    const { Datastore } = await import('../../src/store/index.js');
    const dir = tempDir();
    const a = Datastore.open(path.join(dir, 'a.db'));
    const b = Datastore.open(path.join(dir, 'b.db'));
    try {
      a.saveVerifications([{ id: 't1', verification: { status: 'invalid', checkedAt: '2026-01-01T00:00:00.000Z' }, privilegeSource: 'rule' }]);
      b.saveVerifications([
        { id: 't1', verification: { status: 'live', checkedAt: '2026-01-02T00:00:00.000Z', scopes: ['admin'] }, privilege: 'admin', privilegeSource: 'observed' },
        { id: 't2', verification: { status: 'unknown', checkedAt: '2026-01-02T00:00:00.000Z', detail: 'HTTP 500' } },
      ]);
      b.recordRevocation('t1', { status: 'failed', revokedAt: '2026-01-02T01:00:00.000Z', by: 'alice', detail: 'HTTP 500' });
      b.recordRevocation('t1', { status: 'revoked', revokedAt: '2026-01-02T02:00:00.000Z', by: 'alice', detail: 'HTTP 202' });
      b.close();
      a.mergeFrom([path.join(dir, 'b.db')]);
      expect(a.verifications().get('t1')?.verification.status).toBe('live');
      expect(a.verifications().get('t2')?.verification.detail).toBe('HTTP 500');
      expect(a.revocations().get('t1')).toEqual({ status: 'revoked', revokedAt: '2026-01-02T02:00:00.000Z', by: 'alice', detail: 'HTTP 202' });
      const [t] = a.withResponses([{ id: 't1', privilege: 'write' } as never as import('../../src/model/index.js').Token]);
      expect(t).toMatchObject({ privilege: 'admin', privilegeSource: 'observed', verification: { status: 'live' }, revocation: { status: 'revoked' } });
    } finally {
      a.close();
    }
  });
});
