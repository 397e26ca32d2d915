// `shadowscan org`, `shadowscan merge` and `shadowscan inventory diff|show`. Loaded with the rest of the CLI, so
// it imports nothing heavy up front: the scan code, the datastore and the rules load when a command runs.
import fs from 'node:fs';
import path from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import type { Inventory, Rule, TokenStatus } from '../model/index.js';
import { registerInventoryVerify } from './respond-commands.js';
import { FORMATS, addRenderOptions, addTierOptions, addVerifyOptions, collect, positiveInt, sizeText, threads, type Format } from './options.js';
import { isReported } from '../scan/tiers.js';
import { escapeControl } from '../report/escape.js';
import type { OrgProgress } from '../scan/org.js';
import { ProgressView, fmtBytes, fmtEta, progressMode } from './progress.js';
import type { Datastore, DatastoreDiff, StatusChange, StoredToken } from '../store/index.js';

interface Io {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  isTTY: boolean;
}





function shardText(v: string): string {
  if (!/^\s*\d+\s*\/\s*\d+\s*$/.test(v)) throw new InvalidArgumentError(`must be I/N, for example 2/8 (got "${v}")`);
  return v;
}

interface OrgOptions {
  repos?: string;
  shard?: string;
  db?: string;
  repoConcurrency: number;
  concurrency?: number;
  exclude: string[];
  includeVendored?: boolean;
  maxFileSize?: string;
  format: Format;
  output?: string;
  config?: string;
  showSecrets?: boolean;
  quiet?: boolean;
  gitBackend: 'auto' | 'git' | 'isomorphic-git';
  list?: boolean;
  minScore?: number;
  includeReview?: boolean;
  color?: boolean;
  csvBom?: boolean;
  verify?: boolean;
  verifyEndpoint?: string[];
  failOn?: 'live';
  rules?: string[];
}

/** One progress line: repositories done of total, MB read, tokens, time left. */
export function progressLine(p: OrgProgress, now = Date.now()): string {
  const failed = p.failed ? ` (${p.failed} failed)` : '';
  const reused = p.blobsReused ? ` · ${p.blobsReused} blobs reused` : '';
  const eta = p.done >= p.total ? `${((now - p.startedAt) / 1000).toFixed(1)}s` : fmtEta(p.eta(now));
  return `repos ${p.done}/${p.total}${failed} · ${fmtBytes(p.bytes)} scanned${reused} · ${p.tokens} tokens · ${eta}`;
}

