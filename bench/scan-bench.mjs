#!/usr/bin/env node
// npm run bench: shadowscan's working-tree throughput, and the same tree through secretlint (recommended
// preset) in the same run, so the ratio is measured on this machine, not quoted.
//   node bench/scan-bench.mjs [--mb 50] [--runs 3] [--no-secretlint]
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateTree } from './corpus.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name, def) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : def; };
const mb = Number(opt('--mb', 50));
const runs = Number(opt('--runs', 3));
const dir = path.join(os.tmpdir(), `shadowscan-bench-${mb}mb`);

const t0 = Date.now();
const gen = generateTree(dir, { bytes: mb * 1024 * 1024 });
console.log(`tree: ${gen.files} files, ${(gen.bytes / 1048576).toFixed(1)} MB, ${gen.tokens} fake tokens (generated in ${((Date.now() - t0) / 1000).toFixed(1)} s)`);
console.log(`machine: ${os.cpus().length} cores, ${os.cpus()[0].model}, node ${process.version}`);

function time(cmd, argv, cwd) {
  const start = process.hrtime.bigint();
  const r = spawnSync(cmd, argv, { cwd, encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 });
  const s = Number(process.hrtime.bigint() - start) / 1e9;
  return { s, r };
}

function best(label, fn) {
  const times = [];
  let last;
  for (let i = 0; i < runs; i++) {
    last = fn();
    times.push(last.s);
  }
  const s = Math.min(...times);
  console.log(`${label.padEnd(34)} ${s.toFixed(2).padStart(7)} s  ${(gen.bytes / 1048576 / s).toFixed(1).padStart(7)} MB/s   (best of ${runs}: ${times.map((t) => t.toFixed(2)).join(', ')})`);
  return { s, last };
}

const bin = path.join(root, 'bin/shadowscan.js');
const out = path.join(os.tmpdir(), 'shadowscan-bench.json');
const shadow = best('shadowscan scan (all cores)', () => time(process.execPath, [bin, 'scan', dir, '--format', 'json', '--output', out, '--quiet']));
const found = JSON.parse(fs.readFileSync(out, 'utf8'));
console.log(`  -> ${found.tokens.length} tokens, ${found.scan.rules} rules, exit ${shadow.last.r.status}`);
best('shadowscan scan (1 thread)', () => time(process.execPath, [bin, 'scan', dir, '--format', 'json', '--output', out, '--quiet', '--concurrency', '1']));

// The engine alone: files already in memory, one thread, no start-up, walk or I/O.
{
  const { FindingContext, findingContextOptions, emptyConfig, DEFAULT_FINGERPRINT_KEY } = await import('../dist/scan/index.js');
  const { loadRules, BUILTIN_RULES_DIR } = await import('../dist/rules/index.js');
  const files = [];
  (function walk(d) { for (const e of fs.readdirSync(d, { withFileTypes: true })) { const p = path.join(d, e.name); if (e.isDirectory()) walk(p); else files.push([path.relative(dir, p), fs.readFileSync(p)]); } })(dir);
  const ctx = new FindingContext(findingContextOptions({ rules: loadRules([BUILTIN_RULES_DIR], { cache: true }).rules, config: emptyConfig(), fingerprintKey: DEFAULT_FINGERPRINT_KEY }));
  const times = [];
  for (let i = 0; i < runs + 1; i++) {
    const start = process.hrtime.bigint();
    for (const [rel, buf] of files) ctx.scan(buf, rel);
    times.push(Number(process.hrtime.bigint() - start) / 1e9);
  }
  const warm = times.slice(1);
  const s = Math.min(...warm);
  console.log(`${'engine only, in memory (1 thread)'.padEnd(34)} ${s.toFixed(2).padStart(7)} s  ${(gen.bytes / 1048576 / s).toFixed(1).padStart(7)} MB/s   (first pass, with DFA warm-up: ${times[0].toFixed(2)} s)`);
}

if (!args.includes('--no-secretlint')) {
  const rc = path.join(os.tmpdir(), 'shadowscan-bench-secretlintrc.json');
  fs.writeFileSync(rc, JSON.stringify({ rules: [{ id: '@secretlint/secretlint-rule-preset-recommend' }] }));
  const sl = path.join(root, 'node_modules/secretlint/bin/secretlint.js');
  const secretlint = best('secretlint (preset-recommend)', () =>
    time(process.execPath, [sl, '**/*', '--secretlintrc', rc, '--format', 'json', '--no-color'], dir));
  let slFound = '?';
  try { slFound = JSON.parse(secretlint.last.r.stdout).reduce((n, f) => n + f.messages.length, 0); } catch {}
  console.log(`  -> ${slFound} findings, exit ${secretlint.last.r.status}`);
  console.log(`ratio: shadowscan is ${(secretlint.s / shadow.s).toFixed(1)}x faster than secretlint on the same ${(gen.bytes / 1048576).toFixed(1)} MB`);
}
