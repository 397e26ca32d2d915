// The fallback history reader for machines without a git executable: isomorphic-git reads the objects (10 to 17
// times slower than `git cat-file --batch`), and this module walks refs, commits and trees itself so that it lists
// exactly what the git reader lists: the same commits, the same introduced blobs, the same paths (as bytes).
import fs from 'node:fs';
import path from 'node:path';
import { addedLineNumbers, lineCount, looksBinaryForDiff } from './line-diff.js';
import { decodePath, isRegularFileMode } from './paths.js';
import { introducedFiles, treeEntries, type Introduced, type RawTreeEntry } from './tree-diff.js';
import {
  AddedLinesIndex, NotARepositoryError, RepositoryReadError, addedKey, type AddedLines, type BlobReader, type BlobResult, type CommitMeta,
  type GitBackend, type HiddenHistory, type HistoryRecord, type HistorySpec, type RefTip, type ReplaceRef, type RepoInfo, type StagedChange,
  type TreeEntry,
} from './types.js';

type IsoGit = typeof import('isomorphic-git');

/** Files a tree may hold for each to be compared with a new file as its possible copy source (git's default limit). */
const COPY_SOURCES_LIMIT = 1000;

interface ParsedCommit {
  tree: string;
  parents: string[];
  meta: CommitMeta;
  committerTime: number;
}

function isGitDir(d: string): boolean {
  try {
    return fs.statSync(path.join(d, 'HEAD')).isFile() && fs.statSync(path.join(d, 'objects')).isDirectory() && fs.statSync(path.join(d, 'refs')).isDirectory();
  } catch {
    return false;
  }
}

