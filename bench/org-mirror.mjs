#!/usr/bin/env node
// `shadowscan org --github` over 50 generated repositories served on loopback: a fake GitHub API and `git
// http-backend` behind the test's wrapper (401 without the token), nothing leaving 127.0.0.1.
//   node bench/org-mirror.mjs [--repos 50] [--commits 20] [--runs 3]
// Times, with a fresh mirror folder and datastore: 1. the first run (list, clone --mirror every repository, scan
// every blob), 2. a re-run after one new commit in one repository (fetch every mirror, read only the new blobs),
// the median of --runs each. Needs the build (npx tsc -p .).
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeBareRepo, pushCommit, startFakeGithub, startGitServer } from '../test/helpers/fake-codehost.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name, def) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : def; };
const nRepos = Number(opt('--repos', 50));
const nCommits = Number(opt('--commits', 20));
const runs = Number(opt('--runs', 3));
const bin = path.join(root, 'bin/shadowscan.js');
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const rand = (n, alphabet = ALNUM) => Array.from({ length: n }, () => alphabet[crypto.randomInt(alphabet.length)]).join('');
// A fake API token of GitHub's classic shape (random; never a real one).
const TOKEN = `ghp_${rand(36)}`;

/** A repository of `nCommits` commits, each editing a few source files; every fifth holds a fake AWS key. */
function buildRepo(servedRoot, name, i) {
  const files = { 'README.md': `# ${name}\n`, 'src/index.js': 'export const x = 1;\n' };
  if (i % 5 === 0) files['deploy/aws.env'] = `AWS_ACCESS_KEY_ID=AKIA${rand(16, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567')}\n`;
  const bare = makeBareRepo(servedRoot, name, files);
  for (let c = 1; c < nCommits; c++) {
    pushCommit(bare, { [`src/mod${c % 5}.js`]: `export function f${c}() {\n  return ${c} * ${i};\n}\n// ${rand(40)}\n` });
  }
  return bare;
}

function run(argv, env) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(process.execPath, [bin, ...argv], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (b) => (stderr += b));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, ms: Number(process.hrtime.bigint() - t0) / 1e6, stderr }));
  });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'shadowscan-org-mirror-bench-'));
const served = path.join(work, 'served');
const git = await startGitServer({ root: served, token: TOKEN });
try {
  const t0 = Date.now();
  const names = Array.from({ length: nRepos }, (_, i) => `bench/repo-${String(i).padStart(2, '0')}`);
  names.forEach((n, i) => buildRepo(served, n, i));
  console.log(`built ${nRepos} repositories of ${nCommits} commits in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  const api = await startFakeGithub({
    token: TOKEN,
    basePath: '/api/v3',
    pageSize: 100,
    orgs: { bench: names.map((n) => ({ full_name: n, name: n.split('/')[1], clone_url: `${git.url}/${n}.git`, fork: false, archived: false })) },
  });
  const firsts = [];
  const reruns = [];
  try {
    for (let k = 0; k < runs; k++) {
      const mirrors = path.join(work, `mirrors-${k}`);
      const db = path.join(work, `org-${k}.db`);
      const env = { ...process.env, GITHUB_TOKEN: TOKEN, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', SHADOWSCAN_FINGERPRINT_KEY: 'org-mirror-bench' };
      const argv = ['org', '--github', 'bench', '--api-url', api.url, '--mirror-dir', mirrors, '--db', db, '--format', 'json', '--output', path.join(work, 'inv.json')];
      const first = await run(argv, env);
      if (first.code !== 1) throw new Error(`first run exited ${first.code}: ${first.stderr}`);
      pushCommit(path.join(served, `${names[k % nRepos]}.git`), { 'src/new.js': `export const added = "${rand(24)}";\n` });
      const again = await run(argv, env);
      if (again.code !== 1) throw new Error(`re-run exited ${again.code}: ${again.stderr}`);
      const inv = JSON.parse(fs.readFileSync(path.join(work, 'inv.json'), 'utf8'));
      firsts.push(first.ms);
      reruns.push(again.ms);
      const sync = (r) => /mirrors: .*\((\S+ s)\)/.exec(r.stderr)?.[1] ?? '?';
      console.log(`run ${k + 1}: first ${(first.ms / 1000).toFixed(2)} s (mirroring ${sync(first)}), re-run after one commit ${(again.ms / 1000).toFixed(2)} s (fetching ${sync(again)}; blobs read ${inv.scan.org.blobsRead}, repositories unchanged ${inv.scan.org.repositories.filter((r) => r.unchanged).length}/${nRepos})`);
    }
  } finally {
    await api.close();
  }
  console.log(`median over ${runs}: first run ${(median(firsts) / 1000).toFixed(2)} s, re-run ${(median(reruns) / 1000).toFixed(2)} s (${nRepos} repositories, ${os.cpus().length} cores)`);
} finally {
  await git.close();
  fs.rmSync(work, { recursive: true, force: true });
}
