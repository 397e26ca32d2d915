// Node's fetch ignores HTTPS_PROXY / HTTP_PROXY. When one is set and undici (the library Node's fetch is built on)
// is installed, the listing goes through undici's EnvHttpProxyAgent, which also honours NO_PROXY. Git reads the
// same variables itself for clones and fetches.

type Fetch = typeof fetch;

const PROXY_VARS = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy'];

/** A fetch that honours the proxy variables, Node's own when none is set; `note` is told when one is ignored. */
export async function proxyAwareFetch(note: (line: string) => void, env: NodeJS.ProcessEnv = process.env): Promise<Fetch | undefined> {
  if (!PROXY_VARS.some((v) => env[v])) return undefined;
  try {
    // By name at run time: undici is optional (not a dependency of its own).
    const name = 'undici';
    const undici = (await import(name)) as { fetch: Fetch; EnvHttpProxyAgent?: new () => unknown };
    if (!undici.EnvHttpProxyAgent) throw new Error('no EnvHttpProxyAgent');
    const dispatcher = new undici.EnvHttpProxyAgent();
    return ((input: Parameters<Fetch>[0], init?: Parameters<Fetch>[1]) => undici.fetch(input, { ...init, dispatcher } as Parameters<Fetch>[1])) as Fetch;
  } catch {
    note('a proxy is set (HTTPS_PROXY/HTTP_PROXY) but undici 6.8 or later is not installed: the API is called without it (git still uses it)');
    return undefined;
  }
}
