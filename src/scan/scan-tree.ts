// Orchestrates a working-tree scan: walk, match (inline or across worker threads), fold into an inventory.
import os from 'node:os';
import pLimit from 'p-limit';
import type { Inventory, Rule } from '../model/index.js';
import { FileTreeSource, readFileEntry, type FileEntry } from '../sources/index.js';
import { FindingContext, type FindingContextOptions } from './findings.js';
import { InventoryBuilder } from './inventory.js';
import { MatcherPool } from './pool.js';
import { processItem, type WorkItem, type WorkResult } from './work.js';
import type { ShadowscanConfig } from './config.js';

export interface TreeScanOptions {
  targets: string[];
  rules: Rule[];
  config: ShadowscanConfig;
  exclude?: string[];
  includeVendored?: boolean;
  maxFileSize: number;
  concurrency?: number;
  showSecrets?: boolean;
  fingerprintKey: string;
  version: string;
}

/** Below this much work, starting worker threads costs more than it saves. */
const INLINE_MAX_FILES = 200;
const INLINE_MAX_BYTES = 8 * 1024 * 1024;
const BATCH_FILES = 64;
const BATCH_BYTES = 4 * 1024 * 1024;

export function defaultConcurrency(): number {
  return Math.max(1, os.availableParallelism?.() ?? os.cpus().length);
}

export function findingContextOptions(o: Pick<TreeScanOptions, 'rules' | 'config' | 'showSecrets' | 'fingerprintKey'>): FindingContextOptions {
  return {
    rules: o.rules,
    fingerprintKey: o.fingerprintKey,
    showSecrets: o.showSecrets ?? false,
    allowSecrets: o.config.allowlist.secrets,
    stopwords: o.config.allowlist.stopwords,
  };
}

export async function scanTree(options: TreeScanOptions): Promise<Inventory> {
  const started = Date.now();
  const source = new FileTreeSource({
    targets: options.targets,
    exclude: [...(options.exclude ?? []), ...options.config.exclude, ...options.config.allowlist.paths],
    includeVendored: options.includeVendored ?? options.config.includeVendored ?? false,
    maxFileSize: options.maxFileSize,
  });
  const entries: FileEntry[] = [];
  let totalBytes = 0;
  for await (const e of source.entries()) {
    entries.push(e);
    totalBytes += e.size;
  }

  const builder = new InventoryBuilder(new Map(options.rules.map((r) => [r.id, r])));
  const multi = options.targets.length > 1;
  let files = 0;
  let bytes = 0;
  const record = (entry: FileEntry, r: WorkResult) => {
    if (r.skipped) {
      source.skipped.push({ path: multi ? `${entry.target}/${entry.relPath}` : entry.relPath, reason: r.skipped });
      return;
    }
    files++;
    bytes += r.bytes;
    builder.add(r.findings, multi ? { path: entry.relPath, target: entry.target } : { path: entry.relPath });
  };

  const ctxOptions = findingContextOptions(options);
  const concurrency = Math.max(1, options.concurrency ?? defaultConcurrency());
  if (concurrency === 1 || (entries.length <= INLINE_MAX_FILES && totalBytes <= INLINE_MAX_BYTES)) {
    const ctx = new FindingContext(ctxOptions);
    const limit = pLimit(8);
    await Promise.all(
      entries.map((entry) =>
        limit(async () => {
          const raw = await readFileEntry(entry);
          const item: WorkItem = Buffer.isBuffer(raw)
            ? { kind: 'bytes', bytes: raw, relPath: entry.relPath }
            : { kind: 'file', absPath: entry.absPath, relPath: entry.relPath };
          record(entry, Buffer.isBuffer(raw) ? processItem(ctx, item) : { findings: [], skipped: raw.error, bytes: 0 });
        }),
      ),
    );
  } else {
    const pool = new MatcherPool(concurrency, ctxOptions);
    try {
      const jobs: Promise<void>[] = [];
      let batch: FileEntry[] = [];
      let batchBytes = 0;
      const flush = () => {
        if (!batch.length) return;
        const these = batch;
        batch = [];
        batchBytes = 0;
        const items: WorkItem[] = these.map((e) => ({ kind: 'file', absPath: e.absPath, relPath: e.relPath }));
        jobs.push(pool.run(items).then((results) => results.forEach((r, i) => record(these[i], r))));
      };
      for (const e of entries) {
        batch.push(e);
        batchBytes += e.size;
        if (batch.length >= BATCH_FILES || batchBytes >= BATCH_BYTES) flush();
      }
      flush();
      await Promise.all(jobs);
    } finally {
      await pool.close();
    }
  }

  builder.dropFingerprints(options.config.allowlist.fingerprints);
  return builder.build(
    {
      targets: options.targets,
      startedAt: new Date(started).toISOString(),
      durationMs: Date.now() - started,
      files,
      bytes,
      skipped: source.skipped.sort((a, b) => a.path.localeCompare(b.path)),
      warnings: source.warnings,
      rules: options.rules.length,
    },
    options.version,
  );
}
