// `shadowscan baseline create|add|prune`, the `--baseline` option of the scanning commands, and the ignore file.
// Loaded with the rest of the CLI, so it imports nothing heavy: the scans run through the scanning commands
// themselves (in this process, as JSON), so there is one way to scan whatever asks for it.
import fs from 'node:fs';
import path from 'node:path';
import { Option, type Command } from 'commander';
import type { Inventory, Token } from '../model/index.js';
import { CONFIG_FILE_NAMES, type ShadowscanConfig } from '../scan/config.js';
import { workTreeTop } from '../sources/gitignored.js';
import { isReported } from '../scan/tiers.js';
import {
  BASELINE_FILE_NAME, BaselineError, IGNORE_FILE_NAME, addIgnoreToConfig, addToBaseline, applyBaseline, baselineFromInventory, emptyBaseline,
  keyCheck, keyMismatchWarning, pruneBaseline, readBaseline, readIgnoreFile, writeBaseline,
} from '../scan/baseline.js';

interface Io {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  isTTY: boolean;
}

/** `--baseline FILE` / `--no-baseline`, for every scanning command. */
export function addBaselineOption(cmd: Command): Command {
  return cmd
    .option('--baseline <file>', `report only tokens not in this baseline (default: ${BASELINE_FILE_NAME} at the top of the scanned folder or repository, if there is one)`)
    .option('--no-baseline', 'report every token, even those the baseline knows');
}

/** The config with `.shadowscanignore` (in root) added to its allowlist. */
export function withIgnoreFile(config: ShadowscanConfig, root: string): ShadowscanConfig {
  const found = readIgnoreFile(root);
  return found ? addIgnoreToConfig(config, found.ignore) : config;
}

/** The baseline file a command uses: the one given, else the default one in root if it exists, else none. */
export function baselineFileFor(option: string | boolean | undefined, root: string): string | undefined {
  if (option === false) return undefined;
  if (typeof option === 'string') {
    if (!fs.existsSync(option)) throw new BaselineError(`baseline file does not exist: ${option} (make one with \`shadowscan baseline create\`)`);
    return option;
  }
  const def = path.join(root, BASELINE_FILE_NAME);
  return fs.existsSync(def) ? path.relative(process.cwd(), def) || def : undefined;
}

/** Applies `--baseline` (or the default baseline) to an inventory: only tokens it does not know remain. */
export function applyBaselineOption(inv: Inventory, root: string, option: string | boolean | undefined, fingerprintKey: string): Inventory {
  const file = baselineFileFor(option, root);
  return file ? applyBaseline(inv, readBaseline(file), file, fingerprintKey) : inv;
}

/** What a tree scan reads from its root folder. */
const ROOT_FILES = [...CONFIG_FILE_NAMES, IGNORE_FILE_NAME, BASELINE_FILE_NAME];

/**
 * The folder a tree scan's config, default baseline and ignore file live in: the first folder scanned, or else the
 * nearest folder above it, up to the top of its git work tree, that holds one of them (scanning `src` uses the
 * repository's). Their path patterns are relative to it.
 */
export function treeRoot(paths: string[]): string {
  const first = paths.find((t) => fs.statSync(t, { throwIfNoEntry: false })?.isDirectory()) ?? '.';
  const top = workTreeTop(first);
  if (!top) return first;
  for (let dir = path.resolve(first); ; dir = path.dirname(dir)) {
    if (ROOT_FILES.some((f) => fs.existsSync(path.join(dir, f)))) return dir === path.resolve(first) ? first : path.relative(process.cwd(), dir) || '.';
    if (dir === top || path.dirname(dir) === dir) return first;
  }
}

/** The top of the repository holding `dir` (the folder itself for a bare repository). */
async function repoRoot(dir: string): Promise<string> {
  const { runGitRaw } = await import('../sources/git/exec.js');
  const r = await runGitRaw(path.resolve(dir), ['rev-parse', '--show-toplevel']);
  const top = r.stdout.toString('utf8').trim();
  return r.code === 0 && top ? top : path.resolve(dir);
}

type Source = 'tree' | 'history' | 'staged';

interface BaselineCommandOptions {
  /** Absent for `prune` when not given: the source the baseline records. */
  from?: Source;
  output?: string;
  baseline?: string;
  config?: string;
  exclude: string[];
  quiet?: boolean;
  dryRun?: boolean;
  force?: boolean;
  path?: string;
  includeReview?: boolean;
}

/** The scan behind a baseline command: every tier, so each command picks the tokens it needs. */
function scanArgs(from: Source, target: string, o: BaselineCommandOptions): string[] {
  const args = [from === 'tree' ? 'scan' : from, target, '--include-review'];
  if (o.config) args.push('--config', o.config);
  for (const e of o.exclude) args.push('--exclude', e);
  return args;
}

