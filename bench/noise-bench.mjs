#!/usr/bin/env node
// npm run bench:noise: what shadowscan reports on code that holds no real secrets (large npm packages and this
// project's own node_modules), and its speed on node_modules, optionally against another checkout timed in the
// same run (BASELINE_BIN), so before/after ratios come from one moment on this shared, noisy machine.
//   node bench/noise-bench.mjs [--runs 3]
//   BASELINE_BIN=../baseline/bin/shadowscan.js node bench/noise-bench.mjs
// Tarballs, unpacked packages and JSON inventories are cached under .bench/noise/ (git-ignored).
// A measurement, not a test: it always exits 0. Build first (npx tsc -p tsconfig.json).
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name, def) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : def; };
const runs = Number(opt('--runs', 3));
const cacheDir = path.join(root, '.bench/noise');
const reportDir = path.join(cacheDir, 'reports');
const bin = path.join(root, 'bin/shadowscan.js');
const MB = 1048576;

// Exact versions, so figures from different runs scan the same bytes. Sizes are unpacked.
const PACKAGES = [
  { name: 'typescript', version: '5.9.3' }, // ~22 MB: a compiler, huge bundled .js and .d.ts files
  { name: 'lodash', version: '4.18.1' }, // ~1.3 MB in ~1000 small modules
  { name: 'express', version: '5.3.0' }, // tiny, but server code full of header and cookie names
  { name: 'aws-sdk', version: '2.1693.0' }, // ~94 MB: API models and docs full of key-like names and examples
  { name: 'webpack', version: '5.113.0' }, // ~15 MB: hashes, schemas, runtime templates
  { name: '@angular/core', version: '22.2.6' }, // ~7 MB: bundled framework code and source maps
];

