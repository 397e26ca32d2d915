// `shadowscan org` end to end on an organisation of 20 repositories built at test time: one merged inventory
// (a token in 7 repositories is one entry with occurrences in all 7), a broken repository reported while the
// others are scanned, a repository list, progress on stderr, sharding plus merge equal to one full run.
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli.js';
import { buildOrg, comparable, ENV, fp, type OrgFixture } from './org-fixture.js';

interface Inv {
  scan: Record<string, any> & {
    org: { source: string; repositories: Array<Record<string, any>>; blobsRead: number; blobsReused: number; shard?: { index: number; count: number } };
    warnings: string[];
  };
  tokens: Array<Record<string, any> & { id: string; repos?: string[]; occurrences: Array<Record<string, any>>; presentInHead?: boolean }>;
}

function org(args: string[], env: NodeJS.ProcessEnv = {}): { code: number; inv: Inv; stderr: string } {
  const dir = tempDir('shadowscan-org-out-');
  const out = path.join(dir, 'inv.json');
  const r = runCli(['org', ...args, '--format', 'json', '--output', out, '-j', '2'], { env: { ...ENV, SHADOWSCAN_PROGRESS: 'plain', ...env } });
  const inv = fs.existsSync(out) ? (JSON.parse(fs.readFileSync(out, 'utf8')) as Inv) : ({ scan: {}, tokens: [] } as unknown as Inv);
  return { code: r.code, inv, stderr: r.stderr };
}

