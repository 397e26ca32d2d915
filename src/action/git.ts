// Making a CI checkout complete enough for the scan asked for. actions/checkout fetches one commit by default:
// a range scan then lacks its base and the commits in between, and a history scan lacks the history. This
// fetches what is missing (commits by id, then deeper history step by step), and fails with a message that
// says what to do when it cannot; it never lets a scan run silently on a partial history.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { firstLine, runGitRaw } from '../sources/git/exec.js';

export class CheckoutError extends Error {}

export const FETCH_DEPTH_HINT = 'set `fetch-depth: 0` on actions/checkout (or fetch the commits yourself before this step)';

/** Steps for --deepen: each fetch adds this many commits below the current boundary; then --unshallow. */
const DEEPEN_STEPS = [50, 200, 1000];

export type Log = (line: string) => void;

const git = runGitRaw;

export async function isShallow(cwd: string): Promise<boolean> {
  const r = await git(cwd, ['rev-parse', '--is-shallow-repository']);
  if (r.code !== 0) throw new CheckoutError(`not a git repository: ${cwd} (${firstLine(r.stderr)}); check out the repository first (actions/checkout)`);
  return r.stdout.toString().trim() === 'true';
}

export async function hasCommit(cwd: string, sha: string): Promise<boolean> {
  const r = await git(cwd, ['cat-file', '-e', '--end-of-options', `${sha}^{commit}`]);
  return r.code === 0;
}

export async function mergeBase(cwd: string, a: string, b: string): Promise<string | undefined> {
  const r = await git(cwd, ['merge-base', '--end-of-options', a, b]);
  return r.code === 0 ? r.stdout.toString().trim() || undefined : undefined;
}

async function fetch(cwd: string, remote: string, args: string[], log: Log): Promise<void> {
  const options = args.filter((a) => a.startsWith('-'));
  const refs = args.filter((a) => !a.startsWith('-'));
  log(`git fetch ${[...options, remote, ...refs].join(' ')}`);
  const r = await git(cwd, ['-c', 'protocol.version=2', 'fetch', '--quiet', '--no-tags', '--no-recurse-submodules', ...options, '--end-of-options', remote, ...refs]);
  if (r.code !== 0) throw new CheckoutError(`git fetch failed: ${firstLine(r.stderr) || `exit ${r.code}`}`);
}

async function shallowCommits(cwd: string): Promise<Set<string>> {
  const r = await git(cwd, ['rev-parse', '--git-path', 'shallow']);
  const file = path.resolve(cwd, r.stdout.toString().trim());
  try {
    return new Set(fs.readFileSync(file, 'utf8').split('\n').filter(Boolean));
  } catch {
    return new Set();
  }
}

/** Whether every commit of base..head, and their merge base, are here (no shallow boundary inside the range). */
async function rangeComplete(cwd: string, base: string, head: string): Promise<boolean> {
  if (!(await mergeBase(cwd, base, head))) return false;
  const boundary = await shallowCommits(cwd);
  if (!boundary.size) return true;
  const r = await git(cwd, ['rev-list', '--end-of-options', head, `^${base}`]);
  if (r.code !== 0) return false;
  return !r.stdout.toString().split('\n').some((c) => boundary.has(c));
}

/**
 * Makes sure `base..head` can be scanned completely: both commits present (fetched by id if not), and enough
 * history below them that their merge base is here with no shallow boundary inside the range.
 */
