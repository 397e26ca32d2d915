// Code hosts on 127.0.0.1 for tests and benches (plain JavaScript so that bench/*.mjs can use it too):
//  - a git server: `git http-backend` run as a CGI behind a small Node HTTP server, serving the bare repositories
//    under a folder, that answers 401 unless the request carries `Authorization: Basic` with the token as password;
//  - a fake GitHub REST API and a fake GitLab REST API (v4), listing given repositories in pages of `pageSize`,
//    answering 401 without the token, and rate limiting once on request.
// Every server listens on port 0 of the loopback interface and records the requests it got.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';

/** @param {http.Server} server */
function listen(server) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(/** @type {import('node:net').AddressInfo} */ (server.address()).port));
  });
}

/** @param {http.Server} server */
function closer(server) {
  return () => new Promise((resolve) => {
    server.closeAllConnections?.();
    server.close(() => resolve(undefined));
  });
}

/** The password of a Basic Authorization header, or undefined. */
function basicPassword(header) {
  const m = /^Basic\s+(\S+)$/i.exec(header ?? '');
  if (!m) return undefined;
  const text = Buffer.from(m[1], 'base64').toString('utf8');
  const i = text.indexOf(':');
  return i < 0 ? undefined : text.slice(i + 1);
}

/**
 * Serves the bare repositories under `root` over smart HTTP: http://127.0.0.1:PORT/<path under root>.
 * `token`: the password every request must carry, or a function of the request's path giving it.
 * @param {{ root: string, token: string | ((pathname: string) => string) }} o
 */
