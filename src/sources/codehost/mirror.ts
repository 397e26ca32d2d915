// Bare mirrors of hosted repositories in a cache folder: `git clone --mirror` the first time (every ref the host
// advertises: branches, tags, GitHub's refs/pull/*, GitLab's refs/merge-requests/*), `git fetch --prune` after.
// The token reaches git only through the environment of that one process (see auth.ts); the clone URL stored in
// the mirror's config is the API's, without credentials.
import fs from 'node:fs';
import path from 'node:path';
import { firstLine, runGitRaw } from '../git/exec.js';
import type { HostAuth } from './auth.js';
import type { HostedRepository, HostTarget } from './types.js';

export interface MirrorResult {
  name: string;
  /** The bare mirror (absolute). */
  path: string;
  action: 'cloned' | 'fetched' | 'failed';
  /** One line, redacted. */
  error?: string;
}

/** A path part from the API taken as a folder name only when it is a plain one. */
const SAFE_PART = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

/**
 * The hosts a clone URL may name to be given the token: the API's own host, and github.com for api.github.com.
 * A listing that points elsewhere is refused, not followed.
 */
export function cloneHosts(apiUrl: string): string[] {
  const host = new URL(apiUrl).hostname.toLowerCase();
  return host === 'api.github.com' ? ['github.com'] : [host];
}

/** Where a repository's mirror lives: ROOT/<clone host>/<owner>/<name>.git, or undefined for a name unfit for a path. */
export function mirrorPath(root: string, repo: HostedRepository): string | undefined {
  let host: string;
  try {
    host = new URL(repo.cloneUrl).host.toLowerCase().replace(/:/g, '_');
  } catch {
    return undefined;
  }
  const parts = repo.name.replace(/\.git$/, '').split('/');
  if (!SAFE_PART.test(host) || !parts.every((p) => SAFE_PART.test(p) && p !== '.' && p !== '..')) return undefined;
  return path.join(path.resolve(root), host, ...parts.slice(0, -1), `${parts[parts.length - 1]}.git`);
}

/** The clone URL if it may be used: http(s), on an allowed host, no user information. */
export function checkedCloneUrl(repo: HostedRepository, target: HostTarget): { url: string } | { error: string } {
  let u: URL;
  try {
    u = new URL(repo.cloneUrl);
  } catch {
    return { error: 'the API gave no valid clone URL' };
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return { error: `the API gave a ${u.protocol} clone URL; only http(s) is cloned` };
  if (u.protocol === 'http:' && new URL(target.apiUrl).protocol === 'https:') return { error: 'the API gave an http clone URL for an https API: not cloned with the token' };
  const allowed = cloneHosts(target.apiUrl);
  if (!allowed.includes(u.hostname.toLowerCase())) return { error: `the clone URL is on ${u.hostname}, not the API's host (${allowed.join(', ')}): not cloned with the token` };
  u.username = '';
  u.password = '';
  return { url: u.href };
}

function gitError(step: string, r: { code: number | null; stderr: string }, auth: HostAuth): string {
  const why = firstLine(r.stderr.split('\n').filter((l) => !/^(hint|warning):/.test(l.trim())).join('\n')) || `exit ${r.code}`;
  return auth.redact(`${step} failed: ${why}`).replace(/[\u0000-\u001f\u007f]+/g, ' ');
}

/** Is this a mirror made by an earlier run (a bare repository with an origin)? */
function isMirror(dir: string): boolean {
  return fs.existsSync(path.join(dir, 'HEAD')) && fs.existsSync(path.join(dir, 'objects')) && fs.existsSync(path.join(dir, 'config'));
}

/**
 * Clones the repository as a bare mirror, or updates the mirror an earlier run made. A failure is a result (the
 * run goes on), never a throw; a failed first clone leaves nothing behind.
 */
export async function syncMirror(repo: HostedRepository, target: HostTarget, root: string, auth: HostAuth): Promise<MirrorResult> {
  const dir = mirrorPath(root, repo);
  if (!dir) return { name: repo.name, path: '', action: 'failed', error: 'its name or clone URL is not fit for a folder name: not mirrored' };
  const url = checkedCloneUrl(repo, target);
  if ('error' in url) return { name: repo.name, path: dir, action: 'failed', error: auth.redact(url.error) };
  const env = auth.gitEnv();
  try {
    if (isMirror(dir)) {
      // The URL the API gives now (a renamed or moved repository), then every ref, pruned as the host prunes.
      const set = await runGitRaw(dir, ['config', 'remote.origin.url', url.url]);
      if (set.code !== 0) return { name: repo.name, path: dir, action: 'failed', error: gitError('git config', set, auth) };
      const r = await runGitRaw(dir, ['fetch', '--prune', '--quiet', 'origin'], undefined, env);
      if (r.code !== 0) return { name: repo.name, path: dir, action: 'failed', error: gitError('git fetch', r, auth) };
      return { name: repo.name, path: dir, action: 'fetched' };
    }
    const parent = path.dirname(dir);
    fs.mkdirSync(parent, { recursive: true });
    const partial = `${dir}.partial-${process.pid}`;
    // What an interrupted clone left (this or another process id).
    for (const f of fs.readdirSync(parent)) if (f.startsWith(`${path.basename(dir)}.partial-`)) fs.rmSync(path.join(parent, f), { recursive: true, force: true });
    const r = await runGitRaw(parent, ['clone', '--mirror', '--quiet', '--end-of-options', url.url, partial], undefined, env);
    if (r.code !== 0) {
      fs.rmSync(partial, { recursive: true, force: true });
      return { name: repo.name, path: dir, action: 'failed', error: gitError('git clone', r, auth) };
    }
    // A half-made mirror never takes the real name: an interrupted clone is started again next time.
    fs.rmSync(dir, { recursive: true, force: true });
    fs.renameSync(partial, dir);
    return { name: repo.name, path: dir, action: 'cloned' };
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    return { name: repo.name, path: dir, action: 'failed', error: auth.redact(`cannot mirror into ${dir}: ${e.code ?? firstLine(e.message ?? String(err))}`) };
  }
}