async function runOrg(dir: string | undefined, opts: OrgOptions, io: Io, setExit: (code: number) => void): Promise<void> {
  const [cli, org, config, store] = await Promise.all([import('./main.js'), import('../scan/org.js'), import('../scan/config.js'), import('../store/index.js')]);
  let db: Datastore | undefined;
  try {
    if (dir !== undefined && opts.repos) throw new cli.UsageError('give a folder or --repos FILE, not both');
    if (opts.db && opts.showSecrets) throw new cli.UsageError('--show-secrets cannot be used with --db: the datastore never holds raw secrets');
    const respond = await import('./respond.js');
    const problem = respond.verifyFlagsProblem(opts);
    if (problem) throw new cli.UsageError(problem);
    const root = dir ?? '.';
    const listed = opts.repos ? { repositories: org.readRepositoryList(opts.repos), warnings: [] as string[] } : org.discoverRepositories(root);
    const source = opts.repos ?? root;
    const shard = opts.shard ? org.parseShard(opts.shard) : undefined;
    const repositories = shard ? org.selectShard(listed.repositories, shard) : listed.repositories;
    if (!listed.repositories.length) throw new cli.UsageError(opts.repos ? `no repositories listed in ${opts.repos}` : `no git repositories found under ${root}`);
    if (opts.list) {
      // What this run (this shard) would scan: to fetch only those repositories first.
      io.stdout(repositories.map((r) => `${r.name}\n`).join(''));
      setExit(cli.EXIT_CLEAN);
      return;
    }
    const cfg = config.loadConfig(config.findConfigFile(opts.config, [opts.repos ? '.' : root]));
    const rules = cli.loadActiveRules(cfg, opts.rules, opts.verify && !opts.quiet ? (m) => io.stderr(`warning: ${m}\n`) : undefined);
    await cli.checkRulesCompile(rules);
    if (opts.db) db = store.Datastore.open(opts.db);
    const held = opts.verify ? new Map() : undefined;
    const progress = new org.OrgProgress();
    progress.total = repositories.length;
    const interval = Number(process.env.SHADOWSCAN_PROGRESS_INTERVAL_MS) || 10_000;
    // On a terminal the line also names the repositories being scanned.
    const line = (tty: boolean) => `${progressLine(progress)}${tty && progress.running.size ? ` · ${escapeControl([...progress.running].join(', '))}` : ''}`;
    const view = new ProgressView(io, line, progressMode(opts.quiet, 'plain'), { intervalMs: interval, finalLine: true });
    const what = `${repositories.length} of ${listed.repositories.length} repositories${shard ? ` (shard ${shard.index}/${shard.count})` : ''} from ${source}${opts.db ? `, datastore ${opts.db}` : ''}`;
    view.start(`scanning ${what}`);
    let inv: Inventory;
    try {
      inv = await org.scanOrg({
        repositories,
        source,
        shard,
        rules,
        config: cfg,
        exclude: opts.exclude,
        includeVendored: opts.includeVendored,
        maxFileSize: opts.maxFileSize !== undefined ? config.parseSize(opts.maxFileSize) : (cfg.maxFileSize ?? config.DEFAULT_MAX_FILE_SIZE),
        concurrency: opts.concurrency,
        repoConcurrency: opts.repoConcurrency,
        showSecrets: opts.showSecrets,
        heldSecrets: held,
        fingerprintKey: cli.fingerprintKey(cfg),
        version: cli.packageVersion(),
        minScore: opts.minScore,
        backend: opts.gitBackend,
        store: db,
        // A complete listing says which repositories exist: the datastore forgets the others (not for a shard).
        pruneStore: listed.warnings.length === 0,
        warnings: listed.warnings,
        progress,
        onRepositoryFailed: (name, error) => view.note(escapeControl(`warning: repository ${name} failed: ${error}; the run goes on`)),
      });
    } finally {
      view.stop();
    }
    // Blobs the datastore answered were not read this run: their secrets are read again where they were found.
    const repoPaths = new Map(repositories.map((r) => [r.name, r.path]));
    const rereadSecrets = async (missing: import('../model/index.js').Token[]) =>
      (await import('../respond/reread.js')).rereadSecrets(missing, { rules, fingerprintKey: cli.fingerprintKey(cfg), repoPaths });
    const verified = await respond.verifyScanned(io, inv, rules, held, opts, rereadSecrets);
    db?.saveVerifications(verified.filter((t) => t.verification).map((t) => ({ id: t.id, verification: t.verification!, privilege: t.privilege, privilegeSource: t.privilegeSource })));
    cli.writeReport(io, inv, rules, opts);
    const failed = inv.scan.org?.repositories.filter((r) => r.status === 'failed').length ?? 0;
    if (repositories.length && failed === repositories.length) {
      io.stderr(`shadowscan: every repository failed (${failed})\n`);
      setExit(cli.EXIT_ERROR);
      return;
    }
    setExit(respond.exitCodeWith(inv, opts.failOn, cli.exitCodeFor));
  } catch (err) {
    if (err instanceof org.OrgUsageError || err instanceof store.DatastoreError) throw new cli.UsageError(err.message);
    throw err;
  } finally {
    db?.close();
  }
}

interface MergeOptions {
  output?: string;
  format: Format;
  quiet?: boolean;
  includeReview?: boolean;
  color?: boolean;
  csvBom?: boolean;
}

