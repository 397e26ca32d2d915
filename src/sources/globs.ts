// Exclude patterns (gitignore syntax) compiled once for the walk and for git paths alike.
import ignoreModule, { type Ignore } from 'ignore';

// A CommonJS module whose types say `export default`: NodeNext types the import as the exports object, whose
// `default` is the function itself (`ignore` sets factory.default = factory).
const ignore = ignoreModule.default;

/** Paths tested by one `ignore` instance before its cache (one entry per path and parent folder) is dropped. */
const CACHE_PATHS = 100_000;

/**
 * The literal folders a pattern starts with, under which alone it can match (`gen/dir1/**\/*.tmp` -> `gen/dir1`), or
 * '' for a pattern that may match anywhere: one without a slash before its end (`*.log`, `build/`) matches at any
 * depth, and a folder with wildcards, escapes or `**` could be any. Used only to pick the patterns a path is tested
 * against; the matching itself is the `ignore` package's.
 */
function literalFolders(pattern: string): string {
  const p = pattern.startsWith('!') ? pattern.slice(1) : pattern;
  const body = p.replace(/^\//, '').replace(/\/+$/, '');
  if (!p.startsWith('/') && !body.includes('/')) return '';
  const parts = body.split('/');
  const literal: string[] = [];
  for (const part of parts) {
    if (!part || /[*?[\\]/.test(part)) break;
    literal.push(part);
  }
  return literal.join('/');
}

/**
 * Exclude patterns (the config's `exclude` and `allowlist.paths`, `--exclude`, `.shadowscanignore`) in gitignore
 * syntax, compiled once into one matcher: `*.log` and `build/` match at any depth, `/build` and `src/gen` only from
 * the top, `build/` only a folder, `!keep.log` brings a path back, and a folder excluded covers its contents.
 * Matching is the `ignore` package's (case-sensitive, as git is on Linux). Patterns are grouped by the literal
 * folders they start with, so a path is tested only against the patterns that can match it (those under its own
 * folders, and those that match anywhere), in their order: 20,000 patterns `gen/dirN/**` cost a path one or two.
 * The matcher takes `dir` true for a folder (for patterns ending in `/`); a path `ignore` refuses is not excluded.
 */
export function compileExcludes(patterns: string[]): (relPath: string, dir?: boolean) => boolean {
  // `./dist` is written for "dist at the top", which gitignore spells `/dist`.
  const list = patterns.map((p) => p.trim().replace(/^(!?)\.\//, '$1/')).filter((p) => p && !p.startsWith('#'));
  if (!list.length) return () => false;
  const byFolder = new Map<string, number[]>();
  list.forEach((p, i) => {
    const at = literalFolders(p);
    const own = byFolder.get(at) ?? [];
    own.push(i);
    byFolder.set(at, own);
  });
  /**
   * One matcher per deepest folder with patterns that a path lies under, made when first needed: the patterns of
   * that folder and of every folder above it, in their order.
   */
  const matchers = new Map<string, { ig: Ignore; tested: number }>();
  const matcherFor = (folder: string) => {
    let m = matchers.get(folder);
    if (!m || m.tested >= CACHE_PATHS) {
      let rules = m?.ig;
      if (!rules) {
        const indexes: number[] = [...(byFolder.get('') ?? [])];
        if (folder) {
          const parts = folder.split('/');
          for (let d = 1; d <= parts.length; d++) indexes.push(...(byFolder.get(parts.slice(0, d).join('/')) ?? []));
        }
        rules = ignore({ ignoreCase: false }).add(indexes.sort((a, b) => a - b).map((i) => list[i]));
      }
      // A new instance rather than a growing cache: `ignore` keeps every path it has answered.
      m = { ig: ignore({ ignoreCase: false, allowRelativePaths: true }).add(rules), tested: 0 };
      matchers.set(folder, m);
    }
    return m;
  };
  const nested = byFolder.size > (byFolder.has('') ? 1 : 0);
  return (relPath: string, dir = false) => {
    let deepest = '';
    if (nested) {
      for (let at = relPath.indexOf('/'); ; at = relPath.indexOf('/', at + 1)) {
        const prefix = at < 0 ? relPath : relPath.slice(0, at);
        if (byFolder.has(prefix)) deepest = prefix;
        if (at < 0) break;
      }
    }
    const m = matcherFor(deepest);
    m.tested++;
    try {
      return m.ig.ignores(dir ? `${relPath}/` : relPath);
    } catch {
      // A name `ignore` cannot take as a relative path: no pattern is about it.
      return false;
    }
  };
}
