// The history reader built on the git executable: a handful of long-lived processes whatever the repository's size.
import fs from 'node:fs';
import path from 'node:path';
import { CatFileReader } from './cat-file.js';
import { GitCommandError, firstLine, keepIndexFile, runGit, runGitRaw, spawnGit } from './exec.js';
import { LOG_ARGS, parseLogStream } from './log.js';
import { PATCH_ARGS, PATCH_COMMIT_FORMAT, parsePatchStream } from './patch.js';
import { decodePath } from './paths.js';
import {
  NotARepositoryError, addedKey, type AddedLinesIndex, type BlobReader, type GitBackend, type HiddenHistory, type HistoryRecord,
  type HistorySpec, type ReplaceRef, type RepoInfo, type StagedChange, type TreeEntry,
} from './types.js';

export async function openGitRepository(dir: string): Promise<RepoInfo> {
  const p = path.resolve(dir);
  // Two processes at once. In a bare repository (or inside .git) --show-toplevel fails after the other answers.
  const [r, head] = await Promise.all([
    runGitRaw(p, ['rev-parse', '--absolute-git-dir', '--git-common-dir', '--is-bare-repository', '--is-shallow-repository', '--show-toplevel']),
    runGitRaw(p, ['rev-parse', '--verify', '--quiet', 'HEAD^{commit}']),
  ]);
  const lines = r.stdout.toString('utf8').split('\n');
  if (lines.length < 5 || !lines[0]) {
    throw new NotARepositoryError(`not a git repository: ${dir}${/safe\.directory|dubious ownership/.test(r.stderr) ? ` (${firstLine(r.stderr)})` : ''}`);
  }
  const [gitDir, common, bare, shallow, top] = lines;
  const info: RepoInfo = {
    path: p,
    gitDir,
    commonDir: path.resolve(p, common),
    bare: bare === 'true',
    shallow: shallow === 'true',
  };
  if (r.code === 0 && top) info.worktree = top;
  if (head.code === 0) info.head = head.stdout.toString('utf8').trim();
  // Found with git's repository variables cleared; a pre-commit hook's temporary index of this repository stays.
  keepIndexFile([p, ...(info.worktree ? [info.worktree] : [])], [info.gitDir, info.commonDir]);
  return info;
}

/** Commits recorded in the stash's reflog (`git stash list`): `--all` sees only the newest. */
function stashCommits(commonDir: string): string[] {
  try {
    const log = fs.readFileSync(path.join(commonDir, 'logs', 'refs', 'stash'), 'latin1');
    return log
      .split('\n')
      .map((l) => l.split(' ')[1])
      .filter((id): id is string => Boolean(id && /^[0-9a-f]{40,64}$/.test(id) && !/^0+$/.test(id)));
  } catch {
    return [];
  }
}

export class GitCliBackend implements GitBackend {
  readonly kind = 'git' as const;
  readonly warnings: string[] = [];
  private readonly readers: CatFileReader[] = [];

  constructor(readonly repo: RepoInfo) {}

  async resolveCommits(names: string[]): Promise<{ ids: Map<string, string>; missing: string[] }> {
    const ids = new Map<string, string>();
    const missing: string[] = [];
    if (!names.length) return { ids, missing };
    // One process, names on stdin: a name beginning with '-' can never be taken for an option.
    const ok = names.filter((n) => !/[\n\r\0]/.test(n));
    const out = await runGit(this.repo.path, ['cat-file', '--batch-check=%(objectname) %(objecttype)'], ok.map((n) => `${n}^{commit}\n`).join(''));
    const lines = out.toString('utf8').split('\n');
    ok.forEach((n, i) => {
      const [id, type] = (lines[i] ?? '').split(' ');
      if (type === 'commit') ids.set(n, id);
      else missing.push(n);
    });
    for (const n of names) if (!ok.includes(n)) missing.push(n);
    return { ids, missing };
  }

  async mergeBase(a: string, b: string): Promise<string | undefined> {
    const r = await runGitRaw(this.repo.path, ['merge-base', '--end-of-options', a, b]);
    return r.code === 0 ? r.stdout.toString('utf8').trim() || undefined : undefined;
  }

  private revisionArgs(spec: HistorySpec): string[] {
    const args: string[] = [];
    if (spec.since) args.push(`--since=${spec.since}`);
    if (!spec.starts) {
      args.push('--all');
      args.push('--end-of-options', ...stashCommits(this.repo.commonDir));
    } else {
      args.push('--end-of-options', ...spec.starts);
    }
    for (const x of spec.exclude ?? []) args.push(`^${x}`);
    args.push('--');
    return args;
  }

  async *history(spec: HistorySpec): AsyncGenerator<HistoryRecord[]> {
    if (spec.starts && !spec.starts.length) return;
    const args = [...LOG_ARGS, ...this.revisionArgs(spec)];
    const proc = spawnGit(this.repo.path, args);
    let stderr = '';
    proc.stderr.on('data', (b: Buffer) => {
      if (stderr.length < 4096) stderr += b.toString('utf8');
    });
    proc.stdin.end();
    const exited = new Promise<number | null>((resolve) => proc.on('close', resolve));
    let count = 0;
    try {
      for await (const recs of parseLogStream(proc.stdout)) {
        count += recs.length;
        yield recs;
      }
    } finally {
      if (proc.exitCode === null) proc.kill();
    }
    const code = await exited;
    if (code !== 0 && code !== null) {
      if (count === 0 && !/does not have any commits|bad default revision/.test(stderr)) throw new GitCommandError(args, code, stderr);
      // A corrupt or missing commit or tree: what was listed is scanned, and the user is told.
      if (count > 0) this.warnings.push(`git log stopped after ${count} commits: ${firstLine(stderr)}; history beyond that point was not listed`);
    }
  }