async function runMerge(files: string[], opts: MergeOptions, io: Io, setExit: (code: number) => void): Promise<void> {
  const [cli, org, config, store] = await Promise.all([import('./main.js'), import('../scan/org.js'), import('../scan/config.js'), import('../store/index.js')]);
  try {
    for (const f of files) if (!fs.existsSync(f)) throw new cli.UsageError(`no such file: ${f}`);
    const dbs = files.filter((f) => store.isDatastoreFile(f));
    if (dbs.length && dbs.length !== files.length) throw new cli.UsageError('merge either inventories (JSON) or datastores, not both');
    if (dbs.length) {
      if (!opts.output || opts.output === '-') throw new cli.UsageError('merging datastores needs --output FILE (the merged datastore)');
      const out = path.resolve(opts.output);
      if (files.some((f) => path.resolve(f) === out)) throw new cli.UsageError('--output must not be one of the datastores merged');
      const db = store.Datastore.open(opts.output);
      try {
        db.mergeFrom(files);
        const run = db.runs().pop()!;
        const review = run.stats?.review ?? 0;
        const reported = (run.stats?.tokens ?? 0) - review;
        if (!opts.quiet) {
          io.stderr(`shadowscan: merged ${files.length} datastores into ${opts.output}: ${run.stats?.repositories ?? 0} repositories, ${reported} tokens${review ? ` and ${review} in review` : ''}\n`);
        }
        setExit(reported ? cli.EXIT_FOUND : cli.EXIT_CLEAN);
      } finally {
        db.close();
      }
      return;
    }
    const rules = cli.loadActiveRules(config.emptyConfig());
    const merger = new org.InventoryMerger(rules);
    const sources: string[] = [];
    for (const f of files) {
      let inv: Inventory;
      try {
        inv = JSON.parse(fs.readFileSync(f, 'utf8')) as Inventory;
      } catch (err) {
        throw new cli.UsageError(`cannot read inventory ${f}: ${(err as Error).message.split('\n')[0]}`);
      }
      try {
        merger.addInventory(inv);
      } catch (err) {
        throw new cli.UsageError(`${f}: ${(err as Error).message}`);
      }
      sources.push(inv.scan.org?.source ?? f);
    }
    const inv = merger.build({ version: cli.packageVersion(), source: [...new Set(sources)].join(', ') });
    cli.writeReport(io, inv, rules, { format: opts.format, output: opts.output, quiet: opts.quiet, includeReview: opts.includeReview, color: opts.color, csvBom: opts.csvBom });
    setExit(cli.exitCodeFor(inv));
  } catch (err) {
    if (err instanceof store.DatastoreError || err instanceof org.OrgUsageError) throw new cli.UsageError(err.message);
    throw err;
  }
}

/** How a status reads in a report (as in every other report). */
const STATUS_TEXT: Record<TokenStatus, string> = { active: 'active', unmerged: 'unmerged', 'history-only': 'history only' };

function diffLine(t: StoredToken): string {
  const where = t.repos.length ? `in ${t.repos.slice(0, 5).join(', ')}${t.repos.length > 5 ? ` and ${t.repos.length - 5} more` : ''}` : '';
  const review = t.tier === 'review' ? ' [review]' : '';
  // Runs stored before statuses were: active when in HEAD, else not known to be more than history.
  const status = t.status ?? (t.presentInHead ? 'active' : 'history-only');
  return escapeControl(`  ${t.severity.toUpperCase().padEnd(8)} ${t.ruleName}  ${t.redacted}  ${t.id.slice(0, 12)}  ${where} (${STATUS_TEXT[status]})${review}`);
}

/** What a move between statuses asks of the reader. */
const STATUS_MOVES: Record<string, string> = {
  'active>history-only': 'deleted from every branch, still readable in every clone: rotate',
  'unmerged>history-only': 'no branch, tag or stash holds it any more, history does: rotate',
  'active>unmerged': 'gone from HEAD, still at the tip of another branch, tag or stash',
  'unmerged>active': 'now in HEAD',
  'history-only>active': 'back in HEAD',
  'history-only>unmerged': 'back at the tip of a branch, tag or stash',
};

/**
 * The diff a user reads: new and removed report-tier tokens (review-tier ones too with --include-review, else
 * counted). A token that only changed tier is neither new nor removed; those that moved are listed on their own.
 */
export function diffView(d: DatastoreDiff, includeReview: boolean): DatastoreDiff & { review: { added: number; removed: number } } {
  const shown = (t: StoredToken) => includeReview || isReported(t);
  return {
    ...d,
    added: d.added.filter(shown),
    removed: d.removed.filter(shown),
    review: { added: d.added.filter((t) => !isReported(t)).length, removed: d.removed.filter((t) => !isReported(t)).length },
  };
}

