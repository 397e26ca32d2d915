// Orchestrates history and staged scans, blob-centric: list what every commit introduces, read each unique blob
// once (one long-lived `git cat-file --batch`), match it once (inline or across worker threads while git reads the
// next ones), and attach provenance afterwards: every (commit, path) that introduced a blob carrying a token.
import { NameScanner, type Finding } from './findings.js';
import type { HistoryScanInfo, Inventory, Rule, ScanSummary, SkippedFile, Token, TokenStatus } from '../model/index.js';
import picomatch from 'picomatch';
import { compileRule } from '../rules/compile.js';
import { isLockFile } from '../match/filters.js';
import {
  MODE_GITLINK, addedKey, isAdded, isLfsPointer, isRegularFileMode, openGitBackend, pathFilter,
  type AddedLinesIndex, type BackendChoice, type BlobResult, type CommitMeta, type GitBackend, type HiddenHistory, type HistorySpec,
  type RefTip, type StagedChange, type TreeEntry,
} from '../sources/git/index.js';
import { runGitRaw } from '../sources/git/index.js';
import { StreamDispatcher } from './dispatch.js';
import { findingContextOptions, minScoreFor, type ScanSettings } from './scan-tree.js';
import { InventoryBuilder, partLast } from './inventory.js';
import { SINCE_FORMS, parseSince, sinceInstant } from './since.js';
import { keyCheck } from './redact.js';
import { resultNotes, type WorkResult } from './work.js';
import type { MatcherPool } from './pool.js';
import type { ScanProgress } from './progress.js';

/** A problem with what the user asked for (an unknown ref, a range base this clone lacks): one line, exit 2. */
export class HistoryUsageError extends Error {}

export interface RepoScanOptions extends ScanSettings {
  /** Repository path (a working tree, any folder in it, a linked worktree or a bare repository). */
  repo: string;
  /** 'auto' (default): the git executable when on PATH, else isomorphic-git with a warning. */
  backend?: BackendChoice;
  /** An already opened repository (the CLI opens it first to find the config file). */
  opened?: OpenedRepository;
  /** Org scans: one matcher pool serving every repository (used at once, never closed here). */
  pool?: MatcherPool;
  /** Org scans with a datastore: blobs it has seen matched by the same rules are not read again. */
  memo?: BlobMemo;
}

/**
 * What a datastore knows of blobs, by the scan's blob key (blob id, plus the path class when path-limited rules
 * see the content differently). `recall` gives the findings of a blob matched before (empty when clean), or
 * undefined to read and match it now; `remember` is told of each blob matched (or skipped for good: binary,
 * too large, an LFS pointer). Unreadable blobs are not remembered: the next run tries them again.
 */
export interface BlobMemo {
  recall(key: string): Finding[] | undefined;
  remember(key: string, findings: Finding[], bytes: number): void;
}

export interface HistoryScanOptions extends RepoScanOptions {
  /** Refs to scan (repeatable); default every ref. */
  refs?: string[];
  since?: string;
  /** `BASE..HEAD` (or `BASE...HEAD`: from their merge base): only lines the range's commits add. */
  range?: string;
  /** Counts blobs done as the scan goes, for a progress display. */
  progress?: ScanProgress;
}

export interface OpenedRepository {
  backend: GitBackend;
  warning?: string;
}

export async function openRepository(repo: string, choice: BackendChoice = 'auto'): Promise<OpenedRepository> {
  return openGitBackend(repo, choice);
}

/** At most this many skipped blobs are listed one by one (a history can hold many binaries). */
const MAX_SKIPPED = 1000;
const MAX_OBJECT_WARNINGS = 20;

/**
 * Rules limited to some paths (`paths:` globs) and lock files make a match depend on the path as well as the
 * bytes. Blobs are deduplicated per (blob, path class): one read and one match for every path that treats the
 * content alike, which is nearly always one.
 */
class PathClasses {
  private readonly filters: Array<(p: string) => boolean>;
  /** Any rule's globs at all: one test per path, and the per-rule tests only for the few paths it admits. */
  private readonly any: ((p: string) => boolean) | undefined;
  private readonly cache = new Map<string, string>();

  constructor(rules: Rule[]) {
    const limited = rules.filter((r) => r.paths?.length);
    this.filters = limited.map((r) => compileRule(r, false).pathFilter!);
    if (limited.length) {
      const anyGlob = picomatch(limited.flatMap((r) => r.paths!), { dot: true, basename: false });
      this.any = (p) => anyGlob(p) || anyGlob(`/${p}`);
    }
  }

