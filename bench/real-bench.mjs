#!/usr/bin/env node
// npm run bench: shadowscan on real code against its floors, measured in one run on this machine.
//   node bench/real-bench.mjs [--runs 3] [--only tree|history] [--packages lodash,express,moment] [--bin PATH]
//
// 1. Working tree: the project's own node_modules (real JavaScript, TypeScript, JSON, maps and docs), scanned with
//    --include-vendored at -j 1 and -j 2. Floors: reading every file (Node, one thread) and, when installed, ripgrep
//    with one regex over the same folder.
// 2. History: every stable published version of a few real npm packages, fetched with `npm pack` and committed in
//    version order into a repository (built once, cached under .bench/real/). Floor: `git cat-file --batch` of every
//    blob the scan reads.
// For each: best wall time of --runs, MB/s of the bytes scanned, the ratio to the floor, and peak RSS (GNU time).
// --bin runs another build (an older checkout's bin/shadowscan.js) through the same cases, for a before/after.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name, def) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : def; };
const runs = Number(opt('--runs', 3));
const only = opt('--only');
const packages = opt('--packages', 'lodash,express,moment').split(',');
const bin = path.resolve(opt('--bin', path.join(root, 'bin/shadowscan.js')));
const cacheDir = path.join(root, '.bench', 'real');
const env = { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', NO_COLOR: '1' };
const MB = 1e6;
const hasTime = fs.existsSync('/usr/bin/time');
const rg = ['/usr/bin/rg', '/usr/local/bin/rg'].find((p) => fs.existsSync(p));

/** Runs a command `runs` times; best wall seconds, and the peak RSS (MB) of the best run when GNU time is there. */
function timed(argv, { cwd = root, stdoutFile } = {}) {
  let best = { seconds: Infinity, rssMB: undefined, stdout: '' };
  for (let i = 0; i < runs; i++) {
    const rssFile = path.join(os.tmpdir(), `real-bench-rss-${process.pid}`);
    const full = hasTime ? ['/usr/bin/time', '-f', '%M', '-o', rssFile, ...argv] : argv;
    const start = process.hrtime.bigint();
    const r = spawnSync(full[0], full.slice(1), { cwd, env, maxBuffer: 1 << 30, stdio: ['ignore', stdoutFile ? 'pipe' : 'ignore', 'pipe'] });
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    if (r.status !== 0 && r.status !== 1) throw new Error(`${argv.join(' ')} exited ${r.status ?? r.signal}: ${String(r.stderr).trim().split('\n').slice(-3).join(' | ')}`);
    const rssMB = hasTime ? Number(fs.readFileSync(rssFile, 'utf8').trim().split('\n').pop()) / 1024 : undefined;
    if (seconds < best.seconds) best = { seconds, rssMB, stdout: r.stdout?.toString() ?? '' };
  }
  return best;
}

function walk(dir, out = []) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (e.isFile()) out.push(p);
  }
  return out;
}

/** Reading every file once on one thread: what any scanner of this folder pays before it matches anything. */
function readFloor(dir) {
  let best = Infinity;
  let bytes = 0;
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    bytes = 0;
    for (const f of walk(dir)) bytes += fs.readFileSync(f).length;
    best = Math.min(best, Number(process.hrtime.bigint() - start) / 1e9);
  }
  return { seconds: best, bytes };
}

function scanStats(json) {
  const inv = JSON.parse(json);
  return { bytes: inv.scan.bytes, tokens: inv.tokens.length };
}

const rows = [];
function row(work, r, bytes, floor) {
  rows.push({ work, seconds: r.seconds, mbps: bytes / MB / r.seconds, ratio: floor ? r.seconds / floor : undefined, rssMB: r.rssMB });
}

// ---------------------------------------------------------------------------------------------------------------
// 1. node_modules

function treeBench() {
  const dir = path.join(root, 'node_modules');
  const floor = readFloor(dir);
  rows.push({ work: `read every file of node_modules (floor, ${(floor.bytes / MB).toFixed(0)} MB)`, seconds: floor.seconds, mbps: floor.bytes / MB / floor.seconds });
  if (rg) {
    const r = timed([rg, '-uuu', '-c', '--no-messages', 'AKIA[0-9A-Z]{16}', dir]);
    row('ripgrep, one regex (peer floor)', r, floor.bytes, floor.seconds);
  }
  const scans = {};
  for (const j of ['1', '2']) {
    const r = timed([process.execPath, bin, 'scan', dir, '--include-vendored', '--no-baseline', '-j', j, '-q', '--format', 'json'], { stdoutFile: true });
    const s = scanStats(r.stdout);
    scans[j] = r;
    row(`shadowscan scan node_modules -j ${j} (${s.tokens} tokens)`, r, s.bytes, floor.seconds);
  }
  rows.push({ work: `-j 2 speed-up over -j 1: ${(scans['1'].seconds / scans['2'].seconds).toFixed(2)}x` });
}

// ---------------------------------------------------------------------------------------------------------------
// 2. History of real package versions

function stableVersions(name) {
  const all = JSON.parse(execFileSync('npm', ['view', name, 'versions', '--json'], { cwd: root, encoding: 'utf8' }));
  const parse = (v) => v.split('.').map(Number);
  return all
    .filter((v) => /^\d+\.\d+\.\d+$/.test(v))
    .sort((a, b) => {
      const [x, y] = [parse(a), parse(b)];
      return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
    });
}

