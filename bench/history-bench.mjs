#!/usr/bin/env node
// npm run bench:history: shadowscan's history scan against its floor, in one run on this machine.
//   node bench/history-bench.mjs [--repo PATH] [--commits 100000] [--files 2000] [--runs 1] [--no-log-p] [--config FILE]
// Without --repo it builds (once, cached in the temp folder) a deterministic repository with git fast-import:
// source-like files, commits that edit one to three of them, a merged side branch every 200 commits, fake tokens.
// Prints: shadowscan history wall time and MB/s of unique blob bytes, `git cat-file --batch` reading the same
// blobs (the floor), `git log -p --all` (what diff-based scanners read), peak RSS, and the latency of
// `shadowscan staged` on a one-file change in the same repository.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { rng } from './corpus.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name, def) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : def; };
const commits = Number(opt('--commits', 100_000));
const nFiles = Number(opt('--files', 2000));
const runs = Number(opt('--runs', 1));
/** Passed to shadowscan (e.g. a config that disables rules, to see what they cost). */
const extra = opt('--config') ? ['--config', path.resolve(opt('--config'))] : [];
const bin = path.join(root, 'bin/shadowscan.js');
const env = { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' };

const WORDS = ('const let function return if else for while import export from default class new this await async try ' +
  'catch throw value result config options request response handler error message user account item items list map ' +
  'filter reduce length index count total name path file data buffer stream read write open close start stop update').split(' ');
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function git(argv, cwd, input) {
  const r = spawnSync('git', argv, { cwd, env, input, maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`git ${argv.join(' ')}: ${r.stderr}`);
  return r.stdout.toString().trim();
}

/** Writes a fast-import stream for the whole history; returns what was made. */
async function buildRepo(dir) {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  git(['init', '-q', '-b', 'main'], dir);
  const r = rng(7);
  const pick = (a) => a[Math.floor(r() * a.length)];
  const rand = (alphabet, n) => Array.from({ length: n }, () => alphabet[Math.floor(r() * alphabet.length)]).join('');
  const ident = () => pick(WORDS) + pick(['', 'Id', 'Name', 'List', 'Count', '_v2']);
  const line = () => pick([
    () => `  const ${ident()} = ${ident()}(${ident()}, ${Math.floor(r() * 1000)});`,
    () => `    ${ident()} = "${pick(WORDS)}-${pick(WORDS)}"`,
    () => `  ${ident()}: ${Math.floor(r() * 5000)}`,
    () => `${pick(WORDS)} ${pick(WORDS)} ${pick(WORDS)} ${pick(WORDS)} ${pick(WORDS)} ${pick(WORDS)}.`,
  ])();
  const files = [];
  for (let i = 0; i < nFiles; i++) {
    const lines = [];
    const target = 1024 + Math.floor(r() * 9000);
    for (let size = 0; size < target;) { const l = line(); lines.push(l); size += l.length + 1; }
    files.push({ path: `src/pkg${i % 41}/mod${i % 7}/file${i}.${pick(['js', 'ts', 'py', 'yaml', 'md'])}`, lines });
  }
  const proc = spawn('git', ['fast-import', '--quiet', '--done'], { cwd: dir, env, stdio: ['pipe', 'inherit', 'inherit'] });
  const done = new Promise((res, rej) => proc.on('close', (c) => (c === 0 ? res() : rej(new Error(`fast-import exited ${c}`)))));
  let buffered = [];
  let bufferedBytes = 0;
  const write = async (s) => {
    buffered.push(s);
    bufferedBytes += s.length;
    if (bufferedBytes > 4 << 20) {
      const chunk = buffered.join('');
      buffered = [];
      bufferedBytes = 0;
      if (!proc.stdin.write(chunk)) await new Promise((res) => proc.stdin.once('drain', res));
    }
  };
  const authors = ['Ada <ada@example.com>', 'Brian <brian@example.com>', 'Chen <chen@example.com>', 'Dana <dana@example.com>'];
  let time = 1_500_000_000;
  let mark = 0;
  let tokens = 0;
  const body = (f) => f.lines.join('\n') + '\n';
  const fileCmd = (f) => { const b = body(f); return `M 100644 inline ${f.path}\ndata ${Buffer.byteLength(b)}\n${b}\n`; };
  const commitCmd = (ref, msg, from, extra, changes) => {
    time += 60 + Math.floor(r() * 600);
    mark++;
    const who = pick(authors);
    return `commit ${ref}\nmark :${mark}\nauthor ${who} ${time} +0000\ncommitter ${who} ${time} +0000\ndata ${msg.length}\n${msg}\n${from ? `from :${from}\n` : ''}${extra}${changes}`;
  };
  const mutate = (f) => {
    const edits = 1 + Math.floor(r() * 3);
    for (let e = 0; e < edits; e++) {
      const at = Math.floor(r() * f.lines.length);
      if (r() < 0.5) f.lines[at] = line();
      else f.lines.splice(at, 0, line());
    }
    if (f.lines.length > 400) f.lines.splice(0, 50);
    if (r() < 1 / 4000) {
      const fake = pick([`ghp_${rand(ALNUM, 36)}`, `AKIA${rand('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', 16)}`, `sk_live_${rand(ALNUM, 24)}`]);
      f.lines.splice(Math.floor(r() * f.lines.length), 0, `  const apiToken = "${fake}";`);
      tokens++;
    }
  };
  // Root: every file.
  await write(commitCmd('refs/heads/main', 'initial import', 0, '', files.map(fileCmd).join('')));
  let mainHead = mark;
  let made = 1;
  while (made < commits) {
    if (made % 200 === 0 && commits - made > 10) {
      // A side branch of five commits on files main leaves alone meanwhile, merged back with a merge commit.
      let side = mainHead;
      const touched = new Set();
      for (let k = 0; k < 5; k++) {
        const f = files[Math.floor(r() * files.length)];
        touched.add(f);
        mutate(f);
        await write(commitCmd('refs/heads/side', `side ${made}`, side, '', fileCmd(f)));
        side = mark;
        made++;
      }
      await write(commitCmd('refs/heads/main', `merge side ${made}`, mainHead, `merge :${side}\n`, [...touched].map(fileCmd).join('')));
      mainHead = mark;
      made++;
      continue;
    }
    const n = r() < 0.7 ? 1 : r() < 0.8 ? 2 : 3;
    let changes = '';
    for (let k = 0; k < n; k++) {
      const f = files[Math.floor(r() * files.length)];
      mutate(f);
      changes += fileCmd(f);
    }
    await write(commitCmd('refs/heads/main', `change ${made}`, mainHead, '', changes));
    mainHead = mark;
    made++;
  }
  await write('done\n');
  proc.stdin.end(buffered.join(''));
  await done;
  git(['tag', 'v1.0', 'main'], dir);
  git(['checkout', '-q', '-f', 'main'], dir);
  return { tokens };
}

function timed(cmd, argv, cwd) {
  const start = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-f', '%M %U %S', cmd, ...argv], { cwd, env, maxBuffer: 1 << 30 });
  const s = Number(process.hrtime.bigint() - start) / 1e9;
  const [rssKb, user, sys] = r.stderr.toString().trim().split('\n').pop().split(' ').map(Number);
  return { s, r, rssMb: rssKb / 1024, cpu: user + sys };
}

/** Runs the CLI, polling its peak resident memory (VmHWM: the node process and its worker threads, not git's). */
function timedWithRss(argv, cwd) {
  return new Promise((resolve) => {
    const start = process.hrtime.bigint();
    const p = spawn(process.execPath, argv, { cwd, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let hwm = 0;
    const poll = setInterval(() => {
      try {
        const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${p.pid}/status`, 'utf8'));
        if (m) hwm = Math.max(hwm, Number(m[1]));
      } catch {}
    }, 50);
    p.on('close', (status) => {
      clearInterval(poll);
      resolve({ s: Number(process.hrtime.bigint() - start) / 1e9, r: { status }, nodeRssMb: hwm / 1024 });
    });
  });
}

/** The unique blobs history introduces (regular files), in listing order, as shadowscan lists them. */
function uniqueBlobs(dir) {
  const out = spawnSync('git', ['log', '--all', '--raw', '-c', '--no-renames', '-z', '--no-abbrev', '--format=%x01%H'], { cwd: dir, env, maxBuffer: 2 ** 31 - 1 }).stdout;
  const seen = new Set();
  const order = [];
  let pos = 0;
  let expectPath = false;
  while (pos < out.length) {
    let nul = out.indexOf(0, pos);
    if (nul === -1) nul = out.length;
    if (expectPath) expectPath = false;
    else {
      const tok = out.toString('latin1', pos, nul).replace(/^\n+/, '');
      if (tok.startsWith(':')) {
        expectPath = true;
        const colons = tok.match(/^:+/)[0].length;
        const f = tok.slice(colons).split(' ');
        const mode = f[colons];
        const blob = f[2 * colons + 1];
        if (/^10(0644|0755)$/.test(mode) && !/^0+$/.test(blob) && !seen.has(blob)) { seen.add(blob); order.push(blob); }
      }
    }
    pos = nul + 1;
  }
  return order;
}

/** CPU seconds (user + system) of this process and of its finished children, from /proc (clock ticks of 1/100 s). */
function procCpu() {
  const f = fs.readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / 100;
}

/** `git cat-file --batch` fed from Node with every blob, output read and dropped: the floor for reading history. */
function catFileFloor(dir, blobs) {
  return new Promise((resolve) => {
    const start = process.hrtime.bigint();
    const cpu0 = procCpu();
    const p = spawn('git', ['cat-file', '--batch'], { cwd: dir, env });
    let bytes = 0;
    p.stdout.on('data', (b) => (bytes += b.length));
    p.on('close', () => resolve({ s: Number(process.hrtime.bigint() - start) / 1e9, bytes, cpu: procCpu() - cpu0 }));
    let i = 0;
    const feed = () => {
      while (i < blobs.length) {
        const chunk = blobs.slice(i, i + 1000).join('\n') + '\n';
        i += 1000;
        if (!p.stdin.write(chunk)) { p.stdin.once('drain', feed); return; }
      }
      p.stdin.end();
    };
    feed();
  });
}

function gitLogP(dir) {
  return new Promise((resolve) => {
    const start = process.hrtime.bigint();
    const p = spawn('git', ['log', '-p', '--all', '--no-color', '--no-ext-diff'], { cwd: dir, env });
    let bytes = 0;
    p.stdout.on('data', (b) => (bytes += b.length));
    p.on('close', () => resolve({ s: Number(process.hrtime.bigint() - start) / 1e9, bytes }));
  });
}

const fmt = (s) => `${s.toFixed(2)} s`;
const mb = (b) => (b / 1048576).toFixed(1);

let dir = opt('--repo');
if (!dir) {
  dir = path.join(os.tmpdir(), `shadowscan-history-bench-${commits}c-${nFiles}f`);
  if (!fs.existsSync(path.join(dir, '.git', 'bench-ready'))) {
    const t0 = Date.now();
    const { tokens } = await buildRepo(dir);
    fs.writeFileSync(path.join(dir, '.git', 'bench-ready'), String(tokens));
    console.log(`built ${dir} in ${((Date.now() - t0) / 1000).toFixed(1)} s (${tokens} fake tokens)`);
  }
}
const commitCount = Number(git(['rev-list', '--all', '--count'], dir));
const blobs = uniqueBlobs(dir);
console.log(`machine: ${os.cpus().length} cores, ${os.cpus()[0].model}, node ${process.version}, ${git(['--version'], dir)}`);
console.log(`repository: ${dir}`);
console.log(`  ${commitCount} commits, ${blobs.length} unique blobs`);

const out = path.join(os.tmpdir(), 'shadowscan-history-bench.json');
const results = [];
for (let i = 0; i < runs; i++) results.push(await timedWithRss([bin, 'history', dir, '--format', 'json', '--output', out, '--quiet', ...extra], root));
// The same run under /usr/bin/time: the largest resident set of any process (git's includes its mmapped pack).
const all = timed(process.execPath, [bin, 'history', dir, '--format', 'json', '--output', out, '--quiet', ...extra], root);
const best = results.reduce((a, b) => (b.s < a.s ? b : a));
const inv = JSON.parse(fs.readFileSync(out, 'utf8'));
const uniqueBytes = inv.scan.bytes;
const floors = [];
for (let i = 0; i < Math.max(runs, 2); i++) floors.push(await catFileFloor(dir, blobs));
const floor = floors.reduce((a, b) => (b.s < a.s ? b : a));
console.log(`shadowscan history          ${fmt(best.s).padStart(9)}  ${(uniqueBytes / 1048576 / best.s).toFixed(1).padStart(6)} MB/s of unique blob bytes (${mb(uniqueBytes)} MB, ${inv.scan.history.blobs} blobs, ${inv.scan.history.commits} commits)${runs > 1 ? `  runs: ${results.map((x) => x.s.toFixed(2)).join(', ')}` : ''}`);
console.log(`  -> ${inv.tokens.length} tokens, ${inv.tokens.reduce((n, t) => n + t.occurrences.length, 0)} occurrences, exit ${best.r.status}`);
console.log(`  -> peak RSS: shadowscan (node, all threads) ${Math.max(...results.map((x) => x.nodeRssMb)).toFixed(0)} MB; largest process incl. git ${all.rssMb.toFixed(0)} MB (git's is mostly its memory-mapped pack)`);
console.log(`  -> CPU: ${all.cpu.toFixed(1)} s (node threads and git processes) in a run of ${all.s.toFixed(2)} s; ${(all.cpu / 2).toFixed(1)} s is the least wall time on 2 cores`);
console.log(`git cat-file --batch (floor) ${fmt(floor.s).padStart(9)}  ${(floor.bytes / 1048576 / floor.s).toFixed(1).padStart(6)} MB/s (${mb(floor.bytes)} MB out)   shadowscan / floor = ${(best.s / floor.s).toFixed(2)}x  (best of ${floors.length}: ${floors.map((x) => x.s.toFixed(2)).join(', ')}; CPU ${floor.cpu.toFixed(1)} s)`);
console.log(`  load average during the run: ${fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')} (other work on the machine inflates every figure, shadowscan's most: it wants both cores)`);
if (!args.includes('--no-log-p')) {
  const lp = await gitLogP(dir);
  console.log(`git log -p --all            ${fmt(lp.s).padStart(9)}  (${mb(lp.bytes)} MB of patches)   shadowscan / log -p = ${(best.s / lp.s).toFixed(2)}x`);
}

// staged: one file changed in the working tree of the same repository, added to the index.
const tracked = git(['ls-files'], dir).split('\n');
const target = path.join(dir, tracked[Math.floor(tracked.length / 2)]);
const original = fs.readFileSync(target);
const fakePat = `ghp_${Array.from({ length: 36 }, () => ALNUM[Math.floor(Math.random() * ALNUM.length)]).join('')}`;
fs.writeFileSync(target, Buffer.concat([original, Buffer.from(`const retries = 3;\nconst apiToken = "${fakePat}";\n`)]));
git(['add', '--', target], dir);
const stagedTimes = [];
let stagedExit = -1;
try {
  timed(process.execPath, [bin, 'staged', '--quiet', '--format', 'json'], dir); // warm the rules cache and the page cache
  for (let i = 0; i < 7; i++) {
    const t = timed(process.execPath, [bin, 'staged', '--quiet', '--format', 'json'], dir);
    stagedTimes.push(t.s);
    stagedExit = t.r.status;
  }
} finally {
  git(['reset', '-q', '--', target], dir);
  fs.writeFileSync(target, original);
}
stagedTimes.sort((a, b) => a - b);
console.log(`shadowscan staged (1 file)  ${fmt(stagedTimes[3]).padStart(9)}  median of 7 (min ${stagedTimes[0].toFixed(3)} s, max ${stagedTimes[6].toFixed(3)} s), exit ${stagedExit}, ${tracked.length} files in the index`);