export async function startGitServer(o) {
  /** @type {Array<{ method: string, url: string, authorized: boolean }>} */
  const requests = [];
  const server = http.createServer((req, res) => {
    const expected = typeof o.token === 'function' ? o.token(new URL(req.url ?? '/', 'http://127.0.0.1').pathname) : o.token;
    const authorized = basicPassword(req.headers.authorization) === expected;
    requests.push({ method: req.method ?? '', url: req.url ?? '', authorized });
    if (!authorized) {
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="fake git"', 'Content-Type': 'text/plain' });
      res.end('authentication required\n');
      return;
    }
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const child = spawn('git', ['http-backend'], {
      env: {
        PATH: process.env.PATH,
        GIT_CONFIG_NOSYSTEM: '1',
        GIT_CONFIG_GLOBAL: '/dev/null',
        GIT_PROJECT_ROOT: o.root,
        GIT_HTTP_EXPORT_ALL: '1',
        REQUEST_METHOD: req.method ?? 'GET',
        PATH_INFO: decodeURIComponent(url.pathname),
        QUERY_STRING: url.search.slice(1),
        CONTENT_TYPE: req.headers['content-type'] ?? '',
        ...(req.headers['content-length'] ? { CONTENT_LENGTH: req.headers['content-length'] } : {}),
        HTTP_CONTENT_ENCODING: req.headers['content-encoding'] ?? '',
        GIT_PROTOCOL: req.headers['git-protocol'] ?? '',
        REMOTE_USER: 'test',
        REMOTE_ADDR: '127.0.0.1',
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    req.pipe(child.stdin);
    child.stdin.on('error', () => {});
    child.stderr.resume();
    let head = Buffer.alloc(0);
    let started = false;
    child.stdout.on('data', (chunk) => {
      if (started) {
        res.write(chunk);
        return;
      }
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      started = true;
      let status = 200;
      const headers = {};
      for (const line of head.subarray(0, end).toString('latin1').split('\r\n')) {
        const i = line.indexOf(':');
        if (i < 0) continue;
        const k = line.slice(0, i).trim();
        const v = line.slice(i + 1).trim();
        if (k.toLowerCase() === 'status') status = Number(v.split(' ')[0]);
        else headers[k] = v;
      }
      res.writeHead(status, headers);
      res.write(head.subarray(end + 4));
    });
    child.on('close', () => {
      if (!started) {
        res.writeHead(500);
        res.end();
      } else res.end();
    });
  });
  const port = await listen(server);
  return { url: `http://127.0.0.1:${port}`, port, requests, close: closer(server) };
}

/**
 * A fake GitHub API at `http://127.0.0.1:PORT<basePath>`: GET /orgs/:org/repos and /users/:user/repos.
 * @param {{ token: string, basePath?: string, pageSize?: number,
 *   orgs?: Record<string, object[]>, users?: Record<string, object[]>,
 *   rateLimit?: 'reset' | 'retry-after' }} o  rateLimit: the first request for page 2 is refused once, with
 *   X-RateLimit-Remaining: 0 and a reset a second ahead ('reset'), or 429 and Retry-After: 1 ('retry-after').
 */
export async function startFakeGithub(o) {
  const base = o.basePath ?? '';
  const pageSize = o.pageSize ?? 2;
  const requests = [];
  let limited = false;
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    requests.push({ url: req.url, authorization: req.headers.authorization ?? '', accept: req.headers.accept ?? '' });
    const json = (status, body, headers = {}) => {
      res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', ...headers });
      res.end(JSON.stringify(body));
    };
    if (req.headers.authorization !== `Bearer ${o.token}`) return json(401, { message: 'Bad credentials' });
    const m = new RegExp(`^${base.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}/(orgs|users)/([^/]+)/repos$`).exec(url.pathname);
    const list = m && (m[1] === 'orgs' ? o.orgs : o.users)?.[decodeURIComponent(m[2])];
    if (!list) return json(404, { message: 'Not Found' });
    const page = Number(url.searchParams.get('page') ?? '1');
    if (page === 2 && o.rateLimit && !limited) {
      limited = true;
      if (o.rateLimit === 'retry-after') return json(429, { message: 'secondary rate limit' }, { 'Retry-After': '1' });
      return json(403, { message: 'API rate limit exceeded' }, { 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': String(Math.floor(Date.now() / 1000) + 1) });
    }
    const pages = Math.max(1, Math.ceil(list.length / pageSize));
    const link = (p) => {
      const u = new URL(url.href);
      u.searchParams.set('page', String(p));
      return `<http://${req.headers.host}${u.pathname}${u.search}>`;
    };
    const headers = { 'X-RateLimit-Remaining': '4999' };
    if (pages > 1) headers.Link = [page < pages && `${link(page + 1)}; rel="next"`, `${link(pages)}; rel="last"`, page > 1 && `${link(1)}; rel="first"`].filter(Boolean).join(', ');
    json(200, list.slice((page - 1) * pageSize, page * pageSize), headers);
  });
  const port = await listen(server);
  return { url: `http://127.0.0.1:${port}${base}`, port, requests, close: closer(server) };
}

/**
 * A fake GitLab API at `http://127.0.0.1:PORT/api/v4`: GET /groups/:id/projects (the id a URL-encoded full path;
 * include_subgroups=true adds the projects of every group under it). Pages say x-next-page (and Link).
 * @param {{ token: string, pageSize?: number, groups: Record<string, object[]>, rateLimit?: boolean }} o
 */
export async function startFakeGitlab(o) {
  const pageSize = o.pageSize ?? 2;
  const requests = [];
  let limited = false;
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    requests.push({ url: req.url, authorization: req.headers.authorization ?? '', privateToken: req.headers['private-token'] ?? '' });
    const json = (status, body, headers = {}) => {
      res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    if (req.headers.authorization !== `Bearer ${o.token}` && req.headers['private-token'] !== o.token) return json(401, { message: '401 Unauthorized' });
    // The raw path: the group's id is one segment, its slashes encoded.
    const m = /^\/api\/v4\/groups\/([^/]+)\/projects$/.exec(url.pathname);
    if (!m) return json(404, { message: '404 Not Found' });
    const group = decodeURIComponent(m[1]);
    const sub = url.searchParams.get('include_subgroups') === 'true';
    const list = Object.entries(o.groups)
      .filter(([g]) => g === group || (sub && g.startsWith(`${group}/`)))
      .flatMap(([, projects]) => projects);
    if (!Object.keys(o.groups).some((g) => g === group)) return json(404, { message: '404 Group Not Found' });
    const page = Number(url.searchParams.get('page') ?? '1');
    if (page === 2 && o.rateLimit && !limited) {
      limited = true;
      return json(429, { message: 'Retry later' }, { 'Retry-After': '1' });
    }
    const pages = Math.max(1, Math.ceil(list.length / pageSize));
    const link = (p) => {
      const u = new URL(url.href);
      u.searchParams.set('page', String(p));
      return `<http://${req.headers.host}${u.pathname}${u.search}>`;
    };
    const headers = { 'x-page': String(page), 'x-per-page': String(pageSize), 'x-total': String(list.length), 'x-total-pages': String(pages), 'x-next-page': page < pages ? String(page + 1) : '' };
    // Link on every other page only, so that both ways of paging are exercised.
    if (page < pages && page % 2 === 0) headers.Link = `${link(page + 1)}; rel="next"`;
    json(200, list.slice((page - 1) * pageSize, page * pageSize), headers);
  });
  const port = await listen(server);
  return { url: `http://127.0.0.1:${port}/api/v4`, port, requests, close: closer(server) };
}

const gitEnv = {
  ...process.env,
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_AUTHOR_NAME: 'Alice Example',
  GIT_AUTHOR_EMAIL: 'alice@example.com',
  GIT_COMMITTER_NAME: 'Alice Example',
  GIT_COMMITTER_EMAIL: 'alice@example.com',
  GIT_AUTHOR_DATE: '2024-03-01T10:00:00Z',
  GIT_COMMITTER_DATE: '2024-03-01T10:00:00Z',
};

export function git(args, cwd, input) {
  const r = spawnSync('git', args, { cwd, env: gitEnv, input, maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')} failed in ${cwd}: ${r.stderr}`);
  return r.stdout.toString().trim();
}

/**
 * A commit of `files` on top of `parent` (a commit or ref; none for a root commit) in a bare repository, made in a
 * scratch work tree that is removed after. `env` adds to git's environment (fixed dates, for instance).
 */
function commitFiles(bare, files, { parent, message, env = {} }) {
  const work = fs.mkdtempSync(path.join(path.dirname(bare), '.work-'));
  try {
    const runEnv = { ...gitEnv, GIT_DIR: bare, GIT_WORK_TREE: work, GIT_INDEX_FILE: path.join(work, '.index'), ...env };
    const run = (args) => {
      const r = spawnSync('git', args, { cwd: work, env: runEnv, maxBuffer: 1 << 28 });
      if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
      return r.stdout.toString().trim();
    };
    if (parent) run(['read-tree', parent]);
    for (const [rel, content] of Object.entries(files)) {
      const p = path.join(work, rel);
      fs.mkdirSync(path.dirname(p), { recursive: true });
      fs.writeFileSync(p, content);
      run(['update-index', '--add', '--', rel]);
    }
    const tree = run(['write-tree']);
    return run(['commit-tree', tree, '-m', message, ...(parent ? ['-p', parent] : [])]);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/**
 * A bare repository at ROOT/<name>.git made from `files` (path -> content) in one commit on main, plus extra refs
 * (name -> files of a commit on top of main), e.g. refs/pull/1/head. Returns the bare repository's path.
 * @param {string} root @param {string} name @param {Record<string, string>} files @param {Record<string, Record<string, string>>} [refs]
 */
export function makeBareRepo(root, name, files, refs = {}) {
  const bare = path.join(root, `${name}.git`);
  fs.mkdirSync(bare, { recursive: true });
  git(['init', '-q', '--bare', '-b', 'main'], bare);
  const main = commitFiles(bare, files, { message: 'initial' });
  git(['update-ref', 'refs/heads/main', main], bare);
  for (const [ref, more] of Object.entries(refs)) git(['update-ref', ref, commitFiles(bare, more, { parent: main, message: 'more' })], bare);
  return bare;
}

/** Adds a commit with these files on top of main in a bare repository made by makeBareRepo. */
export function pushCommit(bare, files) {
  const commit = commitFiles(bare, files, {
    parent: 'refs/heads/main',
    message: 'new work',
    env: { GIT_COMMITTER_DATE: '2024-03-08T10:00:00Z', GIT_AUTHOR_DATE: '2024-03-08T10:00:00Z' },
  });
  git(['update-ref', 'refs/heads/main', commit], bare);
  return commit;
}

/**
 * A forward HTTP proxy on loopback, recording what it forwarded: absolute-form requests, and CONNECT tunnels
 * (undici's proxy agent tunnels every request) to 127.0.0.1 only.
 */
export async function startForwardProxy() {
  const requests = [];
  const server = http.createServer((req, res) => {
    requests.push({ method: req.method, url: req.url });
    let target;
    try {
      target = new URL(req.url ?? '');
    } catch {
      res.writeHead(400);
      res.end();
      return;
    }
    const up = http.request(target, { method: req.method, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on('error', () => {
      res.writeHead(502);
      res.end();
    });
    req.pipe(up);
  });
  server.on('connect', (req, socket, head) => {
    requests.push({ method: 'CONNECT', url: req.url });
    const [host, port] = (req.url ?? '').split(':');
    if (host !== '127.0.0.1') {
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    const up = net.connect(Number(port), host, () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      up.write(head);
      up.pipe(socket);
      socket.pipe(up);
    });
    up.on('error', () => socket.destroy());
    socket.on('error', () => up.destroy());
  });
  const port = await listen(server);
  return { url: `http://127.0.0.1:${port}`, port, requests, close: closer(server) };
}
