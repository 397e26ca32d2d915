// `shadowscan install-hook` and `uninstall-hook`: a git pre-commit hook that runs `shadowscan staged`.
// Respects core.hooksPath (git tells where hooks live), never replaces a hook it did not write unless asked
// (--force keeps a copy; --chain keeps the hook and runs it first), and uninstalling puts such a hook back.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';

interface Io {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  isTTY: boolean;
}

const HOOK = 'pre-commit';
/** The first lines of every hook this command writes; how uninstall-hook knows the hook is its own. */
export const HOOK_MARKER = '# shadowscan-hook: pre-commit';
/** Where an existing hook goes: run before shadowscan (--chain), or kept aside (--force). */
export const CHAINED_SUFFIX = '.shadowscan-chained';
export const BACKUP_SUFFIX = '.shadowscan-backup';

/** A hook or install problem: one line for the user, exit 2. */
export class HookError extends Error {}

/** A string as one POSIX shell word. */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The script: runs a chained hook first (if any), then this shadowscan's CLI with this node, else one on PATH. */
export function hookScript(nodePath: string, cliPath: string): string {
  return `#!/bin/sh
${HOOK_MARKER} (written by \`shadowscan install-hook\`; remove it with \`shadowscan uninstall-hook\`)
# Blocks a commit that adds a secret: \`shadowscan staged\` scans the lines the commit adds.
# To skip every pre-commit hook once: git commit --no-verify
# The hook's folder without running dirname (a process less on every commit).
case "$0" in */*) here="\${0%/*}" ;; *) here=. ;; esac
chained="$here/${HOOK}${CHAINED_SUFFIX}"
if [ -x "$chained" ]; then
  "$chained" "$@" || exit $?
fi
node=${shellQuote(nodePath)}
cli=${shellQuote(cliPath)}
[ -x "$node" ] || node=node
if [ -f "$cli" ]; then
  exec "$node" "$cli" staged
elif command -v shadowscan >/dev/null 2>&1; then
  exec shadowscan staged
fi
echo "shadowscan pre-commit hook: shadowscan is not installed at $cli any more and not on PATH; reinstall it, or remove this hook with \\\`shadowscan uninstall-hook\\\` (skip it once: git commit --no-verify)" >&2
exit 1
`;
}

/** The CLI script of this installation (bin/shadowscan.js), which the hook runs with this node. */
function ownCli(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/shadowscan.js');
}

function isOurs(file: string): boolean {
  try {
    return fs.readFileSync(file, 'utf8').slice(0, 400).includes(HOOK_MARKER);
  } catch {
    return false;
  }
}

const exists = (p: string) => fs.lstatSync(p, { throwIfNoEntry: false }) !== undefined;

/** The folder git runs hooks from for the repository holding `dir`: core.hooksPath if set, else .git/hooks. */
export async function hooksDir(dir: string): Promise<string> {
  const { runGitRaw } = await import('../sources/git/exec.js');
  const cwd = path.resolve(dir);
  if (!fs.existsSync(cwd)) throw new HookError(`path does not exist: ${dir}`);
  const r = await runGitRaw(cwd, ['rev-parse', '--git-path', 'hooks']);
  const out = r.stdout.toString('utf8').trim();
  if (r.code !== 0 || !out) throw new HookError(`not a git repository: ${dir}`);
  return path.resolve(cwd, out);
}

function huskyHint(dir: string): string {
  return /(^|[\\/])\.husky([\\/]|$)/.test(dir) ? ' (husky manages this folder: add `npx shadowscan staged` to .husky/pre-commit instead, see the README)' : '';
}

export interface InstallResult {
  hook: string;
  action: 'installed' | 'updated' | 'chained' | 'replaced';
  moved?: string;
}

export async function installHook(repo: string, options: { force?: boolean; chain?: boolean; node?: string; cli?: string } = {}): Promise<InstallResult> {
  if (options.force && options.chain) throw new HookError('--force and --chain cannot be used together');
  const dir = await hooksDir(repo);
  const hook = path.join(dir, HOOK);
  const script = hookScript(options.node ?? process.execPath, options.cli ?? ownCli());
  fs.mkdirSync(dir, { recursive: true });
  let action: InstallResult['action'] = 'installed';
  let moved: string | undefined;
  if (exists(hook)) {
    if (isOurs(hook)) action = 'updated';
    else if (options.chain) {
      moved = hook + CHAINED_SUFFIX;
      if (exists(moved)) throw new HookError(`cannot chain: ${moved} already exists (remove it, or use --force)`);
      fs.renameSync(hook, moved);
      action = 'chained';
    } else if (options.force) {
      moved = hook + BACKUP_SUFFIX;
      fs.rmSync(moved, { force: true });
      fs.renameSync(hook, moved);
      action = 'replaced';
    } else {
      throw new HookError(
        `a ${HOOK} hook already exists: ${hook}${huskyHint(dir)}; --chain keeps it and runs it before shadowscan, --force replaces it (keeping a copy as ${HOOK}${BACKUP_SUFFIX})`,
      );
    }
  }
  const tmp = `${hook}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, script, { mode: 0o755 });
  fs.chmodSync(tmp, 0o755);
  fs.renameSync(tmp, hook);
  return { hook, action, moved };
}

export interface UninstallResult {
  hook: string;
  action: 'removed' | 'absent' | 'foreign';
  restored?: string;
}

export async function uninstallHook(repo: string): Promise<UninstallResult> {
  const dir = await hooksDir(repo);
  const hook = path.join(dir, HOOK);
  if (!exists(hook)) return { hook, action: 'absent' };
  if (!isOurs(hook)) return { hook, action: 'foreign' };
  fs.rmSync(hook);
  for (const suffix of [CHAINED_SUFFIX, BACKUP_SUFFIX]) {
    if (exists(hook + suffix)) {
      fs.renameSync(hook + suffix, hook);
      return { hook, action: 'removed', restored: hook + suffix };
    }
  }
  return { hook, action: 'removed' };
}

export function registerHookCommands(program: Command, io: Io, setExit: (code: number) => void): void {
  program
    .command('install-hook')
    .description('install a git pre-commit hook that runs `shadowscan staged` (respects core.hooksPath)')
    .argument('[repo]', 'a folder in the repository', '.')
    .option('--force', `replace an existing ${HOOK} hook (a copy is kept as ${HOOK}${BACKUP_SUFFIX})`)
    .option('--chain', `keep an existing ${HOOK} hook and run it before shadowscan`)
    .action(async (repo: string, o: { force?: boolean; chain?: boolean }) => {
      const r = await installHook(repo, o);
      const what = {
        installed: 'installed',
        updated: 'updated',
        chained: `installed; the previous hook runs first (moved to ${r.moved})`,
        replaced: `installed; the previous hook was replaced (a copy is in ${r.moved})`,
      }[r.action];
      io.stdout(`shadowscan: ${HOOK} hook ${what}: ${r.hook}\n`);
      setExit(0);
    });

  program
    .command('uninstall-hook')
    .description('remove the pre-commit hook that install-hook wrote (and put back the hook it chained or replaced)')
    .argument('[repo]', 'a folder in the repository', '.')
    .action(async (repo: string) => {
      const r = await uninstallHook(repo);
      const msg = {
        removed: `removed ${r.hook}${r.restored ? ` (restored the previous hook from ${r.restored})` : ''}`,
        absent: `no ${HOOK} hook at ${r.hook}: nothing to remove`,
        foreign: `the ${HOOK} hook at ${r.hook} was not written by shadowscan: left as it is`,
      }[r.action];
      io.stdout(`shadowscan: ${msg}\n`);
      setExit(0);
    });
}
