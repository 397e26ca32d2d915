// Reads rule files (YAML) from disk and validates them against schema/rules.schema.json.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import type { NegativeExample, Rule } from '../model/index.js';
import { validateRuleFile } from './schema.js';
import { cacheDir, trustedFolder, writeCacheFile } from './cache-dir.js';

// Loaded on first use: scans served from the rules cache never parse YAML.
const requireLazy = createRequire(import.meta.url);
const parseYaml = (text: string): unknown => (requireLazy('yaml') as typeof import('yaml')).parse(text);

/** The rules/ directory shipped with the package. */
export const BUILTIN_RULES_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../rules');

export class RuleLoadError extends Error {
  constructor(message: string, readonly problems: string[] = []) {
    super(message);
  }
}

export interface LoadedRules {
  rules: Rule[];
  /** The rule files read (none for the built-in rules the build compiled). */
  files: string[];
  /** Problems found while loading (schema errors, duplicate ids). Empty when all is well. */
  problems: string[];
}

function listRuleFiles(dir: string): string[] {
  const stat = fs.statSync(dir, { throwIfNoEntry: false });
  if (!stat) throw new RuleLoadError(`rules path does not exist: ${dir}`);
  if (stat.isFile()) return [dir];
  return fs
    .readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => path.join(dir, f));
}

interface RuleFileDoc {
  provider: string;
  rules: Array<Omit<Rule, 'provider' | 'source' | 'negativeExamples'> & { provider?: string; negativeExamples: Array<string | NegativeExample> }>;
}

/**
 * Parsing and validating hundreds of YAML rules costs about half a second; a cache of the parsed,
 * validated rules keyed by a hash of the files' bytes makes that a one-time cost per rules change.
 * Cached rules carry no examples: only `rules check` runs them, and it reads the YAML.
 */
const CACHE_VERSION = 2;

function cachePath(files: string[], digest: string): string | undefined {
  return files.length ? path.join(cacheDir(), `rules-${digest.slice(0, 16)}.json`) : undefined;
}

/**
 * Reading and hashing every rule file (1.5 MB) to find the cache cost a pre-commit hook 10 to 20 ms: a pointer
 * keyed by the files' paths, sizes, times and inodes (any edit changes one) names the content digest, so an
 * unchanged rules folder costs one stat per file.
 */
function statPointer(files: string[]): string | undefined {
  try {
    const h = crypto.createHash('sha256').update(String(CACHE_VERSION));
    for (const f of files) {
      const st = fs.statSync(f);
      h.update(`${f}\0${st.size}\0${st.mtimeMs}\0${st.ctimeMs}\0${st.ino}\0`);
    }
    return path.join(cacheDir(), `rules-stat-${h.digest('hex').slice(0, 16)}`);
  } catch {
    return undefined;
  }
}

function readPointer(pointer: string | undefined): string | undefined {
  if (!pointer) return undefined;
  try {
    const digest = fs.readFileSync(pointer, 'latin1').trim();
    return /^[0-9a-f]{64}$/.test(digest) ? digest : undefined;
  } catch {
    return undefined;
  }
}

function writePointer(pointer: string | undefined, digest: string): void {
  // Not written (a read-only install): the files are hashed every time.
  if (pointer) writeCacheFile(pointer, digest, /^rules-stat-[0-9a-f]{16}$/);
}

function readCache(file: string | undefined, digest: string | undefined): LoadedRules | undefined {
  if (!file) return undefined;
  try {
    const doc = JSON.parse(fs.readFileSync(file, 'utf8')) as { version: number; digest: string; rules: Rule[]; files: string[] };
    if (doc.version === CACHE_VERSION && (digest === undefined || doc.digest === digest)) return { rules: doc.rules, files: doc.files, problems: [] };
  } catch {
    // no cache, or an unreadable one: parse the YAML
  }
  return undefined;
}

/** The cache's content: valid rules without their examples (only `rules check` runs them, and it reads the YAML). */
function cacheDocument(digest: string, loaded: LoadedRules): string {
  const rules = loaded.rules.map((r) => ({ ...r, examples: [], negativeExamples: [] }));
  return JSON.stringify({ version: CACHE_VERSION, digest, rules, files: loaded.files });
}

function writeCache(file: string | undefined, digest: string, loaded: LoadedRules): void {
  // Not written (a read-only install): the YAML is parsed every time.
  if (file) writeCacheFile(file, cacheDocument(digest, loaded), /^rules-[0-9a-f]{16}\.json$/);
}

function contentDigest(files: string[]): string {
  const hash = crypto.createHash('sha256').update(String(CACHE_VERSION));
  for (const f of files) hash.update(f).update('\0').update(fs.readFileSync(f)).update('\0');
  return hash.digest('hex');
}

