// The org datastore (--db): an unchanged re-scan reads no blob again and gives the same inventory; a new commit
// costs only its new blobs and shows in `inventory diff`; repositories gone from the folder make their tokens
// "no longer present"; a run killed mid-scan leaves a consistent store and the next run resumes; shard
// datastores merge into one equal to a full run's.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { BIN, runCli, tempDir } from '../helpers/cli.js';
import { fakeGithubPat } from '../helpers/fake-tokens.js';
import { ALICE } from '../helpers/git-fixtures.js';
import { Datastore } from '../../src/store/index.js';
import { buildOrg, comparable, ENV, fp, type OrgFixture } from './org-fixture.js';

interface Inv {
  scan: Record<string, any> & { files: number; org: { repositories: Array<Record<string, any>>; blobsRead: number; blobsReused: number } };
  tokens: Array<Record<string, any> & { id: string }>;
}

function orgJson(args: string[], env: NodeJS.ProcessEnv = {}): { code: number; inv: Inv; stderr: string } {
  const r = runCli(['org', ...args, '--format', 'json', '--quiet', '-j', '2'], { env: { ...ENV, ...env } });
  return { code: r.code, inv: JSON.parse(r.stdout || '{}') as Inv, stderr: r.stderr };
}

const readsOf = (inv: Inv) => inv.scan.org.repositories.reduce((n, r) => n + (r.blobs ?? 0), 0);

