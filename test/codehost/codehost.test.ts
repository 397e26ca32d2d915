// The code-host source's pieces without a server: pages, rate-limit waits, the token's way into git (and out of
// messages), where mirrors go and which clone URLs are taken.
import { describe, expect, it } from 'vitest';
import {
  checkedCloneUrl, hostAuth, listRepositories, mirrorPath, nextLink, rateLimitWait, readToken, selectRepositories, type HostTarget,
} from '../../src/sources/codehost/index.js';
import { fakeGithubPat } from '../helpers/fake-tokens.js';

const headers = (h: Record<string, string>) => new Headers(h);

describe('code host listing', () => {
  it('follows rel="next" among other relations', () => {
    expect(nextLink('<https://h/x?page=3>; rel="next", <https://h/x?page=9>; rel="last"')).toBe('https://h/x?page=3');
    expect(nextLink('<https://h/x?page=1>; rel="prev", <https://h/x?page=9>; rel="last"')).toBeUndefined();
    expect(nextLink('<https://h/a>; rel=next')).toBe('https://h/a');
    expect(nextLink('<https://h/a>; rel="nextish"')).toBeUndefined();
    expect(nextLink(null)).toBeUndefined();
  });

  it('reads how long to wait: Retry-After (seconds or a date), or a spent X-RateLimit-Remaining with its reset', () => {
    const now = Date.UTC(2026, 0, 1);
    expect(rateLimitWait({ status: 429, headers: headers({ 'retry-after': '3' }) }, now)).toBe(3000);
    expect(rateLimitWait({ status: 403, headers: headers({ 'retry-after': new Date(now + 5000).toUTCString() }) }, now)).toBe(5000);
    expect(rateLimitWait({ status: 403, headers: headers({ 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(now / 1000 + 10) }) }, now)).toBe(11_000);
    // A 403 that is no rate limit (no permission) is an error, not a wait.
    expect(rateLimitWait({ status: 403, headers: headers({ 'x-ratelimit-remaining': '12' }) }, now)).toBeUndefined();
    expect(rateLimitWait({ status: 200, headers: headers({ 'retry-after': '3' }) }, now)).toBeUndefined();
  });

  const target: HostTarget = { kind: 'github', scope: 'org', name: 'acme', apiUrl: 'https://ghe.example.com/api/v3' };
  const reply = (status: number, body: unknown, h: Record<string, string> = {}) => new Response(JSON.stringify(body), { status, headers: h });

  it('waits out a rate limit within --max-wait, and gives up, in one line, beyond it', async () => {
    const token = fakeGithubPat();
    const auth = hostAuth('github', token);
    const calls: string[] = [];
    const slept: number[] = [];
    let n = 0;
    const fetchFake = (async (url: URL, init: RequestInit) => {
      calls.push(`${url.href} ${(init.headers as Record<string, string>).Authorization}`);
      if (n++ === 0) return reply(429, { message: 'slow down' }, { 'retry-after': '2' });
      return reply(200, [{ full_name: 'acme/a', clone_url: 'https://ghe.example.com/acme/a.git', fork: false, archived: false }]);
    }) as unknown as typeof fetch;
    const notes: string[] = [];
    const r = await listRepositories(target, { auth, maxWaitMs: 10_000, fetch: fetchFake, sleep: async (ms) => void slept.push(ms), onWait: (l) => notes.push(l) });
    expect(r.repositories).toEqual([{ name: 'acme/a', cloneUrl: 'https://ghe.example.com/acme/a.git', fork: false, archived: false }]);
    expect(calls).toEqual([`https://ghe.example.com/api/v3/orgs/acme/repos?type=all&per_page=100 Bearer ${token}`, `https://ghe.example.com/api/v3/orgs/acme/repos?type=all&per_page=100 Bearer ${token}`]);
    expect(slept).toEqual([2000]);
    expect(notes).toEqual(['rate limited by ghe.example.com: waiting 2 s, then going on']);

    const long = (async () => reply(403, { message: 'API rate limit exceeded' }, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600) })) as unknown as typeof fetch;
    await expect(listRepositories(target, { auth, maxWaitMs: 60_000, fetch: long })).rejects.toThrow(/^rate limited by ghe\.example\.com for another \d+ s, longer than --max-wait \(60 s\); run again later$/);
  });

  it('never follows a page or a redirect to another host with the token', async () => {
    const auth = hostAuth('github', fakeGithubPat());
    const foreign = (async () => reply(200, [{ full_name: 'acme/a', clone_url: 'https://ghe.example.com/acme/a.git' }], { link: '<https://evil.example/next>; rel="next"' })) as unknown as typeof fetch;
    await expect(listRepositories(target, { auth, maxWaitMs: 0, fetch: foreign })).rejects.toThrow(/next page on another host \(https:\/\/evil\.example\)/);
    const redirect = (async () => new Response(null, { status: 302, headers: { location: 'https://evil.example/x' } })) as unknown as typeof fetch;
    await expect(listRepositories(target, { auth, maxWaitMs: 0, fetch: redirect })).rejects.toThrow(/redirected to another host/);
  });
});

