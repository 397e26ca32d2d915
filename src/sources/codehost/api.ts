// Listing a code host's repositories: paged GET requests with Node's fetch, rate limits waited out (within a cap),
// every page URL kept on the API's own origin so that the token goes nowhere else.
import { CodeHostError, type HostAuth } from './auth.js';
import type { HostedRepository, HostTarget } from './types.js';

export interface ListOptions {
  auth: HostAuth;
  /** The longest wait for a rate limit, in milliseconds; a longer one ends the listing with an error. */
  maxWaitMs: number;
  /** Told each wait, in one line. */
  onWait?: (line: string) => void;
  /** For tests and proxies. */
  fetch?: typeof fetch;
  /** Test hook: how to wait. */
  sleep?: (ms: number) => Promise<void>;
}

const MAX_PAGES = 2000;
const MAX_RETRIES = 6;
const MAX_REDIRECTS = 5;
const REQUEST_TIMEOUT_MS = 60_000;

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The URL of an API path below the base (which may itself have a path: /api/v3, /api/v4). */
export function apiEndpoint(apiUrl: string, pathAndQuery: string): URL {
  const base = new URL(apiUrl);
  if (base.protocol !== 'https:' && base.protocol !== 'http:') throw new CodeHostError(`--api-url must be an http(s) URL (got ${base.protocol})`);
  if (base.username || base.password) throw new CodeHostError('--api-url must not hold a user name or password: give the token in the environment or --token-file');
  return new URL(base.pathname.replace(/\/+$/, '') + pathAndQuery, base.origin);
}

/** The first path of a GitHub or GitLab listing. */
export function firstPage(t: HostTarget): URL {
  if (t.kind === 'github') {
    const who = encodeURIComponent(t.name);
    return apiEndpoint(t.apiUrl, t.scope === 'user' ? `/users/${who}/repos?per_page=100` : `/orgs/${who}/repos?type=all&per_page=100`);
  }
  // The group's id as its URL-encoded full path (my-group%2Fsub).
  return apiEndpoint(t.apiUrl, `/groups/${encodeURIComponent(t.name)}/projects?include_subgroups=true&per_page=100`);
}

/** rel="next" of a Link header. */
export function nextLink(link: string | null): string | undefined {
  if (!link) return undefined;
  for (const part of link.split(',')) {
    const m = /^\s*<([^>]*)>\s*;(.*)$/.exec(part);
    const rel = m && /\brel\s*=\s*(?:"([^"]*)"|([^\s;]+))/i.exec(m[2]);
    if (rel && (rel[1] ?? rel[2]).toLowerCase().split(/\s+/).includes('next')) return m![1];
  }
  return undefined;
}

/** How long a rate-limited answer asks to wait (ms), from Retry-After or X-RateLimit-Remaining: 0 and -Reset. */
export function rateLimitWait(res: { status: number; headers: Headers }, now = Date.now()): number | undefined {
  if (res.status !== 429 && res.status !== 403) return undefined;
  const retry = res.headers.get('retry-after');
  if (retry) {
    const secs = Number(retry);
    if (Number.isFinite(secs) && secs >= 0) return secs * 1000;
    const at = Date.parse(retry);
    if (Number.isFinite(at)) return Math.max(0, at - now);
  }
  const reset = Number(res.headers.get('x-ratelimit-reset'));
  if (res.headers.get('x-ratelimit-remaining') === '0' && Number.isFinite(reset) && reset > 0) return Math.max(0, reset * 1000 - now) + 1000;
  // A 429 without a hint: a minute, as GitHub's secondary limits suggest.
  return res.status === 429 ? 60_000 : undefined;
}