describe('org datastore', () => {
  let f: OrgFixture;
  let dir: string;
  let db: string;
  let first: ReturnType<typeof orgJson>;
  let reference: ReturnType<typeof orgJson>;

  beforeAll(() => {
    f = buildOrg();
    dir = tempDir('shadowscan-db-');
    db = path.join(dir, 'org.db');
    reference = orgJson([f.root]);
    first = orgJson([f.root, '--db', db]);
  });

  it('first run: reads every blob and stores what it found, never a raw secret', () => {
    expect(first.code, first.stderr).toBe(1);
    // Blobs shared by repositories (a mirror, the same file in seven of them) are read once, even in one run.
    const { blobsRead, blobsReused } = first.inv.scan.org;
    expect(blobsRead).toBeGreaterThan(40);
    expect(blobsReused).toBeGreaterThan(0);
    expect(blobsRead + blobsReused).toBe(reference.inv.scan.org.blobsRead);
    expect(first.inv.tokens).toEqual(reference.inv.tokens);
    const bytes = fs.readFileSync(db);
    for (const secret of [f.tokens.aws, f.tokens.pat, f.tokens.slack, f.tokens.stripe, ...f.tokens.generic]) {
      expect(bytes.includes(Buffer.from(secret))).toBe(false);
    }
  });

  it('an unchanged re-scan reads no blob again and gives the same inventory', () => {
    const again = orgJson([f.root, '--db', db]);
    expect(again.code).toBe(1);
    expect(again.inv.scan.org.blobsRead).toBe(0);
    expect(readsOf(again.inv)).toBe(0);
    expect(again.inv.scan.files).toBe(0);
    // Same refs, same HEAD, same settings: each repository's stored results, without listing its history.
    const scanned = again.inv.scan.org.repositories.filter((r) => r.status === 'scanned');
    expect(scanned).toHaveLength(20);
    for (const r of scanned) expect(r.unchanged).toBe(true);
    expect(again.inv.scan.org.blobsReused).toBe(0);
    expect(again.inv.tokens).toEqual(first.inv.tokens);
    expect(comparable(again.inv).scan.org.repositories.map((r: Record<string, unknown>) => ({ ...r, unchanged: undefined, bytes: undefined }))).toEqual(
      comparable(first.inv).scan.org.repositories.map((r: Record<string, unknown>) => ({ ...r, unchanged: undefined, bytes: undefined })),
    );
    const diff = runCli(['inventory', 'diff', '--db', db]);
    expect(diff.code).toBe(0);
    expect(diff.stdout).toMatch(/^0 new, 0 no longer present, 8 unchanged$/m);
  });

  it('other path settings list every history again, but every blob comes from the datastore', () => {
    const other = orgJson([f.root, '--db', db, '--exclude', 'no-such-folder/**']);
    expect(other.code).toBe(1);
    for (const r of other.inv.scan.org.repositories) expect(r.unchanged).toBeUndefined();
    expect(other.inv.scan.org.blobsRead).toBe(0);
    expect(readsOf(other.inv)).toBe(0);
    expect(other.inv.scan.org.blobsReused).toBe(reference.inv.scan.org.blobsRead);
    expect(other.inv.tokens).toEqual(first.inv.tokens);
  });

  it('a new commit costs its new blobs only, and `inventory diff` shows the new token', () => {
    const pat = fakeGithubPat();
    const repo = f.repos['team-a/svc-03'];
    repo.write('ops/token.txt', `GITHUB_TOKEN=${pat}\n`);
    repo.commit('oops', ALICE, '2024-04-01T10:00:00Z');
    const third = orgJson([f.root, "--db", db]);
    expect(third.code).toBe(1);
    expect(third.inv.scan.org.blobsRead).toBe(1);
    expect(third.inv.scan.org.repositories.find((r) => r.name === 'team-a/svc-03')!.blobs).toBe(1);
    expect(third.inv.tokens).toHaveLength(9);
    const diff = runCli(['inventory', 'diff', '--db', db, '--format', 'json']);
    expect(diff.code).toBe(1);
    const d = JSON.parse(diff.stdout) as { added: Array<{ id: string; repos: string[]; presentInHead: boolean; redacted: string }>; removed: unknown[]; unchanged: number };
    expect(d.added.map((t) => t.id)).toEqual([fp(pat)]);
    expect(d.added[0]).toMatchObject({ repos: ['team-a/svc-03'], presentInHead: true, redacted: `${pat.slice(0, 6)}…(40)` });
    expect(d.removed).toEqual([]);
    expect(d.unchanged).toBe(8);
    expect(diff.stdout).not.toContain(pat);
    const text = runCli(['inventory', 'diff', '--db', db]);
    expect(text.stdout).toMatch(/New tokens \(1\):\n {2}CRITICAL .*ghp_.*team-a\/svc-03 \(active\)/);
  });

  it('repositories gone from the folder take their tokens with them: "no longer present"', () => {
    const moved = tempDir();
    for (const name of ['team-b/svc-09', 'mirrors/svc-09.git']) fs.renameSync(path.join(f.root, name), path.join(moved, path.basename(name)));
    try {
      const fourth = orgJson([f.root, '--db', db]);
      expect(fourth.inv.scan.org.blobsRead).toBe(0);
      const d = JSON.parse(runCli(['inventory', 'diff', '--db', db, '--format', 'json']).stdout) as { added: unknown[]; removed: Array<{ id: string; repos: string[] }> };
      expect(d.added).toEqual([]);
      expect(d.removed.map((t) => t.id)).toEqual([fp(f.tokens.slack)]);
      expect(d.removed[0].repos).toEqual(['mirrors/svc-09.git', 'team-b/svc-09']);
    } finally {
      for (const name of ['team-b/svc-09', 'mirrors/svc-09.git']) fs.renameSync(path.join(moved, path.basename(name)), path.join(f.root, name));
    }
  });

  it('a run killed mid-scan leaves a consistent datastore, and the next run picks up where it stopped', async () => {
    const crashDb = path.join(dir, 'crash.db');
    const child = spawn(process.execPath, [BIN, 'org', f.root, '--db', crashDb, '--repo-concurrency', '1', '-j', '1', '--format', 'json', '--output', path.join(dir, 'crash.json')], {
      env: { ...process.env, ...ENV, SHADOWSCAN_PROGRESS: 'plain', SHADOWSCAN_PROGRESS_INTERVAL_MS: '10' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let killedAt = -1;
    let stderr = '';
    child.stderr!.on('data', (b: Buffer) => {
      stderr += b.toString();
      const done = [...stderr.matchAll(/repos (\d+)\/21/g)].map((m) => Number(m[1]));
      if (killedAt < 0 && done.length && done[done.length - 1] >= 4) {
        killedAt = done[done.length - 1];
        child.kill('SIGKILL');
      }
    });
    const signal = await new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, sig) => resolve(sig)));
    expect(signal).toBe('SIGKILL');
    expect(killedAt).toBeLessThan(21);

    const store = Datastore.open(crashDb, { create: false });
    let saved: string[];
    try {
      expect(store.integrity()).toBe('ok');
      const runs = store.runs();
      expect(runs.map((r) => r.status)).toEqual(['running']);
      const repos = store.repositories();
      expect(repos.length).toBeGreaterThanOrEqual(killedAt);
      saved = repos.filter((r) => r.status === 'scanned').map((r) => r.name);
      expect(store.blobCount()).toBeGreaterThan(0);
    } finally {
      store.close();
    }

    const resumed = orgJson([f.root, '--db', crashDb]);
    expect(resumed.code).toBe(1);
    const total = reference.inv.scan.org.blobsRead + 1; // the token committed by the earlier test
    // Repositories finished before the kill are not scanned again; the others read only what was not committed.
    expect(resumed.inv.scan.org.repositories.filter((r) => r.unchanged).map((r) => r.name)).toEqual(saved);
    expect(resumed.inv.scan.org.blobsRead).toBeGreaterThan(0);
    expect(resumed.inv.scan.org.blobsRead).toBeLessThan(total);
    const now = orgJson([f.root]);
    expect(resumed.inv.tokens).toEqual(now.inv.tokens);
    const after = Datastore.open(crashDb, { create: false });
    try {
      expect(after.runs().map((r) => r.status)).toEqual(['interrupted', 'complete']);
    } finally {
      after.close();
    }
  });

  it('shard datastores merge into one equal to a full run', () => {
    const shards: string[] = [];
    for (let i = 1; i <= 3; i++) {
      const file = path.join(dir, `shard-${i}.db`);
      const r = runCli(['org', f.root, '--shard', `${i}/3`, '--db', file, '--quiet', '-j', '2', '--format', 'json'], { env: ENV });
      expect([0, 1]).toContain(r.code);
      shards.push(file);
    }
    const all = path.join(dir, 'all.db');
    const m = runCli(['merge', ...shards, '--output', all], { env: ENV });
    expect(m.code).toBe(1);
    expect(m.stderr).toMatch(/merged 3 datastores into .*: 21 repositories, 9 tokens/);
    const shown = runCli(['inventory', 'show', '--db', all, '--format', 'json', '--quiet'], { env: ENV });
    expect(shown.code).toBe(1);
    const merged = JSON.parse(shown.stdout) as Inv;
    const now = orgJson([f.root]);
    expect(merged.tokens).toEqual(now.inv.tokens);
    expect(merged.scan.org.repositories.map((r) => r.name)).toEqual(now.inv.scan.org.repositories.map((r) => r.name));
    // The merged store resumes like any other: scanning into it reads nothing the shards read.
    const into = orgJson([f.root, '--db', all]);
    expect(into.inv.scan.org.blobsRead).toBe(0);
    expect(comparable(into.inv).tokens).toEqual(comparable(now.inv).tokens);
    const diff = runCli(['inventory', 'diff', '--db', all]);
    expect(diff.code).toBe(0);
    expect(runCli(['merge', shards[0], path.join(dir, 'crash.json'), '--output', path.join(dir, 'x.db')]).code).toBe(2);
  });
});

