// Reads rule files (YAML) from disk and validates them against schema/rules.schema.json.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import type { NegativeExample, Rule } from '../model/index.js';
import { validateRuleFile } from './schema.js';

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

/**
 * The user's cache folder, never the package's own (a global or read-only install could not write there, and
 * every run parsed the YAML again): $SHADOWSCAN_CACHE_DIR, else $XDG_CACHE_HOME/shadowscan, else
 * ~/.cache/shadowscan, else a per-user folder in the OS temp folder.
 */
export function cacheDir(): string {
  if (process.env.SHADOWSCAN_CACHE_DIR) return process.env.SHADOWSCAN_CACHE_DIR;
  if (process.env.XDG_CACHE_HOME && path.isAbsolute(process.env.XDG_CACHE_HOME)) return path.join(process.env.XDG_CACHE_HOME, 'shadowscan');
  const home = os.homedir();
  if (home && home !== '/' && fs.existsSync(home)) return path.join(home, '.cache', 'shadowscan');
  return path.join(os.tmpdir(), `shadowscan-${process.getuid?.() ?? 'user'}`);
}

/** Caches of other installs and rule sets share the folder: only those unused for a week are removed. */
const STALE_CACHE_MS = 7 * 24 * 3600 * 1000;

export function removeStale(dir: string, pattern: RegExp, keep: string): void {
  const now = Date.now();
  for (const old of fs.readdirSync(dir)) {
    if (!pattern.test(old) || old === keep) continue;
    const file = path.join(dir, old);
    try {
      if (now - fs.statSync(file).atimeMs > STALE_CACHE_MS && now - fs.statSync(file).mtimeMs > STALE_CACHE_MS) fs.rmSync(file, { force: true });
    } catch {
      // gone already
    }
  }
}

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
  if (!pointer) return;
  try {
    fs.mkdirSync(path.dirname(pointer), { recursive: true });
    const tmp = `${pointer}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, digest);
    fs.renameSync(tmp, pointer);
    removeStale(path.dirname(pointer), /^rules-stat-[0-9a-f]{16}$/, path.basename(pointer));
  } catch {
    // a read-only install hashes the files every time
  }
}

function readCache(file: string | undefined, digest: string): LoadedRules | undefined {
  if (!file) return undefined;
  try {
    const doc = JSON.parse(fs.readFileSync(file, 'utf8')) as { version: number; digest: string; rules: Rule[]; files: string[] };
    if (doc.version === CACHE_VERSION && doc.digest === digest) return { rules: doc.rules, files: doc.files, problems: [] };
  } catch {
    // no cache, or an unreadable one: parse the YAML
  }
  return undefined;
}

function writeCache(file: string | undefined, digest: string, loaded: LoadedRules): void {
  if (!file) return;
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    const rules = loaded.rules.map((r) => ({ ...r, examples: [], negativeExamples: [] }));
    fs.writeFileSync(tmp, JSON.stringify({ version: CACHE_VERSION, digest, rules, files: loaded.files }));
    fs.renameSync(tmp, file);
    removeStale(path.dirname(file), /^rules-[0-9a-f]{16}\.json$/, path.basename(file));
  } catch {
    // a read-only install simply parses every time
  }
}

/**
 * Loads every rule file under the given directories (or files). Validation problems are collected, not thrown.
 * With `cache`, valid rules are served from a cache keyed by the files' content.
 */
export function loadRules(paths: string[] = [BUILTIN_RULES_DIR], options: { validate?: boolean; cache?: boolean } = {}): LoadedRules {
  const validate = options.validate ?? true;
  if (options.cache) {
    const files = paths.flatMap(listRuleFiles);
    const pointer = statPointer(files);
    const known = readPointer(pointer);
    if (known) {
      const cached = readCache(cachePath(files, known), known);
      if (cached) return cached;
    }
    const hash = crypto.createHash('sha256').update(String(CACHE_VERSION));
    for (const f of files) hash.update(f).update('\0').update(fs.readFileSync(f)).update('\0');
    const digest = hash.digest('hex');
    const file = cachePath(files, digest);
    const cached = readCache(file, digest);
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
