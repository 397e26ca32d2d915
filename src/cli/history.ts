// The `history` and `staged` commands. Loaded with the rest of the CLI, so it imports nothing heavy up front:
// the scan code, git sources and rules are loaded by the command that runs (`staged` is a pre-commit hook: fast).
import { Option, type Command } from 'commander';
import { addBaselineOption, applyBaselineOption, withIgnoreFile } from './baseline.js';
import { type ArchiveOptionValues, type VerifyOptionValues, addArchiveOptions, addOutputOptions as addSharedOutputOptions, addVerifyOptions, archivesWanted, collect, sinceDate, sizeText, threads } from './options.js';
import { scanProgressView } from './progress.js';

const addOutputOptions = (cmd: Command) => addSharedOutputOptions(cmd, 'config file (default: .shadowscan.yaml at the top of the working tree)');

interface Io {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  isTTY: boolean;
}






function addScopeOptions(cmd: Command): Command {
  return addBaselineOption(cmd)
    .option('--exclude <pattern>', 'skip paths matching a pattern, in gitignore syntax (*.log at any depth, /build only at the top; repeatable)', collect, [])
    .option('--include-vendored', 'also scan node_modules, vendor and other vendored or generated trees')
    .option('--max-file-size <size>', 'skip (and report) blobs larger than this (default: maxFileSize in the config, else 50MB)', sizeText)
    .option('-j, --concurrency <n>', 'matcher threads (default: number of cores; at most twice that)', threads)
    .addOption(new Option('--git-backend <name>', 'read with the git executable or isomorphic-git').choices(['auto', 'git', 'isomorphic-git']).default('auto').hideHelp());
}

interface RepoCommandOptions extends ArchiveOptionValues, VerifyOptionValues {
  format: 'text' | 'json' | 'sarif' | 'csv' | 'html' | 'markdown' | 'audit';
  output?: string;
  config?: string;
  showSecrets?: boolean;
  quiet?: boolean;
  exclude: string[];
  includeVendored?: boolean;
  maxFileSize?: string;
  concurrency?: number;
  gitBackend: 'auto' | 'git' | 'isomorphic-git';
  ref?: string[];
  since?: string;
  range?: string;
  baseline?: string | boolean;
  minScore?: number;
  includeReview?: boolean;
  color?: boolean;
  csvBom?: boolean;
}

async function runRepoCommand(kind: 'history' | 'staged', repo: string, opts: RepoCommandOptions, io: Io, setExit: (code: number) => void): Promise<void> {
  const [cli, scan, config, git, { ScanProgress }] = await Promise.all([
    import('./main.js'),
    import('../scan/scan-history.js'),
    import('../scan/config.js'),
    import('../sources/git/index.js'),
    import('../scan/progress.js'),
  ]);
  // `staged` (the pre-commit hook) loads nothing of the network side unless --verify is given to it.
  const respond = opts.verify || opts.failOn || opts.verifyEndpoint?.length ? await import('./respond.js') : undefined;
  const problem = respond?.verifyFlagsProblem(opts);
  if (problem) throw new cli.UsageError(problem);
  try {
    const opened = await scan.openRepository(repo, opts.gitBackend);
    // A pre-commit hook waits on this: git reads the staged change while the rules load.
    const changes = kind === 'staged' ? opened.backend.staged() : undefined;
    changes?.catch(() => undefined);
    const r = opened.backend.repo;
    const root = r.worktree ?? r.path;
    const cfg = withIgnoreFile(config.loadConfig(config.findConfigFile(opts.config, [root])), root);
    const rules = cli.loadActiveRules(cfg, opts.rules, opts.verify && !opts.quiet ? (m) => io.stderr(`warning: ${m}\n`) : undefined);
    await cli.checkRulesCompile(rules);
    const maxFileSize = opts.maxFileSize !== undefined ? config.parseSize(opts.maxFileSize) : (cfg.maxFileSize ?? config.DEFAULT_MAX_FILE_SIZE);
    const held = opts.verify ? new Map() : undefined;
    const common = {
      repo,
      opened,
      rules,
      config: cfg,
      exclude: opts.exclude,
      includeVendored: opts.includeVendored,
      maxFileSize,
      // The pre-commit hook (staged) matches added lines of text: archives are for history.
      ...(kind === 'history' ? { archives: archivesWanted(opts, cfg, maxFileSize) } : {}),
      concurrency: opts.concurrency,
      showSecrets: opts.showSecrets,
      fingerprintKey: cli.fingerprintKey(cfg),
      version: cli.packageVersion(),
      minScore: opts.minScore,
      heldSecrets: held,
    };
    let found;
    if (kind === 'history') {
      const progress = new ScanProgress('blobs');
      const view = scanProgressView(io, progress, opts.quiet);
      view.start();
      found = await scan
        .scanHistory({ ...common, refs: opts.ref?.length ? opts.ref : undefined, since: opts.since, range: opts.range, progress })
        .finally(() => view.stop());
    } else found = await scan.scanStaged({ ...common, changes });
    const inv = applyBaselineOption(found, root, opts.baseline, common.fingerprintKey);
    if (respond) await respond.verifyScanned(io, inv, rules, held, opts);
    cli.writeReport(io, inv, rules, opts);
    setExit(respond ? respond.exitCodeWith(inv, opts.failOn, cli.exitCodeFor) : cli.exitCodeFor(inv));
  } catch (err) {
    // Problems with the repository or the request: one line, exit 2, no stack hint.
    if (err instanceof scan.HistoryUsageError || err instanceof git.NotARepositoryError || err instanceof git.GitCommandError) {
      throw new cli.UsageError(err.message);
    }
    throw err;
  }
}

export function registerHistoryCommands(program: Command, io: Io, setExit: (code: number) => void): void {
  addVerifyOptions(addArchiveOptions(addOutputOptions(
    addScopeOptions(
      program
        .command('history')
        .description('scan every commit of a repository: each unique file version once, with provenance')
        .argument('[repo]', 'repository: a working tree (or a folder in it), a worktree or a bare repository', '.')
        .option('--ref <ref>', 'scan only what this ref reaches (repeatable; default: every branch, tag, remote ref, pull ref and stash)', collect, [])
        .option('--since <date>', 'only commits more recent than this: 2024-01-31 (midnight UTC), 2024-01-31T14:30:00+02:00 or "2 weeks ago"', sinceDate)
        .option('--range <base..head>', 'only lines that the commits in this range add (BASE...HEAD: from their merge base)'),
    ),
  ))).action((repo: string, opts: RepoCommandOptions) => runRepoCommand('history', repo, opts, io, setExit));

  addVerifyOptions(addOutputOptions(
    addScopeOptions(
      program
        .command('staged')
        .description('scan what `git commit` would record now: only the lines the staged change adds (for a pre-commit hook)')
        .argument('[repo]', 'a folder in the repository', '.'),
    ),
  )).action((repo: string, opts: RepoCommandOptions) => runRepoCommand('staged', repo, opts, io, setExit));
}
