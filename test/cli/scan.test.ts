// End-to-end through the built CLI: exit codes, formats, and that no raw secret ever leaves the process.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it, beforeAll } from 'vitest';
import { runCli, tempDir, writeTree, ROOT } from '../helpers/cli.js';
import { fakeGithubPat, fakePassword, fakeRsaPrivateKey, fakeHexSecret, randomFrom } from '../helpers/fake-tokens.js';

describe('shadowscan scan', () => {
  let dir: string;
  let secrets: string[];

  beforeAll(() => {
    dir = tempDir();
    const pat = fakeGithubPat();
    const password = fakePassword();
    const apiToken = randomFrom('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789', 28);
    const hex = fakeHexSecret(40);
    const key = fakeRsaPrivateKey();
    const urlPassword = fakePassword().replace('#', 'x');
    secrets = [pat, password, apiToken, hex, urlPassword, key.split('\n')[1]];
    writeTree(dir, {
      'src/config.js': `export const config = {\n  githubToken: '${pat}',\n  apiToken: "${apiToken}",\n};\n`,
      'src/again.py': `GITHUB_TOKEN = "${pat}"\n`,
      '.env': `DB_PASSWORD=${password}\nSERVICE_SECRET=${hex}\n`,
      'deploy/db.yaml': `url: postgres://app:${urlPassword}@db.internal:5432/app\n`,
      'keys/id_rsa': key,
      'README.md': 'Nothing here.\n',
    });
  });

  it('exits 1 and reports every token once, with all its occurrences', () => {
    const r = runCli(['scan', dir, '--format', 'json']);
    expect(r.code).toBe(1);
    const inv = JSON.parse(r.stdout);
    expect(inv.schemaVersion).toBe(1);
    expect(inv.tool.name).toBe('shadowscan');
    const pat = inv.tokens.find((t: { occurrences: { path: string }[] }) => t.occurrences.some((o) => o.path === 'src/again.py'));
    expect(pat).toBeDefined();
    expect(pat.occurrences.map((o: { path: string }) => o.path).sort()).toEqual(['src/again.py', 'src/config.js']);
    expect(pat.id).toMatch(/^[0-9a-f]{64}$/);
    expect(pat.redacted).toMatch(/…\(40\)$/);
    expect(pat.controls).toContain('NIST SP 800-53 IA-5(7)');
    const paths = new Set(inv.tokens.flatMap((t: { occurrences: { path: string }[] }) => t.occurrences.map((o) => o.path)));
    for (const p of ['.env', 'deploy/db.yaml', 'keys/id_rsa', 'src/config.js']) expect(paths).toContain(p);
    expect(inv.scan.files).toBe(6);
  });

  it('never writes a raw secret in any format, to stdout, stderr or a file', () => {
    const out = path.join(tempDir(), 'report');
    for (const format of ['text', 'json', 'sarif', 'csv']) {
      const r = runCli(['scan', dir, '--format', format]);
      const f = runCli(['scan', dir, '--format', format, '--output', `${out}.${format}`]);
      expect(r.code).toBe(1);
      expect(f.code).toBe(1);
      const written = fs.readFileSync(`${out}.${format}`, 'utf8');
      for (const s of secrets) {
        for (const text of [r.stdout, r.stderr, f.stdout, f.stderr, written]) expect(text.includes(s), `${format} leaked a secret`).toBe(false);
      }
    }
  });

  it('prints raw secrets only with --show-secrets', () => {
    const r = runCli(['scan', dir, '--format', 'json', '--show-secrets']);
    expect(r.stdout).toContain(secrets[0]);
  });

  it('produces stable ids for the same key, and different ids for another key', () => {
    const a = JSON.parse(runCli(['scan', dir, '--format', 'json']).stdout);
    const b = JSON.parse(runCli(['scan', dir, '--format', 'json']).stdout);
    const c = JSON.parse(runCli(['scan', dir, '--format', 'json'], { env: { SHADOWSCAN_FINGERPRINT_KEY: 'another key' } }).stdout);
    const ids = (inv: { tokens: { id: string }[] }) => inv.tokens.map((t) => t.id).sort();
    expect(ids(a)).toEqual(ids(b));
    expect(ids(c)).not.toEqual(ids(a));
  });

  it('writes CSV with one row per occurrence', () => {
    const r = runCli(['scan', dir, '--format', 'csv']);
    const inv = JSON.parse(runCli(['scan', dir, '--format', 'json']).stdout);
    const occ = inv.tokens.reduce((n: number, t: { occurrences: unknown[] }) => n + t.occurrences.length, 0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0].startsWith('token_id,rule_id,')).toBe(true);
    expect(lines).toHaveLength(occ + 1);
  });

  it('exits 0 on a clean tree', () => {
    const clean = tempDir();
    writeTree(clean, { 'a.txt': 'hello\n', 'b/c.js': 'const password = process.env.DB_PASSWORD;\n' });
    const r = runCli(['scan', clean]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^0 tokens/m);
  });

  it('honours --exclude and the config file', () => {
    const r = runCli(['scan', dir, '--format', 'json', '--exclude', 'src/**', '--exclude', 'keys']);
    const paths = JSON.parse(r.stdout).tokens.flatMap((t: { occurrences: { path: string }[] }) => t.occurrences.map((o) => o.path));
    expect(paths.some((p: string) => p.startsWith('src/') || p.startsWith('keys/'))).toBe(false);
    const cfgDir = tempDir();
    writeTree(cfgDir, { '.shadowscan.yaml': 'exclude: ["secret/**"]\nrules:\n  disable: [generic.password]\n', 'secret/x.env': `TOKEN=${fakeHexSecret(32)}\n`, 'y.env': `DB_PASSWORD=${fakePassword()}\n` });
    expect(runCli(['scan', cfgDir]).code).toBe(0);
  });
});

describe('usage errors exit 2 with one line', () => {
  it.each([
    [['scan', '/definitely/not/here']],
    [['scan', '--format', 'yaml', '.']],
    [['scan', '--max-file-size', 'big', '.']],
    [['scan', '--concurrency', '0', '.']],
    [['scan', '--no-such-flag']],
    [['no-such-command']],
    [['scan', '.', '--config', '/not/a/config.yaml']],
  ])('%j', (args) => {
    const r = runCli(args as string[]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('rejects a broken config file with one line', () => {
    const d = tempDir();
    writeTree(d, { '.shadowscan.yaml': 'exclude: [unterminated\n' });
    const r = runCli(['scan', d]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^shadowscan: /);
  });
});

describe('shadowscan on its own repository', () => {
  it('reports nothing', () => {
    const r = runCli(['scan', '.', '--format', 'json'], { cwd: ROOT });
    const inv = JSON.parse(r.stdout);
    // The report tier: what fails a build. The review tier may hold the grammar's own documented examples.
    const reported = inv.tokens.filter((t: { tier: string }) => t.tier === 'report');
    expect(reported.map((t: { ruleId: string; occurrences: { path: string; line: number }[] }) => `${t.ruleId} ${t.occurrences[0].path}:${t.occurrences[0].line}`)).toEqual([]);
    expect(r.code).toBe(0);
  });
});
