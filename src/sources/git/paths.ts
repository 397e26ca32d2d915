// Paths stored in git are bytes: decode them the same way whichever reader produced them, and filter them like
// the working-tree walk does (vendored folders, exclude patterns).
import { compileExcludes } from '../globs.js';
import { VENDORED_DIRS } from '../files.js';

/** Git paths are decoded like every other path (see decodeName): UTF-8 as is, other bytes as `\xNN`. */
export { decodePath } from '../path-bytes.js';

export interface PathFilterOptions {
  exclude?: string[];
  includeVendored?: boolean;
}

/**
 * The same rules as the working-tree walk: vendored folders unless asked for, and exclude patterns (gitignore
 * syntax, see compileExcludes) relative to the top of the repository.
 */
export function pathFilter(options: PathFilterOptions): (path: string) => boolean {
  const vendored = options.includeVendored ? undefined : new Set(VENDORED_DIRS);
  const excluded = compileExcludes(options.exclude ?? []);
  if (!vendored && !options.exclude?.length) return () => true;
  const cache = new Map<string, boolean>();
  return (p: string) => {
    let ok = cache.get(p);
    if (ok === undefined) {
      ok = !(vendored && p.split('/').some((name) => vendored.has(name))) && !excluded(p);
      if (cache.size < 200_000) cache.set(p, ok);
    }
    return ok;
  };
}

export const MODE_GITLINK = '160000';
export const MODE_SYMLINK = '120000';

/** Regular files (plain or executable): the only entries whose blobs are scanned. */
export function isRegularFileMode(mode: string): boolean {
  return mode === '100644' || mode === '100755' || mode === '100664';
}