function readTrim(p: string): string | undefined {
  try {
    return fs.readFileSync(p, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** Finds the repository the way git does: `.git` (folder or `gitdir:` file) here or above, or a bare git dir. */
export function discoverRepository(dir: string): Omit<RepoInfo, 'head'> {
  const start = path.resolve(dir);
  for (let d = start; ; d = path.dirname(d)) {
    const dotGit = path.join(d, '.git');
    const st = fs.statSync(dotGit, { throwIfNoEntry: false });
    let gitDir: string | undefined;
    if (st?.isDirectory() && isGitDir(dotGit)) gitDir = dotGit;
    else if (st?.isFile()) {
      const m = /^gitdir:\s*(.+)$/m.exec(fs.readFileSync(dotGit, 'utf8'));
      if (m) gitDir = path.resolve(d, m[1].trim());
    }
    if (gitDir) {
      const common = readTrim(path.join(gitDir, 'commondir'));
      const commonDir = common ? path.resolve(gitDir, common) : gitDir;
      return { path: start, gitDir, commonDir, worktree: d, bare: false, shallow: fs.existsSync(path.join(commonDir, 'shallow')) };
    }
    if (isGitDir(d)) {
      const common = readTrim(path.join(d, 'commondir'));
      const commonDir = common ? path.resolve(d, common) : d;
      return { path: start, gitDir: d, commonDir, bare: true, shallow: fs.existsSync(path.join(commonDir, 'shallow')) };
    }
    if (path.dirname(d) === d) throw new NotARepositoryError(`not a git repository: ${dir}`);
  }
}

function isoDate(seconds: number, tz: string): string {
  const m = /^([+-])(\d\d)(\d\d)$/.exec(tz) ?? ['', '+', '00', '00'];
  const offsetMin = (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
  const local = new Date(seconds * 1000 + offsetMin * 60_000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${local.getUTCFullYear()}-${p(local.getUTCMonth() + 1)}-${p(local.getUTCDate())}T${p(local.getUTCHours())}:${p(local.getUTCMinutes())}:${p(local.getUTCSeconds())}${m[1]}${m[2]}:${m[3]}`;
}

function firstLineOf(err: unknown): string {
  return ((err as Error)?.message ?? String(err)).split('\n')[0];
}

function parseIdent(line: string): { name: string; email: string; seconds: number; tz: string } {
  const m = /^(.*?) ?<([^>]*)> (\d+) ([+-]\d{4})$/.exec(line);
  if (!m) return { name: line, email: '', seconds: 0, tz: '+0000' };
  return { name: m[1], email: m[2], seconds: Number(m[3]), tz: m[4] };
}

export class IsoGitBackend implements GitBackend {
  readonly kind = 'isomorphic-git' as const;
  readonly warnings: string[] = [];
  private readonly cache = {};
  private readonly treeCache = new Map<string, RawTreeEntry[]>();
  private shallowSet: Set<string> | undefined;

  private constructor(
    readonly repo: RepoInfo,
    private readonly git: IsoGit,
  ) {}

  static async open(dir: string): Promise<IsoGitBackend> {
    const info = discoverRepository(dir);
    const git = (await import('isomorphic-git')).default as unknown as IsoGit;
    const backend = new IsoGitBackend({ ...info }, git);
    backend.repo.head = await backend.resolveName('HEAD');
    return backend;
  }

  private async readObject(oid: string): Promise<{ type: string; object: Uint8Array }> {
    const r = await this.git.readObject({ fs, gitdir: this.repo.commonDir, oid, format: 'content', cache: this.cache });
    return { type: r.type, object: r.object as Uint8Array };
  }

  // ---- refs ----

  private packedRefs(): Map<string, string> {
    const refs = new Map<string, string>();
    const text = readTrim(path.join(this.repo.commonDir, 'packed-refs'));
    for (const line of (text ?? '').split('\n')) {
      if (!line || line.startsWith('#') || line.startsWith('^')) continue;
      const sp = line.indexOf(' ');
      refs.set(line.slice(sp + 1), line.slice(0, sp));
    }
    return refs;
  }

  private looseRefs(dir: string, prefix: string, out: Map<string, string>): void {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = path.join(dir, e.name);
      const name = `${prefix}/${e.name}`;
      if (e.isDirectory()) this.looseRefs(p, name, out);
      else {
        const v = readTrim(p);
        if (v) out.set(name, v);
      }
    }
  }

  private allRefs(): Map<string, string> {
    const refs = this.packedRefs();
    this.looseRefs(path.join(this.repo.commonDir, 'refs'), 'refs', refs);
    return refs;
  }

  /** A ref value ("ref: x" or an id) followed to an object id. */
  private followRef(value: string, refs: Map<string, string>, depth = 0): string | undefined {
    if (depth > 10) return undefined;
    const m = /^ref:\s*(.+)$/.exec(value);
    if (!m) return /^[0-9a-f]{40}$/.test(value) ? value : undefined;
    const target = refs.get(m[1]);
    return target ? this.followRef(target, refs, depth + 1) : undefined;
  }

  /** Peels tags down to a commit id, or undefined. */
  private async peelToCommit(oid: string): Promise<string | undefined> {
    for (let i = 0; i < 20; i++) {
      let o: { type: string; object: Uint8Array };
      try {
        o = await this.readObject(oid);
      } catch {
        return undefined;
      }
      if (o.type === 'commit') return oid;
      if (o.type !== 'tag') return undefined;
      const m = /^object ([0-9a-f]{40})/m.exec(Buffer.from(o.object).toString('latin1'));
      if (!m) return undefined;
      oid = m[1];
    }
    return undefined;
  }

  private async resolveName(name: string): Promise<string | undefined> {
    const refs = this.allRefs();
    let id: string | undefined;
    if (name === 'HEAD') {
      const v = readTrim(path.join(this.repo.gitDir, 'HEAD'));
      id = v ? this.followRef(v, refs) : undefined;
    } else if (/^[0-9a-f]{40}$/.test(name)) id = name;
    else {
      for (const full of [name, `refs/${name}`, `refs/tags/${name}`, `refs/heads/${name}`, `refs/remotes/${name}`, `refs/remotes/${name}/HEAD`]) {
        const v = refs.get(full);
        if (v) {
          id = this.followRef(v, refs);
          break;
        }
      }
      if (!id && /^[0-9a-f]{4,39}$/.test(name)) {
        try {
          id = await this.git.expandOid({ fs, gitdir: this.repo.commonDir, oid: name, cache: this.cache });
        } catch {
          id = undefined;
        }
      }
    }
    return id ? this.peelToCommit(id) : undefined;
  }

  async resolveCommits(names: string[]): Promise<{ ids: Map<string, string>; missing: string[] }> {
    const ids = new Map<string, string>();
    const missing: string[] = [];
    for (const n of names) {
      const id = await this.resolveName(n);
      if (id) ids.set(n, id);
      else missing.push(n);
    }
    return { ids, missing };
  }

  private async defaultStarts(): Promise<string[]> {
    const refs = this.allRefs();
    const head = readTrim(path.join(this.repo.gitDir, 'HEAD'));
    const extra: Array<readonly [string, string]> = [];
    // Other worktrees' HEADs, as `git log --all` includes them.
    try {
      for (const wt of fs.readdirSync(path.join(this.repo.commonDir, 'worktrees'))) {
        const v = readTrim(path.join(this.repo.commonDir, 'worktrees', wt, 'HEAD'));
        if (v) extra.push([`worktrees/${wt}/HEAD`, v]);
      }
    } catch {
      // no linked worktrees
    }
    const stash = readTrim(path.join(this.repo.commonDir, 'logs', 'refs', 'stash'));
    for (const line of (stash ?? '').split('\n')) {
      const id = line.split(' ')[1];
      if (id && /^[0-9a-f]{40}$/.test(id) && !/^0+$/.test(id)) extra.push(['the stash', id]);
    }
    const starts = new Set<string>();
    const bad: string[] = [];
    for (const [name, v] of [...[...refs].map(([n, v]) => [n, v] as const), ['HEAD', head ?? ''] as const, ...extra]) {
      // Symbolic refs (HEAD on a branch, origin/HEAD) are listed through the refs they name.
      if (/^ref:/.test(v)) continue;
      const id = this.followRef(v, refs);
      if (!id) continue;
      const peeled = await this.peel(id);
      if (peeled.commit) starts.add(peeled.commit);
      else if (peeled.error !== undefined) {
        bad.push(name);
        this.warnings.push(`${name} points to a missing or unreadable object (${id}: ${peeled.error}); skipped, the other refs were scanned`);
      }
    }
    if (!starts.size && bad.length) {
      throw new RepositoryReadError(`cannot read the repository ${this.repo.path}: every ref points to a missing or unreadable object (${bad.slice(0, 3).join(', ')}${bad.length > 3 ? ', ...' : ''})`);
    }
    return [...starts];
  }

  /** Peels tags: the commit, or nothing (a tree or blob), or why the object could not be read. */
  private async peel(oid: string): Promise<{ commit?: string; error?: string }> {
    for (let i = 0; i < 20; i++) {
      let o: { type: string; object: Uint8Array };
      try {
        o = await this.readObject(oid);
      } catch (err) {
        return { error: firstLineOf(err) };
      }
      if (o.type === 'commit') return { commit: oid };
      if (o.type !== 'tag') return {};
      const m = /^object ([0-9a-f]{40})/m.exec(Buffer.from(o.object).toString('latin1'));
      if (!m) return { error: 'a tag without an object line' };
      oid = m[1];
    }
    return { error: 'tags nested too deep' };
  }

  async mergeBase(a: string, b: string): Promise<string | undefined> {
    try {
      const r = await this.git.findMergeBase({ fs, gitdir: this.repo.commonDir, oids: [a, b], cache: this.cache });
      return (r as string[])[0];
    } catch {
      return undefined;
    }
  }

  // ---- commits and trees ----

  private shallow(): Set<string> {
    if (!this.shallowSet) {
      const text = readTrim(path.join(this.repo.commonDir, 'shallow')) ?? '';
      this.shallowSet = new Set(text.split('\n').filter(Boolean));
    }
    return this.shallowSet;
  }

  private async readCommit(oid: string): Promise<ParsedCommit> {
    const o = await this.readObject(oid);
    if (o.type !== 'commit') throw new Error(`${oid} is a ${o.type}, not a commit`);
    const text = Buffer.from(o.object).toString('utf8');
    const headerEnd = text.indexOf('\n\n');
    const header = (headerEnd === -1 ? text : text.slice(0, headerEnd)).split('\n');
    let tree = '';
    const parents: string[] = [];
    let author = parseIdent('');
    let committer = parseIdent('');
    for (const line of header) {
      if (line.startsWith('tree ')) tree = line.slice(5);
      else if (line.startsWith('parent ')) parents.push(line.slice(7));
      else if (line.startsWith('author ')) author = parseIdent(line.slice(7));
      else if (line.startsWith('committer ')) committer = parseIdent(line.slice(10));
    }
    const date = isoDate(author.seconds, author.tz);
    return {
      tree,
      parents: this.shallow().has(oid) ? [] : parents,
      meta: { id: oid, parents: this.shallow().has(oid) ? [] : parents, author: { name: author.name, email: author.email }, date, time: author.seconds * 1000 },
      committerTime: committer.seconds * 1000,
    };
  }

  private async readTree(oid: string): Promise<RawTreeEntry[]> {
    const hit = this.treeCache.get(oid);
    if (hit) return hit;
    const o = await this.readObject(oid);
    if (o.type !== 'tree') throw new Error(`${oid} is a ${o.type}, not a tree`);
    const buf = Buffer.from(o.object);
    const entries: RawTreeEntry[] = [];
    let pos = 0;
    while (pos < buf.length) {
      const sp = buf.indexOf(0x20, pos);
      const nul = buf.indexOf(0, sp);
      const mode = buf.toString('latin1', pos, sp).padStart(6, '0');
      entries.push({ mode, name: buf.subarray(sp + 1, nul), oid: buf.toString('hex', nul + 1, nul + 21) });
      pos = nul + 21;
    }
    if (this.treeCache.size > 50_000) this.treeCache.clear();
    this.treeCache.set(oid, entries);
    return entries;
  }

  private async treeMap(oid: string | undefined): Promise<Map<string, RawTreeEntry>> {
    const m = new Map<string, RawTreeEntry>();
    if (!oid) return m;
    for (const e of await this.readTree(oid)) m.set(e.name.toString('latin1'), e);
    return m;
  }

  /** What a commit introduces against its parents' trees; unreadable trees become warnings. */
  private async introduced(commit: ParsedCommit, parentTrees: Array<string | undefined>): Promise<Introduced[]> {
    return introducedFiles((oid) => this.readTree(oid), commit.tree, commit.parents.length ? parentTrees : [], (oid, at, err) => {
      this.warnings.push(
        `commit ${commit.meta.id}: tree ${oid}${at.length ? ` (${decodePath(at)})` : ''} could not be read (${firstLineOf(err)}); the files that could be read were listed`,
      );
    });
  }

  private async *walk(spec: HistorySpec): AsyncGenerator<{ commit: ParsedCommit }> {
    const since = spec.since ? Date.parse(spec.since) : undefined;
    if (spec.since && Number.isNaN(since)) throw new Error(`--since: the fallback reader (no git executable) needs a date such as 2024-01-31, not "${spec.since}"`);
    const excluded = new Set<string>();
    for (const x of spec.exclude ?? []) {
      const stack = [x];
      while (stack.length) {
        const id = stack.pop()!;
        if (excluded.has(id)) continue;
        excluded.add(id);
        try {
          stack.push(...(await this.readCommit(id)).parents);
        } catch {
          // the boundary of what this clone has
        }
      }
    }
    const seen = new Set<string>();
    const stack = [...(spec.starts ?? (await this.defaultStarts()))].reverse();
    while (stack.length) {
      const id = stack.pop()!;
      if (seen.has(id) || excluded.has(id)) continue;
      seen.add(id);
      let c: ParsedCommit;
      try {
        c = await this.readCommit(id);
      } catch (err) {
        this.warnings.push(`commit ${id} could not be read (${(err as Error).message.split('\n')[0]}); history beyond it was not listed`);
        continue;
      }
      if (since !== undefined && c.committerTime < since) continue;
      yield { commit: c };
      for (let i = c.parents.length - 1; i >= 0; i--) stack.push(c.parents[i]);
    }
  }

  async *history(spec: HistorySpec): AsyncGenerator<HistoryRecord[]> {
    for await (const { commit } of this.walk(spec)) {
      const parentTrees: Array<string | undefined> = [];
      for (const p of commit.parents) {
        try {
          parentTrees.push((await this.readCommit(p)).tree);
        } catch {
          parentTrees.push(undefined);
        }
      }
      const out = await this.introduced(commit, parentTrees);
      yield [{
        commit: commit.meta,
        changes: out.map((e) => (e.unchanged ? { path: decodePath(e.path), mode: e.mode, blob: e.oid, unchanged: true } : { path: decodePath(e.path), mode: e.mode, blob: e.oid })),
      }];
    }
  }

  openBlobReader(maxSize: number): BlobReader {
    const queue: string[] = [];
    let head = 0;
    let ended = false;
    let closed = false;
    let wake: (() => void) | undefined;
    const self = this;
    return {
      request(id: string) {
        queue.push(id);
        wake?.();
      },
      end() {
        ended = true;
        wake?.();
      },
      close() {
        closed = true;
        wake?.();
      },
      async *[Symbol.asyncIterator](): AsyncGenerator<BlobResult> {
        for (;;) {
          if (closed) return;
          if (head < queue.length) {
            const id = queue[head++];
            yield await self.readBlob(id, maxSize);
            continue;
          }
          if (ended) return;
          await new Promise<void>((r) => (wake = r));
          wake = undefined;
        }
      },
    };
  }

  private async readBlob(id: string, maxSize: number): Promise<BlobResult> {
    try {
      const o = await this.readObject(id);
      if (o.type !== 'blob') return { id, size: 0, error: `not a blob (${o.type})` };
      const size = o.object.length;
      if (size > maxSize) return { id, size, tooLarge: true };
      const data = Buffer.allocUnsafeSlow(size);
      data.set(o.object);
      return { id, size, data };
    } catch (err) {
      const e = err as { code?: string; message: string };
      if (e.code === 'NotFoundError') return { id, size: 0, error: 'object missing from the repository' };
      return { id, size: 0, error: `unreadable object (${e.message.split('\n')[0]})` };
    }
  }

  /** Every entry under a tree; unreadable subtrees become warnings (`what` names the tree in them). */
  private async listTree(tree: string, what: string): Promise<TreeEntry[]> {
    const entries = await treeEntries((oid) => this.readTree(oid), tree, (oid, at, err) => {
      this.warnings.push(`${what}: tree ${oid}${at.length ? ` (${decodePath(at)})` : ''} could not be read (${firstLineOf(err)}); the files that could be read were listed`);
    });
    return entries.map((e) => ({ path: decodePath(e.path), mode: e.mode, blob: e.oid }));
  }

  async headTree(): Promise<TreeEntry[]> {
    if (!this.repo.head) return [];
    return this.listTree((await this.readCommit(this.repo.head)).tree, `HEAD (${this.repo.head})`);
  }

  async treeFiles(tree: string): Promise<TreeEntry[]> {
    return this.listTree(tree, `tree ${tree}`);
  }

  async refTips(): Promise<RefTip[]> {
    const refs = this.allRefs();
    const named: Array<{ ref: string; id: string }> = [];
    for (const [ref, value] of refs) {
      // Symbolic refs name another ref, listed on its own.
      if (ref.startsWith('refs/replace/') || /^ref:/.test(value)) continue;
      const id = this.followRef(value, refs);
      if (id) named.push({ ref, id });
    }
    // The stash's older entries are in its reflog only (refs/stash is the newest).
    const log = readTrim(path.join(this.repo.commonDir, 'logs', 'refs', 'stash'));
    const stash = (log ?? '').split('\n').map((l) => l.split(' ')[1]).filter((id): id is string => Boolean(id && /^[0-9a-f]{40}$/.test(id) && !/^0+$/.test(id)));
    stash.slice(0, -1).forEach((id, i) => named.push({ ref: `refs/stash@{${stash.length - 1 - i}}`, id }));
    const tips: RefTip[] = [];
    for (const n of named) {
      const { commit } = await this.peel(n.id);
      if (!commit) continue;
      try {
        tips.push({ ref: n.ref, commit, tree: (await this.readCommit(commit)).tree });
      } catch {
        // An unreadable commit: its ref holds nothing that can be read.
      }
    }
    return tips;
  }

  async treeListings(trees: string[], each: (tree: string, entries: TreeEntry[]) => void): Promise<void> {
    for (const t of trees) each(t, await this.listTree(t, `tree ${t}`));
  }

  /** isomorphic-git knows neither replace refs nor grafts: this reader always reads the objects as stored. */
  async hiddenHistory(): Promise<HiddenHistory> {
    const grafts = fs.existsSync(path.join(this.repo.commonDir, 'info', 'grafts'));
    const refs = this.allRefs();
    const replaceRefs: ReplaceRef[] = [];
    for (const [ref, value] of refs) {
      if (!ref.startsWith('refs/replace/')) continue;
      const x: ReplaceRef = { ref, replaced: ref.slice('refs/replace/'.length), id: this.followRef(value, refs) ?? value };
      // Tags peeled to what they tag.
      for (let i = 0; i < 20; i++) {
        let o: { type: string; object: Uint8Array };
        try {
          o = await this.readObject(x.id);
        } catch {
          break;
        }
        const m = o.type === 'tag' ? /^object ([0-9a-f]{40})/m.exec(Buffer.from(o.object).toString('latin1')) : null;
        if (!m) {
          x.type = o.type;
          break;
        }
        x.id = m[1];
      }
      replaceRefs.push(x);
    }
    replaceRefs.sort((a, b) => (a.ref < b.ref ? -1 : a.ref > b.ref ? 1 : 0));
    return { replaceRefs, grafts };
  }

  private async blobBytes(oid: string | undefined): Promise<Uint8Array | undefined> {
    if (!oid) return undefined;
    try {
      const o = await this.readObject(oid);
      return o.type === 'blob' ? o.object : undefined;
    } catch {
      return undefined;
    }
  }

  /** Lines of `next` added relative to every one of `prevs` (a missing or binary side makes every line added). */
  private async added(next: string, prevs: Array<string | undefined>): Promise<AddedLines> {
    const nb = await this.blobBytes(next);
    if (!nb || looksBinaryForDiff(nb)) return 'all';
    let acc: Set<number> | undefined;
    for (const p of prevs) {
      const pb = await this.blobBytes(p);
      if (!pb) return prevs.length === 1 ? 'all' : acc ?? 'all';
      if (looksBinaryForDiff(pb)) return 'all';
      const s = addedLineNumbers(pb, nb);
      acc = acc ? new Set([...acc].filter((l) => s.has(l))) : s;
    }
    return acc ?? 'all';
  }

  private async blobAt(tree: string | undefined, filePath: Buffer): Promise<string | undefined> {
    if (!tree) return undefined;
    let cur: string | undefined = tree;
    const parts = filePath.toString('latin1').split('/');
    for (let i = 0; i < parts.length && cur; i++) {
      const e = (await this.treeMap(cur)).get(parts[i]);
      if (!e) return undefined;
      if (i < parts.length - 1) cur = e.mode === '040000' ? e.oid : undefined;
      else return isRegularFileMode(e.mode) ? e.oid : undefined;
    }
    return undefined;
  }

  /** Every regular file of a tree, path to blob (of each tree given, the later ones winning). */
  private async filesOf(trees: Array<string | undefined>): Promise<Map<string, string>> {
    const files = new Map<string, string>();
    for (const t of trees) {
      if (!t) continue;
      for (const e of await this.listTree(t, `tree ${t}`)) if (isRegularFileMode(e.mode)) files.set(e.path, e.blob);
    }
    return files;
  }

  /**
   * What a file with no version at its path adds, given the files before and after the change (git's -C -C, by
   * lines): nothing when a file before had the same content (a rename or a copy); else the lines the most similar
   * file the change deleted or modified lacks, when at least half of the lines are shared (git's threshold);
   * else every line (created).
   */
  private async addedFromSources(blob: string, before: Map<string, string>, after: Map<string, string>): Promise<{ added: AddedLines; created: boolean }> {
    for (const b of before.values()) if (b === blob) return { added: new Set(), created: false };
    const next = await this.blobBytes(blob);
    if (!next || looksBinaryForDiff(next)) return { added: 'all', created: true };
    const lines = lineCount(next);
    let best: Set<number> | undefined;
    let bestShared = 0;
    // Files the change leaves alone are compared too while the tree is small; in a larger one only by identical
    // content (above): reading every file would cost more than git itself allows (diff.renameLimit).
    const everyFile = before.size <= COPY_SOURCES_LIMIT;
    for (const [p, b] of before) {
      if (!everyFile && after.get(p) === b) continue;
      const prev = await this.blobBytes(b);
      if (!prev || looksBinaryForDiff(prev)) continue;
      const added = addedLineNumbers(prev, next);
      const shared = lines - added.size;
      if (shared * 2 >= Math.max(lines, lineCount(prev)) && shared > bestShared) {
        best = added;
        bestShared = shared;
      }
    }
    return best ? { added: best, created: false } : { added: 'all', created: true };
  }

  /** The lines one commit adds, into `index`; `copies`: files with no version at their path are looked for a source. */
  private async commitAdded(commit: ParsedCommit, index: AddedLinesIndex, copies: boolean): Promise<void> {
    const parentTrees: Array<string | undefined> = [];
    for (const p of commit.parents) parentTrees.push(await this.readCommit(p).then((c) => c.tree, () => undefined));
    const out = await this.introduced(commit, parentTrees);
    let files: { before: Map<string, string>; after: Map<string, string> } | undefined;
    for (const e of out) {
      if (!isRegularFileMode(e.mode) || e.unchanged) continue;
      const key = addedKey(commit.meta.id, e.oid);
      const prevs = commit.parents.length ? await Promise.all(parentTrees.map((t) => this.blobAt(t, e.path))) : [];
      let a: AddedLines;
      if (prevs.some(Boolean)) a = await this.added(e.oid, prevs);
      else if (copies && commit.parents.length) {
        files ??= { before: await this.filesOf(parentTrees), after: await this.filesOf([commit.tree]) };
        const found = await this.addedFromSources(e.oid, files.before, files.after);
        a = found.added;
        if (found.created) index.created.add(key);
      } else {
        a = 'all';
        index.created.add(key);
      }
      const cur = index.get(key);
      if (cur === 'all' || a === 'all') index.set(key, 'all');
      else index.set(key, cur ? new Set([...cur, ...a]) : a);
    }
  }

  async addedLines(spec: HistorySpec): Promise<AddedLinesIndex> {
    // No source is looked for here (git's first pass finds renames; copiesFrom() gives the same answers for both).
    const index = new AddedLinesIndex();
    for await (const { commit } of this.walk(spec)) await this.commitAdded(commit, index, false);
    return index;
  }

  async copiesFrom(commits: string[]): Promise<AddedLinesIndex> {
    const index = new AddedLinesIndex();
    for (const id of commits) await this.commitAdded(await this.readCommit(id), index, true);
    return index;
  }

  async staged(options: { copiesHarder?: boolean } = {}): Promise<StagedChange[]> {
    const { git } = this;
    const dir = this.repo.worktree;
    if (!dir) throw new Error('a bare repository has no staged changes');
    const trees = this.repo.head ? [git.TREE({ ref: 'HEAD' }), git.STAGE()] : [git.STAGE()];
    const changes: StagedChange[] = [];
    const pending: Array<{ path: string; mode: string; blob: string; prev?: string }> = [];
    const stagedFiles = new Map<string, string>();
    await git.walk({
      fs,
      dir,
      gitdir: this.repo.gitDir,
      cache: this.cache,
      trees,
      map: async (filepath, entries) => {
        const stage = entries[entries.length - 1];
        const head = entries.length > 1 ? entries[0] : null;
        if (!stage) return undefined;
        const type = await stage.type();
        if (type === 'tree') return true;
        const oid = await stage.oid();
        const mode = (await stage.mode()).toString(8).padStart(6, '0');
        if (isRegularFileMode(mode)) stagedFiles.set(filepath, oid);
        const prev = head && (await head.type()) === 'blob' ? await head.oid() : undefined;
        if (prev === oid && head && (await head.mode()) === (await stage.mode())) return undefined;
        if (prev === oid) return undefined;
        pending.push({ path: filepath, mode, blob: oid, prev });
        return undefined;
      },
    });
    // A new path: with copiesHarder, a rename or a copy of a file of HEAD adds only what its source lacks (the first
    // pass looks for no source: git's finds renames, and the second pass gives both readers the same answers).
    const headFiles = options.copiesHarder && this.repo.head && pending.some((p) => !p.prev) ? await this.filesOf([(await this.readCommit(this.repo.head)).tree]) : undefined;
    for (const p of pending) {
      let added: AddedLines = 'all';
      let created = !p.prev;
      if (p.prev) added = await this.added(p.blob, [p.prev]);
      else if (headFiles) ({ added, created } = await this.addedFromSources(p.blob, headFiles, stagedFiles));
      changes.push({ path: p.path, mode: p.mode, blob: p.blob, added, ...(created ? { created: true } : {}) });
    }
    return changes;
  }

  async close(): Promise<void> {
    this.treeCache.clear();
  }
}
