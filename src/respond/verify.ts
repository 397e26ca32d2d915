// `--verify`: asks each credential's provider whether it works, as the rule's `verify` block says (docs/verify-spec.md).
import type { Privilege, Rule, Token, TokenVerification, VerifySpec } from '../model/index.js';
import { Scrubber, redactSecret } from '../scan/redact.js';
import { buildRequest, RequestNotBuilt, send, type EndpointOverrides, type HttpResponse, type SendOptions } from './http.js';
import { identityOf, matches, privilegeFromScopes, retryAfterMs, scopesOf } from './response.js';
import { ProviderLanes, sleep } from './limits.js';

/** A credential in memory for the length of a run: never written anywhere. */
export interface Credential {
  /** The token's fingerprint. */
  id: string;
  rule: Rule;
  secret: string;
  parts?: Record<string, string>;
}

export interface VerifyResult extends TokenVerification {
  /** From the scopes the provider showed (privilegeFromScopes). */
  privilege?: Exclude<Privilege, 'unknown'>;
}

export interface RespondOptions {
  endpoints?: EndpointOverrides;
  /** Per request (default 10 s). */
  timeoutMs?: number;
  /** Retries of a rate-limited request (default 2). */
  retries?: number;
  /** Longest Retry-After honoured (default 30 s); a longer one ends the check as `error`. */
  maxRetryAfterMs?: number;
  dispatcher?: SendOptions['dispatcher'];
}

/** Whether a rule can be verified (it has a verify block). */
export const canVerify = (rule: Rule | undefined): rule is Rule & { verify: VerifySpec } => Boolean(rule?.verify);

/** Replaces the credentials' values (secrets and parts) in anything a provider sent back (an echo of a token, say). */
export function scrubberFor(credentials: Pick<Credential, 'secret' | 'parts'>[]): Scrubber {
  const s = new Scrubber();
  for (const c of credentials) {
    s.add(c.secret, redactSecret(c.secret));
    for (const v of Object.values(c.parts ?? {})) s.add(v, redactSecret(v));
  }
  return s;
}

/**
 * Sends one request and waits out rate limits: 429 (or 503 with Retry-After) is retried after Retry-After (capped),
 * then reported. Returns the response to classify, or a result when none came.
 */
export async function sendWithRetries(
  build: () => ReturnType<typeof buildRequest>,
  options: RespondOptions,
  isAnswer: (res: HttpResponse) => boolean,
): Promise<HttpResponse | { failed: 'error'; detail: string }> {
  const retries = options.retries ?? 2;
  const cap = options.maxRetryAfterMs ?? 30_000;
  for (let attempt = 0; ; attempt++) {
    let req: ReturnType<typeof buildRequest>;
    try {
      req = build();
    } catch (err) {
      // Only the engine's own messages are shown: another error's text could quote a URL holding the secret.
      if (err instanceof RequestNotBuilt) throw err;
      return { failed: 'error', detail: 'the request could not be built' };
    }
    let res: HttpResponse;
    try {
      // send() throws only codes (timeout, ECONNREFUSED), never a message quoting the request.
      res = await send(req, { timeoutMs: options.timeoutMs ?? 10_000, dispatcher: options.dispatcher });
    } catch (err) {
      return { failed: 'error', detail: `request failed: ${(err as Error).message}` };
    }
    if (isAnswer(res)) return res;
    const limited = res.status === 429 || (res.status === 503 && res.headers['retry-after'] !== undefined);
    if (!limited) return res;
    const wait = retryAfterMs(res) ?? 1000;
    if (attempt >= retries || wait > cap) return { failed: 'error', detail: `rate limited (HTTP ${res.status})` };
    await sleep(wait);
  }
}

