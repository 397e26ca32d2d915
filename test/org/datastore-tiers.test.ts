// The datastore keeps each token's score, tier and reasons (per repository, and merged), the companion parts'
// places, and each run's tiers: `inventory show` reports the review tier only when asked (and can decide tiers
// again with --min-score), and `inventory diff` does not call a token new because its tier changed. A schema 1
// datastore (before tiers) is migrated in place when opened.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RepositoryScan, Token } from '../../src/model/index.js';
import { Datastore, DatastoreError } from '../../src/store/index.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { fakeGithubPat, fakePassword, fakeMd5CryptHash } from '../helpers/fake-tokens.js';
import { ALICE, FixtureRepo } from '../helpers/git-fixtures.js';
import { ENV, fp } from './org-fixture.js';

// The schema of datastores written before tiers (schema 1), as that version created it.
const SCHEMA_1 = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS rules_versions (id INTEGER PRIMARY KEY, hash TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS blobs (
  key TEXT NOT NULL,
  version INTEGER NOT NULL,
  bytes INTEGER NOT NULL,
  findings TEXT,
  PRIMARY KEY (key, version)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS repositories (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  path TEXT NOT NULL,
  status TEXT NOT NULL,
  error TEXT,
  scanned_at TEXT NOT NULL,
  run_id INTEGER NOT NULL,
  info TEXT NOT NULL,
  state TEXT
);
CREATE TABLE IF NOT EXISTS tokens (
  id TEXT PRIMARY KEY,
  rule_id TEXT NOT NULL,
  provider TEXT NOT NULL,
  severity TEXT NOT NULL,
  privilege TEXT NOT NULL,
  redacted TEXT NOT NULL,
  data TEXT NOT NULL,
  first_run INTEGER NOT NULL,
  last_run INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS repo_tokens (
  repo_id INTEGER NOT NULL,
  token_id TEXT NOT NULL,
  in_head INTEGER NOT NULL,
  PRIMARY KEY (repo_id, token_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS occurrences (
  repo_id INTEGER NOT NULL,
  token_id TEXT NOT NULL,
  commit_id TEXT NOT NULL,
  path TEXT NOT NULL,
  line INTEGER NOT NULL,
  col INTEGER NOT NULL,
  end_line INTEGER NOT NULL,
  end_col INTEGER NOT NULL,
  date TEXT,
  author_name TEXT,
  author_email TEXT,
  decoded TEXT,
  PRIMARY KEY (repo_id, token_id, commit_id, path, line, col)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS occurrences_token ON occurrences (token_id);
CREATE TABLE IF NOT EXISTS runs (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,
  status TEXT NOT NULL,
  started_at TEXT NOT NULL,
  finished_at TEXT,
  version INTEGER,
  source TEXT,
  shard TEXT,
  stats TEXT
);
CREATE TABLE IF NOT EXISTS run_tokens (
  run_id INTEGER NOT NULL,
  token_id TEXT NOT NULL,
  repo TEXT NOT NULL,
  in_head INTEGER NOT NULL,
  PRIMARY KEY (run_id, token_id, repo)
) WITHOUT ROWID;
`;

function token(id: string, extra: Partial<Token> = {}): Token {
  return {
    id: id.repeat(64).slice(0, 64), ruleId: 'test.rule', ruleName: 'Test rule', provider: 'Test', kind: 'password', severity: 'high', confidence: 'high',
    privilege: 'unknown', privilegeReason: 'Unknown.', environment: 'unknown', lifetime: 'unknown', redacted: 'ab…(12)', length: 12, entropy: 3.5,
    score: 0.8, tier: 'report', reasons: ['high-confidence rule'], rotate: 'https://example.com/rotate', references: [], controls: [],
    occurrences: [
      { path: 'db.env', line: 2, column: 10, endLine: 2, endColumn: 22, commit: 'c'.repeat(40), author: { name: 'Alice', email: 'alice@example.com' }, date: '2024-01-01T10:00:00Z' },
      { path: 'db.env', line: 1, column: 6, endLine: 1, endColumn: 11, commit: 'c'.repeat(40), author: { name: 'Alice', email: 'alice@example.com' }, date: '2024-01-01T10:00:00Z', part: 'username' },
    ],
    presentInHead: true,
    ...extra,
  };
}

const scan = (name: string): RepositoryScan => ({ name, status: 'scanned', scannedAt: '2026-01-01T00:00:00.000Z', durationMs: 1, commits: 1, tokens: 1 });
const stats = { repositories: 1, failed: 0, blobsRead: 0, blobsReused: 0, bytes: 0, tokens: 2 };

describe('datastore tiers', () => {
  it('stores score, tier, reasons, review reason and part places, and gives them back', () => {
    const file = path.join(tempDir(), 'tiers.db');
    const db = Datastore.open(file);
    try {
      const run = db.startRun('scan', { minScore: 0.6 });
      const tokens = [token('a'), token('b', { tier: 'review', score: 0.95, review: 'a password hash', reasons: ['a password hash', 'high-confidence rule'] })];
      db.saveRepository(run, '/repos/one', scan('one'), tokens, 'state-1');
      db.finishRun(run, stats, { tokens });
      expect(db.runs()[0].minScore).toBe(0.6);
      const stored = db.currentTokens().sort((x, y) => (x.id < y.id ? -1 : 1));
      const { presentInHead: _p, occurrences, ...a } = tokens[0];
      expect(stored[0]).toMatchObject(a);
      // In any order: the inventory builder sorts them.
      const byLine = (x: { line: number }, y: { line: number }) => x.line - y.line;
      expect([...stored[0].occurrences].sort(byLine)).toEqual(occurrences.map((o) => ({ ...o, repo: 'one' })).sort(byLine));
      expect(stored[1]).toMatchObject({ tier: 'review', score: 0.95, review: 'a password hash', reasons: ['a password hash', 'high-confidence rule'] });
      expect(stored[0].review).toBeUndefined();
      expect(db.unchangedRepository('one', 'state-1')!.tokens.map((t) => [t.id[0], t.tier, t.score])).toEqual([['a', 'report', 0.8], ['b', 'review', 0.95]]);
    } finally {
      db.close();
    }
  });

  it('keeps each repository\'s own tier: reported in one, in review in another', () => {
    const db = Datastore.open(path.join(tempDir(), 'repos.db'));
    try {
      const run = db.startRun('scan');
      db.saveRepository(run, '/repos/one', scan('one'), [token('a', { tier: 'review', score: 0.3 })], 's1');
      db.saveRepository(run, '/repos/two', scan('two'), [token('a', { tier: 'report', score: 0.9 })], 's2');
      db.finishRun(run, stats, { tokens: [token('a', { tier: 'report', score: 0.9 })] });
      expect(db.unchangedRepository('one', 's1')!.tokens[0]).toMatchObject({ tier: 'review', score: 0.3 });
      expect(db.unchangedRepository('two', 's2')!.tokens[0]).toMatchObject({ tier: 'report', score: 0.9 });
      expect(db.currentTokens().map((t) => [t.occurrences[0].repo, t.tier])).toEqual([['one', 'review'], ['two', 'report']]);
    } finally {
      db.close();
    }
  });

  it('diff: a token whose tier changed is neither new nor removed', () => {
    const db = Datastore.open(path.join(tempDir(), 'diff.db'));
    try {
      const first = db.startRun('scan');
      db.saveRepository(first, '/repos/one', scan('one'), [token('a'), token('b', { tier: 'review', score: 0.3 })]);
      db.finishRun(first, stats);
      const second = db.startRun('scan');
      // a moves to review, b to the report tier; c is new, in review.
      const now = [token('a', { tier: 'review', score: 0.4 }), token('b', { tier: 'report', score: 0.7 }), token('c', { tier: 'review', score: 0.2 })];
      db.saveRepository(second, '/repos/one', scan('one'), now);
      db.finishRun(second, stats, { tokens: now });
      const d = db.diff();
      expect(d.added.map((t) => [t.id[0], t.tier])).toEqual([['c', 'review']]);
      expect(d.removed).toEqual([]);
      expect(d.retiered.map((t) => [t.id[0], t.previousTier, t.tier])).toEqual([['a', 'report', 'review'], ['b', 'review', 'report']]);
      expect(d.unchanged).toBe(2);
    } finally {
      db.close();
    }
  });

  it('migrates a schema 1 datastore in place: its tokens stay reported', () => {
    const file = path.join(tempDir(), 'old.db');
    const old = new Database(file);
    old.exec(SCHEMA_1);
    old.exec(`
      INSERT INTO meta (key, value) VALUES ('schema', '1');
      INSERT INTO runs (id, kind, status, started_at, stats) VALUES (1, 'scan', 'complete', '2025-01-01T00:00:00.000Z', '{"repositories":1,"failed":0,"blobsRead":1,"blobsReused":0,"bytes":10,"tokens":1}');
      INSERT INTO repositories (id, name, path, status, scanned_at, run_id, info, state) VALUES (1, 'one', '/repos/one', 'scanned', '2025-01-01T00:00:00.000Z', 1, '{"name":"one","status":"scanned","scannedAt":"2025-01-01T00:00:00.000Z","durationMs":1,"tokens":1}', 'old-state');
      INSERT INTO tokens (id, rule_id, provider, severity, privilege, redacted, data, first_run, last_run)
        VALUES ('${'a'.repeat(64)}', 'test.rule', 'Test', 'high', 'unknown', 'ab…(12)', '{"id":"${'a'.repeat(64)}","ruleId":"test.rule","ruleName":"Test rule","provider":"Test","kind":"password","severity":"high","confidence":"high","privilege":"unknown","privilegeReason":"Unknown.","environment":"unknown","lifetime":"unknown","redacted":"ab…(12)","length":12,"entropy":3.5,"rotate":"https://example.com/rotate","references":[],"controls":[]}', 1, 1);
      INSERT INTO repo_tokens (repo_id, token_id, in_head) VALUES (1, '${'a'.repeat(64)}', 1);
      INSERT INTO occurrences (repo_id, token_id, commit_id, path, line, col, end_line, end_col) VALUES (1, '${'a'.repeat(64)}', '${'c'.repeat(40)}', 'db.env', 2, 10, 2, 22);
      INSERT INTO run_tokens (run_id, token_id, repo, in_head) VALUES (1, '${'a'.repeat(64)}', 'one', 1);
    `);
    old.close();

    const db = Datastore.open(file, { create: false });
    try {
      expect(db.integrity()).toBe('ok');
      const [t] = db.currentTokens();
      expect(t).toMatchObject({ tier: 'report', score: 1, reasons: ['stored before shadowscan scored tokens'] });
      expect(t.occurrences).toHaveLength(1);
      expect(t.occurrences[0].part).toBeUndefined();
      // It goes on like any datastore: a new run, with tiers, compared with the old one.
      const run = db.startRun('scan', { minScore: 0.5 });
      db.saveRepository(run, '/repos/one', scan('one'), [token('a', { tier: 'review', score: 0.3 })]);
      db.finishRun(run, stats);
      const d = db.diff();
      expect(d.added).toEqual([]);
      expect(d.retiered.map((x) => [x.previousTier, x.tier])).toEqual([['report', 'review']]);
    } finally {
      db.close();
    }
    const raw = new Database(file, { readonly: true });
    try {
      expect(raw.prepare("SELECT value FROM meta WHERE key = 'schema'").pluck().get()).toBe('5');
    } finally {
      raw.close();
    }
    // A schema this version does not know is refused, not guessed at.
    const newer = new Database(file);
    newer.prepare("UPDATE meta SET value = '6' WHERE key = 'schema'").run();
    newer.close();
    expect(() => Datastore.open(file, { create: false })).toThrow(DatastoreError);
  });
});

describe('inventory show and diff with tiers', () => {
  let root: string;
  let db: string;
  let pat: string;
  let hash: string;

  beforeAll(() => {
    root = tempDir('shadowscan-org-tiers-');
    db = path.join(tempDir(), 'org.db');
    // A generic password: it scores below 1, so a minimum of 0.999 sends it to review.
    pat = fakePassword();
    hash = fakeMd5CryptHash();
    const a = FixtureRepo.init('shadowscan-org-tiers-a-');
    a.write('app.py', `db_password = "${pat}"\n`);
    a.write('edge.cfg', `hostname edge-rtr-01\nenable secret 5 ${hash}\n`);
    a.commit('app', ALICE, '2024-01-01T10:00:00Z');
    const b = FixtureRepo.init('shadowscan-org-tiers-b-');
    b.write('edge.cfg', `hostname edge-rtr-02\nenable secret 5 ${hash}\n`);
    b.commit('router', ALICE, '2024-01-01T10:00:00Z');
    fs.renameSync(a.dir, path.join(root, 'a'));
    fs.renameSync(b.dir, path.join(root, 'b'));
  });

  const cli = (args: string[]) => runCli(args, { env: ENV });
  const show = (args: string[] = []) => {
    const r = cli(['inventory', 'show', '--db', db, '--format', 'json', '--quiet', ...args]);
    return { code: r.code, inv: JSON.parse(r.stdout) as { scan: { minScore?: number; review?: number }; tokens: Array<{ id: string; tier: string; repos: string[] }> } };
  };

  it('inventory show: the report tier, the review tier with --include-review, tiers decided again with --min-score', () => {
    const org = cli(['org', root, '--db', db, '--format', 'json', '--quiet', '-j', '1']);
    expect(org.code).toBe(1);
    const orgInv = JSON.parse(org.stdout) as { scan: { review: number; org: { repositories: Array<{ name: string; tokens: number; review?: number }> } } };
    expect(orgInv.scan.review).toBe(1);
    expect(orgInv.scan.org.repositories.map((r) => [r.name, r.tokens, r.review])).toEqual([['a', 1, 1], ['b', 0, 1]]);

    // JSON is the inventory: both tiers, each token marked.
    const plain = show();
    expect(plain.code).toBe(1);
    expect(plain.inv.tokens.map((t) => [t.id, t.tier])).toEqual([[fp(pat), 'report'], [fp(hash), 'review']]);
    expect(plain.inv.scan).toMatchObject({ minScore: 0.5, review: 1 });
    const all = show(['--include-review']);
    expect(all.inv.tokens.map((t) => [t.id, t.tier, t.repos])).toEqual([
      [fp(pat), 'report', ['a']],
      [fp(hash), 'review', ['a', 'b']],
    ]);
    const raised = show(['--min-score', '0.999']);
    expect(raised.code).toBe(0);
    expect(raised.inv.tokens.map((t) => t.tier)).toEqual(['review', 'review']);
    expect(raised.inv.scan).toMatchObject({ minScore: 0.999, review: 2 });
    expect(fs.readFileSync(db).includes(Buffer.from(hash))).toBe(false);
  });

  it('inventory diff: a tier change is not new; only new report-tier tokens make it exit 1', () => {
    // Scanned again with a higher minimum: the token moves to review (its repositories are scanned again for it).
    const raised = cli(['org', root, '--db', db, '--min-score', '0.999', '--format', 'json', '--quiet', '-j', '1']);
    expect(raised.code).toBe(0);
    const down = cli(['inventory', 'diff', '--db', db]);
    expect(down.code).toBe(0);
    expect(down.stdout).toContain('New tokens (0):');
    expect(down.stdout).toMatch(/Moved to review \(1\): still present, no longer counted\n {2}HIGH .*Password.* in a \(active\) \[review\]/);
    expect(down.stdout).toContain('0 new, 0 no longer present, 2 unchanged (1 changed tier)');

    const back = cli(['org', root, '--db', db, '--format', 'json', '--quiet', '-j', '1']);
    expect(back.code).toBe(1);
    const up = cli(['inventory', 'diff', '--db', db, '--format', 'json']);
    expect(up.code).toBe(0);
    const d = JSON.parse(up.stdout) as { added: unknown[]; retiered: Array<{ id: string; tier: string; previousTier: string }>; review: { added: number; removed: number } };
    expect(d.added).toEqual([]);
    expect(d.retiered.map((t) => [t.id, t.previousTier, t.tier])).toEqual([[fp(pat), 'review', 'report']]);
    expect(d.review).toEqual({ added: 0, removed: 0 });
    expect(cli(['inventory', 'diff', '--db', db]).stdout).toContain('Now reported, in review before (1): not new, but now counted');

    // A new review-tier token is counted, listed with --include-review, and does not fail.
    const c = FixtureRepo.init('shadowscan-org-tiers-c-');
    c.write('edge.cfg', `hostname edge-rtr-03\nenable secret 5 ${fakeMd5CryptHash()}\n`);
    c.commit('router', ALICE, '2024-01-02T10:00:00Z');
    fs.renameSync(c.dir, path.join(root, 'c'));
    expect(cli(['org', root, '--db', db, '--quiet', '-j', '1']).code).toBe(1);
    const fresh = cli(['inventory', 'diff', '--db', db]);
    expect(fresh.code).toBe(0);
    expect(fresh.stdout).toContain('New tokens (0; 1 more in review (--include-review)):');
    const listed = cli(['inventory', 'diff', '--db', db, '--include-review']);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/New tokens \(1\):\n {2}MEDIUM .*Cisco type 5.* in c \(active\) \[review\]/);
  });
});