  of(path: string): string {
    let c = this.cache.get(path);
    if (c === undefined) {
      c = isLockFile(path) ? 'L' : '';
      if (this.any?.(path)) c += this.filters.map((f) => (f(path) ? '1' : '0')).join('');
      if (this.cache.size < 200_000) this.cache.set(path, c);
    }
    return c;
  }
}

const blobKey = (blob: string, cls: string) => (cls ? `${blob}:${cls}` : blob);

/** Scanned and clean (or unreadable): provenance no longer needed. */
const DONE = Symbol('done');

interface BlobState {
  /** Flat (commit index, path index) pairs of every introduction of this blob. */
  intros: number[];
  findings?: Finding[];
}

/** Interned commits and paths: provenance for 100,000 commits costs numbers, not objects. */
class Provenance {
  readonly commits: CommitMeta[] = [];
  readonly paths: string[] = [];
  private readonly pathIndex = new Map<string, number>();

  commit(c: CommitMeta): number {
    this.commits.push(c);
    return this.commits.length - 1;
  }

  path(p: string): number {
    let i = this.pathIndex.get(p);
    if (i === undefined) {
      i = this.paths.length;
      this.paths.push(p);
      this.pathIndex.set(p, i);
    }
    return i;
  }
}

/** Collects skips and warnings with caps, so a history full of binaries or broken objects stays readable. */
class Notes {
  readonly skipped: SkippedFile[] = [];
  readonly warnings: string[] = [];
  private moreSkipped = 0;
  private objectProblems = 0;
  private contentWarnings = 0;
  private readonly gitlinks = new Set<string>();
  lfsPointers = 0;

  skip(path: string, reason: string): void {
    if (this.skipped.length < MAX_SKIPPED) this.skipped.push({ path, reason });
    else this.moreSkipped++;
  }

  object(id: string, path: string, error: string): void {
    this.skip(path, `${error} (blob ${id})`);
    if (++this.objectProblems <= MAX_OBJECT_WARNINGS) this.warnings.push(`blob ${id} (${path}): ${error}; skipped, the scan goes on`);
  }

  /** Content-level warnings (a rule cut short, a corrupt archive); capped like object problems. */
  content(warnings: string[]): void {
    for (const w of warnings) if (++this.contentWarnings <= MAX_OBJECT_WARNINGS) this.warnings.push(w);
  }

  /** A matched blob's skips and warnings: its own and, for an archive, its members'. */
  result(path: string, r: WorkResult): void {
    if (!r.skipped && !r.warning && !r.archive) return;
    const n = resultNotes(path, r);
    for (const k of n.skipped) this.skip(k.path, k.reason);
    this.content(n.warnings);
  }

  gitlink(path: string): void {
    this.gitlinks.add(path);
  }

  finish(): void {
    if (this.objectProblems > MAX_OBJECT_WARNINGS) this.warnings.push(`... and ${this.objectProblems - MAX_OBJECT_WARNINGS} more unreadable objects (see scan.skipped)`);
    if (this.moreSkipped) this.warnings.push(`${this.moreSkipped} more skipped blobs not listed in scan.skipped`);
    if (this.gitlinks.size) {
      const list = [...this.gitlinks].sort();
      this.warnings.push(
        `submodule${list.length > 1 ? 's' : ''} skipped (gitlinks point to commits of another repository; scan ${list.length > 1 ? 'them' : 'it'} on its own): ${list.slice(0, 10).join(', ')}${list.length > 10 ? `, ... (${list.length} in all)` : ''}`,
      );
    }
    if (this.lfsPointers) {
      this.warnings.push(`${this.lfsPointers} Git LFS pointer${this.lfsPointers > 1 ? 's' : ''} skipped: the content lives in LFS storage, not in git; fetch it (git lfs pull) and run \`shadowscan scan\``);
    }
    this.skipped.sort((a, b) => a.path.localeCompare(b.path) || a.reason.localeCompare(b.reason));
  }
}

interface Requested {
  key: string;
  path: string;
}

/**
 * Reads the requested blobs and matches them: results go to `onResult` by key. The producer feeds `request`
 * while the reader and the matcher work; memory stays bounded by back-pressure at each step.
 */
