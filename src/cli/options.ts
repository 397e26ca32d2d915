// Option parsers and the output options shared by every command that writes a report.
import os from 'node:os';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { DEFAULT_MIN_SCORE, asMinScore, type ShadowscanConfig } from '../scan/config.js';
import { DEFAULT_ARCHIVE_DEPTH, archiveLimits, type ArchiveLimits } from '../sources/archive-kind.js';
import { SINCE_FORMS, parseSince } from '../scan/since.js';

export const FORMATS = ['text', 'json', 'sarif', 'csv', 'html', 'markdown', 'audit'] as const;
export type Format = (typeof FORMATS)[number];

export const collect = (v: string, prev: string[]) => [...prev, v];

export function positiveInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a whole number of at least 1');
  return n;
}

/**
 * The most matcher threads `-j` gives: twice the cores. Matching is CPU-bound, so threads beyond the cores only
 * take turns; each one holds its own compiled rules and RE2 caches (about 15 MB) and up to two batches of file
 * content (up to 8 MB), so `-j 256` took 3.8 GB for nothing. Twice, not once, leaves room for threads waiting on
 * reads and for machines whose reported core count is low (a CPU quota).
 */
export function maxThreads(): number {
  return 2 * Math.max(1, os.availableParallelism?.() ?? os.cpus().length);
}

/** `-j N`: a whole number of at least 1, capped at maxThreads(). */
export function threads(v: string): number {
  return Math.min(positiveInt(v), maxThreads());
}

/** Checks a size's syntax now; it is parsed when the command runs (parseSize lives with the config code). */
export function sizeText(v: string): string {
  if (!/^\s*\d+(?:\.\d+)?\s*[kmgt]?i?b?\s*$/i.test(v)) throw new InvalidArgumentError(`not a size: ${v} (use e.g. 50MB, 512KB, 1048576)`);
  return v;
}

/** `--since`: checked when the command line is read (git would take any text for "now" and list nothing). */
export function sinceDate(v: string): string {
  if (parseSince(v) === undefined) throw new InvalidArgumentError(`not a date; use ${SINCE_FORMS}`);
  return v;
}

export function minScore(v: string): number {
  const n = asMinScore(v);
  if (n === undefined) throw new InvalidArgumentError('must be a number from 0 to 1');
  return n;
}

/**
 * `--include-review` for every command that writes a report; `--min-score` for those that decide tiers (the
 * scans, and `inventory show`, which decides them again from the stored scores).
 */
export function addTierOptions(cmd: Command, options: { minScore?: boolean } = {}): Command {
  if (options.minScore ?? true) {
    cmd.option('--min-score <n>', `tokens scoring below this (0 to 1) go to the review tier (default: minScore in the config, else ${DEFAULT_MIN_SCORE})`, minScore);
  }
  return cmd.option('--include-review', 'text, SARIF and Markdown reports also show review-tier tokens (password hashes, encrypted keys, low scores; JSON and CSV always hold them); they never change the exit code');
}

export function addOutputOptions(cmd: Command, configHelp = 'config file (default: .shadowscan.yaml in the scanned folder)'): Command {
  return addRenderOptions(
    addTierOptions(cmd)
      .addOption(new Option('-f, --format <format>', 'report format').choices(FORMATS as unknown as string[]).default('text'))
      .option('-o, --output <file>', 'write the report to a file instead of stdout')
      .option('-c, --config <file>', configHelp)
      .option('--show-secrets', 'print raw secret values (never do this in CI logs)')
      .option('-q, --quiet', 'no progress, warnings or summary on stderr'),
  );
}

/**
 * `--color`/`--no-color` (the text report and a blocked commit's message) and `--csv-bom`, for every command that
 * writes a report. `--csv-bom` with another format is a usage error before anything is scanned.
 */
export function addRenderOptions(cmd: Command): Command {
  return cmd
    .option('--color', 'colour the text report even when stdout is not a terminal')
    .option('--no-color', 'never colour the text report (as NO_COLOR=1 does)')
    .option('--csv-bom', 'start CSV with a UTF-8 byte-order mark, so spreadsheet tools read it as UTF-8 (shows … right)')
    .hook('preAction', (command) => {
      const o = command.opts<{ csvBom?: boolean; format?: string }>();
      if (o.csvBom && o.format !== 'csv') command.error('error: --csv-bom applies to --format csv only', { exitCode: 2, code: 'shadowscan.csvBom' });
    });
}