/**
 * The built-in rules as the build compiled them (scripts/bundle.mjs writes them beside the CLI's bundle), so a run
 * from the bundle neither lists nor stats the 680 rule files (a pre-commit hook: 180 -> 173 ms, alternating runs). Like the
 * bundle's code, they change with `npm run build`, not with an edit of rules/. Run from the sources (tests), there
 * is no such file beside this module, and the built-in rules load through the cache like any other.
 */
export const PREBUILT_RULES_FILE = 'rules.json';

function readPrebuilt(): LoadedRules | undefined {
  return readCache(path.join(path.dirname(fileURLToPath(import.meta.url)), PREBUILT_RULES_FILE), undefined);
}

/** Writes the built-in rules for the bundle in `dir`; throws on the first problem, so invalid rules never ship. */
export function writePrebuiltRules(dir: string): number {
  const loaded = loadRules([BUILTIN_RULES_DIR], { validate: true });
  if (loaded.problems.length) throw new RuleLoadError(`invalid rules: ${loaded.problems[0]}`, loaded.problems);
  // A run reads no rule file for them.
  fs.writeFileSync(path.join(dir, PREBUILT_RULES_FILE), cacheDocument(contentDigest(loaded.files), { ...loaded, files: [] }));
  return loaded.rules.length;
}

/** Rules from the cache, keyed by a stat of each file and then by the files' content. */
function loadCached(paths: string[]): LoadedRules {
  const files = paths.flatMap(listRuleFiles);
  // Cached rules decide what a scan reports: read only from a folder no one else can write to.
  const trusted = files.length > 0 && trustedFolder(cacheDir());
  const pointer = statPointer(files);
  const known = trusted ? readPointer(pointer) : undefined;
  if (known) {
    const cached = readCache(cachePath(files, known), known);
    if (cached) return cached;
  }
  const digest = contentDigest(files);
  const file = cachePath(files, digest);
  const cached = trusted ? readCache(file, digest) : undefined;
  if (cached) {
    writePointer(pointer, digest);
    return cached;
  }
  const loaded = loadRules(paths, { validate: true });
  if (!loaded.problems.length) {
    writeCache(file, digest, loaded);
    writePointer(pointer, digest);
  }
  return loaded;
}

/** Rules of more than one set: an id defined twice is a problem, as it is within one set. */
function mergeRuleSets(first: LoadedRules, second: LoadedRules): LoadedRules {
  const seen = new Map(first.rules.map((r) => [r.id, r.source ?? '']));
  const problems = [...first.problems, ...second.problems];
  const rules = [...first.rules];
  for (const r of second.rules) {
    if (seen.has(r.id)) problems.push(`${r.source}: duplicate rule id ${r.id} (also in ${seen.get(r.id)})`);
    else rules.push(r);
  }
  return { rules, files: [...first.files, ...second.files], problems };
}

/**
 * Loads every rule file under the given directories (or files). Validation problems are collected, not thrown.
 * With `cache`, valid rules are served from a cache keyed by the files' content.
 */
export function loadRules(paths: string[] = [BUILTIN_RULES_DIR], options: { validate?: boolean; cache?: boolean } = {}): LoadedRules {
  const validate = options.validate ?? true;
  if (options.cache) {
    const prebuilt = paths.includes(BUILTIN_RULES_DIR) ? readPrebuilt() : undefined;
    if (!prebuilt) return loadCached(paths);
    const rest = paths.filter((p) => p !== BUILTIN_RULES_DIR);
    return rest.length ? mergeRuleSets(prebuilt, loadCached(rest)) : prebuilt;
  }
  const rules: Rule[] = [];
  const files: string[] = [];
  const problems: string[] = [];
  const seen = new Map<string, string>();
  for (const p of paths) {
    for (const file of listRuleFiles(p)) {
      const rel = path.basename(file);
      files.push(file);
      let doc: unknown;
      try {
        doc = parseYaml(fs.readFileSync(file, 'utf8'));
      } catch (err) {
        problems.push(`${rel}: not valid YAML: ${(err as Error).message.split('\n')[0]}`);
        continue;
      }
      if (validate) {
        const errors = validateRuleFile(doc);
        if (errors.length) {
          problems.push(...errors.map((e) => `${rel}: ${e}`));
          continue;
        }
      }
      const fileDoc = doc as RuleFileDoc;
      for (const r of fileDoc.rules ?? []) {
        if (seen.has(r.id)) {
          problems.push(`${rel}: duplicate rule id ${r.id} (also in ${seen.get(r.id)})`);
          continue;
        }
        seen.set(r.id, rel);
        if (!r.keywords?.length && !r.paths?.length && !r.candidates && !r.pem) {
          problems.push(`${rel}: rule ${r.id} has neither keywords nor paths: it would run on every file`);
          continue;
        }
        rules.push({
          ...r,
          provider: r.provider ?? fileDoc.provider,
          negativeExamples: (r.negativeExamples ?? []).map((n) => (typeof n === 'string' ? { text: n } : n)),
          source: rel,
        } as Rule);
      }
    }
  }
  return { rules, files, problems };
}
