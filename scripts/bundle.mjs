#!/usr/bin/env node
// Bundles the compiled CLI (dist/cli/main.js) and the matcher thread (dist/scan/worker.js) into dist/bundle/, which
// bin/shadowscan.js runs. Node's ES module loader costs about 0.2 ms per module; the CLI is some 90 modules plus
// commander, picomatch and ignore, which `staged` (the pre-commit hook) loaded on every commit. One bundle with
// lazily loaded chunks made `staged` 20 ms faster here (median 202 -> 182 ms; README, Measurements).
// Packages with native bindings or large lazy parts stay outside the bundle and load from node_modules as before.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
/** Small, pure-JS packages every run loads; everything else is imported from node_modules at run time. */
const BUNDLED = new Set(['commander', 'picomatch', 'ignore']);
const external = Object.keys(pkg.dependencies ?? {}).filter((d) => !BUNDLED.has(d));
const outdir = path.join(root, 'dist/bundle');
fs.rmSync(outdir, { recursive: true, force: true });

await build({
  entryPoints: { main: path.join(root, 'dist/cli/main.js'), worker: path.join(root, 'dist/scan/worker.js') },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external,
  // The bundled CommonJS packages call require() for Node's own modules.
  banner: { js: "import { createRequire as __shadowscanRequire } from 'node:module'; const require = __shadowscanRequire(import.meta.url);" },
  logLevel: 'warning',
});