async function readAndMatch(
  backend: GitBackend,
  o: RepoScanOptions,
  notes: Notes,
  produce: (request: (key: string, blob: string, path: string) => Promise<void> | void) => Promise<void>,
  onResult: (key: string, path: string, r: WorkResult) => void,
  /** Texts to match after the blobs (commit messages), by the same threads: `push` them with a key of their own. */
  texts?: (push: (key: string, text: string) => Promise<void>) => Promise<void>,
): Promise<void> {
  const reader = backend.openBlobReader(o.maxFileSize);
  const fifo: Requested[] = [];
  let fifoHead = 0;
  const dispatcher = new StreamDispatcher<Requested>(findingContextOptions(o), (req, r) => onResult(req.key, req.path, r), o.concurrency, o.pool, o.archives);
  const producer = (async () => {
    try {
      await produce((key, blob, path) => {
        fifo.push({ key, path });
        return reader.request(blob);
      });
      reader.end();
    } catch (err) {
      reader.close();
      throw err;
    }
  })();
  const consumer = (async () => {
    for await (const res of reader as AsyncIterable<BlobResult>) {
      const req = fifo[fifoHead];
      fifo[fifoHead++] = undefined as unknown as Requested;
      if (fifoHead > 4096 && fifoHead * 2 > fifo.length) {
        fifo.splice(0, fifoHead);
        fifoHead = 0;
      }
      if (!req) break;
      if (res.error) {
        notes.object(res.id, req.path, res.error);
        // -2: unreadable now (not remembered, unlike -1: skipped for good).
        onResult(req.key, req.path, { findings: [], skipped: undefined, bytes: -2 });
      } else if (res.tooLarge) {
        notes.skip(req.path, `larger than --max-file-size (${res.size} bytes) (blob ${res.id})`);
        onResult(req.key, req.path, { findings: [], bytes: -1 });
      } else if (res.data && isLfsPointer(res.data)) {
        notes.lfsPointers++;
        notes.skip(req.path, `Git LFS pointer: the content is stored outside git (blob ${res.id})`);
        onResult(req.key, req.path, { findings: [], bytes: -1 });
      } else {
        await dispatcher.push({ kind: 'bytes', bytes: res.data ?? Buffer.alloc(0), relPath: req.path }, req);
      }
    }
    await texts?.((key, text) => dispatcher.push({ kind: 'bytes', bytes: Buffer.from(text, 'utf8'), relPath: 'NAME' }, { key, path: '' }));
    await dispatcher.finish();
  })();
  try {
    await Promise.all([producer, consumer]);
  } finally {
    reader.close();
    await dispatcher.close();
  }
}

function parseRange(range: string): { base: string; head: string; symmetric: boolean } {
  const m = /^(.*?)(\.\.\.?)(.*)$/s.exec(range);
  if (!m || (!m[1] && !m[3])) throw new HistoryUsageError(`--range must look like BASE..HEAD (got "${range}")`);
  return { base: m[1] || 'HEAD', head: m[3] || 'HEAD', symmetric: m[2] === '...' };
}

const FETCH_MORE =
  'this is a shallow clone: fetch more history (for example `git fetch --deepen=200`, `git fetch --unshallow`, or `git fetch origin <base>`; in GitHub Actions, actions/checkout with `fetch-depth: 0`) and run again';

async function resolveSpec(backend: GitBackend, o: HistoryScanOptions): Promise<HistorySpec> {
  const spec: HistorySpec = {};
  if (o.since !== undefined) {
    // Read here, strictly, and given to both readers as one instant (git's own reader takes "banana" for now).
    const ms = parseSince(o.since);
    if (ms === undefined) throw new HistoryUsageError(`--since: not a date: "${o.since}"; use ${SINCE_FORMS}`);
    spec.since = sinceInstant(ms);
  }
  if (o.range) {
    if (o.refs?.length) throw new HistoryUsageError('--range and --ref cannot be used together');
    const { base, head, symmetric } = parseRange(o.range);
    const { ids, missing } = await backend.resolveCommits([base, head]);
    if (missing.includes(base)) {
      throw new HistoryUsageError(
        backend.repo.shallow ? `range base "${base}" is not in this clone; ${FETCH_MORE}` : `range base "${base}" is not a commit in this repository`,
      );
    }
    if (missing.includes(head)) throw new HistoryUsageError(`range head "${head}" is not a commit in this repository`);
    let baseId = ids.get(base)!;
    const headId = ids.get(head)!;
    const mb = await backend.mergeBase(baseId, headId);
    if (!mb && backend.repo.shallow) {
      throw new HistoryUsageError(`"${base}" and "${head}" have no common history in this clone; ${FETCH_MORE}`);
    }
    if (symmetric && mb) baseId = mb;
    spec.starts = [headId];
    spec.exclude = [baseId];
    return spec;
  }
  if (o.refs?.length) {
    const { ids, missing } = await backend.resolveCommits(o.refs);
    if (missing.length) throw new HistoryUsageError(`unknown ref${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}`);
    spec.starts = [...new Set(o.refs.map((r) => ids.get(r)!))];
  }
  return spec;
}

function chronological(a: { date?: string; commit?: string }, b: { date?: string; commit?: string }): number {
  return (Date.parse(a.date ?? '') || 0) - (Date.parse(b.date ?? '') || 0) || (a.commit ?? '').localeCompare(b.commit ?? '');
}

