// Runs a CommonJS bundle of the CLI or of the matcher thread (dist/bundle/, made by scripts/bundle.mjs) with V8's
// code cache: the bytecode of the functions a run compiled, kept in the user's cache folder and handed back to V8
// on the next run, so a pre-commit hook does not parse and compile about 1 MB of JavaScript on every commit
// (median 213 -> 172 ms on the hook bench; README, Pre-commit latency). Node 20 offers a code cache only for
// scripts (vm.Script), not for ES modules, hence a CommonJS bundle.
// Loaded before the bundle, so it imports only Node and the cache folder's module.
import crypto from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import vm from 'node:vm';
import { cacheDir, trustedFolder, writeCacheFile } from '../rules/cache-dir.js';

export interface LoadedBundle {
  exports: Record<string, unknown>;
  /** Whether V8 took the bundle's code from the cache. */
  fromCache: boolean;
  /** Writes the code cache when there was none or V8 refused it; call once the run compiled what it uses. */
  saveCodeCache(): void;
}

const CODE_CACHE_FILE = /^code-[0-9a-f]{16}\.bin$/;

/** The cache file for this bundle as built (path, size, time, inode) and this Node (version, architecture). */
function codeCachePath(dir: string, file: string, st: fs.Stats): string {
  const key = [process.version, process.arch, file, st.size, st.mtimeMs, st.ino].join('\0');
  return path.join(dir, `code-${crypto.createHash('sha256').update(key).digest('hex').slice(0, 16)}.bin`);
}

/** Loads a CommonJS bundle from the code cache when one is there and V8 accepts it (V8 checks its own version and flags). */
export function loadBundle(file: string): LoadedBundle {
  const st = fs.statSync(file);
  const dir = cacheDir();
  const cacheFile = codeCachePath(dir, file, st);
  let cachedData: Buffer | undefined;
  if (trustedFolder(dir)) {
    try {
      cachedData = fs.readFileSync(cacheFile);
    } catch {
      // none yet
    }
  }
  const source = fs.readFileSync(file, 'utf8');
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname, __shadowscanImport) {${source}\n})`, { filename: file, cachedData });
  const mod = { exports: {} as Record<string, unknown> };
  // The bundle's import() of packages outside it comes here (scripts/bundle.mjs): Node 20 runs import() inside a
  // vm.Script only with --experimental-vm-modules. It resolves from this module, in the same package.
  const importModule = (specifier: string): Promise<unknown> => import(specifier);
  (script.runInThisContext() as (...a: unknown[]) => void).call(mod.exports, mod.exports, createRequire(file), mod, file, path.dirname(file), importModule);
  const fromCache = cachedData !== undefined && script.cachedDataRejected === false;
  let save = !fromCache;
  return {
    exports: mod.exports,
    fromCache,
    saveCodeCache() {
      if (!save) return;
      save = false;
      // Not written (a read-only cache folder): the next run compiles again.
      writeCacheFile(cacheFile, script.createCachedData(), CODE_CACHE_FILE);
    },
  };
}