/** Fetches every stable version's tarball once (`npm pack` takes many specs per call). */
function tarballs(name) {
  const dir = path.join(cacheDir, 'tarballs', name.replace('/', '-'));
  fs.mkdirSync(dir, { recursive: true });
  const versions = stableVersions(name);
  const stem = name.replace(/^@/, '').replace('/', '-');
  const missing = versions.filter((v) => !fs.existsSync(path.join(dir, `${stem}-${v}.tgz`)));
  for (let i = 0; i < missing.length; i += 40) {
    const specs = missing.slice(i, i + 40).map((v) => `${name}@${v}`);
    execFileSync('npm', ['pack', ...specs, '--pack-destination', dir, '--silent'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  }
  return versions.map((v) => ({ version: v, file: path.join(dir, `${stem}-${v}.tgz`) })).filter((t) => fs.existsSync(t.file));
}

/** One commit per version, in version order, each replacing the package's folder with that version's files. */
async function buildHistory(repo) {
  const stamp = path.join(repo, '.built');
  if (fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === packages.join(',')) return;
  fs.rmSync(repo, { recursive: true, force: true });
  fs.mkdirSync(repo, { recursive: true });
  execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: repo, env });
  const proc = spawn('git', ['fast-import', '--quiet', '--done'], { cwd: repo, env, stdio: ['pipe', 'inherit', 'inherit'] });
  const done = new Promise((res, rej) => proc.on('close', (c) => (c === 0 ? res() : rej(new Error(`fast-import exited ${c}`)))));
  const write = (chunk) => (proc.stdin.write(chunk) ? Promise.resolve() : new Promise((res) => proc.stdin.once('drain', res)));
  let mark = 0;
  let time = 1_300_000_000;
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'real-bench-'));
  for (const name of packages) {
    for (const { version, file } of tarballs(name)) {
      const dir = path.join(scratch, `${mark}`);
      fs.mkdirSync(dir);
      execFileSync('tar', ['-xzf', file, '-C', dir, '--strip-components=1', '--warning=no-unknown-keyword'], { stdio: ['ignore', 'ignore', 'pipe'] });
      const msg = `${name} ${version}`;
      time += 86_400;
      mark++;
      await write(`commit refs/heads/main\nmark :${mark}\ncommitter Bench <bench@example.invalid> ${time} +0000\ndata ${msg.length}\n${msg}\n${mark > 1 ? `from :${mark - 1}\n` : ''}D ${name}\n`);
      for (const f of walk(dir)) {
        const body = fs.readFileSync(f);
        const rel = `${name}/${path.relative(dir, f).split(path.sep).join('/')}`;
        if (/[\n"]/.test(rel)) continue;
        await write(`M 100644 inline ${rel}\ndata ${body.length}\n`);
        await write(body);
        await write('\n');
      }
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  await write('done\n');
  proc.stdin.end();
  await done;
  fs.rmSync(scratch, { recursive: true, force: true });
  fs.writeFileSync(stamp, packages.join(','));
}

async function historyBench() {
  const repo = path.join(cacheDir, `history-${packages.join('-')}`);
  await buildHistory(repo);
  const gitdir = path.join(repo, '.git');
  // The floor reads exactly the blobs the scan reads: every blob reachable from any ref.
  const blobs = execFileSync('git', ['cat-file', '--batch-all-objects', '--batch-check=%(objecttype) %(objectname) %(objectsize)'], { cwd: repo, env, maxBuffer: 1 << 30, encoding: 'utf8' })
    .split('\n').filter((l) => l.startsWith('blob ')).map((l) => l.split(' '));
  const blobBytes = blobs.reduce((a, b) => a + Number(b[2]), 0);
  const ids = path.join(cacheDir, 'blob-ids.txt');
  fs.writeFileSync(ids, blobs.map((b) => b[1]).join('\n') + '\n');
  const commits = execFileSync('git', ['rev-list', '--all', '--count'], { cwd: repo, env, encoding: 'utf8' }).trim();
  let floor = Infinity;
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    spawnSync('git', ['--git-dir', gitdir, 'cat-file', '--batch'], { env, stdio: [fs.openSync(ids, 'r'), 'ignore', 'inherit'] });
    floor = Math.min(floor, Number(process.hrtime.bigint() - start) / 1e9);
  }
  rows.push({ work: `git cat-file --batch, ${blobs.length} blobs (floor, ${(blobBytes / MB).toFixed(0)} MB, ${commits} commits)`, seconds: floor, mbps: blobBytes / MB / floor });
  for (const j of ['2']) {
    const r = timed([process.execPath, bin, 'history', repo, '-j', j, '-q', '--format', 'json', '--no-baseline'], { stdoutFile: true });
    const s = scanStats(r.stdout);
    row(`shadowscan history -j ${j} (${packages.join(', ')}; ${s.tokens} tokens)`, r, blobBytes, floor);
  }
}

// ---------------------------------------------------------------------------------------------------------------

console.log(`shadowscan ${path.relative(root, bin) || bin}; ${os.cpus().length} cores; best of ${runs}; load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
if (only !== 'history') treeBench();
if (only !== 'tree') await historyBench();
console.log('');
console.log(`${'work'.padEnd(72)} ${'seconds'.padStart(8)} ${'MB/s'.padStart(8)} ${'x floor'.padStart(8)} ${'peak RSS'.padStart(9)}`);
for (const r of rows) {
  if (r.seconds === undefined) {
    console.log(r.work);
    continue;
  }
  console.log(
    `${r.work.padEnd(72)} ${r.seconds.toFixed(2).padStart(8)} ${r.mbps.toFixed(1).padStart(8)} ${(r.ratio ? r.ratio.toFixed(1) : '').padStart(8)} ${(r.rssMB ? `${r.rssMB.toFixed(0)} MB` : '').padStart(9)}`,
  );
}
console.log(`load average after: ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
