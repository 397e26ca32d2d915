#!/usr/bin/env node
// npm run bench:org: `shadowscan org` over a generated organisation, first run and re-runs with a datastore.
//   node bench/org-bench.mjs [--repos 200] [--mb 10] [--dir PATH] [--rebuild] [--repo-concurrency 4] [-j N] [--no-db-run]
// Builds (once, cached in the temp folder) --repos repositories with git fast-import, about --mb MB of unique blob
// content each on average (sizes vary from a tenth to three times that), source-like files edited by commit after
// commit, every tenth repository bare, fake tokens: some shared by many repositories, some per repository, some
// deleted again (history only). Then measures, with a fresh datastore:
//   1. the first run (every blob read and matched), 2. an unchanged re-run, 3. a re-run after new commits in ten
//   repositories, and (unless --no-db-run) a run without a datastore for comparison;
// wall time, MB/s of unique blob bytes, and peak RSS of the shadowscan process (all its threads; not git's).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { rng } from './corpus.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name, def) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : def; };
const nRepos = Number(opt('--repos', 200));
const mbPerRepo = Number(opt('--mb', 10));
const dir = path.resolve(opt('--dir', path.join(os.tmpdir(), `shadowscan-org-bench-${nRepos}x${mbPerRepo}`)));
const repoConcurrency = opt('--repo-concurrency', '4');
const threads = opt('-j');
const bin = path.join(root, 'bin/shadowscan.js');
const env = { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', SHADOWSCAN_FINGERPRINT_KEY: 'org-bench' };

const WORDS = ('const let function return if else for while import export from default class new this await async try ' +
  'catch throw value result config options request response handler error message user account item items list map ' +
  'filter reduce length index count total name path file data buffer stream read write open close start stop update').split(' ');
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const UPPER32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function git(argv, cwd, input) {
  const r = spawnSync('git', argv, { cwd, env, input, maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`git ${argv.join(' ')}: ${r.stderr}`);
  return r.stdout.toString().trim();
}

const r0 = rng(2024);
const rand0 = (alphabet, n) => Array.from({ length: n }, () => alphabet[Math.floor(r0() * alphabet.length)]).join('');
/** Tokens several repositories share: each goes to 2 to 15 of them. */
const SHARED = Array.from({ length: 30 }, (_, i) => {
  const kind = i % 3;
  const value = kind === 0 ? `AKIA${rand0(UPPER32, 16)}` : kind === 1 ? `xoxb-${rand0('0123456789', 12)}-${rand0('0123456789', 13)}-${rand0(ALNUM, 24)}` : `sk_live_${rand0(ALNUM, 24)}`;
  const line = kind === 0 ? `export AWS_ACCESS_KEY_ID=${value}` : kind === 1 ? `SLACK_BOT_TOKEN = "${value}"` : `STRIPE_KEY = "${value}"`;
  const repos = new Set(Array.from({ length: 2 + Math.floor(r0() * 14) }, () => Math.floor(r0() * nRepos)));
  return { line, repos };
});

/** Sizes vary (a tenth to three times the average), scaled to the requested total. */
function repoSizes() {
  const r = rng(99);
  const raw = Array.from({ length: nRepos }, () => 0.1 + 2.9 * r() ** 2);
  const scale = (nRepos * mbPerRepo * 1024 * 1024) / raw.reduce((a, b) => a + b, 0);
  return raw.map((x) => Math.round(x * scale));
}

/** One repository's history as a fast-import stream; resolves with the unique blob bytes written. */
async function buildRepo(i, target) {
  const name = `group-${String(Math.floor(i / 20)).padStart(2, '0')}/repo-${String(i).padStart(3, '0')}${i % 10 === 9 ? '.git' : ''}`;
  const repoDir = path.join(dir, name);
  fs.mkdirSync(repoDir, { recursive: true });
  git(['init', '-q', '-b', 'main', ...(name.endsWith('.git') ? ['--bare'] : [])], repoDir);
  const r = rng(1000 + i);
  const pick = (a) => a[Math.floor(r() * a.length)];
  const rand = (alphabet, n) => Array.from({ length: n }, () => alphabet[Math.floor(r() * alphabet.length)]).join('');
  const ident = () => pick(WORDS) + pick(['', 'Id', 'Name', 'List', 'Count', '_v2']);
  const line = () => pick([
    () => `  const ${ident()} = ${ident()}(${ident()}, ${Math.floor(r() * 1000)});`,
    () => `    ${ident()} = "${pick(WORDS)}-${pick(WORDS)}"`,
    () => `  ${ident()}: ${Math.floor(r() * 5000)}`,
    () => `${pick(WORDS)} ${pick(WORDS)} ${pick(WORDS)} ${pick(WORDS)} ${pick(WORDS)} ${pick(WORDS)}.`,
  ])();
  const nFiles = Math.max(20, Math.min(400, Math.round(target / (48 * 1024))));
  const files = [];
  for (let k = 0; k < nFiles; k++) {
    const lines = [];
    const size = 2048 + Math.floor(r() * 10_000);
    for (let s = 0; s < size;) { const l = line(); lines.push(l); s += l.length + 1; }
    files.push({ path: `src/pkg${k % 13}/file${k}.${pick(['js', 'ts', 'py', 'yaml', 'md'])}`, lines });
  }
  const proc = spawn('git', ['fast-import', '--quiet', '--done'], { cwd: repoDir, env, stdio: ['pipe', 'inherit', 'inherit'] });
  const done = new Promise((res, rej) => proc.on('close', (c) => (c === 0 ? res() : rej(new Error(`fast-import exited ${c}`)))));
  let buffered = [];
  let bufferedBytes = 0;
  const flush = async () => {
    const chunk = buffered.join('');
    buffered = [];
    bufferedBytes = 0;
    if (!proc.stdin.write(chunk)) await new Promise((res) => proc.stdin.once('drain', res));
  };
  const write = async (s) => {
    buffered.push(s);
    bufferedBytes += s.length;
    if (bufferedBytes > 4 << 20) await flush();
  };
  let bytes = 0;
  let mark = 0;
  let time = 1_600_000_000 + i * 1000;
  const fileCmd = (f) => {
    const b = f.lines.join('\n') + '\n';
    bytes += Buffer.byteLength(b);
    return `M 100644 inline ${f.path}\ndata ${Buffer.byteLength(b)}\n${b}\n`;
  };
  const commit = async (msg, changes) => {
    mark++;
    time += 3600 + Math.floor(r() * 86_400);
    await write(`commit refs/heads/main\nmark :${mark}\nauthor Dev ${i % 7} <dev${i % 7}@example.com> ${time} +0000\ncommitter Dev <dev@example.com> ${time} +0000\ndata ${msg.length}\n${msg}\n${mark > 1 ? `from :${mark - 1}\n` : ''}${changes}\n`);
  };
  // Tokens of this repository: shared ones and its own, placed in random files at random commits; some removed later.
  const plan = SHARED.filter((t) => t.repos.has(i)).map((t) => t.line);
  for (let k = 0; k < 3; k++) plan.push(`API_TOKEN = "${rand(ALNUM, 22)}7q"`);
  await commit('initial import', files.map(fileCmd).join(''));
  let commits = 1;
  const pending = [...plan];
  const placed = [];
  while (bytes < target || pending.length) {
    const n = r() < 0.7 ? 1 : r() < 0.8 ? 2 : 3;
    let changes = '';
    for (let k = 0; k < n; k++) {
      const f = pick(files);
      for (let m = 0; m < 3; m++) f.lines[Math.floor(r() * f.lines.length)] = line();
      if (pending.length && r() < 0.05) {
        f.lines.splice(Math.floor(r() * f.lines.length), 0, pending.pop());
        placed.push(f);
      } else if (placed.length && r() < 0.01) {
        // Deleted again: the token stays in history only (unless another copy remains).
        const g = placed.shift();
        g.lines = g.lines.filter((l) => !/AKIA|xoxb-|sk_live_|API_TOKEN/.test(l));
        if (g !== f) changes += fileCmd(g);
      }
      changes += fileCmd(f);
    }
    await commit(`change ${commits}`, changes);
    commits++;
  }
  await write('done\n');
  await flush();
  proc.stdin.end();
  await done;
  return { name, bytes, commits };
}

async function buildOrg() {
  const marker = path.join(dir, '.built.json');
  if (!args.includes('--rebuild') && fs.existsSync(marker)) return JSON.parse(fs.readFileSync(marker, 'utf8'));
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const sizes = repoSizes();
  const t0 = Date.now();
  const made = [];
  let next = 0;
  // Two at a time: this process writes the streams, git compresses and packs them.
  await Promise.all([0, 1].map(async () => {
    while (next < nRepos) {
      const i = next++;
      made.push(await buildRepo(i, sizes[i]));
      if (made.length % 20 === 0) process.stderr.write(`  built ${made.length}/${nRepos} repositories (${((Date.now() - t0) / 1000).toFixed(0)} s)\n`);
    }
  }));
  const info = { repos: made.length, bytes: made.reduce((n, m) => n + m.bytes, 0), commits: made.reduce((n, m) => n + m.commits, 0), buildSeconds: (Date.now() - t0) / 1000 };
  fs.writeFileSync(marker, JSON.stringify(info));
  return info;
}

/** Runs the CLI, polling its peak resident memory (VmHWM: the node process and its worker threads, not git's). */
function timedWithRss(argv) {
  return new Promise((resolve) => {
    const start = process.hrtime.bigint();
    const p = spawn(process.execPath, [bin, ...argv], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let hwm = 0;
    let stderr = '';
    p.stderr.on('data', (b) => { stderr += b; });
    const poll = setInterval(() => {
      try {
        const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${p.pid}/status`, 'utf8'));
        if (m) hwm = Math.max(hwm, Number(m[1]));
      } catch {}
    }, 50);
    p.on('close', (status) => {
      clearInterval(poll);
      resolve({ s: Number(process.hrtime.bigint() - start) / 1e9, status, rssMb: hwm / 1024, stderr });
    });
  });
}

const du = (p) => Number(spawnSync('du', ['-sk', p]).stdout.toString().split('\t')[0]) * 1024;
const MB = (n) => (n / 1024 / 1024).toFixed(0);

async function main() {
  console.log(`org bench: ${nRepos} repositories, about ${mbPerRepo} MB of history each, in ${dir}`);
  const built = await buildOrg();
  console.log(`  built: ${built.repos} repositories, ${built.commits} commits, ${MB(built.bytes)} MB of unique blob content, ${MB(du(dir))} MB on disk (packed)${built.buildSeconds ? `, in ${built.buildSeconds.toFixed(0)} s` : ''}`);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'shadowscan-org-bench-run-'));
  const db = path.join(work, 'org.db');
  const common = ['--repo-concurrency', repoConcurrency, ...(threads ? ['-j', threads] : []), '--format', 'json', '--quiet'];
  const run = async (label, extra, out) => {
    const r = await timedWithRss(['org', dir, ...common, '--output', out, ...extra]);
    if (r.status !== 0 && r.status !== 1) throw new Error(`${label}: exit ${r.status}: ${r.stderr}`);
    const inv = JSON.parse(fs.readFileSync(out, 'utf8'));
    const o = inv.scan.org;
    const failed = o.repositories.filter((x) => x.status === 'failed').length;
    console.log(`  ${label}: ${r.s.toFixed(1)} s, ${MB(inv.scan.bytes)} MB read (${(inv.scan.bytes / 1024 / 1024 / r.s).toFixed(1)} MB/s), ${o.blobsRead} blobs read, ${o.blobsReused} answered by the datastore, ${inv.tokens.length} tokens, ${failed} failed, peak RSS ${r.rssMb.toFixed(0)} MB`);
    return { ...r, inv };
  };
  const first = await run('first run (--db, empty datastore)', ['--db', db], path.join(work, 'run1.json'));
  const second = await run('re-run, nothing changed', ['--db', db], path.join(work, 'run2.json'));
  // New commits in ten repositories (the first is bare-safe: fast-import works in both), two with a new token.
  for (let k = 0; k < 10; k++) {
    const i = k * Math.floor(nRepos / 10);
    const name = `group-${String(Math.floor(i / 20)).padStart(2, '0')}/repo-${String(i).padStart(3, '0')}${i % 10 === 9 ? '.git' : ''}`;
    const fresh = Array.from({ length: 22 }, () => ALNUM[Math.floor(Math.random() * ALNUM.length)]).join('');
    const body = `change ${Date.now()}\n${k < 2 ? `API_TOKEN = "${fresh}7q"\n` : ''}`;
    const stream = `commit refs/heads/main\nauthor Dev <dev@example.com> ${Math.floor(Date.now() / 1000)} +0000\ncommitter Dev <dev@example.com> ${Math.floor(Date.now() / 1000)} +0000\ndata 4\nmore\nfrom refs/heads/main^0\nM 100644 inline notes/weekly.txt\ndata ${Buffer.byteLength(body)}\n${body}\ndone\n`;
    git(['fast-import', '--quiet', '--done', '--force'], path.join(dir, name), stream);
  }
  const third = await run('re-run after 10 repositories got a commit', ['--db', db], path.join(work, 'run3.json'));
  const diff = spawnSync(process.execPath, [bin, 'inventory', 'diff', '--db', db], { env }).stdout.toString().trim().split('\n').pop();
  console.log(`  inventory diff: ${diff}`);
  if (!args.includes('--no-db-run')) await run('run without a datastore', [], path.join(work, 'run4.json'));
  console.log(`  datastore: ${MB(du(db) + (fs.existsSync(`${db}-wal`) ? du(`${db}-wal`) : 0))} MB`);
  console.log(`  -> first run ${first.s.toFixed(0)} s, unchanged re-run ${second.s.toFixed(1)} s (${((100 * second.s) / first.s).toFixed(0)}% of the first), after 10 new commits ${third.s.toFixed(1)} s; peak RSS ${Math.max(first.rssMb, second.rssMb, third.rssMb).toFixed(0)} MB`);
  fs.rmSync(work, { recursive: true, force: true });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
