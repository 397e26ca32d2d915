// The org scan's datastore: one SQLite file (better-sqlite3, WAL journal) holding the repositories, every blob
// matched with the rules version that matched it, the tokens and where they are, and one row per run with a
// snapshot of the tokens it saw. Imports the model only; the scan layer drives it.
//
// Crash safety is SQLite's: every write is in a transaction, so a killed run leaves the last committed state.
// Blob rows (facts about content, valid whatever else happens) are committed in batches every two seconds; a
// repository's tokens and occurrences are replaced in one transaction when its scan completes; a run is marked
// complete, with its snapshot, in one transaction at the end. A run still marked running when the next one
// starts was killed: it is marked interrupted, and the blobs it committed are not read again.
// Never a raw secret: tokens are stored as their description (redacted value, fingerprint), not their value.
//
// Tiers: each repository's tokens keep the score, tier and reasons of that repository's scan (repo_tokens); the
// tokens table holds those of the last run's merged inventory; each run's snapshot keeps the tier the token had
// then, so `inventory diff` can tell a new token from one that only moved between the report and review tiers.
// Schema 2 added them; a schema 1 file is migrated in place when opened (its tokens were all reported). Schema 3:
// occurrences say where a token is when not in a file's content (a file or folder name, a commit's author or
// message) and keep the keyed hash of a path stored redacted. Schema 4: each run records the check of the
// fingerprint key it was made with (ids made under different keys never match, so such runs are not compared);
// each repository's tokens keep the refs whose tips hold them, and each run's snapshot the status a token had then
// (active, unmerged, history-only), so `inventory diff` can say which moved from active to history-only. Schema 5:
// the last answer of each token's provider (--verify, `inventory verify`) with its time, and every revocation
// (`shadowscan revoke`: who, when, the result). A file that is not a shadowscan datastore, or one of a
// newer schema, is refused before anything is written to it.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Occurrence, Privilege, RepositoryScan, Tier, Token, TokenRevocation, TokenStatus, TokenVerification } from '../model/index.js';

const SCHEMA_VERSION = '5';

/** The occurrences table's columns (schema 3), shared by the schema and the migration that rebuilds the table. */
const OCCURRENCES_COLUMNS = `  repo_id INTEGER NOT NULL,
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
  part TEXT,
  kind TEXT NOT NULL DEFAULT '',
  path_fp TEXT,
  PRIMARY KEY (repo_id, token_id, commit_id, kind, path, line, col)
) WITHOUT ROWID;`;

const SCHEMA = `
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
  last_run INTEGER NOT NULL,
  score REAL,
  tier TEXT NOT NULL DEFAULT 'report',
  reasons TEXT NOT NULL DEFAULT '[]',
  review TEXT
);
CREATE TABLE IF NOT EXISTS repo_tokens (
  repo_id INTEGER NOT NULL,
  token_id TEXT NOT NULL,
  in_head INTEGER NOT NULL,
  score REAL,
  tier TEXT NOT NULL DEFAULT 'report',
  reasons TEXT NOT NULL DEFAULT '[]',
  review TEXT,
  refs TEXT,
  PRIMARY KEY (repo_id, token_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS occurrences (
${OCCURRENCES_COLUMNS}
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
  stats TEXT,
  min_score REAL,
  key_check TEXT
);
CREATE TABLE IF NOT EXISTS verifications (
  token_id TEXT PRIMARY KEY,
  status TEXT NOT NULL,
  checked_at TEXT NOT NULL,
  data TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS revocations (
  id INTEGER PRIMARY KEY,
  token_id TEXT NOT NULL,
  status TEXT NOT NULL,
  revoked_at TEXT NOT NULL,
  by_user TEXT NOT NULL,
  detail TEXT
);
CREATE INDEX IF NOT EXISTS revocations_token ON revocations (token_id);
CREATE TABLE IF NOT EXISTS run_tokens (
  run_id INTEGER NOT NULL,
  token_id TEXT NOT NULL,
  repo TEXT NOT NULL,
  in_head INTEGER NOT NULL,
  tier TEXT NOT NULL DEFAULT 'report',
  status TEXT,
  PRIMARY KEY (run_id, token_id, repo)
) WITHOUT ROWID;
`;

/**
 * Schema 1 to 2: the columns above that schema 1 lacked, appended (where SCHEMA puts them too). What schema 1
 * stored was all reported, so its rows take the report tier; their score is unknown (NULL) until the next scan.
 */
const MIGRATE_1_TO_2 = `
ALTER TABLE tokens ADD COLUMN score REAL;
ALTER TABLE tokens ADD COLUMN tier TEXT NOT NULL DEFAULT 'report';
ALTER TABLE tokens ADD COLUMN reasons TEXT NOT NULL DEFAULT '[]';
ALTER TABLE tokens ADD COLUMN review TEXT;
ALTER TABLE repo_tokens ADD COLUMN score REAL;
ALTER TABLE repo_tokens ADD COLUMN tier TEXT NOT NULL DEFAULT 'report';
ALTER TABLE repo_tokens ADD COLUMN reasons TEXT NOT NULL DEFAULT '[]';
ALTER TABLE repo_tokens ADD COLUMN review TEXT;
ALTER TABLE occurrences ADD COLUMN part TEXT;
ALTER TABLE runs ADD COLUMN min_score REAL;
ALTER TABLE run_tokens ADD COLUMN tier TEXT NOT NULL DEFAULT 'report';
UPDATE meta SET value = '2' WHERE key = 'schema';
`;

/**
 * Schema 2 to 3: occurrences say where a token is when not in a file's content (`kind`: path, author, message) and
 * carry the keyed hash of a path that had to be redacted (`path_fp`). The kind is part of the key (an author and a
 * message of one commit can hold the same token at the same line and column), so the table is rebuilt.
 */