function describeError(err: unknown): string {
  const e = err as Error & { cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return `no answer in ${REQUEST_TIMEOUT_MS / 1000} s`;
  return e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(err);
}

async function serverMessage(res: Response): Promise<string> {
  try {
    const text = await res.text();
    const body = JSON.parse(text) as { message?: unknown; error?: unknown };
    const m = body.message ?? body.error;
    return typeof m === 'string' ? m : '';
  } catch {
    return '';
  }
}

const clip = (s: string) => (s.length > 200 ? `${s.slice(0, 200)}...` : s).replace(/[\u0000-\u001f\u007f]+/g, ' ');

/** One GET, redirects followed only on the same origin, rate limits waited out. */
async function getPage(url: URL, origin: string, o: ListOptions): Promise<Response> {
  const doFetch = o.fetch ?? fetch;
  const sleep = o.sleep ?? defaultSleep;
  let at = url;
  for (let attempt = 0, redirects = 0; ; ) {
    let res: Response;
    try {
      res = await doFetch(at, { headers: o.auth.apiHeaders(), redirect: 'manual', signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    } catch (err) {
      throw new CodeHostError(o.auth.redact(`cannot reach ${at.origin}: ${describeError(err)}`));
    }
    if (res.status >= 300 && res.status < 400 && res.headers.get('location')) {
      const to = new URL(res.headers.get('location')!, at);
      await res.body?.cancel();
      if (to.origin !== origin) throw new CodeHostError(o.auth.redact(`${at.origin} redirected to another host (${to.origin}): not followed with the token`));
      if (++redirects > MAX_REDIRECTS) throw new CodeHostError(`too many redirects from ${at.origin}`);
      at = to;
      continue;
    }
    const wait = rateLimitWait(res);
    if (wait !== undefined && attempt < MAX_RETRIES) {
      await res.body?.cancel();
      const secs = Math.ceil(wait / 1000);
      if (wait > o.maxWaitMs) {
        throw new CodeHostError(`rate limited by ${at.host} for another ${secs} s, longer than --max-wait (${Math.round(o.maxWaitMs / 1000)} s); run again later`);
      }
      o.onWait?.(`rate limited by ${at.host}: waiting ${secs} s, then going on`);
      await sleep(wait);
      attempt++;
      continue;
    }
    if (!res.ok) {
      const msg = clip(o.auth.redact(await serverMessage(res)));
      const hint = res.status === 401 ? ' (is the token valid?)' : res.status === 404 ? ' (no such organisation, user or group, or the token cannot see it)' : '';
      throw new CodeHostError(`${at.host} answered ${res.status}${msg ? `: ${msg}` : ''}${hint}`);
    }
    return res;
  }
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v ? v : undefined;
}

/** One API entry in the common shape, or a reason it is left out. */
function toRepository(kind: HostTarget['kind'], raw: unknown): HostedRepository | string {
  const r = (raw ?? {}) as Record<string, unknown>;
  const name = kind === 'github' ? str(r.full_name) : str(r.path_with_namespace);
  const cloneUrl = kind === 'github' ? str(r.clone_url) : str(r.http_url_to_repo);
  if (!name || !cloneUrl) return `an entry without ${kind === 'github' ? 'full_name or clone_url' : 'path_with_namespace or http_url_to_repo'}`;
  const repo: HostedRepository = { name, cloneUrl };
  if (typeof r.archived === 'boolean') repo.archived = r.archived;
  if (kind === 'github' && typeof r.fork === 'boolean') repo.fork = r.fork;
  // GitLab's Projects API carries `forked_from_project` (an object) on forks only.
  if (kind === 'gitlab') repo.fork = typeof r.forked_from_project === 'object' && r.forked_from_project !== null;
  return repo;
}

/**
 * Every repository of the organisation, user or group, following the pages (GitHub: Link rel=next; GitLab:
 * Link rel=next, else x-next-page) in the order the API gives them.
 */
export async function listRepositories(t: HostTarget, o: ListOptions): Promise<{ repositories: HostedRepository[]; warnings: string[] }> {
  const start = firstPage(t);
  const origin = start.origin;
  const repositories: HostedRepository[] = [];
  const warnings: string[] = [];
  const seen = new Set<string>();
  let url: URL | undefined = start;
  for (let page = 0; url; page++) {
    if (page >= MAX_PAGES) {
      warnings.push(`stopped after ${MAX_PAGES} pages of ${t.name}'s repositories`);
      break;
    }
    const res = await getPage(url, origin, o);
    let body: unknown;
    try {
      body = await res.json();
    } catch {
      throw new CodeHostError(`${url.host} answered something other than JSON for ${url.pathname}`);
    }
    if (!Array.isArray(body)) throw new CodeHostError(`${url.host} answered a ${typeof body} where a list of repositories was expected`);
    for (const raw of body) {
      const r = toRepository(t.kind, raw);
      if (typeof r === 'string') warnings.push(`${url.host} listed ${r}: left out`);
      else if (!seen.has(r.name)) {
        seen.add(r.name);
        repositories.push(r);
      }
    }
    const next = nextLink(res.headers.get('link'));
    let to: URL | undefined;
    if (next) to = new URL(next, url);
    else if (t.kind === 'gitlab' && /^\d+$/.test(res.headers.get('x-next-page') ?? '')) {
      to = new URL(url);
      to.searchParams.set('page', res.headers.get('x-next-page')!);
    }
    if (to && to.origin !== origin) throw new CodeHostError(o.auth.redact(`${url.host} sent a next page on another host (${to.origin}): not followed with the token`));
    url = to && body.length ? to : undefined;
  }
  return { repositories, warnings };
}
