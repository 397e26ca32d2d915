// `shadowscan org --github / --github-user / --gitlab` end to end, nothing leaving 127.0.0.1: a fake GitHub API
// (enterprise base path /api/v3) and a fake GitLab API list repositories in pages, rate limit once, and point at
// bare repositories served by `git http-backend` behind a wrapper that answers 401 without the token. The token
// must reach the API and git, and nothing else: no file under the mirrors, the datastore, stdout or stderr.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliAsync, tempDir } from '../helpers/cli.js';
import { fakeAwsAccessKeyId, fakeGithubPat, fakeSlackBotToken, fakeStripeLiveKey } from '../helpers/fake-tokens.js';
import { fakeGenericSecret } from '../helpers/git-fixtures.js';
// @ts-expect-error plain JavaScript helper, shared with bench/org-mirror.mjs
import { makeBareRepo, pushCommit, startFakeGithub, startFakeGitlab, startForwardProxy, startGitServer } from '../helpers/fake-codehost.mjs';
import { ENV, fp } from './org-fixture.js';

interface Inv {
  scan: Record<string, any> & { org: { source: string; repositories: Array<Record<string, any>>; blobsRead: number; blobsReused: number }; warnings: string[] };
  tokens: Array<Record<string, any> & { id: string; repos?: string[] }>;
}

type Server = { url: string; port: number; requests: Array<Record<string, any>>; close: () => Promise<void> };

/** Every file under a folder (recursively), as bytes. */
function filesUnder(dir: string): Array<[string, Buffer]> {
  const out: Array<[string, Buffer]> = [];
  if (!fs.existsSync(dir)) return out;
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    const p = path.join(e.parentPath ?? (e as any).path, e.name);
    if (e.isFile()) out.push([p, fs.readFileSync(p)]);
  }
  return out;
}