const MIGRATE_2_TO_3 = `
CREATE TABLE occurrences_v3 (
${OCCURRENCES_COLUMNS}
INSERT INTO occurrences_v3 (repo_id, token_id, commit_id, path, line, col, end_line, end_col, date, author_name, author_email, decoded, part)
  SELECT repo_id, token_id, commit_id, path, line, col, end_line, end_col, date, author_name, author_email, decoded, part FROM occurrences;
DROP TABLE occurrences;
ALTER TABLE occurrences_v3 RENAME TO occurrences;
CREATE INDEX IF NOT EXISTS occurrences_token ON occurrences (token_id);
UPDATE meta SET value = '3' WHERE key = 'schema';
`;

/**
 * Schema 3 to 4: the check of the fingerprint key each run was made with, the refs whose tips hold each
 * repository's token (a JSON list) and each snapshot's status; unknown (NULL) for what was stored before.
 */
const MIGRATE_3_TO_4 = `
ALTER TABLE runs ADD COLUMN key_check TEXT;
ALTER TABLE repo_tokens ADD COLUMN refs TEXT;
ALTER TABLE run_tokens ADD COLUMN status TEXT;
UPDATE meta SET value = '4' WHERE key = 'schema';
`;

/** Schema 4 to 5: the verification and revocation tables (created by SCHEMA, empty for what was stored before). */
const MIGRATE_4_TO_5 = `
UPDATE meta SET value = '5' WHERE key = 'schema';
`;

/** The tables a shadowscan datastore has (any schema): a file with other tables is someone else's. */
const OWN_TABLES = ['meta', 'rules_versions', 'blobs', 'repositories', 'tokens', 'repo_tokens', 'occurrences', 'runs', 'run_tokens', 'verifications', 'revocations'];

/** A provider's answer as the datastore keeps it: the verification and the privilege its scopes showed. */
export interface StoredVerification {
  verification: TokenVerification;
  privilege?: Privilege;
  privilegeSource?: 'rule' | 'observed';
}

/** What a token stored before scores existed says instead (its score reads as 1: it was reported). */
const UNSCORED = 'stored before shadowscan scored tokens';

export class DatastoreError extends Error {}

export type RunKind = 'scan' | 'merge';
export type RunStatus = 'running' | 'complete' | 'interrupted';

export interface RunStats {
  repositories: number;
  failed: number;
  blobsRead: number;
  blobsReused: number;
  bytes: number;
  /** Every token, both tiers. */
  tokens: number;
  /** Of which review-tier. */
  review?: number;
}

export interface RunRow {
  id: number;
  kind: RunKind;
  status: RunStatus;
  startedAt: string;
  finishedAt?: string;
  source?: string;
  shard?: string;
  stats?: RunStats;
  /** The minimum score the run decided tiers with (scan runs). */
  minScore?: number;
  /** The check of the fingerprint key the run was made with (absent for runs stored before it was recorded). */
  keyCheck?: string;
}

/** A token as the datastore keeps it: its description and the repositories that hold it. */
export interface StoredToken extends Omit<Token, 'occurrences'> {
  repos: string[];
  presentInHead: boolean;
}

/** A token whose status changed between two runs (both known). */
export type StatusChange = StoredToken & { status: TokenStatus; previousStatus: TokenStatus };

/**
 * Two runs compared by fingerprint. A token is new when no repository held it at `from`, whatever its tier; one
 * that only moved between the report and review tiers is neither new nor removed: it is in `retiered`.
 */
export interface DatastoreDiff {
  from?: RunRow;
  to: RunRow;
  /** In `to`, not in `from` (each with its tier at `to`). */
  added: StoredToken[];
  /** In `from`, not in `to`: removed from every repository scanned (rotate, then verify). Tier as at `from`. */
  removed: StoredToken[];
  /** In both, in another tier at `to` (`tier`) than at `from` (`previousTier`). */
  retiered: Array<StoredToken & { previousTier: Tier }>;
  /**
   * In both, with another status at `to` (`status`) than at `from` (`previousStatus`): deleted from every branch
   * (active to history-only), merged, checked out. Only where both runs recorded it (not runs stored before).
   */
  statusChanged: StatusChange[];
  /** Present in both (tier changes included). */
  unchanged: number;
}

interface BlobRow {
  findings: string | null;
}

/** Rows kept in memory before one transaction writes them: at most this many, or this long. */
const FLUSH_ROWS = 20_000;
const FLUSH_MS = 2000;

const SQLITE_MAGIC = 'SQLite format 3\0';

