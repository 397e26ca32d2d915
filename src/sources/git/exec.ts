// Running the git executable: argument arrays only (never a shell), output as Buffers, a clean error on failure.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Variables that tell git which repository to use, or how to read it, instead of the folder it runs in. Git exports
 * some of them to hooks (a `pre-commit` running shadowscan on another repository would read the hook's repository),
 * and any of them left in a CI environment would make `history a` report b's tokens under a's name. Every git we
 * start is given an explicit repository (its working folder), so all of them are dropped.
 */
export const REPOSITORY_ENV_VARS = [
  'GIT_DIR', 'GIT_WORK_TREE', 'GIT_IMPLICIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_INDEX_VERSION', 'GIT_OBJECT_DIRECTORY',
  'GIT_ALTERNATE_OBJECT_DIRECTORIES', 'GIT_COMMON_DIR', 'GIT_NAMESPACE', 'GIT_PREFIX', 'GIT_SHALLOW_FILE',
  'GIT_GRAFT_FILE', 'GIT_REPLACE_REF_BASE', 'GIT_QUARANTINE_PATH', 'GIT_INTERNAL_SUPER_PREFIX', 'GIT_NO_REPLACE_OBJECTS',
];

/** Repository variables that belong to the repository git runs in, by that folder (see keepIndexFile). */
const kept = new Map<string, NodeJS.ProcessEnv>();

/**
 * Keeps the caller's GIT_INDEX_FILE for git processes run in these folders when it lies in the repository's own
 * git directory: that is the temporary index `git commit -a` (or `git commit <paths>`) hands its pre-commit hook,
 * and what it will commit. An index anywhere else belongs to another repository, or to nobody, and is dropped.
 */
export function keepIndexFile(folders: string[], gitDirs: string[]): void {
  const index = process.env.GIT_INDEX_FILE;
  if (!index) return;
  const abs = path.resolve(index);
  // Compared without symbolic links (/tmp and /private/tmp on macOS): the file's folder and the git directories.
  const real = (p: string) => {
    try {
      return fs.realpathSync(p);
    } catch {
      return path.resolve(p);
    }
  };
  const file = path.join(real(path.dirname(abs)), path.basename(abs));
  const inside = gitDirs.some((d) => {
    const rel = path.relative(real(d), file);
    return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
  });
  if (inside) for (const f of folders) kept.set(path.resolve(f), { GIT_INDEX_FILE: abs });
}

/** Environment for every git we start: no pager, no prompts, no lazy fetches of missing objects, stable output. */
export function gitEnv(cwd?: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of Object.keys(env)) {
    // Windows environment names are case-insensitive.
    if (REPOSITORY_ENV_VARS.includes(process.platform === 'win32' ? name.toUpperCase() : name)) delete env[name];
  }
  if (cwd !== undefined) Object.assign(env, kept.get(path.resolve(cwd)));
  return {
    ...env,
    // Replace refs and grafts make git show other objects in place of the stored ones (a clean blob for the one
    // holding a token, a commit without its parents): history is read as stored. The scan looks at the
    // replacements on its own and warns that they exist.
    GIT_NO_REPLACE_OBJECTS: '1',
    GIT_GRAFT_FILE: os.devNull,
    GIT_TERMINAL_PROMPT: '0',
    GIT_PAGER: 'cat',
    PAGER: 'cat',
    GIT_NO_LAZY_FETCH: '1',
    GIT_OPTIONAL_LOCKS: '0',
    LC_ALL: 'C',
    LANG: 'C',
  };
}

/** Options that make output independent of the user's configuration. */
export const GIT_GLOBAL_ARGS = [
  '-c', 'core.quotePath=false', '-c', 'diff.noprefix=false', '-c', 'diff.relative=false', '-c', 'diff.submodule=short',
  '-c', 'log.showRoot=true', '-c', 'log.showSignature=false', '-c', 'i18n.logOutputEncoding=UTF-8',
  // GIT_GRAFT_FILE (see gitEnv) would otherwise print a deprecation hint from every git.
  '-c', 'advice.graftFileDeprecated=false',
];

export class GitCommandError extends Error {
  constructor(
    readonly args: string[],
    readonly code: number | null,
    readonly stderr: string,
  ) {
    super(`git ${args[0] ?? ''} failed${code !== null ? ` (exit ${code})` : ''}: ${firstLine(stderr) || 'no message'}`);
  }
}

export function firstLine(s: string): string {
  return s.split('\n').map((l) => l.trim()).find(Boolean) ?? '';
}

let cachedGit: string | null | undefined;

/** The git executable on PATH, or undefined when there is none (then the isomorphic-git fallback is used). */
export function findGit(): string | undefined {
  if (cachedGit !== undefined) return cachedGit ?? undefined;
  const names = process.platform === 'win32' ? ['git.exe', 'git.cmd', 'git'] : ['git'];
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    for (const n of names) {
      const p = path.join(dir, n);
      try {
        fs.accessSync(p, fs.constants.X_OK);
        if (fs.statSync(p).isFile()) {
          cachedGit = p;
          return p;
        }
      } catch {
        // not here
      }
    }
  }
  cachedGit = null;
  return undefined;
}

/** For tests: forget the PATH lookup. */
export function resetGitLookup(): void {
  cachedGit = undefined;
}

/**
 * Starts git in `cwd` with the given arguments. The caller owns the streams. `extraEnv` is added to this one
 * process's environment (a credential passed per process, never through a file or the command line).
 */
export function spawnGit(cwd: string, args: string[], extraEnv?: Record<string, string>): ChildProcessWithoutNullStreams {
  const git = findGit();
  if (!git) throw new Error('no git executable on PATH');
  return spawn(git, [...GIT_GLOBAL_ARGS, ...args], { cwd, env: { ...gitEnv(cwd), ...extraEnv }, stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true });
}

export interface GitResult {
  stdout: Buffer;
  stderr: string;
  code: number | null;
}

/** Runs git to completion and collects its output. Rejects only if git cannot be started. */
export function runGitRaw(cwd: string, args: string[], input?: string | Buffer, extraEnv?: Record<string, string>): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    let child: ChildProcessWithoutNullStreams;
    try {
      child = spawnGit(cwd, args, extraEnv);
    } catch (err) {
      reject(err);
      return;
    }
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.stdin.on('error', () => {
      // git may exit before reading all of its input; its exit status tells what happened.
    });
    child.on('close', (code) => resolve({ stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8'), code }));
    if (input !== undefined) child.stdin.end(input);
    else child.stdin.end();
  });
}

/** Runs git and returns stdout; a non-zero exit becomes a GitCommandError. */
export async function runGit(cwd: string, args: string[], input?: string | Buffer): Promise<Buffer> {
  const r = await runGitRaw(cwd, args, input);
  if (r.code !== 0) throw new GitCommandError(args, r.code, r.stderr);
  return r.stdout;
}