/** Where a token stands, from whether HEAD holds it and which refs' tips do. */
export function statusOf(presentInHead: boolean, refs: readonly string[]): TokenStatus {
  return presentInHead ? 'active' : refs.length ? 'unmerged' : 'history-only';
}

/**
 * Token provenance from its occurrences: first and last commit that wrote it, how many did, whether HEAD has it;
 * and, when `refsOf` knows a token's refs (the tips that hold it), those refs and its status.
 */
export function attachProvenance(tokens: Token[], inHead: Set<string>, refsOf?: (id: string) => Iterable<string> | undefined): void {
  for (const t of tokens) {
    t.occurrences.sort((a, b) => chronological(a, b) || partLast(a, b) || a.path.localeCompare(b.path) || a.line - b.line || a.column - b.column);
    // Occurrences without a commit (in a replacement object) say nothing of when the token was written.
    const committed = t.occurrences.filter((o) => o.commit);
    const first = committed[0];
    const last = committed[committed.length - 1];
    if (first) {
      t.firstSeen = { commit: first.commit!, date: first.date ?? '', path: first.path, ...(first.repo ? { repo: first.repo } : {}) };
      // The last commit to write it; among several paths in that commit, the last in path order.
      t.lastSeen = { commit: last.commit!, date: last.date ?? '', path: last.path, ...(last.repo ? { repo: last.repo } : {}) };
      t.commits = new Set(committed.map((o) => o.commit)).size;
    }
    t.presentInHead = inHead.has(t.id);
    const refs = refsOf?.(t.id);
    if (refs) {
      t.refs = [...new Set(refs)].sort();
      t.status = statusOf(t.presentInHead, t.refs);
    } else if (t.presentInHead) t.status = 'active';
    else delete t.status;
  }
}

/**
 * Which tokens the tips hold: HEAD's tree (presentInHead) and every ref's (the token's refs). Each tree is listed
 * once (a ref at HEAD's commit holds what HEAD holds); its blobs were nearly all matched already. Blobs of a tip
 * that no listed commit introduced (with --ref, --since) are read and matched now, for this question only; not for
 * --range, which looks at what the range adds. `refsOf` is undefined when the refs could not be listed.
 */
async function tipTokens(
  backend: GitBackend,
  o: HistoryScanOptions,
  c: {
    headPromise: Promise<TreeEntry[]>;
    tipsPromise: Promise<RefTip[]>;
    blobs: Map<string, BlobState | typeof DONE>;
    names: NameScanner;
    include: (p: string) => boolean;
    classes: PathClasses;
    notes: Notes;
  },
): Promise<{ inHead: Set<string>; refsOf?: Map<string, string[]> }> {
  const inHead = new Set<string>();
  let headEntries: TreeEntry[] = [];
  try {
    headEntries = await c.headPromise;
  } catch (err) {
    c.notes.warnings.push(`HEAD's tree could not be read (${(err as Error).message}); presentInHead is false for every token`);
  }
  let tips: RefTip[] | undefined;
  try {
    tips = await c.tipsPromise;
  } catch (err) {
    c.notes.warnings.push(`the refs could not be listed (${(err as Error).message.split('\n')[0]}); tokens not in HEAD have no status`);
  }
  /** Token ids each tree holds ('HEAD' for HEAD's: no tree id is that). */
  const held = new Map<string, Set<string>>([['HEAD', inHead]]);
  const missing = new Map<string, { blob: string; path: string; holders: Set<string> }>();
  const look = (holder: string, ids: Set<string>, e: TreeEntry) => {
    for (const id of c.names.idsIn(e.path)) ids.add(id);
    if (!isRegularFileMode(e.mode) || !c.include(e.path)) return;
    const key = blobKey(e.blob, c.classes.of(e.path));
    const st = c.blobs.get(key);
    if (st === undefined) {
      if (o.range) return;
      let m = missing.get(key);
      if (!m) missing.set(key, (m = { blob: e.blob, path: e.path, holders: new Set() }));
      m.holders.add(holder);
    } else if (st !== DONE) for (const f of st.findings ?? []) ids.add(f.id);
  };
  for (const e of headEntries) look('HEAD', inHead, e);
  const head = backend.repo.head;
  const trees = [...new Set((tips ?? []).filter((t) => t.commit !== head).map((t) => t.tree))];
  try {
    await backend.treeListings(trees, (tree, entries) => {
      const ids = new Set<string>();
      held.set(tree, ids);
      for (const e of entries) look(tree, ids, e);
    });
  } catch (err) {
    c.notes.warnings.push(`the trees of the refs could not be listed (${(err as Error).message.split('\n')[0]}); tokens at those tips have no refs there`);
  }
  if (missing.size) {
    await readAndMatch(backend, o, new Notes(), async (request) => {
      for (const [key, m] of missing) await request(key, m.blob, m.path);
    }, (key, _path, r) => {
      for (const h of missing.get(key)?.holders ?? []) for (const f of r.findings) held.get(h)?.add(f.id);
    });
  }
  if (!tips) return { inHead };
  const refsOf = new Map<string, string[]>();
  for (const t of tips) {
    for (const id of held.get(t.commit === head ? 'HEAD' : t.tree) ?? []) {
      const list = refsOf.get(id);
      if (list) list.push(t.ref);
      else refsOf.set(id, [t.ref]);
    }
  }
  return { inHead, refsOf };
}

