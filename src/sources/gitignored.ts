// What git ignores in a work tree, for the working-tree walk: git itself says, so every rule git has is applied as
// git applies it (nested .gitignore files, negations, .git/info/exclude, core.excludesFile).
import fs from 'node:fs';
import path from 'node:path';
import { findGit, firstLine, runGitRaw } from './git/exec.js';
import { decodeName } from './path-bytes.js';

/** Paths git ignores under a folder, relative to it: files, and folders ignored whole (listed once, not their contents). */
export interface GitIgnored {
  files: Set<string>;
  dirs: Set<string>;
}

/** The top of the git work tree holding `dir` (a folder with a `.git` folder or file), if any. */
export function workTreeTop(dir: string): string | undefined {
  let d = path.resolve(dir);
  for (;;) {
    if (fs.existsSync(path.join(d, '.git'))) return d;
    const up = path.dirname(d);
    if (up === d) return undefined;
    d = up;
  }
}

/**
 * What git ignores under `dir` (`git ls-files --others --ignored --exclude-standard --directory`): undefined when
 * `dir` is in no work tree, or is itself ignored (a folder named to be scanned is scanned); a warning when git cannot
 * say (no git executable, a repository git refuses), and then nothing is left out.
 */
export async function gitIgnored(dir: string): Promise<GitIgnored | { warning: string } | undefined> {
  if (!workTreeTop(dir)) return undefined;
  const unknown = (why: string) => ({ warning: `${why}: files that .gitignore lists under ${dir} were scanned too` });
  if (!findGit()) return unknown('no git executable on PATH');
  let r: Awaited<ReturnType<typeof runGitRaw>>;
  try {
    // core.fsmonitor off: a hook command in a scanned repository's config must not run.
    r = await runGitRaw(path.resolve(dir), ['-c', 'core.fsmonitor=false', 'ls-files', '-z', '--others', '--ignored', '--exclude-standard', '--directory']);
  } catch (err) {
    return unknown(`git could not start (${(err as Error).message})`);
  }
  if (r.code !== 0) {
    // Run inside a folder whose parent git ignores, git's listing fails ("directory entry not superset of prefix"):
    // the folder is ignored as a whole, and a folder named to be scanned is scanned.
    const inIgnored = await runGitRaw(path.resolve(dir), ['check-ignore', '-q', '--', '.']).catch(() => undefined);
    if (inIgnored?.code === 0) return undefined;
    return unknown(`git ls-files failed (${firstLine(r.stderr) || `exit ${r.code}`})`);
  }
  const ignored: GitIgnored = { files: new Set(), dirs: new Set() };
  let start = 0;
  for (let i = 0; i < r.stdout.length; i++) {
    if (r.stdout[i] !== 0) continue;
    const bytes = r.stdout.subarray(start, i);
    start = i + 1;
    if (!bytes.length) continue;
    if (bytes[bytes.length - 1] === 0x2f) {
      // Paths are decoded as the walk decodes names (see decodeName), so that the two compare.
      const folder = decodeName(bytes.subarray(0, bytes.length - 1)).text;
      if (folder === '.' || folder === '') return undefined;
      ignored.dirs.add(folder);
    } else ignored.files.add(decodeName(bytes).text);
  }
  return ignored;
}
