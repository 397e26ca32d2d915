// Orchestrates a working-tree scan: walk, match (inline or across worker threads), fold into an inventory.
import os from 'node:os';
import type { Inventory, Rule } from '../model/index.js';
import { FileTreeSource, type ArchiveLimits, type FileEntry } from '../sources/index.js';
import { FindingContext, NameScanner, type FindingContextOptions, type HeldSecret } from './findings.js';
import { InventoryBuilder } from './inventory.js';
import { MatcherPool } from './pool.js';
import { processItem, resultNotes, type WorkItem, type WorkResult } from './work.js';
import { chunkCount } from '../match/index.js';
import { keyCheck } from './redact.js';
import { DEFAULT_MIN_SCORE, type ShadowscanConfig } from './config.js';
import type { ScanProgress } from './progress.js';

/** What every kind of scan (tree, history, staged, org) is told: rules, config, limits, output of secrets. */
export interface ScanSettings {
  rules: Rule[];
  config: ShadowscanConfig;
  exclude?: string[];
  includeVendored?: boolean;
  maxFileSize: number;
  concurrency?: number;
  showSecrets?: boolean;
  fingerprintKey: string;
  version: string;
  /** Tokens scoring below this go to the review tier (default: the config's minScore, else DEFAULT_MIN_SCORE). */
  minScore?: number;
  /** Open archives and packages with these limits and match their members (none: archives are binary files). */
  archives?: ArchiveLimits;
  /** --verify: filled with each token's raw secret and parts, by fingerprint, for this run's memory only. */
  heldSecrets?: Map<string, HeldSecret>;
}

export interface TreeScanOptions extends ScanSettings {
  targets: string[];
  /** The folder the config and ignore file were found in: their path patterns are relative to it (default: each target). */
  root?: string;
  /** In a git work tree, leave out what git ignores (default true; `--no-ignore` turns it off). */
  gitIgnore?: boolean;
  /** Counts files done as the scan goes, for a progress display. */
  progress?: ScanProgress;
}

/** Below this much work, starting worker threads costs more than it saves. */
export const INLINE_MAX_FILES = 200;
export const INLINE_MAX_BYTES = 8 * 1024 * 1024;
export const BATCH_FILES = 64;
export const BATCH_BYTES = 4 * 1024 * 1024;
/** Walks do not stat: sizes are estimated for batching until the reader knows them. */
const AVERAGE_FILE = 16 * 1024;

export function defaultConcurrency(): number {
  return Math.max(1, os.availableParallelism?.() ?? os.cpus().length);
}

export function findingContextOptions(o: Pick<TreeScanOptions, 'rules' | 'config' | 'showSecrets' | 'fingerprintKey' | 'heldSecrets'>): FindingContextOptions {
  return {
    rules: o.rules,
    fingerprintKey: o.fingerprintKey,
    showSecrets: o.showSecrets ?? false,
    ...(o.heldSecrets ? { holdSecrets: true } : {}),
    allowSecrets: o.config.allowlist.secrets,
    stopwords: o.config.allowlist.stopwords,
  };
}

/** The minimum score a scan uses: the option, else the config's, else the default. */
export function minScoreFor(o: Pick<ScanSettings, 'minScore' | 'config'>): number {
  return o.minScore ?? o.config.minScore ?? DEFAULT_MIN_SCORE;
}