/** The tokens a baseline records when none is named: report-tier ones, and review-tier ones with --include-review. */
function recorded(tokens: Token[], o: BaselineCommandOptions): Token[] {
  return o.includeReview ? tokens : tokens.filter(isReported);
}

async function rootOf(from: Source, target: string): Promise<string> {
  return from === 'tree' ? treeRoot([target]) : repoRoot(target);
}

/**
 * The baseline `prune` reads when none is named: at the top of the scanned folder, else of the repository (a
 * history baseline lives there). The source comes from the file, so it cannot pick the folder.
 */
async function defaultBaselineFile(from: Source | undefined, target: string): Promise<string> {
  if (from) return path.join(await rootOf(from, target), BASELINE_FILE_NAME);
  const inTree = path.join(treeRoot([target]), BASELINE_FILE_NAME);
  if (fs.existsSync(inTree)) return inTree;
  const inRepo = path.join(await repoRoot(target), BASELINE_FILE_NAME);
  return fs.existsSync(inRepo) ? inRepo : inTree;
}

/** The fingerprint key the scan of `target` uses (environment, else the config's key, else the default). */
async function keyFor(from: Source, target: string, configFile: string | undefined): Promise<string> {
  const [cli, config] = await Promise.all([import('./main.js'), import('../scan/config.js')]);
  return cli.fingerprintKey(config.loadConfig(config.findConfigFile(configFile, [await rootOf(from, target)])));
}

async function inventoryOf(args: string[], io: Io, quiet?: boolean): Promise<Inventory> {
  const cli = await import('./main.js');
  const inv = await cli.inventoryOf(args, io);
  if (!quiet) for (const w of inv.scan.warnings) io.stderr(`warning: ${w}\n`);
  return inv;
}

/** The folder or repository a baseline command scans: `--path`, or the positional path (create, prune). */
function targetOf(positional: string | undefined, o: BaselineCommandOptions): string {
  if (positional !== undefined && o.path !== undefined && positional !== o.path) {
    throw new BaselineError(`two folders to scan: ${positional} and --path ${o.path} (give one)`);
  }
  return o.path ?? positional ?? '.';
}

