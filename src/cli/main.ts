// The command line: the only place that reads argv, writes stdout/stderr and picks exit codes.
// Start-up stays lean (a pre-commit hook waits on it): this module imports only light modules; each command
// loads the scanning code it needs (matchers, RE2, workers, git readers) when it runs.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import type { Inventory, Rule } from '../model/index.js';
import { BUILTIN_RULES_DIR, loadRules, RuleLoadError } from '../rules/load.js';
import { cacheDir, writeCacheFile } from '../rules/cache-dir.js';
import { PathNotFoundError } from '../sources/files.js';
import { ConfigError, DEFAULT_MAX_FILE_SIZE, findConfigFile, loadConfig, parseSize, type ShadowscanConfig } from '../scan/config.js';
import { DEFAULT_FINGERPRINT_KEY } from '../scan/redact.js';
import { BaselineError } from '../scan/baseline.js';
import { isReported, tierView } from '../scan/tiers.js';
import { formatBytes, scannedText, tierCounts, toCsv, toJson, toSarif, toText } from '../report/index.js';
import { toHtml } from '../report/html.js';
import { toMarkdown } from '../report/markdown.js';
import { toStagedText } from '../report/staged.js';
import { escapeControl } from '../report/escape.js';
import { registerHistoryCommands } from './history.js';
import { addArchiveOptions, addOutputOptions, addVerifyOptions, archivesWanted, collect, colorWanted, threads, type Format } from './options.js';
import { scanProgressView } from './progress.js';
import { addBaselineOption, applyBaselineOption, registerBaselineCommands, treeRoot, withIgnoreFile } from './baseline.js';
import { HookError, registerHookCommands } from './hooks.js';
import { registerOrgCommands } from './org.js';
import { registerRevokeCommand } from './respond-commands.js';
import { registerExplainCommand } from './explain.js';
import { addCommandHelp } from './help.js';

export const EXIT_CLEAN = 0;
export const EXIT_FOUND = 1;
export const EXIT_ERROR = 2;

/** An error whose message is all the user needs: printed as one line, exit 2. */
export class UsageError extends Error {}

/** `audit` is another name for `markdown` (the assessor's report). */
export { FORMATS } from './options.js';

export function packageVersion(): string {
  const pkg = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../package.json');
  return (JSON.parse(fs.readFileSync(pkg, 'utf8')) as { version: string }).version;
}

interface Io {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  isTTY: boolean;
}

const defaultIo: Io = {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
  isTTY: Boolean(process.stdout.isTTY),
};