/** npm's own tarball naming: '@angular/core' -> 'angular-core'. */
const fileStem = (name) => name.replace(/^@/, '').replace(/\//g, '-');
const mb = (bytes) => (bytes / MB).toFixed(1);

/** Fetches and unpacks one package once; later runs reuse the folder. Returns the folder, or null. */
function unpackedPackage({ name, version }) {
  const dir = path.join(cacheDir, `${fileStem(name)}-${version}`);
  if (fs.existsSync(dir)) return dir;
  try {
    let tarball = path.join(cacheDir, `${fileStem(name)}-${version}.tgz`);
    if (!fs.existsSync(tarball)) {
      const out = execFileSync('npm', ['pack', `${name}@${version}`, '--pack-destination', cacheDir, '--json'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      const packed = JSON.parse(out)[0];
      if (packed?.filename) tarball = path.join(cacheDir, packed.filename);
    }
    // Unpack beside the final folder and rename, so an interrupted run never leaves a half folder that looks cached.
    const partial = `${dir}.partial`;
    fs.rmSync(partial, { recursive: true, force: true });
    fs.mkdirSync(partial, { recursive: true });
    // npm tarballs hold one top folder (usually 'package/'): strip it.
    execFileSync('tar', ['-xzf', tarball, '-C', partial, '--strip-components=1']);
    fs.renameSync(partial, dir);
    return dir;
  } catch (err) {
    console.log(`${name}@${version}: could not fetch or unpack (${String(err.stderr || err.message).trim().split('\n')[0]})`);
    return null;
  }
}

/** Runs one scan to a JSON inventory and reads it back; null if the scanner failed (exit 2 or a crash). */
function scanInventory(scanBin, target, outFile) {
  const start = process.hrtime.bigint();
  // --no-baseline: the unpacked packages sit inside this repository, whose baseline file (if any) must not hide tokens.
  const r = spawnSync(process.execPath, [scanBin, 'scan', target, '--format', 'json', '--output', outFile, '--include-vendored', '--no-baseline', '-q'],
    { cwd: root, encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  // Exit 1 only means tokens were found.
  if (r.status !== 0 && r.status !== 1) {
    console.log(`  scan of ${target} failed (exit ${r.status ?? r.signal}): ${(r.stderr || '').trim().split('\n').slice(0, 3).join(' | ')}`);
    return null;
  }
  const inventory = JSON.parse(fs.readFileSync(outFile, 'utf8'));
  // Older scanners have no tiers: every token they list is reported.
  const report = inventory.tokens.filter((t) => (t.tier ?? 'report') === 'report');
  const review = inventory.tokens.filter((t) => t.tier === 'review');
  return { bytes: inventory.scan.bytes, files: inventory.scan.files, report, review, seconds };
}

/** Prints the counts and every report-tier token: redacted values only, the inventory holds no raw secrets. */
function printNoise(label, result) {
  console.log(`${label}: ${mb(result.bytes)} MB, ${result.files} files, ${result.report.length} report-tier, ${result.review.length} review-tier tokens (scan ${result.seconds.toFixed(1)} s)`);
  for (const t of result.report) {
    const [first, ...more] = t.occurrences ?? [];
    const where = first ? `${first.path}:${first.line}${more.length ? ` (+${more.length} more)` : ''}` : '?';
    console.log(`  ${t.ruleId}  score ${t.score ?? '?'}  ${t.redacted}  ${where}`);
    if (t.reasons?.length) console.log(`      reasons: ${t.reasons.join('; ')}`);
  }
}

const per100MB = (result) => (result.report.length / (result.bytes / (100 * MB))).toFixed(1);

/** One timed scan of node_modules, output discarded: the figure the speed comparison uses. */
function timedScan(scanBin) {
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [scanBin, 'scan', 'node_modules', '--include-vendored', '-j', '2', '-q', '--format', 'json', '--output', '/dev/null'],
    { cwd: root, encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { seconds, ok: r.status === 0 || r.status === 1, status: r.status ?? r.signal };
}

const loadavg = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');

function main() {
  if (!fs.existsSync(path.join(root, 'dist/cli/main.js'))) {
    console.log('dist/ is missing: build first (npx tsc -p tsconfig.json)');
    return;
  }
  fs.mkdirSync(reportDir, { recursive: true });
  console.log(`machine: ${os.cpus().length} cores, ${os.cpus()[0].model}, node ${process.version}, load average ${loadavg()}`);
  const summary = [];

  // 1-2. Real npm packages.
  for (const pkg of PACKAGES) {
    const label = `${pkg.name}@${pkg.version}`;
    const dir = unpackedPackage(pkg);
    if (!dir) continue;
    const result = scanInventory(bin, dir, path.join(reportDir, `${fileStem(pkg.name)}-${pkg.version}.json`));
    if (!result) continue;
    printNoise(label, result);
    summary.push({ label, ...result });
  }

  // 3. This project's own node_modules.
  const nodeModules = scanInventory(bin, 'node_modules', path.join(reportDir, 'node_modules.json'));
  if (nodeModules) {
    printNoise('node_modules', nodeModules);
    console.log(`  -> ${per100MB(nodeModules)} report-tier tokens per 100 MB`);
    summary.push({ label: 'node_modules', ...nodeModules });
  }

  // 4. Speed on node_modules, best of N.
  const contenders = [{ label: 'this checkout', bin, bytes: nodeModules?.bytes }];
  const baselineBin = process.env.BASELINE_BIN ? path.resolve(process.env.BASELINE_BIN) : null;
  if (baselineBin && !fs.existsSync(baselineBin)) console.log(`BASELINE_BIN ${baselineBin} does not exist: timing this checkout only`);
  else if (baselineBin) {
    // An untimed inventory run: the baseline's own byte count for MB/s (its skip rules may differ), and its noise.
    const base = scanInventory(baselineBin, 'node_modules', path.join(reportDir, 'node_modules.baseline.json'));
    if (base) {
      console.log(`baseline on node_modules (${baselineBin}): ${mb(base.bytes)} MB, ${base.report.length} report-tier, ${base.review.length} review-tier tokens, ${per100MB(base)} report-tier per 100 MB`);
      contenders.push({ label: 'baseline', bin: baselineBin, bytes: base.bytes });
    }
  }
  console.log(`\nspeed: scan node_modules --include-vendored -j 2, best of ${runs}; load average before ${loadavg()}`);
  for (const c of contenders) c.times = [];
  // Interleaved (A B A B …) so a burst of load on this shared machine hits both checkouts alike.
  for (let i = 0; i < runs; i++) {
    for (const c of contenders) {
      const t = timedScan(c.bin);
      if (!t.ok) console.log(`  ${c.label}: run ${i + 1} exited ${t.status}`);
      c.times.push(t.seconds);
    }
  }
  for (const c of contenders) {
    c.best = Math.min(...c.times);
    const rate = c.bytes ? `${(c.bytes / MB / c.best).toFixed(1).padStart(6)} MB/s` : '     ? MB/s';
    console.log(`  ${c.label.padEnd(14)} ${c.best.toFixed(2).padStart(6)} s  ${rate}   (runs: ${c.times.map((t) => t.toFixed(2)).join(', ')})`);
  }
  console.log(`  load average after ${loadavg()}`);
  // Other jobs share these cores: past one runnable task per core, speed figures (and ratios) swing widely.
  if (os.loadavg()[0] > os.cpus().length) console.log(`  warning: load average above ${os.cpus().length} cores, speed figures are unreliable (try --runs 5 or a quieter moment)`);
  const [current, baseline] = contenders;
  if (baseline) console.log(`  ratio: baseline time / this checkout's time = ${(baseline.best / current.best).toFixed(2)} (above 1: this checkout is faster)`);

  // 5. Summary.
  console.log('\nsummary');
  console.log(`  ${'target'.padEnd(24)} ${'MB'.padStart(7)} ${'files'.padStart(7)} ${'report'.padStart(7)} ${'review'.padStart(7)} ${'report/100MB'.padStart(13)}`);
  for (const s of summary) {
    console.log(`  ${s.label.padEnd(24)} ${mb(s.bytes).padStart(7)} ${String(s.files).padStart(7)} ${String(s.report.length).padStart(7)} ${String(s.review.length).padStart(7)} ${per100MB(s).padStart(13)}`);
  }
  for (const c of contenders) {
    console.log(`  speed, ${c.label.padEnd(16)} ${c.best.toFixed(2)} s${c.bytes ? `, ${(c.bytes / MB / c.best).toFixed(1)} MB/s` : ''}`);
  }
  if (baseline) console.log(`  speed ratio (baseline / this checkout): ${(baseline.best / current.best).toFixed(2)}`);
}

try {
  main();
} catch (err) {
  console.log(`noise bench stopped: ${err.stack || err}`);
}
process.exitCode = 0;