  openBlobReader(maxSize: number): BlobReader {
    const r = new CatFileReader(this.repo.path, maxSize);
    this.readers.push(r);
    return r;
  }

  async headTree(): Promise<TreeEntry[]> {
    if (!this.repo.head) return [];
    const out = await runGit(this.repo.path, ['ls-tree', '-r', '-z', '--full-tree', '--end-of-options', this.repo.head]);
    return parseLsTree(out);
  }

  async treeFiles(tree: string): Promise<TreeEntry[]> {
    return parseLsTree(await runGit(this.repo.path, ['ls-tree', '-r', '-z', '--full-tree', '--end-of-options', tree]));
  }

  async hiddenHistory(): Promise<HiddenHistory> {
    const grafts = fs.existsSync(path.join(this.repo.commonDir, 'info', 'grafts'));
    // No %(objecttype): for-each-ref fails as a whole on a ref to a missing object.
    const out = await runGit(this.repo.path, ['for-each-ref', '--format=%(objectname) %(refname)', 'refs/replace/']);
    const refs = out.toString('utf8').split('\n').filter(Boolean).map((l) => {
      const sp = l.indexOf(' ');
      return { id: l.slice(0, sp), ref: l.slice(sp + 1) };
    });
    if (!refs.length) return { replaceRefs: [], grafts };
    // Tags peeled (`^{}`) to what they tag; one process for all.
    const types = await runGitRaw(this.repo.path, ['cat-file', '--batch-check=%(objectname) %(objecttype)'], refs.map((r) => `${r.id}^{}\n`).join(''));
    const lines = types.stdout.toString('utf8').split('\n');
    const replaceRefs: ReplaceRef[] = refs.map((r, i) => {
      const [id, type] = (lines[i] ?? '').split(' ');
      const x: ReplaceRef = { ref: r.ref, replaced: r.ref.slice('refs/replace/'.length), id: r.id };
      if (type && type !== 'missing' && /^[0-9a-f]+$/.test(id)) {
        x.id = id;
        x.type = type;
      }
      return x;
    });
    return { replaceRefs, grafts };
  }

  async addedLines(spec: HistorySpec): Promise<AddedLinesIndex> {
    const args = ['log', '-p', '-c', ...PATCH_ARGS, PATCH_COMMIT_FORMAT, ...this.revisionArgs(spec)];
    const proc = spawnGit(this.repo.path, args);
    let stderr = '';
    proc.stderr.on('data', (b: Buffer) => (stderr += b.toString('utf8')));
    proc.stdin.end();
    const exited = new Promise<number | null>((resolve) => proc.on('close', resolve));
    const index = await parsePatchStream(proc.stdout);
    const code = await exited;
    if (code !== 0) this.warnings.push(`git log -p failed: ${firstLine(stderr)}; every line of the range's new files counts as added`);
    return index;
  }

  async staged(): Promise<StagedChange[]> {
    const cwd = this.repo.worktree ?? this.repo.path;
    const diff = ['diff', '--cached', '--no-renames', '--no-color', '--no-ext-diff', '--no-textconv', '--ignore-submodules=none'];
    const [raw, patch] = await Promise.all([
      runGit(cwd, [...diff, '--raw', '-z', '--no-abbrev']),
      (async () => {
        const proc = spawnGit(cwd, [...diff, ...PATCH_ARGS.filter((a) => a !== '--no-color')]);
        proc.stdin.end();
        const exited = new Promise<number | null>((resolve) => proc.on('close', resolve));
        const index = await parsePatchStream(proc.stdout);
        await exited;
        return index;
      })(),
    ]);
    const changes: StagedChange[] = [];
    const toks = splitNul(raw);
    for (let i = 0; i + 1 < toks.length; i += 2) {
      const meta = toks[i].toString('latin1').replace(/^\n+/, '');
      const fields = meta.replace(/^:+/, '').split(' ');
      const [, mode, , blob] = fields;
      if (!blob || /^0+$/.test(blob)) continue;
      changes.push({ path: decodePath(toks[i + 1]), mode, blob, added: patch.get(addedKey('', blob)) ?? 'all' });
    }
    return changes;
  }

  async close(): Promise<void> {
    for (const r of this.readers) r.close();
  }
}

function splitNul(buf: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let pos = 0;
  for (;;) {
    const nul = buf.indexOf(0, pos);
    if (nul === -1) break;
    out.push(buf.subarray(pos, nul));
    pos = nul + 1;
  }
  return out;
}

/** `<mode> SP <type> SP <object> TAB <path> NUL` */
export function parseLsTree(out: Buffer): TreeEntry[] {
  const entries: TreeEntry[] = [];
  for (const rec of splitNul(out)) {
    const tab = rec.indexOf(9);
    if (tab === -1) continue;
    const [mode, , blob] = rec.toString('latin1', 0, tab).split(' ');
    entries.push({ mode, blob, path: decodePath(rec.subarray(tab + 1)) });
  }
  return entries;
}