function size(v: string): number {
  try {
    return parseSize(v);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}


interface OutputOptions {
  format: Format;
  output?: string;
  quiet?: boolean;
  showSecrets?: boolean;
  includeReview?: boolean;
  /** --color (true), --no-color (false), neither (undefined: the environment and the terminal decide). */
  color?: boolean;
  csvBom?: boolean;
}

/** 1 when a report-tier token remains (after baseline and allowlists); review-tier tokens never fail a build. */
export function exitCodeFor(inv: Inventory): number {
  return inv.tokens.some(isReported) ? EXIT_FOUND : EXIT_CLEAN;
}

/**
 * Loads the built-in rules, any configured rule directories and the files named with --rules, minus disabled ones.
 * Rules from the config's `rules.paths` (the scanned repository's own config, as a rule) never verify or revoke:
 * their `verify` and `revoke` are dropped, with a warning through `warn` when one had any. Only built-in rules and
 * files the user names with --rules reach the network.
 */
export function loadActiveRules(config: ShadowscanConfig, extraDirs: string[] = [], warn?: (message: string) => void): Rule[] {
  const { rules, problems } = loadRules([BUILTIN_RULES_DIR, ...config.rules.paths, ...extraDirs], { cache: true });
  if (problems.length) throw new UsageError(`invalid rules (run \`shadowscan rules check\`): ${problems[0]}`);
  const disabled = new Set(config.rules.disable);
  const active = rules.filter((r) => !disabled.has(r.id));
  if (!config.rules.paths.length || !active.some((r) => r.verify || r.revoke)) return active;
  const fromConfig = new Set(loadRules(config.rules.paths, { cache: true }).rules.map((r) => r.id));
  const ignored: string[] = [];
  const kept = active.map((r) => {
    if (!fromConfig.has(r.id) || (!r.verify && !r.revoke)) return r;
    ignored.push(r.id);
    const { verify: _v, revoke: _r, ...rest } = r;
    return rest as Rule;
  });
  if (ignored.length) warn?.(`rules from the config's rules.paths cannot verify or revoke; ignored for ${ignored.slice(0, 3).join(', ')}${ignored.length > 3 ? ` and ${ignored.length - 3} more` : ''} (name rule files with --rules instead)`);
  return kept;
}


/**
 * Compiles every active rule (patterns, parts, candidate values) before a scan starts: a rule RE2 cannot compile
 * (a lookahead, say) is a usage error naming it, never files skipped one by one as "scan failed". Compiling all of
 * them costs about 0.4 s, so a rule set that compiled once is remembered by a digest of what compiles (a marker
 * file beside the rules cache) and not compiled again up front.
 */
export async function checkRulesCompile(rules: Rule[]): Promise<void> {
  const h = crypto.createHash('sha256').update('compile-v1');
  for (const r of rules) {
    h.update(JSON.stringify([r.id, r.pattern ?? null, r.candidates?.value ?? null, (r.parts ?? []).map((p) => p.pattern), r.paths ?? null, r.excludePaths ?? null]));
  }
  const marker = path.join(cacheDir(), `rules-compiled-${h.digest('hex').slice(0, 16)}`);
  if (fs.existsSync(marker)) return;
  const { compileRule, RuleCompileError } = await import('../rules/compile.js');
  for (const r of rules) {
    try {
      compileRule(r, true);
    } catch (err) {
      const msg = (err as Error).message.split('\n')[0];
      throw new UsageError(`rule ${r.id}${r.source ? ` (${r.source})` : ''} does not compile: ${err instanceof RuleCompileError ? msg.replace(`${r.id}: `, '') : msg}`);
    }
  }
  // Not written (a read-only install): compiled every time.
  writeCacheFile(marker, '', /^rules-compiled-[0-9a-f]{16}$/);
}

export function fingerprintKey(config: ShadowscanConfig): string {
  return process.env.SHADOWSCAN_FINGERPRINT_KEY || config.fingerprintKey || DEFAULT_FINGERPRINT_KEY;
}

export function renderReport(inv: Inventory, rules: Rule[], format: Format, color: boolean, options: { csvBom?: boolean } = {}): string {
  switch (format) {
    case 'json':
      return toJson(inv);
    case 'sarif':
      return JSON.stringify(toSarif(inv, rules), null, 2) + '\n';
    case 'csv':
      return toCsv(inv, { bom: options.csvBom });
    case 'html':
      return toHtml(inv);
    case 'markdown':
    case 'audit':
      return toMarkdown(inv);
    default:
      if (inv.scan.history?.mode === 'staged') {
        // What a blocked commit shows. The baseline flag appears in its commands only for a non-default file.
        const file = inv.scan.baseline?.file;
        return toStagedText(inv, { color, baselineFile: file && file !== '.shadowscan-baseline.json' ? file : undefined });
      }
      return toText(inv, { color });
  }
}

/** Formats that are the inventory itself (every token, each with its tier) rather than a report for people or CI. */
const INVENTORY_FORMATS: Format[] = ['json', 'csv', 'html'];

/**
 * Writes the report of an inventory. The inventory formats (JSON, CSV) hold every token with its tier, and the
 * HTML report shows review-tier ones behind a filter; the others (text, SARIF, Markdown) show the report tier, and
 * the review tier too with --include-review. Then warnings and a summary line on stderr.
 */
export function writeReport(io: Io, full: Inventory, rules: Rule[], opts: OutputOptions): void {
  const inv = tierView(full, Boolean(opts.includeReview) || INVENTORY_FORMATS.includes(opts.format));
  const toFile = Boolean(opts.output && opts.output !== '-');
  const color = colorWanted(opts.color, { isTTY: io.isTTY, file: toFile });
  const body = renderReport(inv, rules, opts.format, color, { csvBom: opts.csvBom });
  if (toFile) writeFileAtomic(opts.output!, body);
  else io.stdout(body);
  if (opts.quiet) return;
  const skipped = inv.scan.skipped;
  // A corrupt file is both skipped and warned about: one line says it.
  const warned = inv.scan.warnings;
  const shown = skipped.filter(
    (s) => s.reason !== 'binary file' && !s.reason.startsWith('symbolic link') && !warned.some((w) => w.startsWith(`${s.path}: ${s.reason}`)),
  );
  // Paths, reasons and warnings come from the scanned content: control characters are escaped.
  for (const s of shown.slice(0, 10)) io.stderr(`warning: skipped ${escapeControl(s.path)}: ${escapeControl(s.reason)}\n`);
  if (shown.length > 10) io.stderr(`warning: ... and ${shown.length - 10} more skipped (see scan.skipped in --format json)\n`);
  for (const w of inv.scan.warnings.slice(0, 10)) io.stderr(`warning: ${escapeControl(w)}\n`);
  if (toFile || opts.format !== 'text') {
    const occ = inv.tokens.reduce((n, t) => n + t.occurrences.filter((o) => !o.part).length, 0);
    const n = tierCounts(inv);
    io.stderr(
      `shadowscan: ${n.reported} token(s)${n.review ? ` and ${n.review} in review` : ''}, ${occ} occurrence(s) in ${scannedText(inv.scan)} (${formatBytes(inv.scan.bytes)}) in ${(inv.scan.durationMs / 1000).toFixed(2)} s` +
        `${n.hidden ? `; ${n.hidden} more in review (--include-review)` : ''}${toFile ? `; report written to ${escapeControl(opts.output)}` : ''}\n`,
    );
  }
}


/**
 * Writes a report file whole or not at all: into a temporary file in the same folder, flushed, then renamed over
 * the target. A full disk or a killed process leaves the previous report as it was, never a truncated one.
 */
export function writeFileAtomic(file: string, body: string): void {
  const existing = fs.statSync(file, { throwIfNoEntry: false });
  if (existing && !existing.isFile()) {
    // /dev/stdout, a pipe, a terminal: nothing to replace, written as it is.
    try {
      fs.writeFileSync(file, body);
      return;
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      throw new UsageError(`cannot write ${file}: ${e.code ?? e.message.split('\n')[0]}`);
    }
  }
  // A symbolic link to a report: the report it points to is replaced, the link stays.
  let target = path.resolve(file);
  if (existing) target = fs.realpathSync(file);
  else if (fs.lstatSync(file, { throwIfNoEntry: false })?.isSymbolicLink()) target = path.resolve(path.dirname(target), fs.readlinkSync(file));
  const dir = path.dirname(target);
  const tmp = path.join(dir, `.${path.basename(target)}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`);
  let fd: number | undefined;
  try {
    fd = fs.openSync(tmp, 'wx', 0o644);
    fs.writeFileSync(fd, body);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = undefined;
    // Keep the permissions of the report being replaced.
    if (existing) fs.chmodSync(tmp, existing.mode & 0o7777);
    fs.renameSync(tmp, target);
  } catch (err) {
    if (fd !== undefined) fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    const e = err as NodeJS.ErrnoException;
    throw new UsageError(`cannot write ${file}: ${e.code ?? e.message.split('\n')[0]}${fs.existsSync(file) ? ' (the previous file is unchanged)' : ''}`);
  }
}

/**
 * Runs a scanning command (argv after `shadowscan`) in this process and returns its inventory, baseline not
 * applied. Quiet: the caller reports the inventory's warnings as it sees fit.
 */
export async function inventoryOf(args: string[], io: Io = defaultIo): Promise<Inventory> {
  let out = '';
  const program = buildProgram({ ...io, stdout: (s) => (out += s), isTTY: false });
  await program.parseAsync(['node', 'shadowscan', ...args, '--format', 'json', '--no-baseline', '--quiet']);
  return JSON.parse(out) as Inventory;
}

export function buildProgram(io: Io = defaultIo, setExit: (code: number) => void = () => {}): Command {
  const program = new Command('shadowscan')
    .description('Find API tokens, keys and credentials in working trees and git history.')
    .version(packageVersion(), '-V, --version')
    .option('--debug', 'print stack traces on errors')
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .exitOverride()
    .showSuggestionAfterError(true);

  addVerifyOptions(addArchiveOptions(addOutputOptions(
    addBaselineOption(
      program
        .command('scan')
        .description('scan files under each PATH (default: the current folder)')
        .argument('[paths...]', 'files or folders to scan (- reads standard input)', ['.'])
        .option('--exclude <pattern>', 'skip paths matching a pattern, in gitignore syntax (*.log at any depth, /build only at the top; repeatable)', collect, [])
        .option('--no-ignore', 'also scan what git ignores (.gitignore, .git/info/exclude), which is left out by default in a git work tree')
        .option('--include-vendored', 'also scan node_modules, vendor and other vendored or generated trees')
        .option('--max-file-size <size>', 'skip (and report) files larger than this (default: maxFileSize in the config, else 50MB)', size)
        .option('-j, --concurrency <n>', 'matcher threads (default: number of cores; at most twice that)', threads),
    ),
  ))).action(async (paths: string[], opts) => {
    const [{ scanTree }, { ScanProgress }, respond] = await Promise.all([import('../scan/scan-tree.js'), import('../scan/progress.js'), import('./respond.js')]);
    const problem = respond.verifyFlagsProblem(opts);
    if (problem) throw new UsageError(problem);
    const root = treeRoot(paths);
    const config = withIgnoreFile(loadConfig(findConfigFile(opts.config, [root])), root);
    const rules = loadActiveRules(config, opts.rules, opts.verify && !opts.quiet ? (m) => io.stderr(`warning: ${escapeControl(m)}\n`) : undefined);
    const held = opts.verify ? new Map() : undefined;
    await checkRulesCompile(rules);
    const progress = new ScanProgress('files');
    const view = scanProgressView(io, progress, opts.quiet);
    const maxFileSize: number = opts.maxFileSize ?? config.maxFileSize ?? DEFAULT_MAX_FILE_SIZE;
    view.start();
    const found = await scanTree({
      targets: paths,
      progress,
      root,
      gitIgnore: opts.ignore,
      rules,
      config,
      exclude: opts.exclude,
      includeVendored: opts.includeVendored,
      maxFileSize,
      archives: archivesWanted(opts, config, maxFileSize),
      concurrency: opts.concurrency,
      showSecrets: opts.showSecrets,
      fingerprintKey: fingerprintKey(config),
      version: packageVersion(),
      minScore: opts.minScore,
      heldSecrets: held,
    }).finally(() => view.stop());
    const inv = applyBaselineOption(found, root, opts.baseline, fingerprintKey(config));
    await respond.verifyScanned(io, inv, rules, held, opts);
    writeReport(io, inv, rules, opts);
    setExit(respond.exitCodeWith(inv, opts.failOn, exitCodeFor));
  });

  const rulesCmd = program.command('rules').description('list and check detection rules');
  rulesCmd
    .command('list')
    .description('list the rules: id, provider, kind, severity, privilege')
    // -f as every other command names it; --json, its first name, stays as a hidden alias.
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
    .addOption(new Option('--json').hideHelp())
    .option('-c, --config <file>', 'config file (adds rule paths, disables rules)')
    .action((opts) => {
      const config = loadConfig(findConfigFile(opts.config, ['.']));
      const rules = loadActiveRules(config);
      if (opts.json || opts.format === 'json') {
        io.stdout(JSON.stringify(rules.map(({ id, name, provider, kind, severity, privilege, confidence }) => ({ id, name, provider, kind, severity, privilege, confidence })), null, 2) + '\n');
      } else {
        const rows = [['ID', 'PROVIDER', 'KIND', 'SEVERITY', 'PRIVILEGE'], ...rules.map((r) => [r.id, r.provider, r.kind, r.severity, r.privilege])];
        const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
        io.stdout(rows.map((r) => r.map((c, i) => (i < r.length - 1 ? c.padEnd(widths[i]) : c)).join('  ')).join('\n') + '\n');
        io.stdout(`${rules.length} rules\n`);
      }
      setExit(EXIT_CLEAN);
    });
  rulesCmd
    .command('check')
    .description('validate rule files, compile every pattern with RE2 and run every example')
    .argument('[paths...]', 'rule files or folders (default: the built-in rules)')
    .action(async (paths: string[]) => {
      const [{ compileRules, RuleCompileError }, { checkRuleExamples }] = await Promise.all([import('../rules/compile.js'), import('../match/examples.js')]);
      const dirs = paths.length ? paths : [BUILTIN_RULES_DIR];
      const { rules, files, problems } = loadRules(dirs, { validate: true });
      const failures = [...problems];
      try {
        compileRules(rules);
      } catch (err) {
        if (!(err instanceof RuleCompileError)) throw err;
      }
      for (const f of checkRuleExamples(rules)) failures.push(`${f.ruleId}: ${f.message}`);
      for (const f of failures) io.stderr(`FAIL ${f}\n`);
      const examples = rules.reduce((n, r) => n + r.examples.length + r.negativeExamples.length, 0);
      io.stdout(`${files.length} files, ${rules.length} rules, ${examples} examples: ${failures.length ? `${failures.length} failure(s)` : 'all passed'}\n`);
      setExit(failures.length ? EXIT_ERROR : EXIT_CLEAN);
    });

  registerHistoryCommands(program, io, setExit);
  registerBaselineCommands(program, io, setExit);
  registerHookCommands(program, io, setExit);
  registerOrgCommands(program, io, setExit);
  registerRevokeCommand(program, io, setExit);
  registerExplainCommand(program, io, setExit);
  addCommandHelp(program);
  return program;
}

async function isKnownError(err: unknown): Promise<boolean> {
  if (
    err instanceof UsageError || err instanceof ConfigError || err instanceof PathNotFoundError ||
    err instanceof RuleLoadError || err instanceof BaselineError || err instanceof HookError
  ) {
    return true;
  }
  // Loaded only on this error path: it brings RE2.
  const { RuleCompileError } = await import('../rules/compile.js');
  return err instanceof RuleCompileError;
}

/** Runs the CLI and returns the exit code. Never throws. */
export async function main(argv: string[], io: Io = defaultIo): Promise<number> {
  let code = EXIT_CLEAN;
  // `shadowscan scan | head`: a reader that goes away is not an error worth a stack trace.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(code);
    throw err;
  });
  const program = buildProgram(io, (c) => (code = c));
  const debug = argv.includes('--debug');
  // Whatever fails where no caller waits (a matcher thread, a stream): one line and exit 2, never exit 1 (which
  // means "tokens found") and never a stack trace unless --debug.
  const fatal = (err: unknown) => {
    const e = err as Error | undefined;
    io.stderr(debug ? `${e?.stack ?? String(err)}\n` : `shadowscan: ${escapeControl(String(e?.message ?? err).split('\n')[0])} (run with --debug for details)\n`);
    process.exit(EXIT_ERROR);
  };
  process.on('unhandledRejection', fatal);
  process.on('uncaughtException', fatal);
  try {
    await program.parseAsync(argv);
    return code;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version exit 0; commander has already printed its one-line error otherwise.
      return err.exitCode === 0 ? EXIT_CLEAN : EXIT_ERROR;
    }
    if (debug) io.stderr(`${(err as Error).stack ?? String(err)}\n`);
    else if (await isKnownError(err)) io.stderr(`shadowscan: ${escapeControl((err as Error).message.split('\n')[0])}\n`);
    else io.stderr(`shadowscan: ${escapeControl((err as Error)?.message?.split('\n')[0] ?? String(err))} (run with --debug for details)\n`);
    return EXIT_ERROR;
  }
}