/**
 * Whether the text report is coloured. `--color`/`--no-color` decide; else, for a terminal or a pipe, FORCE_COLOR
 * as Node reads it (empty, 1, 2, 3 or true: colour; any other value: none), then NO_COLOR and NODE_DISABLE_COLORS
 * (set and not empty: none), then whether stdout is a terminal that is not TERM=dumb. A report written to a file
 * (--output) is coloured only with --color.
 */
export function colorWanted(flag: boolean | undefined, to: { isTTY: boolean; file: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  if (flag !== undefined) return flag;
  if (to.file) return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined) return ['', '1', '2', '3', 'true'].includes(force);
  if (env.NO_COLOR || env.NODE_DISABLE_COLORS) return false;
  return to.isTTY && env.TERM !== 'dumb';
}

/** What addArchiveOptions adds to a command's options. */
export interface ArchiveOptionValues {
  archives?: boolean;
  archiveDepth?: number;
}

/** `--no-archives` and `--archive-depth`, for the commands that read files or blobs (scan, history, org). */
export function addArchiveOptions(cmd: Command): Command {
  return (
    cmd
      // The default, named so that --no-archives and the config's `archives: false` can be told apart from it.
      .addOption(new Option('--archives', 'open archives and packages (the default)').hideHelp())
      .option('--no-archives', 'do not open archives and packages (zip, jar, whl, nupkg, tar, tgz, gz): skip them as binary files')
      .option('--archive-depth <n>', `open archives nested up to this depth (default: archiveDepth in the config, else ${DEFAULT_ARCHIVE_DEPTH})`, positiveInt)
  );
}

/** The archive limits a command scans with: none when --no-archives (or the config's `archives: false`) says so. */
export function archivesWanted(
  opts: { archives?: boolean; archiveDepth?: number; includeVendored?: boolean },
  config: ShadowscanConfig,
  maxFileSize: number,
): ArchiveLimits | undefined {
  if (!(opts.archives ?? config.archives ?? true)) return undefined;
  return archiveLimits(maxFileSize, opts.archiveDepth ?? config.archiveDepth ?? DEFAULT_ARCHIVE_DEPTH, opts.includeVendored ?? config.includeVendored ?? false);
}

/** What addVerifyOptions adds to a command's options. */
export interface VerifyOptionValues {
  verify?: boolean;
  verifyEndpoint?: string[];
  failOn?: 'live';
  rules?: string[];
}

/** `--verify-endpoint KEY=URL`: checked when the command line is read; collected into a list. */
export function endpointOption(v: string, prev: string[]): string[] {
  const eq = v.indexOf('=');
  if (eq < 1) throw new InvalidArgumentError('must be KEY=URL (KEY: a rule file such as github, or a rule id)');
  let url: URL;
  try {
    url = new URL(v.slice(eq + 1).trim());
  } catch {
    throw new InvalidArgumentError(`not a URL: ${v.slice(eq + 1)}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new InvalidArgumentError('the URL must be http(s)');
  if (url.username || url.password) throw new InvalidArgumentError('the URL may not carry a user name or password');
  return [...prev, v];
}

/**
 * `--verify` and its company, for the commands that scan (never `staged` unless asked there): network access only
 * when asked, to the provider's host or the one the user names.
 */
export function addVerifyOptions(cmd: Command): Command {
  return cmd
    .option('--rules <path>', 'also load rule files from this file or folder (repeatable); unlike the config\'s rules.paths, their verify and revoke blocks are honoured', collect, [])
    .option('--verify', 'ask each found credential\'s provider whether it works (network: the provider\'s own API host only)')
    .option('--verify-endpoint <key=url>', 'send a provider\'s checks to this base URL instead (KEY: rule file such as github, or a rule id; repeatable)', endpointOption, [])
    .addOption(new Option('--fail-on <what>', 'exit 1 only when a verified credential is live (needs --verify)').choices(['live']));
}
