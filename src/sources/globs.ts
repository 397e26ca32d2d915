// Exclude globs compiled once for the walk and for git paths alike.
import picomatch from 'picomatch';

/** Alternatives joined into one regular expression: V8 refuses sources of several MB, so large lists are chunked. */
const GLOBS_PER_REGEX = 400;

/**
 * Exclude globs (the config's `exclude` and `allowlist.paths`, `--exclude`, `.shadowscanignore`) compiled once into
 * one matcher: each glob becomes a regular expression once, and the expressions are joined into a few large ones,
 * bucketed by the glob's first literal folder, so a path is tested against the globs that can match it in one or
 * two regex runs. A folder glob covers its contents (`build` excludes `build/**`). picomatch's own array matcher
 * tests every glob in turn: 20,000 globs took seconds per thousand paths.
 */
export function compileExcludes(globs: string[]): (relPath: string) => boolean {
  if (!globs.length) return () => false;
  const buckets = new Map<string, string[]>();
  for (const g of new Set(globs)) {
    for (const glob of g.endsWith('/**') ? [g] : [g, `${g}/**`]) {
      const scan = picomatch.scan(glob);
      // A literal first folder (`gen/dir1/**/*.tmp` -> `gen`) narrows which paths can match.
      const first = !scan.negated && scan.isGlob && scan.base && !scan.base.includes('\\') ? scan.base.split('/')[0] : !scan.isGlob ? glob.split('/')[0] : '';
      const list = buckets.get(first) ?? [];
      list.push(picomatch.makeRe(glob, { dot: true }).source);
      buckets.set(first, list);
    }
  }
  const joined = new Map<string, RegExp[]>();
  for (const [k, sources] of buckets) {
    const res: RegExp[] = [];
    for (let i = 0; i < sources.length; i += GLOBS_PER_REGEX) res.push(new RegExp(sources.slice(i, i + GLOBS_PER_REGEX).map((s) => `(?:${s})`).join('|')));
    joined.set(k, res);
  }
  const any = joined.get('') ?? [];
  return (p: string) => {
    if (any.some((re) => re.test(p))) return true;
    const slash = p.indexOf('/');
    const own = joined.get(slash < 0 ? p : p.slice(0, slash));
    return own !== undefined && own.some((re) => re.test(p));
  };
}