/** Replace refs and grafts: warned about, since git would show another history than the one scanned. */
async function hiddenHistory(backend: GitBackend, notes: Notes, everyRef: boolean): Promise<HiddenHistory> {
  let hidden: HiddenHistory;
  try {
    hidden = await backend.hiddenHistory();
  } catch (err) {
    notes.warnings.push(`replace refs could not be listed (${(err as Error).message}); replacement objects were not scanned`);
    return { replaceRefs: [], grafts: false };
  }
  const n = hidden.replaceRefs.length;
  if (n) {
    notes.warnings.push(
      `${n} replace ref${n > 1 ? 's' : ''} in refs/replace: git shows other objects in place of the ones replaced; history was read as stored${
        everyRef ? ', and the replacement objects were scanned too (files of replacement blobs and trees under refs/replace/<id>)' : '; replacement objects are scanned only when every ref is'
      }`,
    );
    for (const r of hidden.replaceRefs) if (!r.type) notes.warnings.push(`${r.ref} points to a missing or unreadable object (${r.id})`);
  }
  if (hidden.grafts) {
    notes.warnings.push('info/grafts exists: git rewrites the parents of the commits it lists, which can hide history; it was ignored and every stored parent was walked');
  }
  return hidden;
}

/** The files of replacement blobs and trees, each under its ref (`refs/replace/<id>`, `refs/replace/<id>:<path>`). */
async function replacementFiles(backend: GitBackend, hidden: HiddenHistory, notes: Notes): Promise<TreeEntry[]> {
  const files: TreeEntry[] = [];
  for (const r of hidden.replaceRefs) {
    if (r.type === 'blob') files.push({ path: r.ref, mode: '100644', blob: r.id });
    else if (r.type === 'tree') {
      try {
        for (const e of await backend.treeFiles(r.id)) files.push({ ...e, path: `${r.ref}:${e.path}` });
      } catch (err) {
        notes.warnings.push(`replacement tree ${r.id} (${r.ref}) could not be read (${(err as Error).message}); it was not scanned`);
      }
    }
  }
  return files;
}

