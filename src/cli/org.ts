// `shadowscan org`, `shadowscan merge` and `shadowscan inventory diff|show`. Loaded with the rest of the CLI, so
// it imports nothing heavy up front: the scan code, the datastore and the rules load when a command runs.
import fs from 'node:fs';
import path from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import type { Inventory, Rule, TokenStatus } from '../model/index.js';
import { registerInventoryVerify } from './respond-commands.js';
import { FORMATS, type ArchiveOptionValues, type VerifyOptionValues, addArchiveOptions, addRenderOptions, addTierOptions, addVerifyOptions, archivesWanted, collect, positiveInt, sizeText, threads, type Format } from './options.js';
import { isReported } from '../scan/tiers.js';
import { escapeControl } from '../report/escape.js';
import type { OrgProgress, OrgRepository } from '../scan/org.js';
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

/** `--max-wait`: seconds, 0 for "never wait". */
function seconds(v: string): number {
  const n = Number(v);
  if (!/^\s*\d+\s*$/.test(v) || !Number.isSafeInteger(n)) throw new InvalidArgumentError('must be a whole number of seconds');
  return n;
}

interface OrgOptions extends ArchiveOptionValues, VerifyOptionValues {
  repos?: string;
  github?: string;
  githubUser?: string;
  gitlab?: string;
  apiUrl?: string;
  mirrorDir?: string;
  tokenFile?: string;
  token?: string;
  includeForks?: boolean;
  excludeArchived?: boolean;
  repoFilter: string[];
  maxWait: number;
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
}

