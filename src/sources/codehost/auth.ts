// A code host's token: in the API's request headers and in git's environment for one process at a time, never in
// a URL, a file, an argument or a message (every message that quotes git or a server goes through `redact`).
import fs from 'node:fs';
import type { HostKind } from './types.js';

export class CodeHostError extends Error {}

/** The environment variable that holds each host's token. */
export const TOKEN_ENV: Record<HostKind, string> = { github: 'GITHUB_TOKEN', gitlab: 'GITLAB_TOKEN' };

/**
 * The token from `--token-file` (its first non-blank line), else from GITHUB_TOKEN / GITLAB_TOKEN; undefined when
 * neither is set (public repositories only). The file's content is never quoted in an error.
 */
export function readToken(kind: HostKind, tokenFile?: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (tokenFile !== undefined) {
    let text: string;
    try {
      text = fs.readFileSync(tokenFile, 'utf8');
    } catch (err) {
      throw new CodeHostError(`cannot read --token-file ${tokenFile}: ${(err as NodeJS.ErrnoException).code ?? 'unreadable'}`);
    }
    const token = text.split(/\r?\n/).map((l) => l.trim()).find(Boolean);
    if (!token) throw new CodeHostError(`--token-file ${tokenFile} is empty`);
    checkToken(token, `--token-file ${tokenFile}`);
    return token;
  }
  const token = env[TOKEN_ENV[kind]]?.trim();
  if (!token) return undefined;
  checkToken(token, TOKEN_ENV[kind]);
  return token;
}

/** A header value must not carry a line break (it would add headers of its own) or other control characters. */
function checkToken(token: string, where: string): void {
  if (/[\u0000-\u001f\u007f\s]/.test(token)) throw new CodeHostError(`the token in ${where} holds spaces or control characters`);
}

/** Git over HTTPS takes the token as a Basic password; these user names are the hosts' documented ones. */
const GIT_USER: Record<HostKind, string> = { github: 'x-access-token', gitlab: 'oauth2' };

export interface HostAuth {
  readonly kind: HostKind;
  /** Headers for an API request (no Authorization without a token). */
  apiHeaders(): Record<string, string>;
  /**
   * Environment for one git process that talks to the host: the Authorization header as `http.extraHeader`
   * through GIT_CONFIG_COUNT/KEY/VALUE (after any the caller's environment already sets), no prompts, no
   * credential helper asked once a token is given.
   */
  gitEnv(base?: NodeJS.ProcessEnv): Record<string, string>;
  /** The text with the token (and the header values made from it) and any URL user information replaced. */
  redact(text: string): string;
  readonly hasToken: boolean;
}

export function hostAuth(kind: HostKind, token: string | undefined): HostAuth {
  const basic = token ? Buffer.from(`${GIT_USER[kind]}:${token}`, 'utf8').toString('base64') : undefined;
  const secrets = token ? [token, basic!, encodeURIComponent(token)].filter((s, i, a) => s && a.indexOf(s) === i) : [];
  return {
    kind,
    hasToken: Boolean(token),
    apiHeaders() {
      const h: Record<string, string> = { 'User-Agent': 'shadowscan', Accept: kind === 'github' ? 'application/vnd.github+json' : 'application/json' };
      if (kind === 'github') h['X-GitHub-Api-Version'] = '2022-11-28';
      if (token) h.Authorization = `Bearer ${token}`;
      return h;
    },
    gitEnv(base = process.env) {
      const env: Record<string, string> = { GIT_TERMINAL_PROMPT: '0', GIT_ASKPASS: '', SSH_ASKPASS: '' };
      const config: Array<[string, string]> = [
        // A server that stops sending aborts the transfer instead of hanging the run.
        ['http.lowSpeedLimit', '1'],
        ['http.lowSpeedTime', '120'],
      ];
      if (basic) {
        // An empty value first drops extra headers from the user's configuration; no helper is asked for another secret.
        config.push(['credential.helper', ''], ['http.extraHeader', ''], ['http.extraHeader', `Authorization: Basic ${basic}`]);
      }
      let n = Number(base.GIT_CONFIG_COUNT);
      if (!Number.isInteger(n) || n < 0) n = 0;
      for (const [key, value] of config) {
        env[`GIT_CONFIG_KEY_${n}`] = key;
        env[`GIT_CONFIG_VALUE_${n}`] = value;
        n++;
      }
      env.GIT_CONFIG_COUNT = String(n);
      return env;
    },
    redact(text: string) {
      let out = text.replace(/(\b[a-z][a-z0-9+.-]*:\/\/)[^/@\s]*@/gi, '$1***@');
      for (const s of secrets) out = out.split(s).join('***');
      return out;
    },
  };
}