export async function scanHistory(o: HistoryScanOptions): Promise<Inventory> {
  const started = Date.now();
  const { backend, warning } = o.opened ?? (await openRepository(o.repo, o.backend));
  const notes = new Notes();
  if (warning) notes.warnings.push(warning);
  try {
    const spec = await resolveSpec(backend, o);
    if (backend.repo.shallow && !o.range) {
      notes.warnings.push('shallow clone: commits before its boundary are not here and were not scanned; `git fetch --unshallow` fetches them');
    }
    const include = pathFilter({
      exclude: [...(o.exclude ?? []), ...o.config.exclude, ...o.config.allowlist.paths],
      includeVendored: o.includeVendored ?? o.config.includeVendored ?? false,
    });
    const classes = new PathClasses(o.rules);
    const prov = new Provenance();
    // Tokens in paths, authors and commit messages (see NameScanner): held until the builder exists.
    const named: Array<Parameters<InventoryBuilder['add']>> = [];
    const names = new NameScanner(findingContextOptions(o), (f, where) => named.push([f, where]));
    const blobs = new Map<string, BlobState | typeof DONE>();
    const everyRef = !o.refs?.length && !o.range;
    const hidden = await hiddenHistory(backend, notes, everyRef);
    /** Files of replacement objects (reachable only through refs/replace): reported under the ref, without a commit. */
    const replacements: Array<{ key: string; path: string }> = [];
    let files = 0;
    let bytes = 0;
    // Commit messages, matched after the blobs by the same threads (keys starting with NUL: no blob id does).
    const messages: Array<{ c: CommitMeta; message: string } | undefined> = [];
    const at = (c: CommitMeta) => ({ commit: c.id, author: c.author, date: c.date });
    const progress = o.progress;
    const onResult = (key: string, path: string, r: WorkResult) => {
      if (key.charCodeAt(0) === 0) {
        const m = messages[Number(key.slice(1))];
        messages[Number(key.slice(1))] = undefined;
        if (m) names.found(m.message, r.findings, 'message', at(m.c));
        return;
      }
      if (progress) {
        progress.done++;
        if (!r.skipped) progress.bytes += Math.max(0, r.bytes);
        progress.saw(r.findings);
      }
      const st = blobs.get(key);
      if (r.bytes >= 0) {
        notes.result(path, r);
        if (!r.skipped) {
          files++;
          bytes += r.bytes;
        }
      }
      if (r.bytes !== -2 && !r.skipped?.startsWith('scan failed')) o.memo?.remember(key, r.findings, Math.max(0, r.bytes));
      if (st && st !== DONE && r.findings.length) st.findings = r.findings;
      else blobs.set(key, DONE);
    };

    // Added lines (range scans) and HEAD's tree come from their own git processes, alongside the main pass.
    const addedPromise: Promise<AddedLinesIndex> | undefined = o.range ? backend.addedLines(spec) : undefined;
    const headPromise = backend.headTree();
    const tipsPromise = backend.refTips();
    addedPromise?.catch(() => undefined);
    headPromise.catch(() => undefined);
    tipsPromise.catch(() => undefined);

    // What every commit introduces: each new blob is read once; every (commit, path) that introduced it is kept.
    const listCommits = async (request: (key: string, blob: string, path: string) => Promise<void> | void): Promise<void> => {
      for await (const recs of backend.history(spec)) for (const rec of recs) {
        const ci = prov.commit(rec.commit);
        names.commit(at(rec.commit), [rec.commit.author]);
        for (const ch of rec.changes) {
          if (include(ch.path)) names.path(ch.path, at(rec.commit));
          if (ch.mode === MODE_GITLINK) {
            notes.gitlink(ch.path);
            continue;
          }
          if (!isRegularFileMode(ch.mode) || !include(ch.path)) continue;
          if (o.range && ch.unchanged) continue;
          const key = blobKey(ch.blob, classes.of(ch.path));
          const st = blobs.get(key);
          if (st === undefined) {
            const known = o.memo?.recall(key);
            if (known) {
              blobs.set(key, known.length ? { intros: [ci, prov.path(ch.path)], findings: known } : DONE);
              continue;
            }
            blobs.set(key, { intros: [ci, prov.path(ch.path)] });
            await request(key, ch.blob, ch.path);
          } else if (st !== DONE) st.intros.push(ci, prov.path(ch.path));
        }
      }
    };

    await readAndMatch(backend, o, notes, async (requestBlob) => {
      const request = progress
        ? (key: string, blob: string, path: string) => {
            progress.found++;
            return requestBlob(key, blob, path);
          }
        : requestBlob;
      try {
        await listCommits(request);
      } catch (err) {
        // Listing failed partway: what was listed is matched and kept, and the user is told. Nothing listed at all
        // is a failed repository.
        if (!prov.commits.length) throw err;
        notes.warnings.push(`listing the history stopped after ${prov.commits.length} commits (${(err as Error).message.split('\n')[0]}); what was listed was scanned`);
      }
      // Replacement blobs and trees (replacement commits are walked with every other ref).
      if (everyRef) for (const f of await replacementFiles(backend, hidden, notes)) {
        if (f.mode === MODE_GITLINK || !isRegularFileMode(f.mode) || !include(f.path)) continue;
        const key = blobKey(f.blob, classes.of(f.path));
        replacements.push({ key, path: f.path });
        if (blobs.has(key)) continue;
        const known = o.memo?.recall(key);
        if (known) {
          blobs.set(key, known.length ? { intros: [], findings: known } : DONE);
          continue;
        }
        blobs.set(key, { intros: [] });
        await request(key, f.blob, f.path);
      }
      if (progress) progress.listed = true;
    }, onResult, (push) =>
      // Commit messages and committers are not in the listing: read for every commit listed.
      readCommitTexts(backend, prov.commits, async (c, committer, message) => {
        if (committer) names.commit(at(c), [committer]);
        if (!message.trim()) return;
        messages.push({ c, message });
        await push(`\0${messages.length - 1}`, message);
      }).catch((err: Error) => void notes.warnings.push(`commit messages could not be read (${err.message.split('\n')[0]}); tokens in them were not looked for`)),
    );

    const { inHead, refsOf } = await tipTokens(backend, o, { headPromise, tipsPromise, blobs, names, include, classes, notes });

    const added = addedPromise ? await addedPromise : undefined;
    if (added) await lookForCopies(backend, added, blobs, prov, notes);
    const builder = new InventoryBuilder(new Map(o.rules.map((r) => [r.id, r])), { minScore: minScoreFor(o), held: o.heldSecrets });
    for (const [f, where] of named) builder.add(f, where);
    for (const [key, st] of blobs) {
      if (st === DONE || !st.findings?.length) continue;
      const blob = key.split(':')[0];
      for (let i = 0; i < st.intros.length; i += 2) {
        const c = prov.commits[st.intros[i]];
        let findings = st.findings;
        if (added) {
          const lines = added.get(addedKey(c.id, blob));
          // A change the patch did not describe keeps every match: better a finding too many than one lost.
          // A member of an archive has no lines in the blob's patch: kept.
          if (lines !== undefined) findings = findings.filter((f) => f.member !== undefined || isAdded(lines, f.line, f.endLine));
        }
        if (findings.length) builder.add(findings, { path: prov.paths[st.intros[i + 1]], commit: c.id, author: c.author, date: c.date });
      }
    }
    for (const r of replacements) {
      const st = blobs.get(r.key);
      if (st && st !== DONE && st.findings?.length) builder.add(st.findings, { path: r.path });
    }
    builder.dropFingerprints(o.config.allowlist.fingerprints);
    notes.warnings.push(...backend.warnings);
    notes.finish();
    const history: HistoryScanInfo = {
      mode: 'history',
      backend: backend.kind,
      commits: prov.commits.length,
      blobs: files,
    };
    if (o.refs?.length) history.refs = o.refs;
    if (o.since) history.since = o.since;
    if (o.range) history.range = o.range;
    if (backend.repo.shallow) history.shallow = true;
    if (backend.repo.bare) history.bare = true;
    if (backend.repo.head) history.head = backend.repo.head;
    if (!prov.commits.length && !backend.repo.head && !o.refs?.length && !o.range) notes.warnings.push('the repository has no commits yet');
    const inv = builder.build(summary(o, started, files, bytes, notes, history), o.version);
    attachProvenance(inv.tokens, inHead, refsOf && ((id) => refsOf.get(id) ?? []));
    names.redact(inv);
    inv.scan.durationMs = Date.now() - started;
    return inv;
  } finally {
    await backend.close();
  }
}