/** One progress line: repositories done of total, MB read, tokens, time left. */
export function progressLine(p: OrgProgress, now = Date.now()): string {
  const failed = p.failed ? ` (${p.failed} failed)` : '';
  const reused = p.blobsReused ? ` · ${p.blobsReused} blobs reused` : '';
  const eta = p.done >= p.total ? `${((now - p.startedAt) / 1000).toFixed(1)}s` : fmtEta(p.eta(now));
  return `repos ${p.done}/${p.total}${failed} · ${fmtBytes(p.bytes)} scanned${reused} · ${p.tokens} tokens · ${eta}`;
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

type Codehost = typeof import('../sources/codehost/index.js');

/** A code host's listing, chosen and ready to mirror. */
interface HostedRun {
  target: import('../sources/codehost/index.js').HostTarget;
  auth: import('../sources/codehost/index.js').HostAuth;
  mirrorRoot: string;
  /** Each chosen repository under its name, with the path of its mirror. */
  repositories: OrgRepository[];
  hosted: Map<string, import('../sources/codehost/index.js').HostedRepository>;
  warnings: string[];
  source: string;
  /** What the filters left out, for messages ('' when nothing). */
  leftOut: string;
}

/** Lists the organisation's, user's or group's repositories and applies --include-forks, --exclude-archived, --repo-filter. */
async function listHosted(ch: Codehost, flag: 'github' | 'github-user' | 'gitlab', name: string, opts: OrgOptions, say: (line: string) => void): Promise<HostedRun> {
  const kind = flag === 'gitlab' ? 'gitlab' : 'github';
  const target = { kind, scope: flag === 'gitlab' ? 'group' : flag === 'github' ? 'org' : 'user', name: name.replace(/^\/+|\/+$/g, ''), apiUrl: opts.apiUrl ?? ch.DEFAULT_API_URL[kind] } as const;
  if (!target.name) throw new ch.CodeHostError(`--${flag} needs a name`);
  if (!URL.canParse(target.apiUrl)) throw new ch.CodeHostError(`--api-url is not a URL: ${target.apiUrl}`);
  const auth = ch.hostAuth(kind, ch.readToken(kind, opts.tokenFile));
  if (!auth.hasToken) say(`no token (${ch.TOKEN_ENV[kind]} or --token-file): public repositories only, at the host's unauthenticated rate`);
  const { cacheDir } = await import('../rules/cache-dir.js');
  const mirrorRoot = path.resolve(opts.mirrorDir ?? path.join(cacheDir(), 'mirrors'));
  const all = await ch.listRepositories(target, { auth, maxWaitMs: opts.maxWait * 1000, onWait: say, fetch: ch.proxiedFetch });
  const sel = ch.selectRepositories(all.repositories, { includeForks: opts.includeForks, excludeArchived: opts.excludeArchived, repoFilter: opts.repoFilter });
  const leftOut = [
    sel.forks && `${sel.forks} fork${sel.forks > 1 ? 's' : ''} (--include-forks)`,
    sel.archived && `${sel.archived} archived`,
    sel.filtered && `${sel.filtered} not matching --repo-filter`,
  ].filter(Boolean).join(', ');
  const source = `${flag} ${target.name}${opts.apiUrl ? ` at ${new URL(opts.apiUrl).host}` : ''}`;
  say(`${source}: ${plural(all.repositories.length, 'repository', 'repositories')} listed${leftOut ? `, left out: ${leftOut}` : ''}`);
  const warnings = [...all.warnings];
  const repositories: OrgRepository[] = sel.repositories.map((r) => ({ name: r.name, path: ch.mirrorPath(mirrorRoot, r) ?? '' }));
  return { target, auth, mirrorRoot, repositories, hosted: new Map(sel.repositories.map((r) => [r.name, r])), warnings, source, leftOut };
}

/**
 * Clones or fetches the mirror of each repository of this run, a few at a time. A repository that fails keeps its
 * place, with its error, so that the scan reports it and the others go on.
 */
async function syncMirrors(ch: Codehost, host: HostedRun, repositories: OrgRepository[], opts: OrgOptions, say: (line: string) => void): Promise<OrgRepository[]> {
  const { default: pLimit } = await import('p-limit');
  const t0 = Date.now();
  say(`mirroring ${plural(repositories.length, 'repository', 'repositories')} in ${host.mirrorRoot}`);
  const limit = pLimit(Math.max(1, opts.repoConcurrency));
  const results = await Promise.all(repositories.map((r) => limit(() => ch.syncMirror(host.hosted.get(r.name)!, host.target, host.mirrorRoot, host.auth))));
  const count = (a: string) => results.filter((r) => r.action === a).length;
  const failed = count('failed');
  say(`mirrors: ${count('cloned')} cloned, ${count('fetched')} fetched${failed ? `, ${failed} failed` : ''} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  return results.map((r) => ({ name: r.name, path: r.path, ...(r.error ? { error: r.error } : {}) }));
}

async function runOrg(dir: string | undefined, opts: OrgOptions, io: Io, setExit: (code: number) => void): Promise<void> {
  const [cli, org, config, store] = await Promise.all([import('./main.js'), import('../scan/org.js'), import('../scan/config.js'), import('../store/index.js')]);
  let db: Datastore | undefined;
  let codehost: typeof import('../sources/codehost/index.js') | undefined;
  try {
    if (opts.token !== undefined) {
      // Never echoed: a token typed on the command line is in the shell's history and every process listing.
      throw new cli.UsageError('--token is not taken: a token on the command line ends up in shell history and process lists; set GITHUB_TOKEN or GITLAB_TOKEN, or give --token-file FILE');
    }
    const hosts = ([['github', opts.github], ['github-user', opts.githubUser], ['gitlab', opts.gitlab]] as const).filter(([, v]) => v !== undefined);
    if (hosts.length > 1) throw new cli.UsageError(`give one of --github, --github-user and --gitlab, not ${hosts.map(([k]) => `--${k}`).join(' and ')}`);
    const hosted = hosts.length === 1;
    if (hosted && (dir !== undefined || opts.repos)) throw new cli.UsageError(`--${hosts[0][0]} lists the repositories itself: give no folder or --repos`);
    if (!hosted) {
      const hostOnly = [opts.apiUrl !== undefined && '--api-url', opts.mirrorDir !== undefined && '--mirror-dir', opts.tokenFile !== undefined && '--token-file', opts.includeForks && '--include-forks', opts.excludeArchived && '--exclude-archived', opts.repoFilter.length && '--repo-filter'].filter(Boolean);
      if (hostOnly.length) throw new cli.UsageError(`${hostOnly[0]} needs --github, --github-user or --gitlab`);
    }
    if (dir !== undefined && opts.repos) throw new cli.UsageError('give a folder or --repos FILE, not both');
    if (opts.db && opts.showSecrets) throw new cli.UsageError('--show-secrets cannot be used with --db: the datastore never holds raw secrets');
    const respond = await import('./respond.js');
    const problem = respond.verifyFlagsProblem(opts);
    if (problem) throw new cli.UsageError(problem);
    const root = dir ?? '.';
    const say = (line: string) => {
      if (!opts.quiet) io.stderr(`shadowscan: ${escapeControl(line)}\n`);
    };
    let listed: { repositories: OrgRepository[]; warnings: string[] };
    let source: string;
    let pruneStore: boolean;
    let host: HostedRun | undefined;
    if (hosted) {
      codehost = await import('../sources/codehost/index.js');
      host = await listHosted(codehost, hosts[0][0], hosts[0][1]!, opts, say);
      listed = { repositories: host.repositories, warnings: host.warnings };
      source = host.source;
      // The datastore forgets repositories the host no longer lists; a --repo-filter run covers only part of them.
      pruneStore = host.warnings.length === 0 && !opts.repoFilter.length;
      if (!listed.repositories.length) throw new cli.UsageError(`no repositories to scan in ${source}${host.leftOut ? ` (${host.leftOut})` : ''}`);
    } else {
      listed = opts.repos ? { repositories: org.readRepositoryList(opts.repos), warnings: [] as string[] } : org.discoverRepositories(root);
      source = opts.repos ?? root;
      pruneStore = listed.warnings.length === 0;
      if (!listed.repositories.length) throw new cli.UsageError(opts.repos ? `no repositories listed in ${opts.repos}` : `no git repositories found under ${root}`);
    }
    const shard = opts.shard ? org.parseShard(opts.shard) : undefined;
    let repositories = shard ? org.selectShard(listed.repositories, shard) : listed.repositories;
    if (opts.list) {
      // What this run (this shard) would scan: to fetch only those repositories first.
      io.stdout(repositories.map((r) => `${r.name}\n`).join(''));
      setExit(cli.EXIT_CLEAN);
      return;
    }
    if (host) repositories = await syncMirrors(codehost!, host, repositories, opts, say);
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
    const maxFileSize = opts.maxFileSize !== undefined ? config.parseSize(opts.maxFileSize) : (cfg.maxFileSize ?? config.DEFAULT_MAX_FILE_SIZE);
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
        maxFileSize,
        archives: archivesWanted(opts, cfg, maxFileSize),
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
        pruneStore,
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
    if (err instanceof org.OrgUsageError || err instanceof store.DatastoreError || (codehost && err instanceof codehost.CodeHostError)) throw new cli.UsageError(err.message);
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
    .description('scan the history of every git repository under DIR (or listed in --repos FILE, or of a GitHub organisation or GitLab group) into one inventory')
    .argument('[dir]', 'folder holding the repositories (working trees or bare), searched recursively (default: .)')
    .option('--repos <file>', 'scan the repositories listed in this file (one path per line) instead of searching a folder')
    .option('--github <org>', "mirror and scan every repository of a GitHub organisation (token: GITHUB_TOKEN or --token-file)")
    .option('--github-user <user>', "mirror and scan a GitHub user's repositories")
    .option('--gitlab <group>', 'mirror and scan every project of a GitLab group and its subgroups (token: GITLAB_TOKEN or --token-file)')
    .option('--api-url <url>', 'the API of GitHub Enterprise Server (https://HOST/api/v3) or a self-managed GitLab (https://HOST/api/v4)')
    .option('--mirror-dir <dir>', 'where the bare mirrors are kept and fetched again on later runs (default: mirrors in the user cache folder)')
    .option('--token-file <file>', 'read the code host token from this file (never give a token on the command line)')
    .addOption(new Option('--token <value>').hideHelp())
    .option('--include-forks', 'also scan forks (GitHub; left out by default)')
    .option('--exclude-archived', 'leave archived repositories out')
    .option('--repo-filter <glob>', 'only repositories whose name matches (owner/name, or the name alone for a glob without /; repeatable)', collect, [])
    .option('--max-wait <seconds>', 'longest wait for a rate limit before giving up', seconds, 600)
    .option('--shard <I/N>', 'scan only the I-th of N stable slices of the repository list (1-based)', shardText)
    .option('--list', 'print the repositories this run (this shard) would scan, one per line, and stop')
    .option('--db <file>', 'SQLite datastore: re-scans read only blobs the current rules have not matched yet; `inventory diff` compares runs')
    .option('--repo-concurrency <n>', 'repositories mirrored, and scanned, at once', positiveInt, 4)
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
  addVerifyOptions(addRenderOptions(addArchiveOptions(org)))
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
