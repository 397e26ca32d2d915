// Inventories and datastore runs carry the check of the fingerprint key they were made with (as baselines do):
// `merge` and `inventory diff` refuse to mix ids made under different keys, which would count every token twice
// (issue 12, item 8).
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli.js';
import { fakeGithubPat } from '../helpers/fake-tokens.js';
import { ALICE, FixtureRepo } from '../helpers/git-fixtures.js';

const KEY_A = { SHADOWSCAN_FINGERPRINT_KEY: 'key-check-test-a' };
const KEY_B = { SHADOWSCAN_FINGERPRINT_KEY: 'key-check-test-b' };

describe('fingerprint key checks', () => {
  let root: string;
  let out: string;

  beforeAll(() => {
    root = tempDir('shadowscan-keycheck-');
    out = tempDir('shadowscan-keycheck-out-');
    const shared = fakeGithubPat();
    for (const name of ['one', 'two']) {
      fs.mkdirSync(path.join(root, name));
      const repo = new FixtureRepo(path.join(root, name));
      repo.git(['init', '-q', '-b', 'main']);
      repo.write('ci.sh', `export GITHUB_TOKEN=${shared}\n`);
      repo.commit('ci', ALICE, '2024-01-01T10:00:00Z');
    }
  });

  const json = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8')) as { scan: { keyCheck?: string }; tokens: unknown[] };

  it('every inventory says which key made it; merge refuses inventories made with different keys', () => {
    const a = path.join(out, 'one.json');
    const b = path.join(out, 'two.json');
    const b2 = path.join(out, 'two-other-key.json');
    expect(runCli(['history', path.join(root, 'one'), '--format', 'json', '-o', a, '-q'], { env: KEY_A }).code).toBe(1);
    expect(runCli(['history', path.join(root, 'two'), '--format', 'json', '-o', b, '-q'], { env: KEY_A }).code).toBe(1);
    expect(runCli(['history', path.join(root, 'two'), '--format', 'json', '-o', b2, '-q'], { env: KEY_B }).code).toBe(1);
    expect(json(a).scan.keyCheck).toMatch(/^[0-9a-f]{16}$/);
    expect(json(b).scan.keyCheck).toBe(json(a).scan.keyCheck);
    expect(json(b2).scan.keyCheck).not.toBe(json(a).scan.keyCheck);
    const tree = runCli(['scan', path.join(root, 'one'), '--format', 'json'], { env: KEY_A });
    expect((JSON.parse(tree.stdout) as { scan: { keyCheck?: string } }).scan.keyCheck).toBe(json(a).scan.keyCheck);

    // One key: the shared token is one entry, and the merged inventory keeps the check.
    const same = runCli(['merge', a, b]);
    expect(same.code).toBe(1);
    const merged = JSON.parse(same.stdout) as { scan: { keyCheck?: string }; tokens: unknown[] };
    expect(merged.tokens).toHaveLength(1);
    expect(merged.scan.keyCheck).toBe(json(a).scan.keyCheck);

    // Two keys: refused, one line, nothing written.
    const mixed = runCli(['merge', a, b2, '--output', path.join(out, 'mixed.json')]);
    expect(mixed.code).toBe(2);
    expect(mixed.stdout).toBe('');
    expect(mixed.stderr.trim().split('\n')).toHaveLength(1);
    expect(mixed.stderr).toContain(`${b2}: made with another fingerprint key`);
    expect(mixed.stderr).toContain('counted twice');
    expect(fs.existsSync(path.join(out, 'mixed.json'))).toBe(false);

    // An inventory from before key checks can still be merged, with a warning that it could not be checked.
    const old = path.join(out, 'old.json');
    const doc = json(b) as { scan: Record<string, unknown> };
    delete doc.scan.keyCheck;
    fs.writeFileSync(old, JSON.stringify(doc));
    const withOld = runCli(['merge', a, old]);
    expect(withOld.code).toBe(1);
    expect((JSON.parse(withOld.stdout) as { scan: { warnings: string[] } }).scan.warnings.join('\n')).toContain('carry no key check');
  });

  it('inventory diff refuses runs made with different keys; merging datastores of different keys is refused', () => {
    const db = path.join(out, 'org.db');
    expect(runCli(['org', root, '--db', db, '-q'], { env: KEY_A }).code).toBe(1);
    expect(runCli(['org', root, '--db', db, '-q'], { env: KEY_A }).code).toBe(1);
    expect(runCli(['inventory', 'diff', '--db', db]).code).toBe(0);
    const other = runCli(['org', root, '--db', db, '--format', 'json'], { env: KEY_B });
    expect(other.code).toBe(1);
    expect(other.stderr).toContain('runs made with another fingerprint key');
    const diff = runCli(['inventory', 'diff', '--db', db]);
    expect(diff.code).toBe(2);
    expect(diff.stderr.trim().split('\n')).toHaveLength(1);
    expect(diff.stderr).toContain('were made with different fingerprint keys');
    // Runs made with one key still compare.
    expect(runCli(['inventory', 'diff', '--db', db, '--from', '1', '--to', '2']).code).toBe(0);

    const dbB = path.join(out, 'other.db');
    expect(runCli(['org', root, '--db', dbB, '-q'], { env: KEY_B }).code).toBe(1);
    const dbA = path.join(out, 'first.db');
    expect(runCli(['org', root, '--db', dbA, '-q'], { env: KEY_A }).code).toBe(1);
    const merge = runCli(['merge', dbA, dbB, '--output', path.join(out, 'all.db')]);
    expect(merge.code).toBe(2);
    expect(merge.stderr.trim().split('\n')).toHaveLength(1);
    expect(merge.stderr).toContain('was made with another fingerprint key');
  });
});
