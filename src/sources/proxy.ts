// Which proxy an HTTPS request takes: HTTPS_PROXY / HTTP_PROXY (either case) unless NO_PROXY exempts the host, as
// curl and git read them. Node's fetch ignores these variables, so requests go through undici with the chosen agent.
// (undici's EnvHttpProxyAgent would do this too, but prints an "experimental" warning on stderr.)
import { Agent, ProxyAgent, fetch as undiciFetch, type Dispatcher } from 'undici';

let direct: Dispatcher | undefined;
const proxies = new Map<string, Dispatcher>();

/** Whether NO_PROXY (comma- or space-separated hosts, `.suffix`, `host:port`, `*`) exempts this URL. */
export function noProxyFor(url: URL, env: NodeJS.ProcessEnv = process.env): boolean {
  const list = (env.NO_PROXY ?? env.no_proxy ?? '').split(/[\s,]+/).filter(Boolean);
  const host = url.hostname.toLowerCase().replace(/^\[|\]$/g, '');
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  return list.some((raw) => {
    if (raw === '*') return true;
    const m = /^(.*?)(?::(\d+))?$/.exec(raw.toLowerCase().replace(/^\*/, ''))!;
    const name = m[1].replace(/^\[|\]$/g, '');
    if (m[2] && m[2] !== port) return false;
    const bare = name.replace(/^\./, '');
    return host === bare || host.endsWith(`.${bare}`);
  });
}

/** The proxy for this URL from HTTPS_PROXY / HTTP_PROXY (either case), unless NO_PROXY exempts it. */
export function proxyFor(url: URL, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const proxy = url.protocol === 'https:' ? (env.HTTPS_PROXY ?? env.https_proxy ?? env.HTTP_PROXY ?? env.http_proxy) : (env.HTTP_PROXY ?? env.http_proxy);
  if (!proxy || noProxyFor(url, env)) return undefined;
  return proxy;
}

/** One agent per proxy (or none), shared by every request of the run. */
export function dispatcherFor(url: URL): Dispatcher {
  const proxy = proxyFor(url);
  if (!proxy) return (direct ??= new Agent());
  let p = proxies.get(proxy);
  if (!p) proxies.set(proxy, (p = new ProxyAgent(proxy)));
  return p;
}

/** fetch through dispatcherFor: the proxy the environment names for each URL, or none. */
export const proxiedFetch: typeof fetch = ((input: string | URL, init?: RequestInit) =>
  undiciFetch(input, { ...(init as object), dispatcher: dispatcherFor(new URL(String(input))) } as Parameters<typeof undiciFetch>[1])) as unknown as typeof fetch;