/** The scan summary of a repository scan (history or staged); the duration runs to now. */
function summary(o: RepoScanOptions, started: number, files: number, bytes: number, notes: Notes, history: HistoryScanInfo): ScanSummary {
  return {
    targets: [o.repo],
    startedAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
    files,
    bytes,
    skipped: notes.skipped,
    warnings: notes.warnings,
    rules: o.rules.length,
    keyCheck: keyCheck(o.fingerprintKey),
    history,
    minScore: minScoreFor(o),
  };
}

export interface StagedScanOptions extends RepoScanOptions {
  /** The staged changes, when the caller started reading them already (to overlap git with loading rules). */
  changes?: Promise<StagedChange[]>;
}

/** What `git commit` would record now: only matches on lines the staged change adds. */
export async function scanStaged(o: StagedScanOptions): Promise<Inventory> {
  const started = Date.now();
  const { backend, warning } = o.opened ?? (await openRepository(o.repo, o.backend));
  const notes = new Notes();
  if (warning) notes.warnings.push(warning);
  try {
    const changes = await (o.changes ?? backend.staged());
    const include = pathFilter({
      exclude: [...(o.exclude ?? []), ...o.config.exclude, ...o.config.allowlist.paths],
      includeVendored: o.includeVendored ?? o.config.includeVendored ?? false,
    });
    const builder = new InventoryBuilder(new Map(o.rules.map((r) => [r.id, r])), { minScore: minScoreFor(o), held: o.heldSecrets });
    const names = new NameScanner(findingContextOptions(o), (f, where) => builder.add(f, where));
    let files = 0;
    let bytes = 0;
    const wanted = changes.filter((ch) => {
      if (include(ch.path)) names.path(ch.path);
      if (ch.mode === MODE_GITLINK) notes.gitlink(ch.path);
      return isRegularFileMode(ch.mode) && include(ch.path) && (ch.added === 'all' || ch.added.size > 0);
    });
    const matched: Array<{ change: StagedChange; findings: Finding[] }> = [];
    await readAndMatch(backend, o, notes, async (request) => {
      for (let i = 0; i < wanted.length; i++) await request(String(i), wanted[i].blob, wanted[i].path);
    }, (key, path, r) => {
      if (r.bytes < 0) return;
      notes.result(path, r);
      if (r.skipped) return;
      files++;
      bytes += r.bytes;
      if (r.findings.length) matched.push({ change: wanted[Number(key)], findings: r.findings });
    });
    // A new file holding a token may be a copy of a file the change leaves alone: git looks among every file of
    // HEAD for a copy source only when asked (about 0.2 s more on 50,000 files), so only then.
    if (matched.some((m) => m.change.created && m.findings.some((f) => isAdded(m.change.added, f.line, f.endLine)))) {
      try {
        const again = new Map((await backend.staged({ copiesHarder: true })).map((c) => [c.path, c]));
        for (const m of matched) {
          const c = again.get(m.change.path);
          if (m.change.created && c?.blob === m.change.blob) m.change = c;
        }
      } catch (err) {
        notes.warnings.push(`copies could not be looked for (${(err as Error).message.split('\n')[0]}); every line of the new files counts as added`);
      }
    }
    for (const m of matched) {
      const findings = m.findings.filter((f) => f.member !== undefined || isAdded(m.change.added, f.line, f.endLine));
      if (findings.length) builder.add(findings, { path: m.change.path });
    }
    builder.dropFingerprints(o.config.allowlist.fingerprints);
    notes.warnings.push(...backend.warnings);
    notes.finish();
    const history: HistoryScanInfo = { mode: 'staged', backend: backend.kind, commits: 0, blobs: files };
    return names.redact(builder.build(summary(o, started, files, bytes, notes, history), o.version));
  } finally {
    await backend.close();
  }
}

