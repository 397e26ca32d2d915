#!/usr/bin/env node
// Bundles the compiled CLI (dist/cli/main.js) and the matcher thread (dist/scan/worker.js) into dist/bundle/, which
// bin/shadowscan.js runs. Node's ES module loader costs about 0.2 ms per module; the CLI is some 90 modules plus
// commander, picomatch and ignore, which `staged` (the pre-commit hook) loaded on every commit. Each bundle is one
// CommonJS file, because Node 20 keeps V8's code cache only for scripts: dist/cli/launch.js runs it from the cache
// (hook bench median: ES module bundle with lazy chunks 213 ms, one CommonJS file 203 ms, the same from the code
// cache 172 ms; README, Pre-commit latency).
// Packages with native bindings or large lazy parts stay outside the bundle and load from node_modules as before.
// The built-in rules are compiled beside the bundle (dist/bundle/rules.json): a run from the bundle neither lists
// nor stats the rule files, and invalid rules fail the build.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { writePrebuiltRules } from '../dist/rules/load.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
/**
 * Small, pure-JS packages every run loads, and p-limit, which is an ES module only (a CommonJS bundle could load it
 * only with require() of ES modules, from Node 20.19 on); everything else is loaded from node_modules at run time.
 */
const BUNDLED = new Set(['commander', 'picomatch', 'ignore', 'p-limit']);
const external = Object.keys(pkg.dependencies ?? {}).filter((d) => !BUNDLED.has(d));
const outdir = path.join(root, 'dist/bundle');
fs.rmSync(outdir, { recursive: true, force: true });

await build({
  entryPoints: { main: path.join(root, 'dist/cli/main.js'), worker: path.join(root, 'dist/scan/worker.js') },
  outdir,
  outExtension: { '.js': '.cjs' },
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  external,
  // The sources are ES modules: strict, and they find their files from import.meta.url (the bundle's own).
  define: { 'import.meta.url': '__shadowscanUrl' },
  banner: { js: "'use strict';\nconst __shadowscanUrl = require('node:url').pathToFileURL(__filename).href;" },
  logLevel: 'warning',
});

// Node 20 runs import() in a vm.Script only with --experimental-vm-modules: the bundle's import() of packages left
// outside it (isomorphic-git, p-limit, ...) calls the launcher's import() instead, which resolves from the same
// package (dist/cli/launch.js passes it as __shadowscanImport).
for (const name of ['main.cjs', 'worker.cjs']) {
  const file = path.join(outdir, name);
  const code = fs.readFileSync(file, 'utf8').replace(/\bimport\((?="[^"]+"\))/g, '__shadowscanImport(');
  const left = code.match(/\bimport\(/g);
  if (left) {
    console.error(`bundle: ${name} keeps ${left.length} import() call(s) the launcher cannot serve`);
    process.exit(1);
  }
  fs.writeFileSync(file, code);
}

// The matcher pool starts dist/bundle/worker.js (next to the CLI's bundle): it runs the thread's bundle from the
// code cache, and writes the cache once the first batch has compiled what matching uses.
fs.writeFileSync(
  path.join(outdir, 'worker.js'),
  `import { parentPort } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { loadBundle } from '../cli/launch.js';
const bundle = loadBundle(fileURLToPath(new URL('./worker.cjs', import.meta.url)));
parentPort.once('message', () => setImmediate(() => bundle.saveCodeCache()));
`,
);

try {
  writePrebuiltRules(outdir);
} catch (err) {
  console.error(`bundle: ${err.message}`);
  process.exit(1);
}
