// Org scans: the history of every repository under a folder (or in a list), a bounded number at a time, all
// matched by one shared pool of worker threads, folded into one inventory where a token found in seven
// repositories is one entry with occurrences in all seven. With a datastore, blobs already matched by the same
// rules and settings are answered from it instead of being read again.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pLimit from 'p-limit';
import type { Inventory, OrgScanInfo, RepositoryScan, Rule, SkippedFile, Token } from '../model/index.js';
import { runGitRaw } from '../sources/git/index.js';
import type { Datastore } from '../store/index.js';
import type { Finding } from './findings.js';
import { InventoryBuilder } from './inventory.js';
import { isReported } from './tiers.js';
import { MatcherPool } from './pool.js';
import { fingerprintSecret, keyCheck } from './redact.js';
import { attachProvenance, scanHistory, type BlobMemo, type RepoScanOptions } from './scan-history.js';
import { defaultConcurrency, findingContextOptions, minScoreFor } from './scan-tree.js';

export interface OrgRepository {
  /** Stable name: the path relative to the folder searched, or the line of the list file. */
  name: string;
  /** Where it is on disk (absolute). */
  path: string;
  /**
   * Why it could not be made ready (a mirror that failed to clone or fetch): it is reported as failed, with this
   * one line, and the datastore keeps what its last good scan found.
   */
  error?: string;
}

export class OrgUsageError extends Error {}

/** Folders never searched for repositories (a repository's own files are never searched either). */
const SKIP_DIRS = new Set(['node_modules', '.hg', '.svn']);
const MAX_DEPTH = 12;

function isBareRepository(dir: string, names: Set<string>): boolean {
  if (!names.has('HEAD') || !names.has('objects') || !names.has('refs')) return false;
  try {
    return /^(ref: refs\/|[0-9a-f]{40,64}\s*$)/.test(fs.readFileSync(path.join(dir, 'HEAD'), 'utf8'));
  } catch {
    return false;
  }
}

/**
 * Every git repository under `root`: working trees (a `.git` folder or file) and bare repositories (HEAD, objects/
 * and refs/). A repository's own folders are not searched further; symbolic links are not followed.
 */
export function discoverRepositories(root: string): { repositories: OrgRepository[]; warnings: string[] } {
  const abs = path.resolve(root);
  const st = fs.statSync(abs, { throwIfNoEntry: false });
  if (!st?.isDirectory()) throw new OrgUsageError(`not a folder: ${root}`);
  const repositories: OrgRepository[] = [];
  const warnings: string[] = [];
  const walk = (dir: string, depth: number) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch (err) {
      warnings.push(`cannot read folder ${path.relative(abs, dir) || '.'}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}; repositories in it were not scanned`);
      return;
    }
    const names = new Set(entries.map((e) => e.name));
    const rel = path.relative(abs, dir).split(path.sep).join('/') || '.';
    if (names.has('.git') || isBareRepository(dir, names)) {
      repositories.push({ name: rel, path: dir });
      return;
    }
    if (depth >= MAX_DEPTH) return;
    for (const e of entries) {
      if (e.isDirectory() && !SKIP_DIRS.has(e.name)) walk(path.join(dir, e.name), depth + 1);
    }
  };
  walk(abs, 0);
  repositories.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { repositories, warnings };
}