export async function scanTree(options: TreeScanOptions): Promise<Inventory> {
  const started = Date.now();
  const source = new FileTreeSource({
    targets: options.targets,
    exclude: options.exclude,
    rootExclude: [...options.config.exclude, ...options.config.allowlist.paths],
    root: options.root,
    gitIgnore: options.gitIgnore ?? true,
    includeVendored: options.includeVendored ?? options.config.includeVendored ?? false,
    maxFileSize: options.maxFileSize,
  });
  const minScore = minScoreFor(options);
  const builder = new InventoryBuilder(new Map(options.rules.map((r) => [r.id, r])), { minScore, held: options.heldSecrets });
  const multi = options.targets.length > 1;
  let files = 0;
  let bytes = 0;
  const progress = options.progress;
  // Tokens in file and folder names: matched like content, reported as `path` occurrences, redacted in the inventory.
  const names = new NameScanner(findingContextOptions(options), (f, where) => builder.add(f, where));
  /** `later`: a result for a chunk after the first of a split file (the first counts the file). */
  const record = (entry: FileEntry, r: WorkResult, later = false) => {
    const shown = multi ? `${entry.target}/${entry.relPath}` : entry.relPath;
    if (progress) {
      if (!later) progress.done++;
      if (!r.skipped) progress.bytes += r.bytes;
      progress.saw(r.findings);
    }
    if (!later) names.path(entry.relPath, multi ? { target: entry.target } : {});
    if (r.skipped || r.warning || r.archive) {
      const notes = resultNotes(shown, r);
      source.skipped.push(...notes.skipped);
      source.warnings.push(...notes.warnings);
      if (r.skipped) return;
    }
    if (r.split) dispatchChunks(entry, r.split, 1);
    if (!later) files++;
    bytes += r.bytes;
    builder.add(r.findings, multi ? { path: entry.relPath, target: entry.target } : { path: entry.relPath });
  };

  const ctxOptions = findingContextOptions(options);
  const concurrency = Math.max(1, options.concurrency ?? defaultConcurrency());
  const toItem = (e: FileEntry): WorkItem => {
    const item: WorkItem = { kind: 'file', absPath: e.absPath, relPath: e.relPath, maxSize: options.maxFileSize };
    if (e.explicit) item.explicit = true;
    return item;
  };

  // Walk and match at once: small scans stay on this thread; once there is enough work, a worker pool
  // starts (compiling rules while the walk goes on) and takes batches as they fill.
  let pool: MatcherPool | undefined;
  const jobs: Promise<void>[] = [];
  let pending: FileEntry[] = [];
  let pendingBytes = 0;
  const dispatch = () => {
    const these: FileEntry[] = [];
    for (const e of pending) {
      const chunks = chunkCount(e.size ?? 0);
      if (chunks > 1) dispatchChunks(e, chunks);
      else these.push(e);
    }
    pending = [];
    pendingBytes = 0;
    if (these.length) jobs.push(pool!.run(these.map(toItem)).then((results) => results.forEach((r, i) => record(these[i], r))));
  };
  // A large file is split into chunks, each a batch of its own, so that every thread takes a share of it.
  function dispatchChunks(e: FileEntry, count: number, first = 0): void {
    for (let index = first; index < count; index++) {
      jobs.push(pool!.run([{ ...toItem(e), chunk: { index, count } }]).then(([r]) => record(e, r, index > 0)));
    }
  }
  let seenFiles = 0;
  let seenBytes = 0;
  try {
    for await (const e of source.entries()) {
      pending.push(e);
      pendingBytes += e.size ?? AVERAGE_FILE;
      seenFiles++;
      seenBytes += e.size ?? AVERAGE_FILE;
      if (progress) progress.found++;
      if (!pool && concurrency > 1 && (seenFiles > INLINE_MAX_FILES || seenBytes > INLINE_MAX_BYTES)) {
        pool = new MatcherPool(concurrency, ctxOptions, options.archives);
      }
      if (pool && (pending.length >= BATCH_FILES || pendingBytes >= BATCH_BYTES)) dispatch();
    }
    if (progress) progress.listed = true;
    if (pool) {
      if (pending.length) dispatch();
      // Results may add jobs (the other chunks of a file found large): wait until none are left.
      while (jobs.length) await Promise.all(jobs.splice(0));
    } else {
      // Small scans: synchronous reads on this thread beat thread start-up.
      const ctx = FindingContext.shared(ctxOptions);
      let yielded = Date.now();
      for (const entry of pending) {
        const r = processItem(ctx, toItem(entry), false, options.archives);
        record(entry, r instanceof Promise ? await r : r);
        // A progress display redraws between files (with -j 1 every file is matched here).
        if (progress && Date.now() - yielded > 100) {
          await new Promise((resolve) => setImmediate(resolve));
          yielded = Date.now();
        }
      }
    }
  } finally {
    await pool?.close();
  }

  for (const s of source.skipped) names.path(s.path);
  builder.dropFingerprints(options.config.allowlist.fingerprints);
  return names.redact(builder.build(
    {
      targets: options.targets,
      startedAt: new Date(started).toISOString(),
      durationMs: Date.now() - started,
      files,
      bytes,
      skipped: source.skipped.sort((a, b) => a.path.localeCompare(b.path)),
      warnings: source.warnings,
      rules: options.rules.length,
      keyCheck: keyCheck(options.fingerprintKey),
      minScore,
    },
    options.version,
  ));
}
