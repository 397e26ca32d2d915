// The user's cache folder, shared by the rules cache, the compiled-rules marker, the org mirrors and the code cache
// of the CLI bundle (see cli/launch.ts, which loads this module before the bundle: it imports nothing of ours).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * The user's cache folder, never the package's own (a global or read-only install could not write there, and
 * every run parsed the YAML again): $SHADOWSCAN_CACHE_DIR, else $XDG_CACHE_HOME/shadowscan, else
 * ~/.cache/shadowscan, else a per-user folder in the OS temp folder.
 */
export function cacheDir(): string {
  if (process.env.SHADOWSCAN_CACHE_DIR) return process.env.SHADOWSCAN_CACHE_DIR;
  if (process.env.XDG_CACHE_HOME && path.isAbsolute(process.env.XDG_CACHE_HOME)) return path.join(process.env.XDG_CACHE_HOME, 'shadowscan');
  const home = os.homedir();
  if (home && home !== '/' && fs.existsSync(home)) return path.join(home, '.cache', 'shadowscan');
  return path.join(os.tmpdir(), `shadowscan-${process.getuid?.() ?? 'user'}`);
}

/**
 * Whether what the cache folder holds can be believed: bytecode runs as code, and cached rules and configs decide
 * what a scan reports. The folder must belong to this user and not be writable by everyone (the fallback folder
 * in the OS temp folder could have been made by another user).
 */
export function trustedFolder(dir: string): boolean {
  try {
    const st = fs.statSync(dir);
    if (!st.isDirectory()) return false;
    if (process.getuid && st.uid !== process.getuid()) return false;
    return process.platform === 'win32' || (st.mode & 0o002) === 0;
  } catch {
    return false;
  }
}

/**
 * Writes one file of the cache folder whole (a file beside it, renamed over it: a reader sees the old file or the
 * new one), only in a folder trustedFolder believes, and removes its stale siblings (names matching `stale`).
 * A read-only or foreign folder is no error: the cache is skipped, and the next run does the work again.
 */
export function writeCacheFile(file: string, data: string | Uint8Array, stale: RegExp): void {
  const dir = path.dirname(file);
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (!trustedFolder(dir)) return;
    // Worker threads share a process id.
    const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    fs.writeFileSync(tmp, data, { mode: 0o600 });
    fs.renameSync(tmp, file);
    removeStale(dir, stale, path.basename(file));
  } catch {
    // not writable: skipped
  }
}

/** Caches of other installs and rule sets share the folder: only those unused for a week are removed. */
const STALE_CACHE_MS = 7 * 24 * 3600 * 1000;

export function removeStale(dir: string, pattern: RegExp, keep: string): void {
  const now = Date.now();
  for (const old of fs.readdirSync(dir)) {
    if (!pattern.test(old) || old === keep) continue;
    const file = path.join(dir, old);
    try {
      if (now - fs.statSync(file).atimeMs > STALE_CACHE_MS && now - fs.statSync(file).mtimeMs > STALE_CACHE_MS) fs.rmSync(file, { force: true });
    } catch {
      // gone already
    }
  }
}