function diffText(d: ReturnType<typeof diffView>, includeReview: boolean): string {
  const out: string[] = [];
  const when = (r: { id: number; startedAt: string; kind: string }) => `run ${r.id} (${r.kind}, ${r.startedAt})`;
  const hidden = (n: number) => (n && !includeReview ? `; ${n} more in review (--include-review)` : '');
  out.push(d.from ? `${when(d.to)} against ${when(d.from)}` : `${when(d.to)}: the first complete run, nothing to compare with; every token is new`);
  out.push('');
  out.push(`New tokens (${d.added.length}${hidden(d.review.added)}):`);
  out.push(...(d.added.length ? d.added.map(diffLine) : ['  none']));
  out.push('');
  out.push(`No longer present (${d.removed.length}${hidden(d.review.removed)}): verify each was rotated`);
  out.push(...(d.removed.length ? d.removed.map(diffLine) : ['  none']));
  // Status moves, most urgent first: a token deleted from the code is not a rotated one.
  const moves = new Map<string, StatusChange[]>();
  for (const t of d.statusChanged.filter((x) => includeReview || isReported(x))) {
    const k = `${t.previousStatus}>${t.status}`;
    moves.set(k, [...(moves.get(k) ?? []), t]);
  }
  for (const k of Object.keys(STATUS_MOVES)) {
    const list = moves.get(k);
    if (!list) continue;
    const [from, to] = k.split('>') as [TokenStatus, TokenStatus];
    out.push('', `Moved from ${STATUS_TEXT[from]} to ${STATUS_TEXT[to]} (${list.length}): ${STATUS_MOVES[k]}`, ...list.map(diffLine));
  }
  if (d.retiered.length) {
    const up = d.retiered.filter((t) => isReported(t));
    const down = d.retiered.filter((t) => !isReported(t));
    out.push('');
    if (up.length) out.push(`Now reported, in review before (${up.length}): not new, but now counted`, ...up.map(diffLine));
    if (down.length) out.push(`Moved to review (${down.length}): still present, no longer counted`, ...down.map(diffLine));
  }
  out.push('');
  const moved = [d.retiered.length ? `${d.retiered.length} changed tier` : '', d.statusChanged.length ? `${d.statusChanged.length} changed status` : ''].filter(Boolean).join(', ');
  out.push(`${d.added.length} new, ${d.removed.length} no longer present, ${d.unchanged} unchanged${moved ? ` (${moved})` : ''}`);
  return out.join('\n') + '\n';
}