export async function ensureRange(cwd: string, base: string, head: string, log: Log, remote = 'origin'): Promise<void> {
  const shallow = await isShallow(cwd);
  const missing: string[] = [];
  for (const sha of [base, head]) if (!(await hasCommit(cwd, sha))) missing.push(sha);
  if (missing.length) {
    try {
      await fetch(cwd, remote, [...(shallow ? ['--depth=1'] : []), ...missing], log);
    } catch (err) {
      throw new CheckoutError(`commit${missing.length > 1 ? 's' : ''} ${missing.map((s) => s.slice(0, 12)).join(', ')} not in this checkout and could not be fetched (${(err as Error).message}); ${FETCH_DEPTH_HINT}`);
    }
  }
  if (!(await isShallow(cwd)) || (await rangeComplete(cwd, base, head))) return;
  try {
    for (const n of DEEPEN_STEPS) {
      await fetch(cwd, remote, [`--deepen=${n}`, base, head], log);
      if (await rangeComplete(cwd, base, head)) return;
      if (!(await isShallow(cwd))) return;
    }
    await fetch(cwd, remote, ['--unshallow', base, head], log);
  } catch (err) {
    throw new CheckoutError(`the history between ${base.slice(0, 12)} and ${head.slice(0, 12)} is not in this shallow checkout and could not be fetched (${(err as Error).message}); ${FETCH_DEPTH_HINT}`);
  }
  if (await isShallow(cwd) && !(await rangeComplete(cwd, base, head))) {
    throw new CheckoutError(`the history between ${base.slice(0, 12)} and ${head.slice(0, 12)} is still incomplete after fetching; ${FETCH_DEPTH_HINT}`);
  }
}

/** For a whole-history scan: the complete history of every branch and tag. */
export async function ensureFullHistory(cwd: string, log: Log, remote = 'origin'): Promise<void> {
  if (!(await isShallow(cwd))) return;
  try {
    await fetch(cwd, remote, ['--unshallow', '+refs/heads/*:refs/remotes/origin/*', '+refs/tags/*:refs/tags/*'], log);
  } catch (err) {
    throw new CheckoutError(`this is a shallow checkout and its history could not be fetched (${(err as Error).message}); ${FETCH_DEPTH_HINT}`);
  }
}

/** Fetches a branch of the remote (for comparing a new branch with the default one); its commit id, or undefined. */
export async function fetchBranch(cwd: string, branch: string, log: Log, remote = 'origin'): Promise<string | undefined> {
  try {
    const shallow = await isShallow(cwd);
    await fetch(cwd, remote, [...(shallow ? ['--depth=1'] : []), `+refs/heads/${branch}:refs/remotes/${remote}/${branch}`], log);
  } catch {
    return undefined;
  }
  const r = await git(cwd, ['rev-parse', '--verify', '--quiet', '--end-of-options', `refs/remotes/${remote}/${branch}^{commit}`]);
  return r.code === 0 ? r.stdout.toString().trim() : undefined;
}

/** Which of `paths` (relative to the top of the repository) differ between two commits. */
export async function changedPaths(cwd: string, from: string, to: string, paths: string[]): Promise<string[]> {
  if (!paths.length) return [];
  const r = await git(cwd, ['diff', '--name-only', '-z', '--no-renames', '--no-ext-diff', '--end-of-options', from, to, '--', ...paths.map((p) => `:(literal)${p}`)]);
  if (r.code !== 0) throw new CheckoutError(`git diff ${from.slice(0, 12)} ${to.slice(0, 12)} failed: ${firstLine(r.stderr) || `exit ${r.code}`}`);
  return r.stdout.toString('utf8').split('\0').filter(Boolean);
}

/** A file's content at a commit, or undefined when the commit has no such file. */
export async function fileAt(cwd: string, rev: string, file: string): Promise<Buffer | undefined> {
  const r = await git(cwd, ['cat-file', 'blob', '--end-of-options', `${rev}:${file}`]);
  return r.code === 0 ? r.stdout : undefined;
}

/**
 * Runs `fn` with a linked worktree of the repository at `rev` that holds only `files` (path -> content, relative to
 * its top): the same commits and objects, another folder for the config and ignore file a scan reads. Removed after.
 */
export async function withWorktree<T>(cwd: string, rev: string, files: Map<string, Buffer>, fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shadowscan-action-before-'));
  const r = await git(cwd, ['worktree', 'add', '--quiet', '--detach', '--no-checkout', '--end-of-options', dir, rev]);
  if (r.code !== 0) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw new CheckoutError(`git worktree add failed: ${firstLine(r.stderr) || `exit ${r.code}`}`);
  }
  try {
    for (const [rel, content] of files) {
      fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
      fs.writeFileSync(path.join(dir, rel), content);
    }
    return await fn(dir);
  } finally {
    await git(cwd, ['worktree', 'remove', '--force', '--end-of-options', dir]);
    fs.rmSync(dir, { recursive: true, force: true });
    await git(cwd, ['worktree', 'prune']);
  }
}