/** A list file: one repository path per line (relative paths from the current folder); blank lines and # comments skipped. */
export function readRepositoryList(file: string): OrgRepository[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new OrgUsageError(`cannot read repository list ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const seen = new Set<string>();
  const out: OrgRepository[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const name = line.length > 1 ? line.replace(/\/+$/, '') : line;
    const abs = path.resolve(name);
    if (seen.has(abs)) continue;
    seen.add(abs);
    out.push({ name, path: abs });
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** `I/N` with 1 <= I <= N. */
export function parseShard(text: string): { index: number; count: number } {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index < 1 || index > count) throw new OrgUsageError(`--shard must be I/N with 1 <= I <= N (got "${text}")`);
  return { index, count };
}

/**
 * The slice a repository belongs to depends only on its name and the number of slices: adding or removing a
 * repository never moves another one to a different shard.
 */
export function shardOf(name: string, count: number): number {
  return crypto.createHash('sha256').update(name, 'utf8').digest().readUInt32BE(0) % count;
}

export function selectShard<T extends { name: string }>(repos: T[], shard: { index: number; count: number }): T[] {
  return repos.filter((r) => shardOf(r.name, shard.count) === shard.index - 1);
}

let codeHash: string | undefined;

/** The matching code itself, so that a changed matcher never reuses what an older one found. */
function matcherCodeHash(): string {
  if (codeHash) return codeHash;
  const h = crypto.createHash('sha256');
  const here = path.dirname(fileURLToPath(import.meta.url));
  // Run from the bundle (bin/shadowscan.js), all the code is in the bundle's own files.
  if (path.basename(here) === 'bundle') {
    for (const f of fs.readdirSync(here).filter((n) => /\.c?js$/.test(n)).sort()) h.update(f).update(fs.readFileSync(path.join(here, f)));
    return (codeHash = h.digest('hex'));
  }
  for (const dir of [path.join(here, '../match'), path.join(here, '../rules')]) {
    let files: string[] = [];
    try {
      files = fs.readdirSync(dir).filter((f) => /\.(js|ts)$/.test(f)).sort();
    } catch {
      // Nothing to add.
    }
    for (const f of files) h.update(f).update(fs.readFileSync(path.join(dir, f)));
  }
  h.update(fs.readFileSync(path.join(here, `findings${path.extname(fileURLToPath(import.meta.url))}`)));
  // What opens archives decides which members are matched.
  for (const f of ['archives', 'archive-kind']) h.update(fs.readFileSync(path.join(here, `../sources/${f}${path.extname(fileURLToPath(import.meta.url))}`)));
  return (codeHash = h.digest('hex'));
}

/**
 * The version key of what a blob's findings depend on: the rules, the allowlisted secrets and stopwords, the
 * size limit, the fingerprint key (as a keyed hash, never itself), the tool version and the matching code.
 */
export function rulesVersion(o: Pick<RepoScanOptions, 'rules' | 'config' | 'fingerprintKey' | 'maxFileSize' | 'version' | 'archives'>): string {
  // Examples never change what a rule matches (and the rules cache leaves them out); keys in a fixed order.
  const rules = [...o.rules].sort((a, b) => (a.id < b.id ? -1 : 1)).map(({ examples: _e, negativeExamples: _n, ...r }) => r);
  const canonical = (_k: string, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1))) : v;
  return crypto
    .createHash('sha256')
    .update(JSON.stringify({ v: o.version, rules, secrets: o.config.allowlist.secrets, stopwords: o.config.allowlist.stopwords, max: o.maxFileSize, ...(o.archives ? { archives: o.archives } : {}) }, canonical))
    .update(fingerprintSecret(o.fingerprintKey, 'shadowscan/rules-version'))
    .update(matcherCodeHash())
    .digest('hex')
    .slice(0, 32);
}

/** A repository's common git directory (where refs, logs and `shallow` live), found without running git. */
function commonDir(repoPath: string): string | undefined {
  const dotGit = path.join(repoPath, '.git');
  const st = fs.statSync(dotGit, { throwIfNoEntry: false });
  let gitDir = repoPath;
  if (st?.isDirectory()) gitDir = dotGit;
  else if (st?.isFile()) {
    const m = /^gitdir:\s*(.+?)\s*$/m.exec(fs.readFileSync(dotGit, 'utf8'));
    if (!m) return undefined;
    gitDir = path.resolve(repoPath, m[1]);
  }
  try {
    return path.resolve(gitDir, fs.readFileSync(path.join(gitDir, 'commondir'), 'utf8').trim());
  } catch {
    return gitDir;
  }
}

/**
 * What a repository's history scan depends on besides the rules and settings: HEAD and every ref (one `git
 * show-ref --head`: each spawn costs the main thread about 10 ms), the stash's reflog, a shallow boundary and
 * grafts. Undefined when it cannot tell (the scan then runs, and says why).
 */
export async function repositoryState(repoPath: string): Promise<string | undefined> {
  const dir = commonDir(repoPath);
  if (!dir) return undefined;
  const refs = await runGitRaw(repoPath, ['show-ref', '--head']);
  // 1 with no output: an empty repository (no refs yet).
  if (refs.code !== 0 && !(refs.code === 1 && !refs.stdout.length)) return undefined;
  const h = crypto.createHash('sha256').update(refs.stdout).update('\0');
  for (const f of ['logs/refs/stash', 'shallow', 'info/grafts']) {
    try {
      h.update(f).update(fs.readFileSync(path.join(dir, f)));
    } catch {
      // Absent: nothing to add.
    }
  }
  return h.digest('hex');
}

const MAX_SKIPPED = 1000;
const MAX_WARNINGS = 200;

/** A repository's token counts: report tier, and review tier when there are any. */
export function tierCounts(tokens: Token[]): Pick<RepositoryScan, 'tokens' | 'review'> {
  const reported = tokens.filter(isReported).length;
  const review = tokens.length - reported;
  return { tokens: reported, review: review || undefined };
}

/**
 * Folds inventories into one: each repository's history scan (its occurrences gain `repo`), or whole inventories
 * (org scans of other shards, history scans of single repositories). Provenance is recomputed across them.
 */
export class InventoryMerger {
  private readonly builder: InventoryBuilder;
  private readonly inHead = new Set<string>();
  /** The refs whose tip holds each token, each prefixed with its repository; absent when no input knew them. */
  private readonly refs = new Map<string, Set<string>>();
  private readonly repositories = new Map<string, RepositoryScan>();
  private readonly skipped: SkippedFile[] = [];
  private readonly warnings: string[] = [];
  private moreSkipped = 0;
  private moreWarnings = 0;
  private files = 0;
  private bytes = 0;
  private commits = 0;
  private blobs = 0;
  private blobsRead = 0;
  private blobsReused = 0;
  private startedAt: string | undefined;
  private durationMs = 0;
  private backend: 'git' | 'isomorphic-git' = 'git';
  private rulesCount = 0;
  private rulesVersions = new Set<string>();
  private minScores = new Set<number>();
  private shards = new Map<number, Set<number>>();
  /** The fingerprint key's check every inventory merged must carry (the first one's, unless given). */
  private keyCheck: string | undefined;
  /** Inventories merged that carry no key check (made before inventories had one). */
  private unchecked = 0;

  /**
   * `minScore`: the one the repositories are scanned with; merged inventories keep their tokens' tiers.
   * `keyCheck`: the fingerprint key's check (keyCheck()) of the scan, when the merger serves one.
   */
  constructor(rules: Rule[], options: { minScore?: number; keyCheck?: string } = {}) {
    this.builder = new InventoryBuilder(new Map(rules.map((r) => [r.id, r])), options);
    this.rulesCount = rules.length;
    if (options.minScore !== undefined) this.minScores.add(options.minScore);
    this.keyCheck = options.keyCheck;
  }

  /**
   * Ids made under different fingerprint keys never match: merging them would list every token twice (once per
   * key). An inventory whose key check differs from the others' is refused.
   */
  private checkKey(inv: Inventory): void {
    const k = inv.scan.keyCheck;
    if (k === undefined) {
      this.unchecked++;
      return;
    }
    if (this.keyCheck !== undefined && k !== this.keyCheck) {
      throw new OrgUsageError(
        `made with another fingerprint key than the inventories before it (key check ${k}, not ${this.keyCheck}): the same secret has another id under each key, so every token would be counted twice; scan again with the same SHADOWSCAN_FINGERPRINT_KEY (or fingerprintKey)`,
      );
    }
    this.keyCheck = k;
  }

  private skip(s: SkippedFile): void {
    if (this.skipped.length < MAX_SKIPPED) this.skipped.push(s);
    else this.moreSkipped++;
  }

  private warn(w: string): void {
    if (this.warnings.length < MAX_WARNINGS) this.warnings.push(w);
    else this.moreWarnings++;
  }

  private repository(scan: RepositoryScan): void {
    const had = this.repositories.get(scan.name);
    if (!had || had.scannedAt <= scan.scannedAt) this.repositories.set(scan.name, scan);
  }

  private tokens(inv: Inventory, repo?: string): void {
    for (const t of inv.tokens) {
      if (repo !== undefined) for (const o of t.occurrences) o.repo ??= repo;
      if (t.presentInHead) this.inHead.add(t.id);
      if (t.refs) {
        // A ref name never holds ':' (git forbids it): one that does already names its repository.
        const at = repo ?? t.occurrences.find((o) => o.repo !== undefined)?.repo;
        const refs = this.refs.get(t.id) ?? new Set<string>();
        for (const r of t.refs) refs.add(r.includes(':') || at === undefined ? r : `${at}:${r}`);
        this.refs.set(t.id, refs);
      }
      this.builder.addToken(t);
    }
  }

  /** One repository's history inventory. */
  addRepository(name: string, inv: Inventory, scan: RepositoryScan): void {
    if (inv.scan.keyCheck !== undefined) this.checkKey(inv);
    this.tokens(inv, name);
    this.repository(scan);
    this.files += inv.scan.files;
    this.bytes += inv.scan.bytes;
    this.commits += inv.scan.history?.commits ?? 0;
    this.blobs += inv.scan.history?.blobs ?? 0;
    this.blobsRead += scan.blobs ?? 0;
    this.blobsReused += scan.reused ?? 0;
    if (inv.scan.history?.backend === 'isomorphic-git') this.backend = 'isomorphic-git';
    for (const s of inv.scan.skipped) this.skip({ path: `${name}: ${s.path}`, reason: s.reason });
    for (const w of inv.scan.warnings) this.warn(`${name}: ${w}`);
  }

  addFailure(scan: RepositoryScan): void {
    this.repository(scan);
  }

  addWarning(w: string): void {
    this.warn(w);
  }

  /** A whole inventory: an org scan (of one shard, say) or a history scan of one repository. */
  addInventory(inv: Inventory): void {
    if (inv.schemaVersion !== 1 || !Array.isArray(inv.tokens) || !inv.scan) throw new OrgUsageError('not a shadowscan inventory (schemaVersion 1)');
    this.checkKey(inv);
    if (!this.startedAt || inv.scan.startedAt < this.startedAt) this.startedAt = inv.scan.startedAt;
    this.durationMs += inv.scan.durationMs;
    if (inv.scan.minScore !== undefined) this.minScores.add(inv.scan.minScore);
    const org = inv.scan.org;
    if (org) {
      this.tokens(inv);
      for (const r of org.repositories) {
        if (this.repositories.has(r.name)) this.warn(`repository ${r.name} is in more than one of the inventories merged (the same shard twice?): its counts are added twice`);
        this.repository(r);
      }
      this.blobsRead += org.blobsRead;
      this.blobsReused += org.blobsReused;
      if (org.rulesVersion) this.rulesVersions.add(org.rulesVersion);
      if (org.shard) {
        const s = this.shards.get(org.shard.count) ?? new Set<number>();
        s.add(org.shard.index);
        this.shards.set(org.shard.count, s);
      }
      for (const s of inv.scan.skipped) this.skip(s);
      for (const w of inv.scan.warnings) this.warn(w);
    } else {
      const name = inv.scan.targets[0] ?? '.';
      this.tokens(inv, name);
      this.repository({
        name,
        status: 'scanned',
        scannedAt: inv.scan.startedAt,
        durationMs: inv.scan.durationMs,
        commits: inv.scan.history?.commits,
        blobs: inv.scan.history?.blobs,
        bytes: inv.scan.bytes,
        ...tierCounts(inv.tokens),
        ...(inv.scan.history?.head ? { head: inv.scan.history.head } : {}),
      });
      this.blobsRead += inv.scan.history?.blobs ?? 0;
      for (const s of inv.scan.skipped) this.skip({ path: `${name}: ${s.path}`, reason: s.reason });
      for (const w of inv.scan.warnings) this.warn(`${name}: ${w}`);
    }
    this.files += inv.scan.files;
    this.bytes += inv.scan.bytes;
    this.commits += inv.scan.history?.commits ?? 0;
    this.blobs += inv.scan.history?.blobs ?? 0;
    if (inv.scan.history?.backend === 'isomorphic-git') this.backend = 'isomorphic-git';
    this.rulesCount = Math.max(this.rulesCount, inv.scan.rules);
  }

  get size(): number {
    return this.builder.size;
  }

  /** Every shard of one split merged: the result stands for the whole run. */
  private mergedShard(): OrgScanInfo['shard'] {
    if (this.shards.size !== 1) return undefined;
    const [[count, indexes]] = [...this.shards];
    if (indexes.size === count) return undefined;
    return indexes.size === 1 ? { index: [...indexes][0], count } : undefined;
  }

  build(o: { version: string; source: string; startedAt?: string; durationMs?: number; shard?: OrgScanInfo['shard']; datastore?: string; rulesVersion?: string; fingerprints?: string[] }): Inventory {
    if (o.fingerprints) this.builder.dropFingerprints(o.fingerprints);
    const repositories = [...this.repositories.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const warnings = [...this.warnings].sort();
    if (this.unchecked && this.keyCheck !== undefined) {
      warnings.push(`${this.unchecked} of the inventories merged carry no key check (made by an older shadowscan): whether they were made with the same fingerprint key could not be checked`);
    }
    if (this.moreWarnings) warnings.push(`... and ${this.moreWarnings} more warnings`);
    if (this.moreSkipped) warnings.push(`${this.moreSkipped} more skipped blobs not listed in scan.skipped`);
    const skipped = [...this.skipped].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.reason < b.reason ? -1 : a.reason > b.reason ? 1 : 0));
    const org: OrgScanInfo = { source: o.source, repositories, blobsRead: this.blobsRead, blobsReused: this.blobsReused };
    const shard = o.shard ?? this.mergedShard();
    for (const [count, indexes] of this.shards) {
      if (indexes.size > 1 && indexes.size < count) {
        const missing = Array.from({ length: count }, (_, i) => i + 1).filter((i) => !indexes.has(i));
        warnings.push(`merged ${indexes.size} of ${count} shards: shard${missing.length > 1 ? 's' : ''} ${missing.join(', ')} missing, so repositories in ${missing.length > 1 ? 'them are' : 'it are'} not in this inventory`);
      }
    }
    if (shard) org.shard = shard;
    if (o.datastore) org.datastore = o.datastore;
    const rv = o.rulesVersion ?? (this.rulesVersions.size === 1 ? [...this.rulesVersions][0] : undefined);
    if (rv) org.rulesVersion = rv;
    const inv = this.builder.build(
      {
        targets: repositories.map((r) => r.name),
        startedAt: o.startedAt ?? this.startedAt ?? new Date().toISOString(),
        durationMs: o.durationMs ?? this.durationMs,
        files: this.files,
        bytes: this.bytes,
        skipped,
        warnings,
        rules: this.rulesCount,
        ...(this.keyCheck !== undefined ? { keyCheck: this.keyCheck } : {}),
        history: { mode: 'history', backend: this.backend, commits: this.commits, blobs: this.blobs },
        // Said only when every inventory merged was tiered with the same minimum.
        ...(this.minScores.size === 1 ? { minScore: [...this.minScores][0] } : {}),
        org,
      },
      o.version,
    );
    attachProvenance(inv.tokens, this.inHead, (id) => this.refs.get(id));
    for (const t of inv.tokens) {
      const repos = [...new Set(t.occurrences.map((x) => x.repo).filter((r): r is string => r !== undefined))].sort();
      if (repos.length) t.repos = repos;
    }
    return inv;
  }
}

/** What an org scan has done so far; the CLI reads it to draw progress. */
export class OrgProgress {
  total = 0;
  done = 0;
  failed = 0;
  bytes = 0;
  blobsRead = 0;
  blobsReused = 0;
  readonly startedAt = Date.now();
  /** Size of each repository's object store: completed weight over total weight estimates the time left. */
  weightTotal = 0;
  weightDone = 0;
  readonly running = new Set<string>();
  private readonly ids = new Set<string>();

  get tokens(): number {
    return this.ids.size;
  }

  saw(findings: Array<{ id: string }>): void {
    for (const f of findings) this.ids.add(f.id);
  }

  /** Milliseconds left, once there is something to go by. */
  eta(now = Date.now()): number | undefined {
    if (!this.weightDone || !this.weightTotal) return undefined;
    return ((now - this.startedAt) * (this.weightTotal - this.weightDone)) / this.weightDone;
  }
}

/** On-disk size of a repository's packs (a cheap estimate of its share of the work), at least 64 KB. */
function repositoryWeight(repoPath: string): number {
  let n = 0;
  for (const objects of [path.join(repoPath, '.git', 'objects'), path.join(repoPath, 'objects')]) {
    try {
      const packDir = path.join(objects, 'pack');
      for (const f of fs.readdirSync(packDir)) if (f.endsWith('.pack')) n += fs.statSync(path.join(packDir, f)).size;
      const loose = fs.readdirSync(objects).filter((d) => /^[0-9a-f]{2}$/.test(d)).length;
      n += loose * 16 * 1024;
      break;
    } catch {
      // Not this layout (or unreadable): the scan will say.
    }
  }
  return Math.max(n, 64 * 1024);
}

export interface OrgScanOptions extends Omit<RepoScanOptions, 'repo' | 'opened' | 'pool' | 'memo'> {
  repositories: OrgRepository[];
  /** The folder searched or the list file, for the report. */
  source: string;
  shard?: { index: number; count: number };
  /** Repositories scanned at once (default 4). */
  repoConcurrency?: number;
  store?: Datastore;
  /** Drop repositories missing from this (complete, unsharded) listing from the datastore. */
  pruneStore?: boolean;
  /** Notes for the report (repositories that could not be listed). */
  warnings?: string[];
  progress?: OrgProgress;
  onRepositoryFailed?: (name: string, error: string) => void;
}

const oneLine = (err: unknown) => String((err as Error)?.message ?? err).split('\n')[0].trim() || 'failed';

/** A repository's inventory as its last scan stored it (nothing read now). */
function storedInventory(tokens: Token[], scan: RepositoryScan, o: OrgScanOptions): Inventory {
  return {
    schemaVersion: 1,
    tool: { name: 'shadowscan', version: o.version },
    scan: {
      targets: [scan.name],
      startedAt: scan.scannedAt,
      durationMs: 0,
      files: 0,
      bytes: 0,
      skipped: [],
      warnings: [],
      rules: o.rules.length,
      history: { mode: 'history', backend: 'git', commits: scan.commits ?? 0, blobs: 0 },
    },
    tokens,
  };
}

export async function scanOrg(o: OrgScanOptions): Promise<Inventory> {
  const started = Date.now();
  const startedAt = new Date(started).toISOString();
  const progress = o.progress ?? new OrgProgress();
  progress.total = o.repositories.length;
  const weights = new Map(o.repositories.map((r) => [r.name, repositoryWeight(r.path)]));
  progress.weightTotal = [...weights.values()].reduce((a, b) => a + b, 0);
  const minScore = minScoreFor(o);
  const keys = keyCheck(o.fingerprintKey);
  const merger = new InventoryMerger(o.rules, { minScore, keyCheck: keys });
  for (const w of o.warnings ?? []) merger.addWarning(w);
  const version = rulesVersion(o);
  // A repository whose state and these settings match its last scan's is not scanned again: its stored results are.
  // The minimum score decides the tiers stored with them, so it is one of the settings (its blobs are not: findings
  // do not depend on it). `refs`: what a scan stores per token (the refs holding it, since datastore schema 4), so
  // that a repository stored before is listed again once.
  const settings = crypto
    .createHash('sha256')
    .update(JSON.stringify(['refs', version, o.exclude ?? [], o.config.exclude, o.config.allowlist.paths, o.config.allowlist.fingerprints, o.includeVendored ?? o.config.includeVendored ?? false, minScore]))
    .digest('hex');
  const store = o.store;
  const versionId = store?.versionId(version);
  const shardText = o.shard ? `${o.shard.index}/${o.shard.count}` : undefined;
  if (store?.keyChecks().some((k) => k !== keys)) {
    merger.addWarning(`datastore ${store.file} holds runs made with another fingerprint key: \`inventory diff\` cannot compare this run with those (the same secret has another id under each key)`);
  }
  const runId = store?.startRun('scan', { version: versionId, source: o.source, shard: shardText, startedAt, minScore, keyCheck: keys });
  // Every repository's state first, while this process is small: forking it to run git costs about 1 ms now and
  // 20 ms once the workers and buffers take 400 MB. A ref that moves after this only makes the next run rescan.
  const states = new Map<string, string | undefined>();
  if (store) {
    const few = pLimit(4);
    await Promise.all(o.repositories.filter((r) => !r.error).map((r) => few(async () => states.set(r.name, await repositoryState(r.path).catch(() => undefined)))));
  }
  const pool = new MatcherPool(Math.max(1, o.concurrency ?? defaultConcurrency()), findingContextOptions(o), o.archives);
  const limit = pLimit(Math.max(1, o.repoConcurrency ?? 4));

  const scanOne = async (repo: OrgRepository) => {
    const t0 = Date.now();
    const scannedAt = new Date(t0).toISOString();
    progress.running.add(repo.name);
    let read = 0;
    let reused = 0;
    let state: string | undefined;
    if (store && !repo.error) {
      const s = states.get(repo.name);
      state = s && crypto.createHash('sha256').update(settings).update(s).digest('hex');
      const known = state ? store.unchangedRepository(repo.name, state) : undefined;
      if (known) {
        const scan: RepositoryScan = { ...known.scan, scannedAt, durationMs: Date.now() - t0, blobs: 0, reused: 0, bytes: 0, ...tierCounts(known.tokens), unchanged: true };
        store.touchRepository(runId!, repo.name, scannedAt);
        progress.saw(known.tokens);
        merger.addRepository(repo.name, storedInventory(known.tokens, known.scan, o), scan);
        progress.running.delete(repo.name);
        progress.done++;
        progress.weightDone += weights.get(repo.name) ?? 0;
        return;
      }
    }
    const memo: BlobMemo = {
      recall(key) {
        if (!store) return undefined;
        const known = store.getBlob(key, versionId!);
        if (known === undefined) return undefined;
        reused++;
        progress.blobsReused++;
        const findings = known ? (JSON.parse(known) as Finding[]) : [];
        progress.saw(findings);
        return findings;
      },
      remember(key, findings, bytes) {
        read++;
        progress.blobsRead++;
        progress.bytes += bytes;
        progress.saw(findings);
        // Never the raw secret, even under --show-secrets.
        store?.putBlob(key, versionId!, bytes, findings.length ? JSON.stringify(findings.map(({ secret: _s, held: _h, ...f }) => f)) : null);
      },
    };
    try {
      if (repo.error) throw new Error(repo.error);
      const inv = await scanHistory({
        repo: repo.path,
        rules: o.rules,
        config: o.config,
        exclude: o.exclude,
        includeVendored: o.includeVendored,
        maxFileSize: o.maxFileSize,
        concurrency: o.concurrency,
        showSecrets: o.showSecrets,
        heldSecrets: o.heldSecrets,
        fingerprintKey: o.fingerprintKey,
        version: o.version,
        minScore,
        backend: o.backend,
        pool,
        memo,
        ...(o.archives ? { archives: o.archives } : {}),
      });
      for (const t of inv.tokens) for (const x of t.occurrences) x.repo = repo.name;
      const h = inv.scan.history;
      const scan: RepositoryScan = {
        name: repo.name,
        status: 'scanned',
        scannedAt,
        durationMs: Date.now() - t0,
        commits: h?.commits ?? 0,
        blobs: read,
        reused,
        bytes: inv.scan.bytes,
        ...tierCounts(inv.tokens),
      };
      if (h?.head) scan.head = h.head;
      if (h?.bare) scan.bare = true;
      store?.saveRepository(runId!, repo.path, scan, inv.tokens, state);
      merger.addRepository(repo.name, inv, scan);
    } catch (err) {
      const scan: RepositoryScan = { name: repo.name, status: 'failed', error: oneLine(err), scannedAt, durationMs: Date.now() - t0 };
      progress.failed++;
      try {
        store?.saveRepository(runId!, repo.path, scan);
      } finally {
        merger.addFailure(scan);
        merger.addWarning(`repository ${repo.name} failed: ${scan.error}; the others were scanned`);
        o.onRepositoryFailed?.(repo.name, scan.error!);
      }
    } finally {
      progress.running.delete(repo.name);
      progress.done++;
      progress.weightDone += weights.get(repo.name) ?? 0;
    }
  };

  try {
    await Promise.all(o.repositories.map((r) => limit(() => scanOne(r))));
  } finally {
    await pool.close();
  }
  const inv = merger.build({
    version: o.version,
    source: o.source,
    startedAt,
    durationMs: 0,
    shard: o.shard,
    datastore: store?.file,
    rulesVersion: version,
    fingerprints: o.config.allowlist.fingerprints,
  });
  if (store) {
    store.finishRun(
      runId!,
      {
        repositories: o.repositories.length,
        failed: progress.failed,
        blobsRead: progress.blobsRead,
        blobsReused: progress.blobsReused,
        bytes: inv.scan.bytes,
        tokens: inv.tokens.length,
        review: inv.tokens.filter((t) => !isReported(t)).length,
      },
      { tokens: inv.tokens, scope: o.pruneStore && !o.shard ? o.repositories.map((r) => r.name) : undefined },
    );
  }
  inv.scan.durationMs = Date.now() - started;
  return inv;
}