/** Whether a file is an SQLite database (by its header), for commands taking JSON or datastores alike. */
export function isDatastoreFile(file: string): boolean {
  try {
    const fd = fs.openSync(file, 'r');
    try {
      const head = Buffer.alloc(16);
      fs.readSync(fd, head, 0, 16, 0);
      return head.toString('latin1') === SQLITE_MAGIC;
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return false;
  }
}

/**
 * The token's description as stored: no occurrences, no per-run provenance, never the secret. Score, tier,
 * reasons and review reason have columns of their own.
 */
function description(t: Token): Record<string, unknown> {
  const {
    occurrences: _o, secret: _s, firstSeen: _f, lastSeen: _l, commits: _c, presentInHead: _p, repos: _r,
    score: _sc, tier: _t, reasons: _re, review: _rv, refs: _refs, status: _st,
    verification: _ver, privilegeSource: _ps, revocation: _rev, ...rest
  } = t;
  return rest;
}

interface TierColumns {
  score: number | null;
  tier: string;
  reasons: string;
  review: string | null;
}

/** A stored description with its tier columns. */
function storedToken(data: string, c: TierColumns): Omit<Token, 'occurrences'> {
  const t = JSON.parse(data) as Omit<Token, 'occurrences'>;
  t.score = c.score ?? 1;
  t.tier = c.tier === 'review' ? 'review' : 'report';
  t.reasons = c.score === null ? [UNSCORED] : (JSON.parse(c.reasons) as string[]);
  if (c.review !== null) t.review = c.review;
  return t;
}

const tierValues = (t: Token) => [t.score, t.tier, JSON.stringify(t.reasons ?? []), t.review ?? null] as const;

export class Datastore {
  private readonly db: Database.Database;
  private pending = new Map<string, { key: string; version: number; bytes: number; findings: string | null }>();
  private lastFlush = Date.now();
  /**
   * Versions that had no blob row when first asked about (a first run, new rules): their lookups are answered
   * from the keys this process wrote, without a query each (a first run over 300,000 blobs saved 3 s so).
   */
  private readonly fresh = new Map<number, Set<string>>();
  /** Versions that had rows when first asked about: every lookup queries. */
  private readonly stocked = new Set<number>();
  private readonly stmt: {
    getBlob: Database.Statement<[string, number], BlobRow>;
    putBlob: Database.Statement<[string, number, number, string | null]>;
  };

  private constructor(readonly file: string, create: boolean) {
    if (!create && !fs.existsSync(file)) throw new DatastoreError(`datastore does not exist: ${file}`);
    if (fs.existsSync(file) && fs.statSync(file).size > 0 && !isDatastoreFile(file)) {
      throw new DatastoreError(`not a shadowscan datastore (not an SQLite file): ${file}`);
    }
    // Nothing is written (no journal mode, no table) before the file is known to be ours, in a schema we read.
    if (fs.existsSync(file) && fs.statSync(file).size > 0) Datastore.check(file);
    if (create) fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    try {
      this.db = new Database(file, { fileMustExist: !create });
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = NORMAL');
      this.db.pragma('busy_timeout = 10000');
      this.db.pragma('cache_size = -32768');
      // Fewer, larger checkpoints (each one syncs): the WAL may grow to about 32 MB between them.
      this.db.pragma('wal_autocheckpoint = 8000');
      this.db.exec(SCHEMA);
    } catch (err) {
      throw new DatastoreError(`cannot open datastore ${file}: ${(err as Error).message}`);
    }
    const version = this.db.prepare<[], { value: string }>("SELECT value FROM meta WHERE key = 'schema'").get()?.value;
    if (version === undefined) this.db.prepare("INSERT INTO meta (key, value) VALUES ('schema', ?)").run(SCHEMA_VERSION);
    else if (version === '1') this.db.transaction(() => this.db.exec(MIGRATE_1_TO_2 + MIGRATE_2_TO_3 + MIGRATE_3_TO_4 + MIGRATE_4_TO_5))();
    else if (version === '2') this.db.transaction(() => this.db.exec(MIGRATE_2_TO_3 + MIGRATE_3_TO_4 + MIGRATE_4_TO_5))();
    else if (version === '3') this.db.transaction(() => this.db.exec(MIGRATE_3_TO_4 + MIGRATE_4_TO_5))();
    else if (version === '4') this.db.transaction(() => this.db.exec(MIGRATE_4_TO_5))();
    else if (version !== SCHEMA_VERSION) throw new DatastoreError(`datastore ${file} has schema ${version}; this shadowscan reads schemas 1 to ${SCHEMA_VERSION}`);
    this.stmt = {
      getBlob: this.db.prepare('SELECT findings FROM blobs WHERE key = ? AND version = ?'),
      putBlob: this.db.prepare('INSERT OR REPLACE INTO blobs (key, version, bytes, findings) VALUES (?, ?, ?, ?)'),
    };
  }

  /**
   * Reads an existing SQLite file without writing to it: an empty database, or a shadowscan datastore of a schema
   * this version reads. Anything else (another program's database, a newer datastore) is refused untouched.
   */
  private static check(file: string): void {
    let ro: Database.Database | undefined;
    try {
      ro = new Database(file, { readonly: true, fileMustExist: true });
      const tables = ro.prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'").all().map((r) => r.name);
      if (!tables.length) return;
      const foreign = tables.filter((t) => !OWN_TABLES.includes(t) && !t.startsWith('sqlite_'));
      const version = tables.includes('meta') ? ro.prepare<[], { value: string }>("SELECT value FROM meta WHERE key = 'schema'").get()?.value : undefined;
      if (version === undefined || foreign.length) {
        throw new DatastoreError(`not a shadowscan datastore (an SQLite database of another program${foreign.length ? `: table ${foreign[0]}` : ''}); nothing was written to it: ${file}`);
      }
      if (!/^\d+$/.test(version) || Number(version) > Number(SCHEMA_VERSION) || Number(version) < 1) {
        throw new DatastoreError(`datastore ${file} has schema ${version}, newer than this shadowscan reads (1 to ${SCHEMA_VERSION}); nothing was written to it: upgrade shadowscan`);
      }
    } catch (err) {
      if (err instanceof DatastoreError) throw err;
      throw new DatastoreError(`cannot open datastore ${file}: ${(err as Error).message}`);
    } finally {
      ro?.close();
    }
  }

  /** Opens (creating when asked) a datastore. */
  static open(file: string, options: { create?: boolean } = {}): Datastore {
    return new Datastore(file, options.create ?? true);
  }

  /** The id of a rules version (created on first use). */
  versionId(hash: string): number {
    this.db.prepare('INSERT OR IGNORE INTO rules_versions (hash, created_at) VALUES (?, ?)').run(hash, new Date().toISOString());
    return this.db.prepare<[string], { id: number }>('SELECT id FROM rules_versions WHERE hash = ?').get(hash)!.id;
  }

  /** Starts a run. Runs left `running` by a killed process are marked interrupted first. */
  startRun(kind: RunKind, info: { version?: number; source?: string; shard?: string; startedAt?: string; minScore?: number; keyCheck?: string } = {}): number {
    return this.db.transaction(() => {
      this.db.prepare("UPDATE runs SET status = 'interrupted' WHERE status = 'running'").run();
      const r = this.db
        .prepare('INSERT INTO runs (kind, status, started_at, version, source, shard, min_score, key_check) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
        .run(kind, 'running', info.startedAt ?? new Date().toISOString(), info.version ?? null, info.source ?? null, info.shard ?? null, info.minScore ?? null, info.keyCheck ?? null);
      return Number(r.lastInsertRowid);
    })();
  }

  /** The findings (JSON) of a blob matched under this version: null when it had none; undefined when never matched. */
  getBlob(key: string, version: number): string | null | undefined {
    const p = this.pending.get(`${version}\0${key}`);
    if (p) return p.findings;
    let fresh = this.fresh.get(version);
    if (fresh === undefined && !this.stocked.has(version)) {
      const any = this.db.prepare<[number], { x: number }>('SELECT 1 AS x FROM blobs WHERE version = ? LIMIT 1').get(version);
      if (any) this.stocked.add(version);
      else this.fresh.set(version, (fresh = new Set()));
    }
    if (fresh && !fresh.has(key)) return undefined;
    const row = this.stmt.getBlob.get(key, version);
    return row ? row.findings : undefined;
  }

  /** Records a matched blob. Written with the next batch (within two seconds) or the next repository saved. */
  putBlob(key: string, version: number, bytes: number, findings: string | null): void {
    this.pending.set(`${version}\0${key}`, { key, version, bytes, findings });
    if (this.pending.size >= FLUSH_ROWS || Date.now() - this.lastFlush >= FLUSH_MS) this.flush();
  }

  flush(): void {
    this.lastFlush = Date.now();
    if (!this.pending.size) return;
    // In key order: neighbouring inserts touch the same B-tree pages.
    const rows = [...this.pending.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.version - b.version));
    this.pending = new Map();
    this.db.transaction(() => {
      for (const r of rows) this.stmt.putBlob.run(r.key, r.version, r.bytes, r.findings);
    })();
    for (const r of rows) this.fresh.get(r.version)?.add(r.key);
  }

  private repoId(name: string, repoPath: string, runId: number, scan: RepositoryScan, state: string | null = null): number {
    const info = JSON.stringify(scan);
    this.db
      .prepare(
        `INSERT INTO repositories (name, path, status, error, scanned_at, run_id, info, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(name) DO UPDATE SET path = excluded.path, status = excluded.status, error = excluded.error,
           scanned_at = excluded.scanned_at, run_id = excluded.run_id, info = excluded.info, state = excluded.state`,
      )
      .run(name, repoPath, scan.status, scan.error ?? null, scan.scannedAt, runId, info, state);
    return this.db.prepare<[string], { id: number }>('SELECT id FROM repositories WHERE name = ?').get(name)!.id;
  }

  private upsertToken(t: Token, runId: number): void {
    this.db
      .prepare(
        `INSERT INTO tokens (id, rule_id, provider, severity, privilege, redacted, data, first_run, last_run, score, tier, reasons, review)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(id) DO UPDATE SET rule_id = excluded.rule_id, provider = excluded.provider, severity = excluded.severity,
           privilege = excluded.privilege, redacted = excluded.redacted, data = excluded.data, last_run = excluded.last_run,
           score = excluded.score, tier = excluded.tier, reasons = excluded.reasons, review = excluded.review`,
      )
      .run(t.id, t.ruleId, t.provider, t.severity, t.privilege, t.redacted, JSON.stringify(description(t)), runId, runId, ...tierValues(t));
  }

  /**
   * Records one repository's scan. Scanned: its tokens and occurrences replace the previous ones, in one
   * transaction with the blob rows still pending. Failed: only the failure is recorded; what the last successful
   * scan found stays, so one bad run does not make its tokens look removed.
   */
  saveRepository(runId: number, repoPath: string, scan: RepositoryScan, tokens: Token[] = [], state?: string): void {
    this.db.transaction(() => {
      this.flush();
      const existing = this.db.prepare<[string], { id: number }>('SELECT id FROM repositories WHERE name = ?').get(scan.name);
      if (scan.status === 'failed' && existing) {
        this.db.prepare('UPDATE repositories SET status = ?, error = ?, scanned_at = ?, run_id = ?, state = NULL WHERE id = ?').run('failed', scan.error ?? null, scan.scannedAt, runId, existing.id);
        return;
      }
      const id = this.repoId(scan.name, repoPath, runId, scan, scan.status === 'scanned' ? (state ?? null) : null);
      if (scan.status === 'failed') return;
      this.db.prepare('DELETE FROM occurrences WHERE repo_id = ?').run(id);
      this.db.prepare('DELETE FROM repo_tokens WHERE repo_id = ?').run(id);
      const occ = this.db.prepare(
        `INSERT OR IGNORE INTO occurrences (repo_id, token_id, commit_id, path, line, col, end_line, end_col, date, author_name, author_email, decoded, part, kind, path_fp)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      const rt = this.db.prepare('INSERT OR REPLACE INTO repo_tokens (repo_id, token_id, in_head, score, tier, reasons, review, refs) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
      for (const t of tokens) {
        this.upsertToken(t, runId);
        // This repository's own score, tier and refs: the token may be reported elsewhere and in review here.
        rt.run(id, t.id, t.presentInHead ? 1 : 0, ...tierValues(t), t.refs ? JSON.stringify(t.refs) : null);
        for (const o of t.occurrences) {
          occ.run(id, t.id, o.commit ?? '', o.path, o.line, o.column, o.endLine, o.endColumn, o.date ?? null, o.author?.name ?? null, o.author?.email ?? null, o.decoded ?? null, o.part ?? null, o.kind ?? '', o.pathFingerprint ?? null);
        }
      }
    })();
  }

  /**
   * Completes a run: descriptions from the merged inventory, repositories gone from a complete listing dropped
   * (`scope`: every repository name of an unsharded run), and the snapshot of tokens the diff compares.
   */
  finishRun(runId: number, stats: RunStats, options: { tokens?: Token[]; scope?: string[] } = {}): void {
    this.db.transaction(() => {
      this.flush();
      for (const t of options.tokens ?? []) this.upsertToken(t, runId);
      if (options.scope) {
        const keep = new Set(options.scope);
        const all = this.db.prepare<[], { id: number; name: string }>('SELECT id, name FROM repositories').all();
        for (const r of all) {
          if (keep.has(r.name)) continue;
          this.db.prepare('DELETE FROM occurrences WHERE repo_id = ?').run(r.id);
          this.db.prepare('DELETE FROM repo_tokens WHERE repo_id = ?').run(r.id);
          this.db.prepare('DELETE FROM repositories WHERE id = ?').run(r.id);
        }
      }
      // Repository names, not ids: a later run may drop the repository, and the diff still says where the token was.
      this.db
        .prepare(
          `INSERT INTO run_tokens (run_id, token_id, repo, in_head, tier, status)
           SELECT ?, t.token_id, r.name, t.in_head, t.tier,
             CASE WHEN t.in_head THEN 'active' WHEN t.refs IS NULL THEN NULL WHEN t.refs = '[]' THEN 'history-only' ELSE 'unmerged' END
           FROM repo_tokens t JOIN repositories r ON r.id = t.repo_id`,
        )
        .run(runId);
      this.db.prepare("UPDATE tokens SET last_run = ? WHERE id IN (SELECT token_id FROM repo_tokens)").run(runId);
      this.db.prepare("UPDATE runs SET status = 'complete', finished_at = ?, stats = ? WHERE id = ?").run(new Date().toISOString(), JSON.stringify(stats), runId);
    })();
  }

  runs(): RunRow[] {
    const rows = this.db
      .prepare<[], { id: number; kind: RunKind; status: RunStatus; started_at: string; finished_at: string | null; source: string | null; shard: string | null; stats: string | null; min_score: number | null; key_check: string | null }>(
        'SELECT id, kind, status, started_at, finished_at, source, shard, stats, min_score, key_check FROM runs ORDER BY id',
      )
      .all();
    return rows.map((r) => {
      const run: RunRow = { id: r.id, kind: r.kind, status: r.status, startedAt: r.started_at };
      if (r.finished_at) run.finishedAt = r.finished_at;
      if (r.source) run.source = r.source;
      if (r.shard) run.shard = r.shard;
      if (r.stats) run.stats = JSON.parse(r.stats) as RunStats;
      if (r.min_score !== null) run.minScore = r.min_score;
      if (r.key_check !== null) run.keyCheck = r.key_check;
      return run;
    });
  }

  /** Blob rows matched under a version (all versions when absent). */
  blobCount(version?: number): number {
    const q = version === undefined ? this.db.prepare<[], { n: number }>('SELECT count(*) AS n FROM blobs').get() : this.db.prepare<[number], { n: number }>('SELECT count(*) AS n FROM blobs WHERE version = ?').get(version);
    return q!.n;
  }

  /** The tokens of a run, with the tier each had in it: report when any repository held it in the report tier. */
  private tokensOfRun(runId: number, ids: string[], tiers: Map<string, Tier>): StoredToken[] {
    const out: StoredToken[] = [];
    const statuses = this.runStatuses(runId);
    const tok = this.db.prepare<[string], TierColumns & { data: string }>('SELECT data, score, tier, reasons, review FROM tokens WHERE id = ?');
    const where = this.db.prepare<[number, string], { name: string; in_head: number }>(
      'SELECT repo AS name, in_head FROM run_tokens WHERE run_id = ? AND token_id = ? ORDER BY repo',
    );
    for (const id of ids) {
      const row = tok.get(id);
      if (!row) continue;
      const repos = where.all(runId, id);
      const status = statuses.get(id);
      out.push({ ...storedToken(row.data, row), tier: tiers.get(id) ?? 'report', repos: repos.map((r) => r.name), presentInHead: repos.some((r) => r.in_head), ...(status ? { status } : {}) });
    }
    const rank: Record<string, number> = { critical: 0, high: 1, medium: 2, low: 3, info: 4 };
    return out.sort((a, b) => (rank[a.severity] ?? 9) - (rank[b.severity] ?? 9) || a.ruleId.localeCompare(b.ruleId) || a.id.localeCompare(b.id));
  }

  /**
   * Each token of a run and its status then: the best of its repositories' (active, then unmerged); unknown
   * (absent) when none recorded one and none had it in HEAD.
   */
  private runStatuses(runId: number): Map<string, TokenStatus> {
    const rank: Record<TokenStatus, number> = { active: 3, unmerged: 2, 'history-only': 1 };
    const best = new Map<string, TokenStatus>();
    const rows = this.db.prepare<[number], { token_id: string; in_head: number; status: string | null }>('SELECT token_id, in_head, status FROM run_tokens WHERE run_id = ?').all(runId);
    for (const r of rows) {
      const s: TokenStatus | undefined = r.in_head ? 'active' : r.status === 'unmerged' || r.status === 'history-only' ? r.status : undefined;
      const had = best.get(r.token_id);
      if (s && (!had || rank[s] > rank[had])) best.set(r.token_id, s);
    }
    return best;
  }

  /** Each token of a run and its tier then. */
  private runTiers(runId: number): Map<string, Tier> {
    // 'report' sorts before 'review': MIN is report when any repository held the token in the report tier.
    const rows = this.db.prepare<[number], { token_id: string; tier: string }>('SELECT token_id, MIN(tier) AS tier FROM run_tokens WHERE run_id = ? GROUP BY token_id').all(runId);
    return new Map(rows.map((r) => [r.token_id, r.tier === 'review' ? 'review' : 'report']));
  }

  /** Tokens new in run `to` (default: the last complete run) since run `from` (default: the complete run before it). */
  diff(from?: number, to?: number): DatastoreDiff {
    const complete = this.runs().filter((r) => r.status === 'complete');
    const toRun = to === undefined ? complete[complete.length - 1] : complete.find((r) => r.id === to);
    if (!toRun) throw new DatastoreError(to === undefined ? `no complete run in ${this.file} yet` : `no complete run ${to} in ${this.file}`);
    const fromRun = from === undefined ? complete.filter((r) => r.id < toRun.id).pop() : complete.find((r) => r.id === from);
    if (from !== undefined && !fromRun) throw new DatastoreError(`no complete run ${from} in ${this.file}`);
    if (fromRun?.keyCheck && toRun.keyCheck && fromRun.keyCheck !== toRun.keyCheck) {
      throw new DatastoreError(
        `runs ${fromRun.id} and ${toRun.id} of ${this.file} were made with different fingerprint keys (key checks ${fromRun.keyCheck} and ${toRun.keyCheck}): the same secret has another id under each key, so every token would look new; compare runs made with one key (--from, --to)`,
      );
    }
    const now = this.runTiers(toRun.id);
    const before = fromRun ? this.runTiers(fromRun.id) : new Map<string, Tier>();
    const added = [...now.keys()].filter((id) => !before.has(id));
    const removed = [...before.keys()].filter((id) => !now.has(id));
    const moved = [...now].filter(([id, tier]) => before.has(id) && before.get(id) !== tier).map(([id]) => id);
    const statusNow = this.runStatuses(toRun.id);
    const statusBefore = fromRun ? this.runStatuses(fromRun.id) : new Map<string, TokenStatus>();
    const changed = [...statusNow].filter(([id, s]) => before.has(id) && statusBefore.has(id) && statusBefore.get(id) !== s).map(([id]) => id);
    return {
      from: fromRun,
      to: toRun,
      added: this.tokensOfRun(toRun.id, added, now),
      removed: fromRun ? this.tokensOfRun(fromRun.id, removed, before) : [],
      retiered: this.tokensOfRun(toRun.id, moved, now).map((t) => ({ ...t, previousTier: before.get(t.id)! })),
      statusChanged: this.tokensOfRun(toRun.id, changed, now).map((t) => ({ ...t, status: statusNow.get(t.id)!, previousStatus: statusBefore.get(t.id)! })),
      unchanged: now.size - added.length,
    };
  }

  /**
   * A repository's last successful scan, if it was made in the same state (refs, HEAD, rules and settings, as
   * `state` sums them up): its record and its tokens, occurrences included, as that scan produced them.
   */
  unchangedRepository(name: string, state: string): { scan: RepositoryScan; tokens: Token[] } | undefined {
    const row = this.db.prepare<[string], { id: number; info: string; status: string; state: string | null }>('SELECT id, info, status, state FROM repositories WHERE name = ?').get(name);
    if (!row || row.status !== 'scanned' || row.state !== state) return undefined;
    return { scan: JSON.parse(row.info) as RepositoryScan, tokens: this.tokensOf(row.id) };
  }

  /** Records that a run found a repository unchanged: its results stay, its state too. */
  touchRepository(runId: number, name: string, scannedAt: string): void {
    this.db.prepare('UPDATE repositories SET scanned_at = ?, run_id = ? WHERE name = ?').run(scannedAt, runId, name);
  }

  /**
   * The current state: each token once per repository holding it, with its occurrences, score and tier there
   * (fold them by fingerprint, as InventoryMerger does).
   */
  currentTokens(): Token[] {
    return this.tokensOf();
  }

  /** Tokens as their repositories hold them (one entry per repository and token): of one repository, or of all. */
  private tokensOf(repoId?: number): Token[] {
    const tokens = new Map<string, Token>();
    const key = (repo: number, id: string) => `${repo}\0${id}`;
    const only = repoId === undefined ? '' : ' WHERE rt.repo_id = ?';
    const params = repoId === undefined ? [] : [repoId];
    const rows = this.db
      .prepare<unknown[], TierColumns & { id: string; repo_id: number; data: string; in_head: number; refs: string | null }>(
        `SELECT t.id, rt.repo_id, t.data, rt.in_head, rt.score, rt.tier, rt.reasons, rt.review, rt.refs FROM repo_tokens rt JOIN tokens t ON t.id = rt.token_id${only} ORDER BY t.id, rt.repo_id`,
      )
      .all(...params);
    for (const r of rows) {
      const t = { ...storedToken(r.data, r), occurrences: [], presentInHead: Boolean(r.in_head) } as Token;
      // Refs unknown (stored before they were): absent, not empty.
      if (r.refs !== null) t.refs = JSON.parse(r.refs) as string[];
      tokens.set(key(r.repo_id, r.id), t);
    }
    const occ = this.db
      .prepare<unknown[], { repo_id: number; token_id: string; name: string; commit_id: string; path: string; line: number; col: number; end_line: number; end_col: number; date: string | null; author_name: string | null; author_email: string | null; decoded: string | null; part: string | null; kind: string; path_fp: string | null }>(
        `SELECT o.*, r.name AS name FROM occurrences o JOIN repositories r ON r.id = o.repo_id${repoId === undefined ? '' : ' WHERE o.repo_id = ?'}`,
      )
      .iterate(...params);
    for (const o of occ) {
      const t = tokens.get(key(o.repo_id, o.token_id));
      if (!t) continue;
      const x: Occurrence = { path: o.path, line: o.line, column: o.col, endLine: o.end_line, endColumn: o.end_col, repo: o.name };
      if (o.commit_id) x.commit = o.commit_id;
      if (o.author_name !== null) x.author = { name: o.author_name, email: o.author_email ?? '' };
      if (o.date) x.date = o.date;
      if (o.decoded) x.decoded = o.decoded as Occurrence['decoded'];
      if (o.part) x.part = o.part;
      if (o.kind === 'path' || o.kind === 'author' || o.kind === 'message') x.kind = o.kind;
      if (o.path_fp) x.pathFingerprint = o.path_fp;
      t.occurrences.push(x);
    }
    return [...tokens.values()];
  }

  /** Caches providers' answers (one per token: the latest), with their time. */
  saveVerifications(list: Array<{ id: string } & StoredVerification>): void {
    const put = this.db.prepare('INSERT OR REPLACE INTO verifications (token_id, status, checked_at, data) VALUES (?, ?, ?, ?)');
    this.db.transaction(() => {
      for (const v of list) {
        put.run(v.id, v.verification.status, v.verification.checkedAt, JSON.stringify({ verification: v.verification, privilege: v.privilege, privilegeSource: v.privilegeSource }));
      }
    })();
  }

  /** The cached answer of each token's provider, by fingerprint. */
  verifications(): Map<string, StoredVerification> {
    const rows = this.db.prepare<[], { token_id: string; data: string }>('SELECT token_id, data FROM verifications').all();
    return new Map(rows.map((r) => [r.token_id, JSON.parse(r.data) as StoredVerification]));
  }

  /** Records one revocation attempt (kept, never replaced: the audit trail). */
  recordRevocation(id: string, r: TokenRevocation): void {
    this.db.prepare('INSERT INTO revocations (token_id, status, revoked_at, by_user, detail) VALUES (?, ?, ?, ?, ?)').run(id, r.status, r.revokedAt, r.by, r.detail ?? null);
  }

  /** Each token's latest revocation attempt, by fingerprint. */
  revocations(): Map<string, TokenRevocation> {
    const rows = this.db
      .prepare<[], { token_id: string; status: string; revoked_at: string; by_user: string; detail: string | null }>('SELECT token_id, status, revoked_at, by_user, detail FROM revocations ORDER BY id')
      .all();
    const out = new Map<string, TokenRevocation>();
    for (const r of rows) out.set(r.token_id, { status: r.status === 'revoked' ? 'revoked' : 'failed', revokedAt: r.revoked_at, by: r.by_user, ...(r.detail ? { detail: r.detail } : {}) });
    return out;
  }

  /** Writes the cached verification and the latest revocation onto tokens read from the datastore. In place. */
  withResponses<T extends Omit<Token, 'occurrences'>>(tokens: T[]): T[] {
    const ver = this.verifications();
    const rev = this.revocations();
    for (const t of tokens) {
      const v = ver.get(t.id);
      if (v) {
        t.verification = v.verification;
        if (v.privilegeSource) t.privilegeSource = v.privilegeSource;
        if (v.privilegeSource === 'observed' && v.privilege) t.privilege = v.privilege;
      }
      const r = rev.get(t.id);
      if (r) t.revocation = r;
    }
    return tokens;
  }

  /** Each repository's path on disk as last scanned, by name: where to read a secret again. */
  repositoryPaths(): Map<string, string> {
    return new Map(this.db.prepare<[], { name: string; path: string }>('SELECT name, path FROM repositories').all().map((r) => [r.name, r.path]));
  }

  /** Every repository as last recorded. */
  repositories(): RepositoryScan[] {
    return this.db
      .prepare<[], { info: string; status: string; error: string | null; scanned_at: string }>('SELECT info, status, error, scanned_at FROM repositories ORDER BY name')
      .all()
      .map((r) => ({ ...(JSON.parse(r.info) as RepositoryScan), status: r.status as RepositoryScan['status'], ...(r.error ? { error: r.error } : {}) }));
  }

  /**
   * Merges other datastores (one per shard) into this one: blob rows by rules version, repositories (the most
   * recent scan of each wins, with its tokens and occurrences), token descriptions. Then one complete run of kind
   * `merge` records the snapshot, so `inventory diff` works on the merged store as on any other.
   */
  mergeFrom(files: string[]): number {
    this.flush();
    // Every datastore's runs made with one fingerprint key (or none recorded): ids made under two keys never match.
    const keys = new Map<string, string>();
    for (const k of this.keyChecks()) keys.set(k, this.file);
    for (const file of files) {
      if (!isDatastoreFile(file)) throw new DatastoreError(`not a shadowscan datastore: ${file}`);
      // Checks the schema (and folds a WAL left by a killed run into the file) before reading it.
      const src = Datastore.open(file, { create: false });
      try {
        for (const k of src.keyChecks()) if (!keys.has(k)) keys.set(k, file);
      } finally {
        src.close();
      }
    }
    if (keys.size > 1) {
      const [[a, fa], [b, fb]] = [...keys];
      throw new DatastoreError(
        `${fb} was made with another fingerprint key than ${fa} (key checks ${b} and ${a}): the same secret has another id under each key, so every token would be counted twice; nothing was merged`,
      );
    }
    const runId = this.startRun('merge', { source: files.map((f) => path.basename(f)).join(', '), keyCheck: [...keys.keys()][0] });
    const before = this.db.prepare<[], { n: number }>('SELECT count(*) AS n FROM blobs').get()!.n;
    for (const file of files) {
      this.db.prepare('ATTACH DATABASE ? AS src').run(file);
      try {
        this.db.transaction(() => {
          this.db.exec(`
            INSERT OR IGNORE INTO rules_versions (hash, created_at) SELECT hash, created_at FROM src.rules_versions;
            INSERT OR IGNORE INTO blobs (key, version, bytes, findings)
              SELECT b.key, mv.id, b.bytes, b.findings FROM src.blobs b
              JOIN src.rules_versions sv ON sv.id = b.version JOIN main.rules_versions mv ON mv.hash = sv.hash;
            INSERT INTO tokens (id, rule_id, provider, severity, privilege, redacted, data, first_run, last_run, score, tier, reasons, review)
              SELECT id, rule_id, provider, severity, privilege, redacted, data, ${runId}, ${runId}, score, tier, reasons, review FROM src.tokens WHERE true
              ON CONFLICT(id) DO UPDATE SET data = excluded.data, rule_id = excluded.rule_id, provider = excluded.provider,
                severity = excluded.severity, privilege = excluded.privilege, redacted = excluded.redacted,
                score = excluded.score, tier = excluded.tier, reasons = excluded.reasons, review = excluded.review;
          `);
          // Schema 5 on: providers' answers (the latest wins) and every revocation. Older stores have neither.
          const srcTables = new Set(this.db.prepare<[], { name: string }>("SELECT name FROM src.sqlite_master WHERE type = 'table'").all().map((t) => t.name));
          if (srcTables.has('verifications')) {
            this.db.exec(`
              INSERT INTO verifications (token_id, status, checked_at, data) SELECT token_id, status, checked_at, data FROM src.verifications WHERE true
                ON CONFLICT(token_id) DO UPDATE SET status = excluded.status, checked_at = excluded.checked_at, data = excluded.data
                WHERE excluded.checked_at > verifications.checked_at;
              INSERT INTO revocations (token_id, status, revoked_at, by_user, detail) SELECT token_id, status, revoked_at, by_user, detail FROM src.revocations ORDER BY id;
            `);
          }
          const repos = this.db
            .prepare<[], { id: number; name: string; path: string; status: string; error: string | null; scanned_at: string; info: string; state: string | null }>('SELECT * FROM src.repositories')
            .all();
          for (const r of repos) {
            const mine = this.db.prepare<[string], { id: number; scanned_at: string; status: string }>('SELECT id, scanned_at, status FROM repositories WHERE name = ?').get(r.name);
            // The most recent scan of a repository wins. A failure keeps what the store held (as saveRepository does).
            if (mine && mine.scanned_at > r.scanned_at) continue;
            const info = JSON.parse(r.info) as RepositoryScan;
            if (r.status === 'failed' && mine) {
              this.db.prepare('UPDATE repositories SET status = ?, error = ?, scanned_at = ?, run_id = ? WHERE id = ?').run('failed', r.error, r.scanned_at, runId, mine.id);
              continue;
            }
            const id = this.repoId(r.name, r.path, runId, { ...info, status: r.status as RepositoryScan['status'], ...(r.error ? { error: r.error } : {}) }, r.status === 'scanned' ? r.state : null);
            this.db.prepare('DELETE FROM occurrences WHERE repo_id = ?').run(id);
            this.db.prepare('DELETE FROM repo_tokens WHERE repo_id = ?').run(id);
            this.db
              .prepare('INSERT INTO repo_tokens (repo_id, token_id, in_head, score, tier, reasons, review, refs) SELECT ?, token_id, in_head, score, tier, reasons, review, refs FROM src.repo_tokens WHERE repo_id = ?')
              .run(id, r.id);
            this.db
              .prepare(
                `INSERT OR IGNORE INTO occurrences (repo_id, token_id, commit_id, path, line, col, end_line, end_col, date, author_name, author_email, decoded, part, kind, path_fp)
                 SELECT ?, token_id, commit_id, path, line, col, end_line, end_col, date, author_name, author_email, decoded, part, kind, path_fp FROM src.occurrences WHERE repo_id = ?`,
              )
              .run(id, r.id);
          }
        })();
      } finally {
        this.db.prepare('DETACH DATABASE src').run();
      }
    }
    const repos = this.repositories();
    const blobs = this.db.prepare<[], { n: number }>('SELECT count(*) AS n FROM blobs').get()!.n;
    const tiers = this.db.prepare<[], { tier: string }>('SELECT MIN(tier) AS tier FROM repo_tokens GROUP BY token_id').all();
    const review = tiers.filter((t) => t.tier === 'review').length;
    this.finishRun(runId, { repositories: repos.length, failed: repos.filter((r) => r.status === 'failed').length, blobsRead: 0, blobsReused: blobs - before, bytes: 0, tokens: tiers.length, review });
    return runId;
  }

  /** The fingerprint key checks the runs recorded (none for a new store or runs stored before checks were). */
  keyChecks(): string[] {
    return this.db.prepare<[], { k: string }>('SELECT DISTINCT key_check AS k FROM runs WHERE key_check IS NOT NULL ORDER BY k').all().map((r) => r.k);
  }

  /** Consistency check (tests, and `inventory diff` on a store a crash may have left). */
  integrity(): string {
    return this.db.pragma('integrity_check', { simple: true }) as string;
  }

  close(): void {
    try {
      this.flush();
    } finally {
      this.db.close();
    }
  }
}
