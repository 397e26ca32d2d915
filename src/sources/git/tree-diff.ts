// What a commit introduces, computed from its trees and its parents' trees by reading tree objects one by one:
// the fallback reader's way of listing history, and the git reader's way for a commit that `git log` cannot
// diff (a tree missing from the repository). An unreadable tree never loses the rest: it is reported and skipped,
// and an unreadable tree of a parent counts as absent (its files count as introduced: a finding too many, never
// one lost).

export interface RawTreeEntry {
  /** Six digits, as git writes them (`040000` for a tree). */
  mode: string;
  name: Buffer;
  oid: string;
}

export type TreeReader = (oid: string) => Promise<RawTreeEntry[]>;

export interface Introduced {
  mode: string;
  oid: string;
  path: Buffer;
  /** The content equals a parent's version at this path (only the mode changed). */
  unchanged: boolean;
}

/** A tree that could not be read, with the path it sits at (empty for a root tree). */
export type TreeError = (oid: string, path: Buffer, err: unknown) => void;

const SLASH = Buffer.from('/');

async function readOrReport(read: TreeReader, oid: string, at: Buffer, onError: TreeError): Promise<RawTreeEntry[] | undefined> {
  try {
    return await read(oid);
  } catch (err) {
    onError(oid, at, err);
    return undefined;
  }
}

/**
 * Files of `tree` (under `prefix`) whose mode or blob differs from the same path in every one of `parents`
 * (absent counts as different): git's raw diff for one parent, its combined (-c) diff for several.
 */
export async function introducedFiles(
  read: TreeReader,
  tree: string,
  parents: Array<string | undefined>,
  onError: TreeError,
  prefix: Buffer = Buffer.alloc(0),
  out: Introduced[] = [],
): Promise<Introduced[]> {
  const mine = await readOrReport(read, tree, prefix, onError);
  if (!mine) return out;
  const theirs = await Promise.all(
    parents.map(async (p) => {
      const m = new Map<string, RawTreeEntry>();
      // A parent's unreadable tree: its files count as absent (nothing is lost; its own commit reports it).
      for (const e of (p ? await readOrReport(read, p, prefix, () => undefined) : undefined) ?? []) m.set(e.name.toString('latin1'), e);
      return m;
    }),
  );
  for (const e of mine) {
    const others = theirs.map((t) => t.get(e.name.toString('latin1')));
    const full = prefix.length ? Buffer.concat([prefix, SLASH, e.name]) : e.name;
    if (e.mode === '040000') {
      if (others.some((o) => o && o.mode === '040000' && o.oid === e.oid)) continue;
      await introducedFiles(read, e.oid, others.map((o) => (o && o.mode === '040000' ? o.oid : undefined)), onError, full, out);
      continue;
    }
    if (others.some((o) => o && o.mode === e.mode && o.oid === e.oid)) continue;
    out.push({ mode: e.mode, oid: e.oid, path: full, unchanged: others.some((o) => o && o.oid === e.oid) });
  }
  return out;
}

/** Every non-tree entry under a tree, recursively; unreadable subtrees are reported and skipped. */
export async function treeEntries(read: TreeReader, tree: string, onError: TreeError, prefix: Buffer = Buffer.alloc(0), out: Array<{ mode: string; oid: string; path: Buffer }> = []): Promise<Array<{ mode: string; oid: string; path: Buffer }>> {
  const entries = await readOrReport(read, tree, prefix, onError);
  for (const e of entries ?? []) {
    const full = prefix.length ? Buffer.concat([prefix, SLASH, e.name]) : e.name;
    if (e.mode === '040000') await treeEntries(read, e.oid, onError, full, out);
    else out.push({ mode: e.mode, oid: e.oid, path: full });
  }
  return out;
}