describe('rules version', () => {
  it('does not depend on where the rules were loaded from, and changes with what matching depends on', async () => {
    const [{ loadRules, BUILTIN_RULES_DIR }, { rulesVersion }, { emptyConfig }] = await Promise.all([
      import('../../src/rules/load.js'),
      import('../../src/scan/org.js'),
      import('../../src/scan/config.js'),
    ]);
    const cacheDir = tempDir();
    const previous = process.env.SHADOWSCAN_CACHE_DIR;
    process.env.SHADOWSCAN_CACHE_DIR = cacheDir;
    try {
      const parsed = loadRules([BUILTIN_RULES_DIR], { validate: true }).rules;
      loadRules([BUILTIN_RULES_DIR], { cache: true });
      const cached = loadRules([BUILTIN_RULES_DIR], { cache: true }).rules;
      expect(fs.readdirSync(cacheDir).some((f) => f.startsWith('rules-'))).toBe(true);
      const base = { config: emptyConfig(), fingerprintKey: 'k', maxFileSize: 50 << 20, version: '0.1.0' };
      const v = rulesVersion({ ...base, rules: parsed });
      expect(rulesVersion({ ...base, rules: cached })).toBe(v);
      expect(rulesVersion({ ...base, rules: [...parsed].reverse() })).toBe(v);
      expect(rulesVersion({ ...base, rules: parsed.slice(1) })).not.toBe(v);
      expect(rulesVersion({ ...base, rules: parsed, fingerprintKey: 'other' })).not.toBe(v);
      expect(rulesVersion({ ...base, rules: parsed, maxFileSize: 1 << 20 })).not.toBe(v);
      const allow = emptyConfig();
      allow.allowlist.stopwords.push('example');
      expect(rulesVersion({ ...base, rules: parsed, config: allow })).not.toBe(v);
    } finally {
      if (previous === undefined) delete process.env.SHADOWSCAN_CACHE_DIR;
      else process.env.SHADOWSCAN_CACHE_DIR = previous;
    }
  });
});