export function registerOrgCommands(program: Command, io: Io, setExit: (code: number) => void): void {
  const org = addTierOptions(program
    .command('org')
    .description('scan the history of every git repository under DIR (or listed in --repos FILE) into one inventory')
    .argument('[dir]', 'folder holding the repositories (working trees or bare), searched recursively (default: .)')
    .option('--repos <file>', 'scan the repositories listed in this file (one path per line) instead of searching a folder')
    .option('--shard <I/N>', 'scan only the I-th of N stable slices of the repository list (1-based)', shardText)
    .option('--list', 'print the repositories this run (this shard) would scan, one per line, and stop')
    .option('--db <file>', 'SQLite datastore: re-scans read only blobs the current rules have not matched yet; `inventory diff` compares runs')
    .option('--repo-concurrency <n>', 'repositories scanned at once', positiveInt, 4)
    .option('-j, --concurrency <n>', 'matcher threads shared by every repository (default: number of cores; at most twice that)', threads)
    .option('--exclude <glob>', 'skip paths matching a glob (repeatable)', collect, [])
    .option('--include-vendored', 'also scan node_modules, vendor and other vendored or generated trees')
    .option('--max-file-size <size>', 'skip (and report) blobs larger than this (default: maxFileSize in the config, else 50MB)', sizeText)
    .addOption(new Option('--git-backend <name>', 'read with the git executable or isomorphic-git').choices(['auto', 'git', 'isomorphic-git']).default('auto').hideHelp())
    .addOption(new Option('-f, --format <format>', 'report format').choices(FORMATS as unknown as string[]).default('text'))
    .option('-o, --output <file>', 'write the report to a file instead of stdout')
    .option('-c, --config <file>', 'config file for every repository (default: .shadowscan.yaml in DIR)')
    .option('--show-secrets', 'print raw secret values (never do this in CI logs)')
    .option('-q, --quiet', 'no progress, warnings or summary on stderr'))
  addVerifyOptions(addRenderOptions(org))
    .action((dir: string | undefined, opts: OrgOptions) => runOrg(dir, opts, io, setExit));

  const merge = addTierOptions(program
    .command('merge')
    .description('merge inventories (JSON, e.g. one per shard) into one, or datastores into one datastore')
    .argument('<files...>', 'inventories written with --format json, or datastores written with --db')
    .option('-o, --output <file>', 'where to write the merged inventory (default stdout) or datastore (required)')
    .addOption(new Option('-f, --format <format>', 'report format of a merged inventory').choices(FORMATS as unknown as string[]).default('json'))
    .option('-q, --quiet', 'no summary on stderr'), { minScore: false });
  addRenderOptions(merge)
    .action((files: string[], opts: MergeOptions) => runMerge(files, opts, io, setExit));

  const inventory = program.command('inventory').description('read an org datastore');
  addTierOptions(inventory
    .command('diff')
    .description('tokens new since the previous run, and tokens no longer present (exit 1 when there are new report-tier ones)')
    .requiredOption('--db <file>', 'the datastore')
    .option('--from <run>', 'compare with this run id (default: the complete run before --to)', positiveInt)
    .option('--to <run>', 'the run to look at (default: the last complete run)', positiveInt)
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text')), { minScore: false })
    .action(async (opts: { db: string; from?: number; to?: number; format: 'text' | 'json'; includeReview?: boolean }) => {
      const [cli, store] = await Promise.all([import('./main.js'), import('../store/index.js')]);
      let db: Datastore | undefined;
      try {
        db = store.Datastore.open(opts.db, { create: false });
        const d = diffView(db.diff(opts.from, opts.to), Boolean(opts.includeReview));
        io.stdout(opts.format === 'json' ? JSON.stringify(d, null, 2) + '\n' : diffText(d, Boolean(opts.includeReview)));
        setExit(d.added.some(isReported) ? cli.EXIT_FOUND : cli.EXIT_CLEAN);
      } catch (err) {
        if (err instanceof store.DatastoreError) throw new cli.UsageError(err.message);
        throw err;
      } finally {
        db?.close();
      }
    });
  const show = addTierOptions(inventory
    .command('show')
    .description("the datastore's current inventory (every repository as last scanned), in any report format")
    .requiredOption('--db <file>', 'the datastore')
    .addOption(new Option('-f, --format <format>', 'report format').choices(FORMATS as unknown as string[]).default('text'))
    .option('-o, --output <file>', 'write the report to a file instead of stdout')
    .option('-q, --quiet', 'no summary on stderr'));
  addRenderOptions(show)
    .action(async (opts: { db: string; format: Format; output?: string; quiet?: boolean; minScore?: number; includeReview?: boolean; color?: boolean; csvBom?: boolean }) => {
      const [cli, org, config, store, tiers] = await Promise.all([
        import('./main.js'), import('../scan/org.js'), import('../scan/config.js'), import('../store/index.js'), import('../scan/tiers.js'),
      ]);
      let db: Datastore | undefined;
      try {
        db = store.Datastore.open(opts.db, { create: false });
        const rules = cli.loadActiveRules(config.emptyConfig());
        const out = await datastoreInventory(db, opts.db, rules, opts.minScore);
        cli.writeReport(io, out, rules, opts);
        setExit(cli.exitCodeFor(out));
      } catch (err) {
        if (err instanceof store.DatastoreError) throw new cli.UsageError(err.message);
        throw err;
      } finally {
        db?.close();
      }
    });
  registerInventoryVerify(inventory, io, setExit);
}

/**
 * A datastore's current inventory (every repository as last scanned), with the provenance and ordering of a scan's,
 * and each token's cached verification and latest revocation.
 */
export async function datastoreInventory(db: Datastore, file: string, rules: Rule[], minScore?: number): Promise<Inventory> {
  const [cli, org, tiers] = await Promise.all([import('./main.js'), import('../scan/org.js'), import('../scan/tiers.js')]);
  const runs = db.runs().filter((r) => r.status === 'complete');
  const last = runs[runs.length - 1];
  const repositories = db.repositories();
  const sum = (f: (r: (typeof repositories)[number]) => number | undefined) => repositories.reduce((n, r) => n + (f(r) ?? 0), 0);
  // Tiers as each repository's scan decided them; --min-score decides them again from the stored scores.
  const tokens = db.currentTokens().map((t) => (minScore === undefined ? t : tiers.retier(t, minScore)));
  const stored: Inventory = {
    schemaVersion: 1,
    tool: { name: 'shadowscan', version: cli.packageVersion() },
    scan: {
      targets: repositories.map((r) => r.name),
      startedAt: last?.startedAt ?? new Date().toISOString(),
      durationMs: 0,
      files: 0,
      bytes: sum((r) => r.bytes),
      skipped: [],
      warnings: [],
      rules: rules.length,
      ...(last?.keyCheck ? { keyCheck: last.keyCheck } : {}),
      history: { mode: 'history', backend: 'git', commits: sum((r) => r.commits), blobs: 0 },
      ...((minScore ?? last?.minScore) !== undefined ? { minScore: minScore ?? last?.minScore } : {}),
      org: { source: file, repositories, blobsRead: 0, blobsReused: 0, datastore: file },
    },
    tokens,
  };
  // The same provenance and ordering as a scan's inventory.
  const merger = new org.InventoryMerger(rules);
  merger.addInventory(stored);
  const out = merger.build({ version: cli.packageVersion(), source: file, datastore: file });
  db.withResponses(out.tokens);
  return out;
}
