// What the git sources hand to the scan layer: commits with the blobs they introduce, blob contents, added lines.

export interface RepoInfo {
  /** The path the user gave, resolved. Git runs here. */
  path: string;
  /** The repository's git directory (for a linked worktree, its own one). */
  gitDir: string;
  /** Where objects and refs live (differs from gitDir in linked worktrees). */
  commonDir: string;
  /** The working tree's top folder; absent for a bare repository. */
  worktree?: string;
  bare: boolean;
  shallow: boolean;
  /** HEAD's commit, absent in an empty repository (unborn branch). */
  head?: string;
}

export interface CommitMeta {
  id: string;
  parents: string[];
  author: { name: string; email: string };
  /** Author date, ISO 8601 with the author's offset (git's %aI). */
  date: string;
  /** The same instant in ms since the epoch, for ordering. */
  time: number;
}

/** A file version a commit introduces: the new side of a change against the parent (every parent, for a merge). */
export interface BlobIntro {
  path: string;
  mode: string;
  blob: string;
  /** The content equals a parent's version at this path (only the mode changed): the change adds no lines. */
  unchanged?: boolean;
}

export interface HistoryRecord {
  commit: CommitMeta;
  changes: BlobIntro[];
}

export interface HistorySpec {
  /** Commit ids to start from; undefined means every ref (branches, tags, remotes, pull refs, stash and its reflog). */
  starts?: string[];
  /** Commit ids whose history is excluded (the base of a range). */
  exclude?: string[];
  /** Only commits more recent than this instant (ISO 8601, read from `--since` by the scan layer). */
  since?: string;
}

export interface BlobResult {
  id: string;
  size: number;
  /** The content, unless the blob is missing, unreadable or over the size limit. */
  data?: Buffer;
  /** Why there is no content. */
  error?: string;
  tooLarge?: boolean;
}

/** Added line numbers (1-based) of a new file version, or 'all' when every line counts as added (new or binary files). */
export type AddedLines = Set<number> | 'all';

/**
 * Added lines per commit and new blob: key `${commit}:${blob}`. A renamed or copied file adds only the lines it
 * does not share with its source (none for a plain `git mv`).
 */
export class AddedLinesIndex extends Map<string, AddedLines> {
  /**
   * Keys of files created from no source git recognised: every line counts as added. Git looks for copies only
   * among the files a change modifies (any file is ten to twenty times slower on large trees), so a created file
   * whose lines matter is looked at again with copiesFrom().
   */
  readonly created = new Set<string>();
}

export interface StagedChange {
  path: string;
  mode: string;
  blob: string;
  added: AddedLines;
  /** A new file with no rename or copy source found: every line is added (see AddedLinesIndex.created). */
  created?: boolean;
}

export interface TreeEntry {
  path: string;
  mode: string;
  blob: string;
}

/** Where a ref points: its commit and that commit's tree. */
export interface RefTip {
  /** The full ref name (`refs/heads/main`, `refs/tags/v1`, `refs/stash`; `refs/stash@{1}` for older stash entries). */
  ref: string;
  commit: string;
  tree: string;
}

/** Reads blobs in the order asked for; keeps memory bounded by pausing when the reader falls behind. */
export interface BlobReader extends AsyncIterable<BlobResult> {
  /** Queue a blob. Await the result to respect back-pressure. */
  request(id: string): Promise<void> | void;
  /** No more requests: iteration ends after the last answer. */
  end(): void;
  /** Stop at once (on error paths). */
  close(): void;
}

/** A replace ref: git shows `id` wherever `replaced` is used, unless told not to. */
export interface ReplaceRef {
  ref: string;
  replaced: string;
  /** The replacement (a tag peeled to what it tags). */
  id: string;
  /** The replacement's type (blob, tree, commit), or undefined when it is missing or unreadable. */
  type?: string;
}

/**
 * What would make git show a history other than the stored one. Both readers ignore it (git runs with replace
 * objects and grafts off; the fallback reads objects itself): the scan reports it and scans the replacements.
 */
export interface HiddenHistory {
  replaceRefs: ReplaceRef[];
  /** An `info/grafts` file exists. */
  grafts: boolean;
}

export interface GitBackend {
  readonly kind: 'git' | 'isomorphic-git';
  readonly repo: RepoInfo;
  /** Problems met along the way (a listing cut short, an unreadable object): reported, never fatal. */
  readonly warnings: string[];
  /** Resolves each name to a commit id; names that do not resolve are returned in `missing`. */
  resolveCommits(names: string[]): Promise<{ ids: Map<string, string>; missing: string[] }>;
  /** A merge base of two commits, or undefined when none is in this clone. */
  mergeBase(a: string, b: string): Promise<string | undefined>;
  /** Commits with the blobs they introduce, in batches (one per chunk of git's output). */
  history(spec: HistorySpec): AsyncIterable<HistoryRecord[]>;
  openBlobReader(maxSize: number): BlobReader;
  /** Every entry of HEAD's tree (regular files, symlinks and gitlinks), or [] in an empty repository. */
  headTree(): Promise<TreeEntry[]>;
  /** Every entry of a tree, recursively. */
  treeFiles(tree: string): Promise<TreeEntry[]>;
  /**
   * Every ref's tip: branches, tags, remote-tracking and pull refs, notes, the stash and its older entries; not
   * symbolic refs (they name another ref) nor replace refs. Refs to missing objects or to no commit are left out.
   */
  refTips(): Promise<RefTip[]>;
  /** Every entry of each tree, recursively, one tree after another (one git process for all of them). */
  treeListings(trees: string[], each: (tree: string, entries: TreeEntry[]) => void): Promise<void>;
  /** Replace refs and grafts. */
  hiddenHistory(): Promise<HiddenHistory>;
  /** Lines each commit of the spec adds, for range scans: renames, and copies of files a commit changes, add none. */
  addedLines(spec: HistorySpec): Promise<AddedLinesIndex>;
  /** The lines these commits add with any file of their parents a copy source (slower: for the few that matter). */
  copiesFrom(commits: string[]): Promise<AddedLinesIndex>;
  /**
   * What `git commit` would record now: every staged new file version and the lines it adds (renames and copies
   * of modified files add none; `copiesHarder`: copies of any file of HEAD add none either, slower).
   */
  staged(options?: { copiesHarder?: boolean }): Promise<StagedChange[]>;
  close(): Promise<void>;
}

export class NotARepositoryError extends Error {}

/**
 * A repository that cannot be read at all (every ref points to a missing or corrupt object): a failed repository,
 * never an empty one. A kind of NotARepositoryError, so that it is reported alike (one line, exit 2).
 */
export class RepositoryReadError extends NotARepositoryError {}

export const addedKey = (commit: string, blob: string) => `${commit}:${blob}`;
