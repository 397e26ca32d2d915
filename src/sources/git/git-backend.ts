// The history reader built on the git executable: a handful of long-lived processes whatever the repository's size.
import fs from 'node:fs';
import path from 'node:path';
import { CatFileReader } from './cat-file.js';
import { GitCommandError, firstLine, keepIndexFile, runGit, runGitRaw, spawnGit } from './exec.js';
import { LOG_ARGS, LOG_FORMAT, RawLogParser } from './log.js';
import { PATCH_ARGS, PATCH_COMMIT_FORMAT, parsePatchStream } from './patch.js';
import { decodePath } from './paths.js';
import { introducedFiles, treeEntries, type RawTreeEntry } from './tree-diff.js';
import {
  AddedLinesIndex, NotARepositoryError, RepositoryReadError, addedKey, type BlobReader, type GitBackend, type HiddenHistory, type HistoryRecord,
  type HistorySpec, type RefTip, type ReplaceRef, type RepoInfo, type StagedChange, type TreeEntry,
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

/** What a ref's object is, peeled: `missing` when it is not in the repository; its commit and tree if a commit. */
interface PeeledRef {
  type: string;
  commit?: string;
  tree?: string;
}

interface RefObjects {
  list: Array<{ name: string; id: string; symbolic: boolean }>;
  headId: string;
  stash: string[];
  objects: Map<string, PeeledRef>;
}

/** What the walk of every ref leaves out: refs (and HEAD, and stash entries) whose object is missing. */
interface SkippedRefs {
  refs: string[];
  head: boolean;
  /** The stash's commits still there (all of them when undefined). */
  stash?: string[];
}

const EMPTY_TREE_SHA1 = '4b825dc642cb6eb9a060e54bf8d69288fbee4904';
const EMPTY_TREE_SHA256 = '6ef19b41225c5369f1c104d45d8d85efa9b057b53b14b4b9b939dd74decc5321';

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

  private revisionArgs(spec: HistorySpec, skip?: SkippedRefs): string[] {
    const args: string[] = [];
    if (spec.since) args.push(`--since=${spec.since}`);
    if (!spec.starts) {
      // Refs to missing objects are left out (git log --all dies on the first); with HEAD among them, every ref
      // under refs/ is what --all means without HEAD.
      for (const r of skip?.refs ?? []) args.push(`--exclude=${r}`);
      args.push(skip?.head ? '--glob=refs/*' : '--all');
      args.push('--end-of-options', ...(skip?.stash ?? stashCommits(this.repo.commonDir)));
    } else {
      args.push('--end-of-options', ...spec.starts);
    }
    for (const x of spec.exclude ?? []) args.push(`^${x}`);
    args.push('--');
    return args;
  }

  private refs: Promise<Array<{ name: string; id: string; symbolic: boolean }>> | undefined;

  /** Every ref and its object id (once per scan: the bad-ref check, the replace refs and the ref tips share it). */
  private refList(): Promise<Array<{ name: string; id: string; symbolic: boolean }>> {
    // No %(objecttype): for-each-ref fails as a whole on a ref to a missing object. Ref names hold no spaces.
    this.refs ??= runGitRaw(this.repo.path, ['for-each-ref', '--format=%(objectname) %(refname) %(symref)']).then((r) => {
      const out: Array<{ name: string; id: string; symbolic: boolean }> = [];
      for (const line of r.stdout.toString('utf8').split('\n')) {
        const [id, name, symref] = line.split(' ');
        if (id && name) out.push({ id, name, symbolic: Boolean(symref) });
      }
      return out;
    });
    return this.refs;
  }

  private refObjectsPromise: Promise<RefObjects> | undefined;

  /**
   * Every ref, HEAD and stash entry with what it points to, peeled (a tag to what it tags): its type (`missing`
   * when the object is not there), and its commit and tree when it is a commit. One `cat-file` answers both the
   * bad-ref check and the ref tips: each git an org scan starts costs its main thread up to 20 ms.
   */
  private refObjects(): Promise<RefObjects> {
    this.refObjectsPromise ??= (async () => {
      const stash = stashCommits(this.repo.commonDir);
      const [list, head] = await Promise.all([this.refList(), runGitRaw(this.repo.path, ['rev-parse', '--verify', '--quiet', 'HEAD'])]);
      const headId = head.code === 0 ? head.stdout.toString('utf8').trim() : '';
      const ids = [...new Set([...list.map((r) => r.id), ...(headId ? [headId] : []), ...stash])];
      const objects = new Map<string, PeeledRef>();
      if (ids.length) {
        const r = await runGitRaw(this.repo.path, ['cat-file', '--batch-check=%(objectname) %(objecttype)'], ids.map((id) => `${id}^{}\n${id}^{commit}\n${id}^{tree}\n`).join(''));
        const lines = r.stdout.toString('utf8').split('\n');
        ids.forEach((id, i) => {
          const type = (lines[3 * i] ?? '').split(' ')[1] ?? '';
          const [commit, commitType] = (lines[3 * i + 1] ?? '').split(' ');
          const [tree, treeType] = (lines[3 * i + 2] ?? '').split(' ');
          // A cat-file that failed as a whole says nothing about any ref.
          objects.set(id, { type: r.code === 0 ? type : '', ...(commitType === 'commit' && treeType === 'tree' ? { commit, tree } : {}) });
        });
      }
      return { list, headId, stash, objects };
    })();
    return this.refObjectsPromise;
  }

  async refTips(): Promise<RefTip[]> {
    const { list, stash, objects } = await this.refObjects();
    const named = list.filter((r) => !r.symbolic && !r.name.startsWith('refs/replace/')).map((r) => ({ ref: r.name, id: r.id }));
    // The stash's older entries are in its reflog only (refs/stash is the newest).
    stash.slice(0, -1).forEach((id, i) => named.push({ ref: `refs/stash@{${stash.length - 1 - i}}`, id }));
    const tips: RefTip[] = [];
    for (const n of named) {
      const o = objects.get(n.id);
      if (o?.commit && o.tree) tips.push({ ref: n.ref, commit: o.commit, tree: o.tree });
    }
    return tips;
  }

  async treeListings(trees: string[], each: (tree: string, entries: TreeEntry[]) => void): Promise<void> {
    if (!trees.length) return;
    // Each tree against the empty tree: `diff-tree --stdin` lists them all from one process, each after a line
    // naming the pair (`<empty> <tree>`).
    const empty = trees[0].length === 64 ? EMPTY_TREE_SHA256 : EMPTY_TREE_SHA1;
    const proc = spawnGit(this.repo.path, ['diff-tree', '--stdin', '-r', '-z', '--no-renames', '--no-ext-diff', '--no-textconv']);
    let stderr = '';
    proc.stderr.on('data', (b: Buffer) => {
      if (stderr.length < 4096) stderr += b.toString('utf8');
    });
    proc.stdin.on('error', () => {
      // git may exit before reading all of its input; its exit status tells what happened.
    });
    proc.stdin.end(trees.map((t) => `${empty} ${t}\n`).join(''));
    const exited = new Promise<number | null>((resolve) => proc.on('close', resolve));
    const HEADER = /^[0-9a-f]+ ([0-9a-f]+)\n/;
    let tree: string | undefined;
    let entries: TreeEntry[] = [];
    let meta: string | undefined;
    const flush = () => {
      if (tree !== undefined) each(tree, entries);
      entries = [];
    };
    const headers = (s: string): string => {
      for (let m = HEADER.exec(s); m; m = HEADER.exec(s)) {
        flush();
        tree = m[1];
        s = s.slice(m[0].length);
      }
      return s;
    };
    const token = (tok: Buffer) => {
      if (meta === undefined) meta = headers(tok.toString('latin1'));
      else {
        // `:000000 <mode> <zeros> <blob> A`, then the path.
        const [, mode, , blob] = meta.slice(1).split(' ');
        if (mode && blob) entries.push({ path: decodePath(tok), mode, blob });
        meta = undefined;
      }
    };
    let carry = Buffer.alloc(0);
    for await (const chunk of proc.stdout) {
      const buf = carry.length ? Buffer.concat([carry, chunk as Buffer]) : (chunk as Buffer);
      let pos = 0;
      for (let nul = buf.indexOf(0, pos); nul !== -1; nul = buf.indexOf(0, pos)) {
        token(buf.subarray(pos, nul));
        pos = nul + 1;
      }
      carry = Buffer.from(buf.subarray(pos));
    }
    // Empty trees at the end leave their header lines only.
    headers(carry.toString('latin1'));
    flush();
    const code = await exited;
    if (code !== 0) this.warnings.push(`listing the trees of the refs failed partway (${firstLine(stderr)}); tokens at the tips not listed have no refs there`);
  }

  /**
   * Refs (HEAD and the stash's reflog included) whose object is missing: each is warned about and left out of the
   * walk, so that one bad ref does not stop the scan of the others. Every ref bad: the repository cannot be read.
   */
  private async skippedRefs(): Promise<SkippedRefs> {
    const { list, headId, stash, objects } = await this.refObjects();
    const named: Array<{ name: string; id: string }> = list.map(({ name, id }) => ({ name, id }));
    if (headId) named.push({ name: 'HEAD', id: headId });
    for (const id of stash) named.push({ name: 'the stash', id });
    if (!named.length) return { refs: [], head: false };
    // Tags peeled: a tag of a missing commit is as bad as a ref to one.
    const bad = new Set<number>();
    named.forEach((n, i) => {
      if (objects.get(n.id)?.type === 'missing') {
        bad.add(i);
        this.warnings.push(`${n.name} points to a missing object (${n.id}); skipped, the other refs were scanned`);
      }
    });
    if (bad.size && bad.size === named.length) {
      throw new RepositoryReadError(
        `cannot read the repository ${this.repo.path}: every ref points to a missing object (${named.slice(0, 3).map((n) => n.name).join(', ')}${named.length > 3 ? ', ...' : ''})`,
      );
    }
    return {
      refs: named.filter((n, i) => bad.has(i) && n.name.startsWith('refs/')).map((n) => n.name),
      head: named.some((n, i) => bad.has(i) && n.name === 'HEAD'),
      stash: stash.filter((id) => !named.some((n, i) => bad.has(i) && n.name === 'the stash' && n.id === id)),
    };
  }

  /**
   * One `git log --raw` pass: yields the commits it lists, holding the last one back until git has exited well
   * (when git dies, the last commit printed may be cut short). Every commit yielded is added to `done`.
   */
  private async *logPass(args: string[], input: string | undefined, done: Set<string>): AsyncGenerator<HistoryRecord[], { code: number | null; stderr: string }> {
    const proc = spawnGit(this.repo.path, args);
    let stderr = '';
    proc.stderr.on('data', (b: Buffer) => {
      if (stderr.length < 4096) stderr += b.toString('utf8');
    });
    proc.stdin.on('error', () => {
      // git may exit before reading all of its input; its exit status tells what happened.
    });
    proc.stdin.end(input);
    const exited = new Promise<number | null>((resolve) => proc.on('close', resolve));
    const parser = new RawLogParser();
    let held: HistoryRecord | undefined;
    const release = (recs: HistoryRecord[]): HistoryRecord[] => {
      if (!recs.length) return [];
      const out = held ? [held, ...recs.slice(0, -1)] : recs.slice(0, -1);
      held = recs[recs.length - 1];
      for (const r of out) done.add(r.commit.id);
      return out;
    };
    try {
      for await (const chunk of proc.stdout) {
        const out = release(parser.push(chunk as Buffer));
        if (out.length) yield out;
      }
      const out = release(parser.end());
      if (out.length) yield out;
    } finally {
      if (proc.exitCode === null) proc.kill();
    }
    const code = await exited;
    if ((code === 0 || code === null) && held) {
      done.add(held.commit.id);
      yield [held];
    }
    return { code, stderr };
  }

  async *history(spec: HistorySpec): AsyncGenerator<HistoryRecord[]> {
    if (spec.starts && !spec.starts.length) return;
    const skip = spec.starts ? undefined : await this.skippedRefs();
    const args = [...LOG_ARGS, ...this.revisionArgs(spec, skip)];
    const done = new Set<string>();
    const first = yield* this.logPass(args, undefined, done);
    if (first.code === 0 || first.code === null) return;
    if (!done.size && /does not have any commits|bad default revision/.test(first.stderr)) return;
    // git log died on a commit it could not diff (a missing or corrupt tree) or read. The commits to list come
    // from rev-list, which reads commits only; git log takes the rest from the failing commit on, one pass at a
    // time, and a commit that fails alone is listed from the trees that can be read.
    const list = await runGitRaw(this.repo.path, ['rev-list', ...this.revisionArgs(spec, skip)]);
    const ids = list.stdout.toString('utf8').split('\n').filter((l) => /^[0-9a-f]{40,64}$/.test(l));
    // Nothing listed and nothing to list: a repository git cannot read is a failure, never an empty history.
    if (!ids.length && !done.size) throw new GitCommandError(args, first.code, first.stderr);
    if (list.code !== 0) {
      this.warnings.push(`git rev-list stopped after ${ids.length} commits: ${firstLine(list.stderr)}; history beyond that point was not listed`);
    }
    const single = [...LOG_ARGS, '--no-walk=unsorted', '--stdin'];
    let remaining = ids.filter((id) => !done.has(id));
    let failure = first.stderr;
    while (remaining.length) {
      const next = remaining[0];
      // The first commit not listed yet: alone, it either lists (the failure was further on) or is the culprit.
      const alone = yield* this.logPass(single, `${next}\n`, done);
      if (alone.code !== 0 && alone.code !== null) {
        failure = alone.stderr || failure;
        const salvaged = await this.salvage(next, failure);
        if (salvaged) yield [salvaged];
      }
      // Listed, salvaged or unreadable: done either way, so that every round makes progress.
      done.add(next);
      remaining = remaining.filter((id) => !done.has(id));
      if (!remaining.length) break;
      const pass = yield* this.logPass(single, `${remaining.join('\n')}\n`, done);
      if (pass.code === 0 || pass.code === null) break;
      failure = pass.stderr;
      remaining = remaining.filter((id) => !done.has(id));
    }
  }

  /** Reads one tree object (its entries, not recursive). */
  private readonly readTree = async (oid: string): Promise<RawTreeEntry[]> => {
    const out = await runGit(this.repo.path, ['ls-tree', '-z', '--end-of-options', oid]);
    const entries: RawTreeEntry[] = [];
    for (const rec of splitNul(out)) {
      const tab = rec.indexOf(9);
      if (tab === -1) continue;
      const [mode, , id] = rec.toString('latin1', 0, tab).split(' ');
      entries.push({ mode: mode.padStart(6, '0'), oid: id, name: Buffer.from(rec.subarray(tab + 1)) });
    }
    return entries;
  };

  /** A commit git log cannot diff, listed from the trees that can be read (the others are warned about). */
  private async salvage(id: string, stderr: string): Promise<HistoryRecord | undefined> {
    const meta = await runGitRaw(this.repo.path, ['log', '--no-walk', '-z', '--no-show-signature', '--no-mailmap', LOG_FORMAT, '--end-of-options', id, '--']);
    const parser = new RawLogParser();
    const rec = [...parser.push(meta.stdout), ...parser.end()][0];
    if (meta.code !== 0 || !rec) {
      this.warnings.push(`commit ${id} could not be read (${firstLine(meta.stderr) || firstLine(stderr)}); it was not scanned`);
      return undefined;
    }
    const trees = await runGitRaw(this.repo.path, ['cat-file', '--batch-check=%(objectname) %(objecttype)'], [id, ...rec.commit.parents].map((c) => `${c}^{tree}\n`).join(''));
    const [tree, ...parentTrees] = trees.stdout.toString('utf8').split('\n').map((l) => (/ tree$/.test(l) ? l.split(' ')[0] : undefined));
    const problems: string[] = [];
    const changes = tree
      ? await introducedFiles(this.readTree, tree, rec.commit.parents.map((_, i) => parentTrees[i]), (oid, at, err) => {
          problems.push(`tree ${oid}${at.length ? ` (${decodePath(at)})` : ''}: ${err instanceof GitCommandError ? firstLine(err.stderr) || err.message : (err as Error).message}`);
        })
      : [];
    if (!tree) problems.push('its tree is missing');
    this.warnings.push(`commit ${id}: git log could not list it (${firstLine(stderr)}); listed from the trees that could be read${problems.length ? `; unreadable: ${problems.slice(0, 5).join('; ')}` : ''}`);
    rec.changes = changes.map((e) => (e.unchanged ? { path: decodePath(e.path), mode: e.mode, blob: e.oid, unchanged: true } : { path: decodePath(e.path), mode: e.mode, blob: e.oid }));
    return rec;
  }

  openBlobReader(maxSize: number): BlobReader {
    const r = new CatFileReader(this.repo.path, maxSize);
    this.readers.push(r);
    return r;
  }

  async headTree(): Promise<TreeEntry[]> {
    if (!this.repo.head) return [];
    const r = await runGitRaw(this.repo.path, ['ls-tree', '-r', '-z', '--full-tree', '--end-of-options', this.repo.head]);
    if (r.code === 0) return parseLsTree(r.stdout);
    // A tree missing under HEAD: the files that can be read still tell which tokens HEAD holds.
    const tree = await runGit(this.repo.path, ['rev-parse', '--verify', '--end-of-options', `${this.repo.head}^{tree}`]);
    const entries = await treeEntries(this.readTree, tree.toString('utf8').trim(), (oid, at) => {
      this.warnings.push(`HEAD: tree ${oid}${at.length ? ` (${decodePath(at)})` : ''} could not be read; presentInHead counts the files that could be`);
    });
    return entries.map((e) => ({ path: decodePath(e.path), mode: e.mode, blob: e.oid }));
  }

  async treeFiles(tree: string): Promise<TreeEntry[]> {
    return parseLsTree(await runGit(this.repo.path, ['ls-tree', '-r', '-z', '--full-tree', '--end-of-options', tree]));
  }

  async hiddenHistory(): Promise<HiddenHistory> {
    const grafts = fs.existsSync(path.join(this.repo.commonDir, 'info', 'grafts'));
    const refs = (await this.refList()).filter((r) => r.name.startsWith('refs/replace/')).map((r) => ({ id: r.id, ref: r.name }));
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

  /** One `git log -p --raw` pass (the raw lines give the blobs of plain renames, which have no patch). */
  private async patches(args: string[], input?: string): Promise<AddedLinesIndex> {
    const proc = spawnGit(this.repo.path, ['log', '-p', '--raw', '--no-abbrev', '-c', ...PATCH_ARGS, PATCH_COMMIT_FORMAT, ...args]);
    let stderr = '';
    proc.stderr.on('data', (b: Buffer) => (stderr += b.toString('utf8')));
    proc.stdin.on('error', () => {
      // git may exit before reading all of its input; its exit status tells what happened.
    });
    proc.stdin.end(input);
    const exited = new Promise<number | null>((resolve) => proc.on('close', resolve));
    const index = await parsePatchStream(proc.stdout);
    const code = await exited;
    if (code !== 0) this.warnings.push(`git log -p failed: ${firstLine(stderr)}; every line of the range's new files counts as added`);
    return index;
  }

  async addedLines(spec: HistorySpec): Promise<AddedLinesIndex> {
    return this.patches(this.revisionArgs(spec));
  }

  async copiesFrom(commits: string[]): Promise<AddedLinesIndex> {
    if (!commits.length) return new AddedLinesIndex();
    return this.patches(['--find-copies-harder', '--no-walk=unsorted', '--stdin'], commits.map((c) => `${c}\n`).join(''));
  }

  async staged(options: { copiesHarder?: boolean } = {}): Promise<StagedChange[]> {
    const cwd = this.repo.worktree ?? this.repo.path;
    // -C: renames, and copies of modified files; any file of HEAD as a source costs about 0.2 s more on 50,000 files,
    // so only for a new file that holds a token (see scanStaged).
    const diff = ['diff', '--cached', '-C', ...(options.copiesHarder ? ['--find-copies-harder'] : []), '--no-color', '--no-ext-diff', '--no-textconv', '--ignore-submodules=none'];
    const [raw, patch] = await Promise.all([
      runGit(cwd, [...diff, '--raw', '-z', '--no-abbrev']),
      (async () => {
        const proc = spawnGit(cwd, [...diff, '-U0', '--full-index']);
        proc.stdin.end();
        const exited = new Promise<number | null>((resolve) => proc.on('close', resolve));
        const index = await parsePatchStream(proc.stdout);
        await exited;
        return index;
      })(),
    ]);
    const changes: StagedChange[] = [];
    const toks = splitNul(raw);
    for (let i = 0; i < toks.length; ) {
      const meta = toks[i++].toString('latin1').replace(/^\n+/, '');
      const [, mode, , blob, status = ''] = meta.replace(/^:+/, '').split(' ');
      // A rename or copy names its source, then the new path.
      const renamed = /^[RC]/.test(status);
      const file = toks[renamed ? i + 1 : i];
      i += renamed ? 2 : 1;
      if (!file || !blob || /^0+$/.test(blob)) continue;
      // A rename or copy without a patch has the content of its source: it adds no line.
      const added = patch.get(addedKey('', blob)) ?? (renamed ? new Set<number>() : 'all');
      changes.push({ path: decodePath(file), mode, blob, added, ...(status === 'A' ? { created: true } : {}) });
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
