// Builds a rule's request for one credential and sends it: only to the rule's host (or the one the user named),
// never following a redirect, through HTTPS_PROXY/NO_PROXY, with a timeout and a bounded body.
import { request, type Dispatcher } from 'undici';
import { dispatcherFor } from '../sources/proxy.js';
import type { HttpRequestSpec, Rule } from '../model/index.js';
import { MissingValueError, partsNamed, render, renderJson, type TemplateValues } from './template.js';
import { signAwsSigV4 } from './sigv4.js';

/** `--verify-endpoint KEY=URL`: KEY is a rule id or a rule file's basename (`github`); URL replaces the origin. */
export type EndpointOverrides = Record<string, string>;

export interface BuiltRequest {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body?: string;
}

/** The request cannot be built (a part missing, a host not allowed): the check is `unknown`, nothing is sent. */
export class RequestNotBuilt extends Error {}

/** The rule file's basename (`github` for github.yaml): one of the keys of an endpoint override. */
export function ruleFileKey(rule: Rule): string {
  return rule.source.replace(/\.ya?ml$/, '');
}

/** The base URL the user named for this rule (its id first, then its file), if any. */
export function overrideFor(rule: Rule, overrides: EndpointOverrides | undefined): string | undefined {
  if (!overrides) return undefined;
  return overrides[rule.id] ?? overrides[ruleFileKey(rule)];
}

/** `*.okta.com` holds `acme.okta.com` (not `okta.com`); other patterns hold their own host only. */
export function hostAllowed(host: string, patterns: string[]): boolean {
  const h = host.toLowerCase();
  return patterns.some((p) => (p.startsWith('*.') ? h.endsWith(p.slice(1).toLowerCase()) && h.length > p.length - 1 : h === p.toLowerCase()));
}

export function buildRequest(spec: HttpRequestSpec, rule: Rule, values: TemplateValues, overrides?: EndpointOverrides): BuiltRequest {
  const missing = partsNamed(spec).filter((p) => values.parts?.[p] === undefined);
  if (missing.length) throw new RequestNotBuilt(`needs part ${missing[0]}`);
  try {
    return build(spec, rule, values, overrides);
  } catch (err) {
    if (err instanceof MissingValueError) throw new RequestNotBuilt(err.message);
    throw err;
  }
}

function build(spec: HttpRequestSpec, rule: Rule, values: TemplateValues, overrides?: EndpointOverrides): BuiltRequest {
  let url: URL;
  try {
    // A URL that starts with a template takes that value as it is (a webhook whose secret is its whole URL, a host
    // a part names): it supplies the scheme and host, which `hosts` must then allow. Values after it are encoded.
    const leading = /^\{\{\s*[A-Za-z0-9_.-]+\s*\}\}/.exec(spec.url)?.[0] ?? '';
    url = new URL(render(leading, values) + render(spec.url.slice(leading.length), values, true));
  } catch {
    throw new RequestNotBuilt('the rule URL does not parse');
  }
  const base = overrideFor(rule, overrides);
  if (base) {
    // The user's base replaces the origin; its path prefixes the rule's (https://ghe.corp/api/v3 + /user).
    const b = new URL(base);
    const prefix = b.pathname.replace(/\/+$/, '');
    url = new URL(`${b.origin}${prefix}${url.pathname}${url.search}`);
  } else {
    if (url.protocol !== 'https:') throw new RequestNotBuilt('the rule URL is not https');
    // The host the rule names (templates only where `hosts` allows them), never one a part or a response picks.
    let ruleHost: string | undefined;
    try {
      const raw = new URL(spec.url);
      if (!raw.hostname.includes('{') && !raw.hostname.includes('%7B')) ruleHost = raw.host;
    } catch {
      // a templated host: only `hosts` can allow it
    }
    const allowed = spec.hosts?.length ? hostAllowed(url.hostname, spec.hosts) : ruleHost !== undefined && url.host === ruleHost;
    if (!allowed || url.username || url.password) throw new RequestNotBuilt(`host ${url.hostname} is not the provider's`);
  }
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(spec.headers ?? {})) headers[k.toLowerCase()] = render(v, values);
  if (spec.basic) {
    headers.authorization = `Basic ${Buffer.from(`${render(spec.basic.username, values)}:${render(spec.basic.password, values)}`, 'utf8').toString('base64')}`;
  }
  let body: string | undefined;
  if (spec.form) {
    body = new URLSearchParams(Object.entries(spec.form).map(([k, v]): [string, string] => [k, render(v, values)])).toString();
    headers['content-type'] ??= 'application/x-www-form-urlencoded';
  } else if (spec.json !== undefined) {
    body = JSON.stringify(renderJson(spec.json, values));
    headers['content-type'] ??= 'application/json';
  }
  headers['user-agent'] ??= 'shadowscan-verify';
  if (spec.sign?.kind === 'aws-sigv4') {
    const signed = signAwsSigV4(
      { method: spec.method, url, headers, body },
      {
        service: spec.sign.service ?? 'sts',
        region: spec.sign.region ?? 'us-east-1',
        accessKeyId: render(spec.sign.accessKeyId ?? '{{secret}}', values),
        secretAccessKey: render(spec.sign.secretAccessKey ?? '{{part.secretAccessKey}}', values),
      },
    );
    for (const [k, v] of Object.entries(signed)) headers[k.toLowerCase()] = v;
  }
  return { method: spec.method, url, headers, body };
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  text: string;
  json?: unknown;
}

export interface SendOptions {
  timeoutMs: number;
  /** For tests; default: one agent that honours HTTP(S)_PROXY and NO_PROXY. */
  dispatcher?: Dispatcher;
}

const MAX_BODY = 512 * 1024;

/** Sends without following redirects; a failure is thrown as an Error whose message is a code, never a URL. */
export async function send(req: BuiltRequest, options: SendOptions): Promise<HttpResponse> {
  const signal = AbortSignal.timeout(options.timeoutMs);
  let res: Dispatcher.ResponseData;
  try {
    res = await request(req.url, {
      method: req.method as Dispatcher.HttpMethod,
      headers: req.headers,
      body: req.body,
      dispatcher: options.dispatcher ?? dispatcherFor(req.url),
      maxRedirections: 0,
      signal,
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
    });
  } catch (err) {
    throw new Error(failureCode(err, signal));
  }
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : String(v);
  let text = '';
  try {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of res.body) {
      const b = Buffer.from(chunk as Uint8Array);
      size += b.length;
      if (size > MAX_BODY) break;
      chunks.push(b);
    }
    if (size > MAX_BODY) res.body.destroy();
    text = Buffer.concat(chunks).toString('utf8');
  } catch (err) {
    throw new Error(failureCode(err, signal));
  }
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.statusCode, headers, text, json };
}

/** Why a request failed, as a code (an error's message may quote the URL, and a URL may hold the secret). */
function failureCode(err: unknown, signal: AbortSignal): string {
  if (signal.aborted) return 'timeout';
  const e = err as { code?: string; cause?: { code?: string }; name?: string };
  return e.cause?.code ?? e.code ?? e.name ?? 'network error';
}
