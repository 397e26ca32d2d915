// The launcher runs the CLI's CommonJS bundle from V8's code cache in the user's cache folder. Each load runs in a
// process of its own, as the CLI does: within one process V8 compiles a source once, whatever the cache holds.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeEach, describe, expect, it } from 'vitest';
import { ROOT, tempDir } from '../helpers/cli.js';

interface Run {
  fromCache: boolean;
  /** What the bundle's add(2, 3) returned. */
  sum: number;
  where: unknown;
}

let cache: string;
let bundle: string;

/** Loads the bundle with dist/cli/launch.js (npm test builds dist/ first) in a new Node process. */
function run(save: boolean): Run {
  const script = `import { loadBundle } from ${JSON.stringify(pathToFileURL(path.join(ROOT, 'dist/cli/launch.js')).href)};
const b = loadBundle(process.argv[1]);
if (process.argv[2] === 'save') b.saveCodeCache();
console.log(JSON.stringify({ fromCache: b.fromCache, sum: b.exports.add(2, 3), where: b.exports.where ?? null }));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script, bundle, save ? 'save' : 'no'], {
    encoding: 'utf8',
    env: { ...process.env, SHADOWSCAN_CACHE_DIR: cache },
  });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as Run;
}

const codeFiles = () => (fs.existsSync(cache) ? fs.readdirSync(cache).filter((f) => /^code-[0-9a-f]{16}\.bin$/.test(f)) : []);

describe('loadBundle', () => {
  beforeEach(() => {
    const dir = tempDir();
    cache = path.join(dir, 'cache');
    bundle = path.join(dir, 'main.cjs');
    fs.writeFileSync(bundle, "'use strict';\nexports.add = (a, b) => a + b;\nexports.where = [__filename, __dirname, typeof require, typeof __shadowscanImport];\n");
  });

  it('runs the bundle as a CommonJS module, and writes the code cache only when asked', () => {
    expect(run(false)).toEqual({ fromCache: false, sum: 5, where: [bundle, path.dirname(bundle), 'function', 'function'] });
    expect(codeFiles()).toEqual([]);
    expect(run(true).fromCache).toBe(false);
    const [file] = codeFiles();
    expect(file).toBeDefined();
    if (process.platform !== 'win32') expect(fs.statSync(path.join(cache, file)).mode & 0o777).toBe(0o600);
    const before = fs.statSync(path.join(cache, file)).mtimeMs;
    expect(run(true)).toMatchObject({ fromCache: true, sum: 5 });
    // Taken from the cache: not written again.
    expect(fs.statSync(path.join(cache, file)).mtimeMs).toBe(before);
  });

  it('runs from source when the cache is damaged, and replaces it', () => {
    run(true);
    const [file] = codeFiles();
    const full = fs.readFileSync(path.join(cache, file));
    for (const damaged of [Buffer.from('not bytecode'), full.subarray(0, full.length >> 1), Buffer.alloc(0)]) {
      fs.writeFileSync(path.join(cache, file), damaged);
      expect(run(true)).toMatchObject({ fromCache: false, sum: 5 });
      expect(run(false).fromCache).toBe(true);
    }
  });

  it('keys the cache by the bundle as built: a rebuilt bundle does not run old code', () => {
    run(true);
    fs.writeFileSync(bundle, "'use strict';\nexports.add = (a, b) => a * b;\n");
    fs.utimesSync(bundle, new Date(), new Date(Date.now() + 5000));
    expect(run(true)).toMatchObject({ fromCache: false, sum: 6 });
    expect(codeFiles()).toHaveLength(2);
  });

  it.skipIf(process.platform === 'win32')('neither reads nor writes bytecode in a folder that everyone can write to', () => {
    run(true);
    fs.chmodSync(cache, 0o777);
    expect(run(false).fromCache).toBe(false);
    for (const f of codeFiles()) fs.rmSync(path.join(cache, f));
    run(true);
    expect(codeFiles()).toEqual([]);
  });
});