/** The baseline file given: `--baseline`, or its old name `--output`. */
function baselineOf(o: BaselineCommandOptions): string | undefined {
  if (o.baseline !== undefined && o.output !== undefined && o.baseline !== o.output) {
    throw new BaselineError(`two baseline files: --baseline ${o.baseline} and --output ${o.output} (give one)`);
  }
  return o.baseline ?? o.output;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export function registerBaselineCommands(program: Command, io: Io, setExit: (code: number) => void): void {
  const cmd = program
    .command('baseline')
    .description(`record the tokens a repository already has, so that only new ones are reported (${BASELINE_FILE_NAME})`);

  const common = (c: Command, sources: Source[], def: Source | undefined, fromHelp = 'what to scan') =>
    c
      .addOption(new Option('--from <source>', fromHelp).choices(sources).default(def))
      .option('-c, --config <file>', 'config file (default: .shadowscan.yaml in the scanned folder)')
      .option('--exclude <glob>', 'skip paths matching a glob (repeatable)', (v: string, prev: string[]) => [...prev, v], [])
      .option('-q, --quiet', 'no warnings or summary on stderr');
  const review = (c: Command) => c.option('--include-review', 'record review-tier tokens too (they never fail a build, so a baseline does not need them)');
  // The same names in every baseline command: --baseline is the baseline file (read and written, as `scan
  // --baseline` reads it), --path the folder or repository scanned. `-o, --output` (create and add before) stays as
  // a hidden alias of --baseline.
  const files = (c: Command, what: string) =>
    c
      .option('--baseline <file>', `baseline file to ${what} (default: ${BASELINE_FILE_NAME} at the top of the folder or repository)`)
      .addOption(new Option('-o, --output <file>').hideHelp())
      .option('--path <dir>', 'folder or repository to scan (default: .)');

  common(
    review(
      files(
        cmd
          .command('create')
          .description('scan and write every report-tier token found to a baseline file (sorted, one token a line, no locations)')
          .argument('[path]', 'the same as --path'),
        'write',
      ).option('--force', 'replace an existing baseline file (its entries and their notes are lost; `baseline add` and `prune` keep them)'),
    ),
    ['tree', 'history'],
    'tree',
  ).action(async (positional: string | undefined, o: BaselineCommandOptions) => {
    const target = targetOf(positional, o);
    const from = o.from ?? 'tree';
    const file = baselineOf(o) ?? path.join(await rootOf(from, target), BASELINE_FILE_NAME);
    // Checked before scanning: a baseline holds decisions (notes, accepted tokens) a new scan cannot rebuild.
    if (!o.force && fs.existsSync(file)) {
      throw new BaselineError(`baseline ${file} already exists: \`baseline add\` adds to it, \`baseline prune\` drops what is gone; --force replaces it (its notes are lost)`);
    }
    const found = await inventoryOf(scanArgs(from, target, o), io, o.quiet);
    const inv = { ...found, tokens: recorded(found.tokens, o) };
    writeBaseline(file, baselineFromInventory(inv, await keyFor(from, target, o.config), from === 'history' ? 'history' : 'tree'));
    io.stdout(`baseline ${file}: ${plural(new Set(inv.tokens.map((t) => t.id)).size, 'token')}\n`);
    setExit(0);
  });

  common(
    review(
      files(
        cmd
          .command('add')
          .description('scan and add tokens to the baseline (all report-tier tokens found, or those whose fingerprints start with the given prefixes)')
          .argument('[fingerprints...]', 'fingerprint prefixes (at least 6 hex digits) of the tokens to add, of either tier; default: every report-tier token found'),
        'update or create',
      ),
    ),
    ['staged', 'tree', 'history'],
    'staged',
  ).action(async (prefixes: string[], o: BaselineCommandOptions) => {
    const target = targetOf(undefined, o);
    const from = o.from ?? 'staged';
    for (const p of prefixes) {
      if (!/^[0-9a-f]{6,64}$/i.test(p)) throw new BaselineError(`not a fingerprint prefix: ${p} (6 to 64 hex digits, as printed by shadowscan)`);
    }
    const inv = await inventoryOf(scanArgs(from, target, o), io, o.quiet);
    let tokens: Token[] = recorded(inv.tokens, o);
    if (prefixes.length) {
      const wanted = prefixes.map((p) => p.toLowerCase());
      const missing = wanted.filter((p) => !inv.tokens.some((t) => t.id.startsWith(p)));
      if (missing.length) {
        throw new BaselineError(`no token ${from === 'staged' ? 'in the staged changes ' : ''}has a fingerprint starting with ${missing.join(', ')}`);
      }
      tokens = inv.tokens.filter((t) => wanted.some((p) => t.id.startsWith(p)));
    }
    const file = baselineOf(o) ?? path.join(await rootOf(from, target), BASELINE_FILE_NAME);
    const key = await keyFor(from, target, o.config);
    const baseline = fs.existsSync(file) ? readBaseline(file) : emptyBaseline(key);
    const warning = keyMismatchWarning(file, baseline, key);
    if (warning) throw new BaselineError(warning);
    if (!baseline.keyCheck) baseline.keyCheck = keyCheck(key);
    // Tokens from history make it a history baseline: pruned against the tree, they would be dropped.
    if (from === 'history') baseline.source = 'history';
    else baseline.source ??= 'tree';
    const added = addToBaseline(baseline, tokens);
    writeBaseline(file, baseline);
    io.stdout(`baseline ${file}: ${plural(added, 'token')} added, ${plural(baseline.tokens.length, 'token')} in all${added ? '; commit this file' : ''}\n`);
    setExit(0);
  });

  common(
    files(
      cmd
        .command('prune')
        .description('drop the baseline entries whose tokens a new scan no longer finds')
        .argument('[path]', 'the same as --path'),
      'prune',
    ).option('--dry-run', 'say what would be dropped, change nothing'),
    ['tree', 'history'],
    undefined,
    'what to scan (default: what the baseline was made from, as it records; tree for baselines that do not say)',
  ).action(async (positional: string | undefined, o: BaselineCommandOptions) => {
    const target = targetOf(positional, o);
    const file = baselineOf(o) ?? (await defaultBaselineFile(o.from, target));
    const baseline = readBaseline(file);
    const from = o.from ?? baseline.source ?? 'tree';
    const key = await keyFor(from, target, o.config);
    const warning = keyMismatchWarning(file, baseline, key);
    if (warning) throw new BaselineError(`${warning} (pruning would drop every entry)`);
    const inv = await inventoryOf(scanArgs(from, target, o), io, o.quiet);
    const { kept, dropped } = pruneBaseline(baseline, inv);
    for (const d of dropped) io.stdout(`${o.dryRun ? 'would drop' : 'dropped'} ${d.ruleId} ${d.redacted} ${d.id.slice(0, 12)}\n`);
    if (!o.dryRun && dropped.length) writeBaseline(file, baseline);
    io.stdout(`baseline ${file}: ${plural(kept.length, 'token')} kept, ${plural(dropped.length, 'token')} ${o.dryRun ? 'would be ' : ''}dropped (scanned: ${from === 'tree' ? 'the working tree' : 'every commit'})\n`);
    setExit(0);
  });
}