describe('org from a code host', () => {
  // The API tokens: real shapes, random, made now.
  const GH_TOKEN = fakeGithubPat();
  const GL_TOKEN = `glpat-${fakeGenericSecret().slice(0, 20)}`;
  const planted = { pat: fakeGithubPat(), slackInPr: fakeSlackBotToken(), aws: fakeAwsAccessKeyId(), archived: fakeStripeLiveKey(), fork: fakeGithubPat(), later: fakeStripeLiveKey(), gitlab: fakeAwsAccessKeyId(), inMr: fakeSlackBotToken() };
  const work = tempDir('shadowscan-codehost-');
  const gitRoot = path.join(work, 'served');
  const mirrors = path.join(work, 'mirrors');
  const db = path.join(work, 'org.db');
  let git: Server;
  let gh: Server;
  let gl: Server;
  const env = (extra: NodeJS.ProcessEnv = {}) => ({
    ...ENV,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    SHADOWSCAN_CACHE_DIR: path.join(work, 'cache'),
    GITHUB_TOKEN: undefined,
    GITLAB_TOKEN: undefined,
    ...extra,
  });
  const outputs: string[] = [];

  async function org(args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<{ code: number; inv: Inv; stdout: string; stderr: string }> {
    const out = path.join(tempDir('shadowscan-codehost-out-'), 'inv.json');
    const r = await runCliAsync(['org', ...args, '--format', 'json', '--output', out, '-j', '2'], { env: env(extraEnv) });
    const inv = fs.existsSync(out) ? (JSON.parse(fs.readFileSync(out, 'utf8')) as Inv) : ({ scan: {}, tokens: [] } as unknown as Inv);
    outputs.push(r.stdout, r.stderr, fs.existsSync(out) ? fs.readFileSync(out, 'utf8') : '');
    return { ...r, inv };
  }
  const list = async (args: string[], extraEnv: NodeJS.ProcessEnv = {}) => {
    const r = await runCliAsync(['org', ...args, '--list'], { env: env(extraEnv) });
    outputs.push(r.stdout, r.stderr);
    return r;
  };

  beforeAll(async () => {
    git = await startGitServer({ root: gitRoot, token: (p: string) => (p.startsWith('/grp/') ? GL_TOKEN : GH_TOKEN) });
    const gh_ = (name: string, extra: Record<string, unknown> = {}) => ({ full_name: name, name: name.split('/')[1], clone_url: `${git.url}/${name}.git`, fork: false, archived: false, private: true, default_branch: 'main', ...extra });
    makeBareRepo(gitRoot, 'acme/api', { 'config/app.env': `GITHUB_TOKEN=${planted.pat}\n`, 'README.md': '# api\n' }, { 'refs/pull/1/head': { 'ci/notify.sh': `SLACK_TOKEN=${planted.slackInPr}\n` } });
    makeBareRepo(gitRoot, 'acme/web', { 'deploy/aws.env': `AWS_ACCESS_KEY_ID=${planted.aws}\n`, 'index.html': '<p>web</p>\n' });
    makeBareRepo(gitRoot, 'acme/old', { 'pay.py': `stripe.api_key = "${planted.archived}"\n` });
    makeBareRepo(gitRoot, 'acme/forked', { 'token.txt': `GITHUB_TOKEN=${planted.fork}\n` });
    makeBareRepo(gitRoot, 'alice/dots', { '.bashrc': 'alias ll="ls -l"\n' });
    makeBareRepo(gitRoot, 'grp/app', { 'aws.env': `AWS_ACCESS_KEY_ID=${planted.gitlab}\n` });
    makeBareRepo(gitRoot, 'grp/sub/lib', { 'lib.py': 'x = 1\n' }, { 'refs/merge-requests/1/head': { 'hook.sh': `SLACK_TOKEN=${planted.inMr}\n` } });
    makeBareRepo(gitRoot, 'grp/sub/attic', { 'old.txt': 'nothing here\n' });
    gh = await startFakeGithub({
      token: GH_TOKEN,
      basePath: '/api/v3',
      pageSize: 2,
      rateLimit: 'reset',
      orgs: {
        acme: [
          gh_('acme/api'),
          gh_('acme/web'),
          gh_('acme/old', { archived: true }),
          gh_('acme/forked', { fork: true }),
          // Listed, never pushed: its clone fails (404 from http-backend).
          gh_('acme/broken'),
          // On another host than the API's: refused before any connection.
          gh_('acme/elsewhere', { clone_url: 'http://example.invalid/acme/elsewhere.git' }),
        ],
      },
      users: { alice: [gh_('alice/dots')] },
    });
    const gl_ = (p: string, extra: Record<string, unknown> = {}) => ({ path_with_namespace: p, http_url_to_repo: `${git.url}/${p}.git`, archived: false, default_branch: 'main', visibility: 'private', ...extra });
    gl = await startFakeGitlab({
      token: GL_TOKEN,
      pageSize: 1,
      rateLimit: true,
      groups: { grp: [gl_('grp/app')], 'grp/sub': [gl_('grp/sub/lib'), gl_('grp/sub/attic', { archived: true }), gl_('grp/sub/lib-fork', { forked_from_project: { id: 7, path_with_namespace: 'grp/sub/lib' } })] },
    });
  });

  afterAll(async () => {
    await Promise.all([git?.close(), gh?.close(), gl?.close()]);
  });

  let first: Awaited<ReturnType<typeof org>>;
  let second: Awaited<ReturnType<typeof org>>;

  it('GitHub (enterprise base path): lists every page, waits out a rate limit, mirrors with the token, scans the mirrors into one inventory', async () => {
    first = await org(['--github', 'acme', '--api-url', gh.url, '--mirror-dir', mirrors, '--db', db], { GITHUB_TOKEN: GH_TOKEN });
    expect(first.code, first.stderr).toBe(1);
    // Three pages of two; page 2 was refused once (X-RateLimit-Remaining: 0) and asked again.
    const pages = gh.requests.map((r) => new URL(r.url, 'http://x').searchParams.get('page') ?? '1');
    expect(pages).toEqual(['1', '2', '2', '3']);
    expect(gh.requests.every((r) => r.url.startsWith('/api/v3/orgs/acme/repos?') && r.authorization === `Bearer ${GH_TOKEN}`)).toBe(true);
    expect(first.stderr).toMatch(/^shadowscan: rate limited by 127\.0\.0\.1:\d+: waiting \d+ s, then going on$/m);
    expect(first.stderr).toContain('6 repositories listed, left out: 1 fork (--include-forks)');
    // The git server saw the token on every request (it answers 401 otherwise).
    expect(git.requests.length).toBeGreaterThan(0);
    expect(git.requests.filter((r) => r.url.startsWith('/acme/')).every((r) => r.authorized)).toBe(true);

    const repos = Object.fromEntries(first.inv.scan.org.repositories.map((r) => [r.name, r]));
    expect(Object.keys(repos).sort()).toEqual(['acme/api', 'acme/broken', 'acme/elsewhere', 'acme/old', 'acme/web']);
    expect(first.inv.scan.org.source).toBe(`github acme at 127.0.0.1:${gh.port}`);
    for (const n of ['acme/api', 'acme/old', 'acme/web']) expect(repos[n].status, n).toBe('scanned');
    expect(repos['acme/broken']).toMatchObject({ status: 'failed' });
    expect(repos['acme/broken'].error).toMatch(/^git clone failed: /);
    expect(repos['acme/elsewhere'].error).toContain("not the API's host");
    expect(first.inv.scan.warnings.some((w) => w.startsWith('repository acme/broken failed: git clone failed'))).toBe(true);
    expect(first.stderr).toMatch(/^warning: repository acme\/broken failed: git clone failed: fatal: repository '.*' not found; /m);
    expect(first.stderr).toContain('mirrors: 3 cloned, 0 fetched, 2 failed');

    const found = (secret: string) => first.inv.tokens.find((t) => t.id === fp(secret));
    expect(found(planted.pat)?.repos).toEqual(['acme/api']);
    // Only in a pull request's ref: the mirror brings refs/pull/*.
    expect(found(planted.slackInPr)?.repos).toEqual(['acme/api']);
    expect(found(planted.aws)?.repos).toEqual(['acme/web']);
    expect(found(planted.archived)?.repos).toEqual(['acme/old']);
    expect(found(planted.fork)).toBeUndefined();
    expect(first.inv.tokens).toHaveLength(4);
    // Mirrors: bare, under the clone host, named owner/repo.git.
    expect(fs.existsSync(path.join(mirrors, `127.0.0.1_${git.port}`, 'acme', 'api.git', 'HEAD'))).toBe(true);
    const config = fs.readFileSync(path.join(mirrors, `127.0.0.1_${git.port}`, 'acme', 'api.git', 'config'), 'utf8');
    expect(config).toContain(`url = ${git.url}/acme/api.git`);
  });

  it('a re-run after one new commit fetches, and reads only the new blob', async () => {
    pushCommit(path.join(gitRoot, 'acme/web.git'), { 'billing.py': `stripe.api_key = "${planted.later}"\n` });
    const before = git.requests.length;
    second = await org(['--github', 'acme', '--api-url', gh.url, '--mirror-dir', mirrors, '--db', db], { GITHUB_TOKEN: GH_TOKEN });
    expect(second.code, second.stderr).toBe(1);
    expect(second.stderr).toContain('mirrors: 0 cloned, 3 fetched, 2 failed');
    expect(git.requests.slice(before).filter((r) => r.url.startsWith('/acme/')).every((r) => r.authorized)).toBe(true);
    expect(second.inv.scan.org.blobsRead).toBe(1);
    const repos = Object.fromEntries(second.inv.scan.org.repositories.map((r) => [r.name, r]));
    expect(repos['acme/web']).toMatchObject({ status: 'scanned', blobs: 1 });
    expect(repos['acme/api'].unchanged).toBe(true);
    expect(repos['acme/old'].unchanged).toBe(true);
    expect(repos['acme/broken'].status).toBe('failed');
    expect(second.inv.tokens.find((t) => t.id === fp(planted.later))?.repos).toEqual(['acme/web']);
    expect(second.inv.tokens).toHaveLength(5);
  });

  it('filters: forks only with --include-forks, --exclude-archived, --repo-filter on owner/name or the name alone; a user\'s repositories', async () => {
    const names = async (...args: string[]) => {
      const r = await list(['--github', 'acme', '--api-url', gh.url, ...args], { GITHUB_TOKEN: GH_TOKEN });
      expect(r.code, r.stderr).toBe(0);
      return r.stdout.trim().split('\n');
    };
    expect(await names()).toEqual(['acme/api', 'acme/broken', 'acme/elsewhere', 'acme/old', 'acme/web']);
    expect(await names('--include-forks')).toContain('acme/forked');
    expect(await names('--exclude-archived')).toEqual(['acme/api', 'acme/broken', 'acme/elsewhere', 'acme/web']);
    expect(await names('--repo-filter', 'w*')).toEqual(['acme/web']);
    expect(await names('--repo-filter', 'acme/a*', '--repo-filter', 'old')).toEqual(['acme/api', 'acme/old']);
    const user = await list(['--github-user', 'alice', '--api-url', gh.url], { GITHUB_TOKEN: GH_TOKEN });
    expect(user.stdout).toBe('alice/dots\n');
    expect(gh.requests.some((r) => r.url.startsWith('/api/v3/users/alice/repos?per_page=100'))).toBe(true);
  });

  it('GitLab: a group with its subgroups, x-next-page paging, Retry-After, merge-request refs, the token from --token-file, the default mirror folder', async () => {
    const tokenFile = path.join(work, 'gitlab-token');
    fs.writeFileSync(tokenFile, `${GL_TOKEN}\n`);
    const r = await org(['--gitlab', 'grp', '--api-url', gl.url, '--token-file', tokenFile]);
    expect(r.code, r.stderr).toBe(1);
    expect(gl.requests[0].url).toBe('/api/v4/groups/grp/projects?include_subgroups=true&per_page=100');
    expect(gl.requests.every((q) => q.authorization === `Bearer ${GL_TOKEN}`)).toBe(true);
    expect(r.stderr).toMatch(/rate limited by 127\.0\.0\.1:\d+: waiting 1 s, then going on/);
    expect(r.inv.scan.org.repositories.map((x) => [x.name, x.status])).toEqual([['grp/app', 'scanned'], ['grp/sub/attic', 'scanned'], ['grp/sub/lib', 'scanned']]);
    expect(r.inv.tokens.find((t) => t.id === fp(planted.gitlab))?.repos).toEqual(['grp/app']);
    expect(r.inv.tokens.find((t) => t.id === fp(planted.inMr))?.repos).toEqual(['grp/sub/lib']);
    expect(fs.existsSync(path.join(work, 'cache', 'mirrors', `127.0.0.1_${git.port}`, 'grp', 'sub', 'lib.git', 'HEAD'))).toBe(true);
    // A subgroup by its full path, URL-encoded as one segment; archived projects left out on request.
    const sub = await list(['--gitlab', 'grp/sub', '--api-url', gl.url, '--exclude-archived'], { GITLAB_TOKEN: GL_TOKEN });
    expect(sub.stdout).toBe('grp/sub/lib\n');
    // A GitLab fork carries forked_from_project: left out unless asked for.
    const subForks = await list(['--gitlab', 'grp/sub', '--api-url', gl.url, '--exclude-archived', '--include-forks'], { GITLAB_TOKEN: GL_TOKEN });
    expect(subForks.stdout).toBe('grp/sub/lib\ngrp/sub/lib-fork\n');
    expect(gl.requests.some((q) => q.url.startsWith('/api/v4/groups/grp%2Fsub/projects?'))).toBe(true);
  });

  it('lists through HTTP_PROXY when one is set', { timeout: 20_000 }, async () => {
    const proxy = await startForwardProxy();
    try {
      const r = await list(['--github', 'acme', '--api-url', gh.url], { GITHUB_TOKEN: GH_TOKEN, HTTP_PROXY: proxy.url, http_proxy: undefined, HTTPS_PROXY: undefined, https_proxy: undefined, NO_PROXY: '', no_proxy: '' });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout.trim().split('\n')).toHaveLength(5);
      expect(proxy.requests.length).toBeGreaterThan(0);
      expect(proxy.requests.every((q) => q.url === `127.0.0.1:${gh.port}` || q.url.startsWith(`${gh.url}/orgs/acme/repos?`))).toBe(true);
    } finally {
      await proxy.close();
    }
  });

  it('refuses a token on the command line without echoing it; a bad token is one line and exit 2', async () => {
    const r = await list(['--github', 'acme', '--api-url', gh.url, `--token=${GH_TOKEN}`]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--token is not taken/);
    const bad = await list(['--github', 'acme', '--api-url', gh.url], { GITHUB_TOKEN: fakeGithubPat() });
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n').pop()).toMatch(/answered 401: Bad credentials \(is the token valid\?\)$/);
    expect(bad.stderr).not.toMatch(/\n\s+at /);
    const both = await list(['--github', 'acme', '--gitlab', 'grp']);
    expect(both.code).toBe(2);
    const folderOnly = await list(['.', '--include-forks']);
    expect(folderOnly.code).toBe(2);
    expect(folderOnly.stderr).toContain('--include-forks needs --github, --github-user or --gitlab');
  });

  it('the tokens never appear in a mirror, the datastore, stdout, stderr or a report', () => {
    expect(outputs.length).toBeGreaterThan(10);
    const forms = [GH_TOKEN, GL_TOKEN, Buffer.from(`x-access-token:${GH_TOKEN}`).toString('base64'), Buffer.from(`oauth2:${GL_TOKEN}`).toString('base64')];
    const files = [...filesUnder(mirrors), ...filesUnder(path.join(work, 'cache')), ...filesUnder(work).filter(([p]) => p.startsWith(db))];
    expect(files.length).toBeGreaterThan(20);
    expect(files.some(([p]) => p === db)).toBe(true);
    for (const f of forms) {
      for (const [p, bytes] of files) expect(bytes.includes(f), p).toBe(false);
      // The --token=... refusal is the one output allowed to hold it? No: not even that one.
      for (const o of outputs) expect(o.includes(f)).toBe(false);
    }
  });
});