/** Checks one credential: at most one request (plus retries after a rate limit, plus `details` once live). */
export async function verifyOne(c: Credential, options: RespondOptions = {}, now: () => Date = () => new Date()): Promise<VerifyResult> {
  const spec = c.rule.verify;
  const done = (r: Omit<VerifyResult, 'checkedAt'>): VerifyResult => ({ ...r, checkedAt: now().toISOString() });
  if (!spec) return done({ status: 'unknown', detail: 'no verification for this rule' });
  const values = { secret: c.secret, parts: c.parts };
  try {
    buildRequest(spec.request, c.rule, values, options.endpoints);
  } catch (err) {
    if (err instanceof RequestNotBuilt) return done({ status: 'unknown', detail: err.message });
    return done({ status: 'error', detail: 'the request could not be built' });
  }
  const scrub = scrubberFor([c]);
  const res = await sendWithRetries(() => buildRequest(spec.request, c.rule, values, options.endpoints), options, (r) => spec.live.some((m) => matches(m, r)) || spec.invalid.some((m) => matches(m, r)));
  if ('failed' in res) return done({ status: res.failed, detail: res.detail });
  if (!spec.live.some((m) => matches(m, res))) {
    if (spec.invalid.some((m) => matches(m, res))) return done({ status: 'invalid', detail: `HTTP ${res.status}` });
    const redirect = res.status >= 300 && res.status < 400 ? ' (redirect not followed)' : '';
    return done({ status: 'unknown', detail: `HTTP ${res.status}${redirect}` });
  }
  let identity = identityOf(spec.identity, res);
  let scopes = scopesOf(spec.scopes, res);
  let detail: string | undefined;
  if (spec.details) {
    const d = spec.details;
    const more = await sendWithRetries(() => buildRequest(d.request, c.rule, values, options.endpoints), options, () => true).catch((err: unknown) =>
      err instanceof RequestNotBuilt ? { failed: 'error' as const, detail: err.message } : Promise.reject(err),
    );
    if ('failed' in more) detail = `details: ${more.detail}`;
    else if (more.status >= 200 && more.status < 300) {
      const extra = identityOf(d.identity, more);
      identity = [identity, extra].filter(Boolean).join(', ') || undefined;
      scopes ??= scopesOf(d.scopes, more);
    } else detail = `details: HTTP ${more.status}`;
  }
  const r: VerifyResult = done({ status: 'live' });
  if (identity) r.identity = scrub.scrub(identity);
  if (scopes) {
    r.scopes = scopes.map((s) => scrub.scrub(s));
    const p = privilegeFromScopes(spec.privilegeFromScopes, scopes);
    if (p) r.privilege = p;
  }
  if (detail) r.detail = detail;
  return r;
}

/**
 * Checks every credential once (by fingerprint, whatever the number of places it was found), each provider within
 * its rate limits. Credentials whose rule has no verify block are left out of the result.
 */
export async function verifyCredentials(credentials: Credential[], options: RespondOptions = {}): Promise<Map<string, VerifyResult>> {
  const unique = new Map<string, Credential>();
  for (const c of credentials) if (canVerify(c.rule) && !unique.has(c.id)) unique.set(c.id, c);
  const lanes = new ProviderLanes();
  const results = new Map<string, VerifyResult>();
  await Promise.all(
    [...unique.values()].map((c) =>
      lanes.run(c.rule, c.rule.verify!.rateLimit, async () => {
        results.set(c.id, await verifyOne(c, options));
      }),
    ),
  );
  return results;
}

/** Writes a check's result onto its token: `verification`, and the privilege the provider's scopes show. */
export function applyVerification(t: Token, r: VerifyResult): void {
  const v: TokenVerification = { status: r.status, checkedAt: r.checkedAt };
  if (r.identity !== undefined) v.identity = r.identity;
  if (r.scopes !== undefined) v.scopes = r.scopes;
  if (r.detail !== undefined) v.detail = r.detail;
  t.verification = v;
  if (r.privilege) {
    t.privilege = r.privilege;
    t.privilegeSource = 'observed';
    t.privilegeReason = `Scopes the provider reported: ${r.scopes?.join(', ') || 'none'}.`;
  } else t.privilegeSource ??= 'rule';
}
