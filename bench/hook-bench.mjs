#!/usr/bin/env node
// npm run bench:hook: the wall time of `shadowscan staged` (what the pre-commit hook runs), Node start-up included,
// on a typical commit (three edited files and a new one) in a large repository.
//   node bench/hook-bench.mjs [--files 50000] [--runs 31]
// Builds the repository once (cached in the temp folder) with git fast-import: one commit of source-like files.
// Prints min, median and 90th percentile of `shadowscan staged`, of the installed pre-commit hook, of `node -e 0`
// (the floor), and of `git diff --cached`.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { rng } from './corpus.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name, def) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : def; };
const nFiles = Number(opt('--files', 50_000));
const runs = Number(opt('--runs', 31));
const env = { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', NO_COLOR: '1' };
const WORDS = 'const let function return value result config options request response handler error user item list map name path file data'.split(' ');

function git(argv, cwd) {
  const r = spawnSync('git', argv, { cwd, env, maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`git ${argv.join(' ')}: ${r.stderr}`);
  return r.stdout.toString().trim();
}

async function build(dir) {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  git(['init', '-q', '-b', 'main'], dir);
  const r = rng(11);
  const pick = (a) => a[Math.floor(r() * a.length)];
  const proc = spawn('git', ['fast-import', '--quiet', '--done'], { cwd: dir, env, stdio: ['pipe', 'inherit', 'inherit'] });
  const done = new Promise((res, rej) => proc.on('close', (c) => (c === 0 ? res() : rej(new Error(`fast-import exited ${c}`)))));
  const write = async (chunk) => { if (!proc.stdin.write(chunk)) await new Promise((res) => proc.stdin.once('drain', res)); };
  await write('commit refs/heads/main\ncommitter Bench <bench@example.com> 1700000000 +0000\ndata 6\nlarge\n');
  for (let i = 0; i < nFiles; i++) {
    let body = '';
    const lines = 20 + Math.floor(r() * 80);
    for (let j = 0; j < lines; j++) body += `  const ${pick(WORDS)}${j} = ${pick(WORDS)}(${Math.floor(r() * 1000)});\n`;
    const b = Buffer.from(body);
    await write(`M 100644 inline src/pkg${i % 97}/mod${i % 13}/file${i}.js\ndata ${b.length}\n`);
    await write(b);
    await write('\n');
  }
  await write('done\n');
  proc.stdin.end();
  await done;
  git(['reset', '-q', '--hard'], dir);
}

const dir = path.join(os.tmpdir(), `shadowscan-hook-bench-${nFiles}f`);
const built = path.join(dir, '.git', 'shadowscan-bench-built');
if (!fs.existsSync(built)) {
  console.log(`building a repository of ${nFiles} files in ${dir} ...`);
  await build(dir);
  fs.writeFileSync(built, '');
}
// The commit: three edited files and a new one, staged.
git(['reset', '-q', '--hard'], dir);
git(['clean', '-qfd'], dir);
for (const i of [1, 5, 9]) fs.appendFileSync(path.join(dir, `src/pkg${i % 97}/mod${i % 13}/file${i}.js`), '  const extra = compute(42);\n');
fs.writeFileSync(path.join(dir, 'src/new.js'), 'export const retries = 3;\nexport const greeting = "hello";\n');
git(['add', '-A'], dir);

function time(cmd, argv) {
  const t = [];
  for (let i = 0; i < runs + 3; i++) {
    const s = process.hrtime.bigint();
    const r = spawnSync(cmd, argv, { cwd: dir, env, stdio: ['ignore', 'ignore', 'pipe'] });
    const ms = Number(process.hrtime.bigint() - s) / 1e6;
    if (r.status !== 0) throw new Error(`${cmd} ${argv.join(' ')} exited ${r.status}: ${r.stderr}`);
    if (i >= 3) t.push(ms);
  }
  t.sort((a, b) => a - b);
  const q = (p) => t[Math.min(t.length - 1, Math.floor(p * t.length))];
  return `min ${t[0].toFixed(0)} ms, median ${q(0.5).toFixed(0)} ms, p90 ${q(0.9).toFixed(0)} ms`;
}

console.log(`${nFiles} files in the index; staged: 3 edited files and 1 new; ${runs} runs each after 3 warm-ups; load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
console.log(`shadowscan staged      ${time(process.execPath, [path.join(root, 'bin/shadowscan.js'), 'staged'])}`);
// The installed hook as git runs it (a shell script that execs the same command).
const hook = path.join(dir, '.git', 'hooks', 'pre-commit');
const installed = spawnSync(process.execPath, [path.join(root, 'bin/shadowscan.js'), 'install-hook', '--force'], { cwd: dir, env });
if (installed.status !== 0) throw new Error(`install-hook: ${installed.stderr}`);
console.log(`pre-commit hook        ${time(hook, [])}`);
console.log(`node -e 0 (start-up)   ${time(process.execPath, ['-e', '0'])}`);
console.log(`git diff --cached      ${time('git', ['diff', '--cached', '--raw'])}`);