describe('org scan', () => {
  let f: OrgFixture;
  let full: ReturnType<typeof org>;

  beforeAll(() => {
    f = buildOrg();
    full = org([f.root], { SHADOWSCAN_PROGRESS_INTERVAL_MS: '50' });
  });

  const token = (inv: Inv, secret: string) => inv.tokens.find((t) => t.id === fp(secret));

  it('finds every repository under the folder, bare ones included, and scans them into one inventory', () => {
    expect(full.code).toBe(1);
    const repos = full.inv.scan.org.repositories;
    expect(repos.map((r) => r.name)).toEqual(f.names);
    expect(repos.filter((r) => r.status === 'scanned')).toHaveLength(20);
    expect(repos.find((r) => r.name === 'mirrors/lib-13.git')!.bare).toBe(true);
    expect(full.inv.scan.targets).toEqual(f.names);
    expect(full.inv.tokens).toHaveLength(8);
  });

  it('makes a token found in 7 repositories one entry with occurrences in all 7', () => {
    const aws = token(full.inv, f.tokens.aws)!;
    const seven = ['team-a/svc-00', 'team-a/svc-01', 'team-a/svc-02', 'team-a/svc-03', 'team-a/svc-04', 'team-a/svc-05', 'team-b/svc-06'];
    expect(aws.repos).toEqual(seven);
    expect(aws.occurrences.map((o) => o.repo).sort()).toEqual(seven);
    for (const o of aws.occurrences) expect(o).toMatchObject({ path: 'config/aws.env', line: 1 });
    expect(aws.commits).toBe(7);
    expect(aws.presentInHead).toBe(true);
    // The earliest commit across the repositories, with its repository.
    expect(aws.firstSeen).toMatchObject({ repo: 'team-a/svc-00', date: '2024-01-11T10:00:00+00:00', path: 'config/aws.env' });
    expect(aws.lastSeen).toMatchObject({ repo: 'team-b/svc-06' });
  });

  it('keeps provenance across repositories: active somewhere, history only elsewhere', () => {
    const pat = token(full.inv, f.tokens.pat)!;
    expect(pat.repos).toEqual(['libs/lib-12', 'team-b/svc-07', 'team-b/svc-08']);
    expect(pat.presentInHead).toBe(true);
    const slack = token(full.inv, f.tokens.slack)!;
    expect(slack.repos).toEqual(['mirrors/svc-09.git', 'team-b/svc-09']);
    expect(slack.presentInHead).toBe(false);
    // A bare mirror shares the commits of its source: one commit, two repositories.
    expect(slack.commits).toBe(1);
    expect(token(full.inv, f.tokens.generic[0])!.repos).toEqual(['libs/lib-13', 'mirrors/lib-13.git']);
    for (const g of f.tokens.generic.slice(1)) expect(token(full.inv, g)!.repos).toHaveLength(1);
    expect(token(full.inv, f.tokens.stripe)!.repos).toEqual(['team-b/svc-10']);
    expect(JSON.stringify(full.inv)).not.toContain(f.tokens.aws);
  });

  it('reports a failing repository and goes on', () => {
    const broken = full.inv.scan.org.repositories.find((r) => r.name === 'broken')!;
    expect(broken).toMatchObject({ status: 'failed' });
    expect(broken.error).toMatch(/not a git repository/);
    expect(full.inv.scan.warnings.some((w) => w.startsWith('repository broken failed'))).toBe(true);
    expect(full.stderr).toMatch(/warning: repository broken failed: not a git repository/);
  });

  it('shows progress on stderr: plain lines when not a terminal, nothing with --quiet', () => {
    expect(full.stderr).toMatch(/^shadowscan: scanning 21 of 21 repositories from /m);
    expect(full.stderr).toMatch(/^shadowscan: repos 21\/21 \(1 failed\) · [\d.]+ MB scanned · 8 tokens · [\d.]+s$/m);
    const quiet = org([f.root, '--quiet']);
    expect(quiet.code).toBe(1);
    expect(quiet.stderr).toBe('');
  });

  it('scans the repositories of a list file, and one that is not there fails alone', () => {
    const list = path.join(tempDir(), 'repos.txt');
    const missing = path.join(f.root, 'gone');
    fs.writeFileSync(list, `# two repositories and a missing one\n${f.repos['team-b/svc-10'].dir}\n\n${f.repos['libs/lib-14'].dir}/\n${missing}\n`);
    const r = org(['--repos', list]);
    expect(r.code).toBe(1);
    expect(r.inv.scan.org.source).toBe(list);
    const byName = Object.fromEntries(r.inv.scan.org.repositories.map((x) => [x.name, x.status]));
    expect(byName).toEqual({ [f.repos['team-b/svc-10'].dir]: 'scanned', [f.repos['libs/lib-14'].dir]: 'scanned', [missing]: 'failed' });
    expect(r.inv.tokens.map((t) => t.id).sort()).toEqual([fp(f.tokens.stripe), fp(f.tokens.generic[1])].sort());
  });

  it('rejects what it cannot do with one line and exit 2', () => {
    const empty = tempDir();
    const none = runCli(['org', empty]);
    expect(none.code).toBe(2);
    expect(none.stderr).toBe(`shadowscan: no git repositories found under ${empty}\n`);
    const badShard = runCli(['org', f.root, '--shard', '4/3']);
    expect(badShard.code).toBe(2);
    expect(badShard.stderr.trim().split('\n')).toHaveLength(1);
    const both = runCli(['org', f.root, '--repos', 'x.txt']);
    expect(both.code).toBe(2);
    const secrets = runCli(['org', f.root, '--db', path.join(empty, 'x.db'), '--show-secrets']);
    expect(secrets.code).toBe(2);
    expect(secrets.stderr).toMatch(/--show-secrets cannot be used with --db/);
  });

  it('lists what each shard would scan (to fetch only those), without scanning', () => {
    const names = Array.from({ length: 40 }, (_, i) => `mirrors/repo-${String(i).padStart(2, '0')}.git`);
    const list = path.join(tempDir(), 'names.txt');
    fs.writeFileSync(list, names.join('\n') + '\n');
    const parts = [1, 2, 3, 4].map((i) => {
      const r = runCli(['org', '--repos', list, '--shard', `${i}/4`, '--list']);
      expect(r.code).toBe(0);
      return r.stdout.split('\n').filter(Boolean);
    });
    expect(parts.flat().sort()).toEqual(names);
    for (const p of parts) expect(p.length).toBeGreaterThan(3);
  });

  it('sharding then merging equals one full run', () => {
    const dir = tempDir();
    const files: string[] = [];
    const sizes: number[] = [];
    for (let i = 1; i <= 3; i++) {
      const file = path.join(dir, `shard-${i}.json`);
      const r = runCli(['org', f.root, '--shard', `${i}/3`, '--format', 'json', '--output', file, '--quiet', '-j', '2'], { env: ENV });
      expect([0, 1]).toContain(r.code);
      const inv = JSON.parse(fs.readFileSync(file, 'utf8')) as Inv;
      expect(inv.scan.org.shard).toEqual({ index: i, count: 3 });
      sizes.push(inv.scan.org.repositories.length);
      files.push(file);
    }
    // Every repository in exactly one shard.
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(21);
    for (const s of sizes) expect(s).toBeGreaterThan(0);
    const mergedFile = path.join(dir, 'all.json');
    const m = runCli(['merge', ...files, '--output', mergedFile, '--quiet'], { env: ENV });
    expect(m.code).toBe(1);
    const merged = JSON.parse(fs.readFileSync(mergedFile, 'utf8')) as Inv;
    expect(merged.scan.org.shard).toBeUndefined();
    expect(merged.tokens).toEqual(full.inv.tokens);
    expect(comparable(merged)).toEqual(comparable(full.inv));
    // The same slices every time (a repository's shard depends on its name only).
    const again = runCli(['org', f.root, '--shard', '2/3', '--format', 'json', '--quiet', '-j', '2'], { env: ENV });
    expect((JSON.parse(again.stdout) as Inv).scan.org.repositories.map((r) => r.name)).toEqual(
      (JSON.parse(fs.readFileSync(files[1], 'utf8')) as Inv).scan.org.repositories.map((r) => r.name),
    );
    // A merged inventory renders like any other.
    const html = runCli(['merge', ...files, '--format', 'html', '--quiet'], { env: ENV });
    expect(html.stdout).toMatch(/^<!doctype html>/);
    expect(html.stdout).not.toContain(f.tokens.aws);
  });
});