/**
 * Range scans: a file a commit created with no source git found (it looks for copies among the files a commit
 * modifies) may still be a copy of a file the commit left alone. For the commits where such a file holds a match
 * on its lines, git is asked again with every file of the parent as a copy source (slower, so only for those).
 */
async function lookForCopies(backend: GitBackend, added: AddedLinesIndex, blobs: Map<string, BlobState | typeof DONE>, prov: Provenance, notes: Notes): Promise<void> {
  if (!added.created.size) return;
  const commits = new Set<string>();
  for (const [key, st] of blobs) {
    if (st === DONE || !st.findings?.length) continue;
    const blob = key.split(':')[0];
    for (let i = 0; i < st.intros.length; i += 2) {
      const k = addedKey(prov.commits[st.intros[i]].id, blob);
      if (added.created.has(k) && st.findings.some((f) => isAdded(added.get(k), f.line, f.endLine))) commits.add(prov.commits[st.intros[i]].id);
    }
  }
  if (!commits.size) return;
  try {
    const copies = await backend.copiesFrom([...commits]);
    for (const [k, lines] of copies) {
      if (!added.created.has(k) || copies.created.has(k)) continue;
      added.set(k, lines);
      added.created.delete(k);
    }
  } catch (err) {
    notes.warnings.push(`copies could not be looked for (${(err as Error).message.split('\n')[0]}); every line of the range's new files counts as added`);
  }
}

/** Commits read per `git cat-file --batch` process. */
const COMMITS_PER_READ = 10_000;

/** Each commit's committer and message (neither is in the listing), from its raw object. */
async function readCommitTexts(
  backend: GitBackend,
  commits: CommitMeta[],
  each: (c: CommitMeta, committer: { name: string; email: string } | undefined, message: string) => Promise<void>,
): Promise<void> {
  const parse = (c: CommitMeta, raw: string) => {
    const blank = raw.indexOf('\n\n');
    const head = blank < 0 ? raw : raw.slice(0, blank);
    const m = /^committer (.*?) <([^>]*)>/m.exec(head);
    return each(c, m ? { name: m[1], email: m[2] } : undefined, blank < 0 ? '' : raw.slice(blank + 2));
  };
  if (backend.kind !== 'git') {
    const { default: git } = await import('isomorphic-git');
    const fs = (await import('node:fs')).default;
    for (const c of commits) {
      const r = await git.readObject({ fs, gitdir: backend.repo.commonDir, oid: c.id, format: 'content' });
      await parse(c, Buffer.from(r.object as Uint8Array).toString('utf8'));
    }
    return;
  }
  for (let i = 0; i < commits.length; i += COMMITS_PER_READ) {
    const chunk = commits.slice(i, i + COMMITS_PER_READ);
    const r = await runGitRaw(backend.repo.path, ['cat-file', '--batch'], chunk.map((c) => c.id).join('\n') + '\n');
    if (r.code !== 0) throw new Error(r.stderr.split('\n')[0] || `git cat-file exited with ${r.code}`);
    const out = r.stdout;
    let pos = 0;
    for (const c of chunk) {
      const nl = out.indexOf(10, pos);
      if (nl < 0) break;
      const header = out.toString('latin1', pos, nl).split(' ');
      pos = nl + 1;
      if (header.length < 3) continue;
      const size = Number(header[2]);
      if (header[1] === 'commit') await parse(c, out.toString('utf8', pos, pos + size));
      pos += size + 1;
    }
  }
}