describe('code host token', () => {
  it('goes to git as an extra header after the GIT_CONFIG entries already set, with prompts off', () => {
    const token = fakeGithubPat();
    const env = hostAuth('github', token).gitEnv({ GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: 'core.x', GIT_CONFIG_VALUE_0: 'y' });
    expect(env.GIT_TERMINAL_PROMPT).toBe('0');
    expect(env.GIT_CONFIG_KEY_0).toBeUndefined();
    const count = Number(env.GIT_CONFIG_COUNT);
    const pairs = Array.from({ length: count - 1 }, (_, i) => [env[`GIT_CONFIG_KEY_${i + 1}`], env[`GIT_CONFIG_VALUE_${i + 1}`]]);
    const basic = Buffer.from(`x-access-token:${token}`).toString('base64');
    expect(pairs).toContainEqual(['http.extraHeader', `Authorization: Basic ${basic}`]);
    // An empty extraHeader first drops any the user's configuration adds; no credential helper is asked.
    expect(pairs.findIndex(([k, v]) => k === 'http.extraHeader' && v === '')).toBeLessThan(pairs.findIndex(([, v]) => v?.startsWith('Authorization')));
    expect(pairs).toContainEqual(['credential.helper', '']);
    const gitlab = hostAuth('gitlab', token).gitEnv({});
    expect(Object.values(gitlab)).toContain(`Authorization: Basic ${Buffer.from(`oauth2:${token}`).toString('base64')}`);
    expect(hostAuth('gitlab', undefined).gitEnv({})).not.toHaveProperty('GIT_CONFIG_VALUE_3');
  });

  it('is masked in every message, as itself, in its Basic form and as URL user information', () => {
    const token = fakeGithubPat();
    const auth = hostAuth('github', token);
    const basic = Buffer.from(`x-access-token:${token}`).toString('base64');
    const text = auth.redact(`fatal: https://x-access-token:${token}@github.com/a/b.git: Authorization: Basic ${basic} (${token})`);
    expect(text).not.toContain(token);
    expect(text).not.toContain(basic);
    expect(text).toBe('fatal: https://***@github.com/a/b.git: Authorization: Basic *** (***)');
  });

  it('comes from --token-file (first line) before the environment; a token with a line break is refused', async () => {
    const fs = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shadowscan-token-'));
    const file = path.join(dir, 't');
    const token = fakeGithubPat();
    fs.writeFileSync(file, `\n${token}\nrest\n`);
    expect(readToken('github', file, { GITHUB_TOKEN: 'other' })).toBe(token);
    expect(readToken('github', undefined, { GITHUB_TOKEN: ` ${token} ` })).toBe(token);
    expect(readToken('gitlab', undefined, { GITHUB_TOKEN: token })).toBeUndefined();
    expect(() => readToken('github', undefined, { GITHUB_TOKEN: `${token}\nX-Other: 1` })).toThrow(/spaces or control characters/);
    expect(() => readToken('github', path.join(dir, 'missing'))).toThrow(/^cannot read --token-file .*: ENOENT$/);
  });
});

describe('mirrors', () => {
  const target: HostTarget = { kind: 'github', scope: 'org', name: 'acme', apiUrl: 'https://api.github.com' };

  it('live under ROOT/<clone host>/<owner>/<name>.git; names that could leave the folder are refused', () => {
    expect(mirrorPath('/m', { name: 'acme/api', cloneUrl: 'https://github.com/acme/api.git' })).toBe('/m/github.com/acme/api.git');
    expect(mirrorPath('/m', { name: 'grp/sub/lib', cloneUrl: 'http://127.0.0.1:8080/grp/sub/lib.git' })).toBe('/m/127.0.0.1_8080/grp/sub/lib.git');
    for (const name of ['acme/../../etc', '../x', 'acme/.hidden', 'acme/a b', '/abs', 'acme//x']) {
      expect(mirrorPath('/m', { name, cloneUrl: 'https://github.com/x.git' }), name).toBeUndefined();
    }
  });

  it('are cloned only from the API host (github.com for api.github.com), over https, without user information', () => {
    const check = (cloneUrl: string, t = target) => checkedCloneUrl({ name: 'acme/a', cloneUrl }, t);
    expect(check('https://github.com/acme/a.git')).toEqual({ url: 'https://github.com/acme/a.git' });
    expect(check('https://user:pw@github.com/acme/a.git')).toEqual({ url: 'https://github.com/acme/a.git' });
    expect(check('https://evil.example/acme/a.git')).toHaveProperty('error');
    expect(check('http://github.com/acme/a.git')).toHaveProperty('error');
    expect(check('ssh://git@github.com/acme/a.git')).toHaveProperty('error');
    expect(check('file:///etc')).toHaveProperty('error');
    expect(check('https://ghe.example.com/acme/a.git', { ...target, apiUrl: 'https://ghe.example.com/api/v3' })).toEqual({ url: 'https://ghe.example.com/acme/a.git' });
  });

  it('select: forks out unless asked for, archived out on request, globs on owner/name or the name', () => {
    const all = [
      { name: 'acme/api', cloneUrl: 'u', fork: false, archived: false },
      { name: 'acme/fork', cloneUrl: 'u', fork: true },
      { name: 'acme/attic', cloneUrl: 'u', archived: true },
    ];
    expect(selectRepositories(all, {})).toMatchObject({ forks: 1, archived: 0, filtered: 0, repositories: [{ name: 'acme/api' }, { name: 'acme/attic' }] });
    expect(selectRepositories(all, { includeForks: true, excludeArchived: true }).repositories.map((r) => r.name)).toEqual(['acme/api', 'acme/fork']);
    expect(selectRepositories(all, { repoFilter: ['a*'] }).repositories.map((r) => r.name)).toEqual(['acme/api', 'acme/attic']);
    expect(selectRepositories(all, { repoFilter: ['acme/ap*'] }).repositories.map((r) => r.name)).toEqual(['acme/api']);
    expect(selectRepositories(all, { repoFilter: ['ap*/x'] }).repositories).toEqual([]);
  });
});
