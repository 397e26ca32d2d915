// `shadowscan revoke`: kills credentials through the provider's own self-revocation API, as the rule's `revoke` says.
import type { RevokeSpec, Rule } from '../model/index.js';
import { buildRequest, RequestNotBuilt, type BuiltRequest } from './http.js';
import { matches } from './response.js';
import { ProviderLanes } from './limits.js';
import { scrubberFor, sendWithRetries, type Credential, type RespondOptions } from './verify.js';

export const canRevoke = (rule: Rule | undefined): rule is Rule & { revoke: RevokeSpec } => Boolean(rule?.revoke);

/** One request of a revocation: the credentials it carries (a batch, or one). */
export interface RevokeBatch {
  rule: Rule & { revoke: RevokeSpec };
  credentials: Credential[];
}

export interface RevokeOutcome {
  id: string;
  status: 'revoked' | 'failed';
  detail?: string;
}

/** What a dry run shows of one request: where it goes and what it carries, every secret redacted. */
export interface RevokePreview {
  ruleId: string;
  tokens: string[];
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
}

/** Credentials per request: the rule's `batch` when its JSON body takes `{{secrets}}`, else one. */
export function revokeBatches(credentials: Credential[]): RevokeBatch[] {
  const byRule = new Map<string, RevokeBatch>();
  const unique = new Map<string, Credential>();
  for (const c of credentials) if (canRevoke(c.rule) && !unique.has(c.id)) unique.set(c.id, c);
  const batches: RevokeBatch[] = [];
  for (const c of unique.values()) {
    const rule = c.rule as Rule & { revoke: RevokeSpec };
    const size = takesBatch(rule.revoke) ? (rule.revoke.batch ?? 1) : 1;
    let open = byRule.get(rule.id);
    if (!open || open.credentials.length >= size) {
      open = { rule, credentials: [] };
      byRule.set(rule.id, open);
      batches.push(open);
    }
    open.credentials.push(c);
  }
  return batches;
}

function takesBatch(spec: RevokeSpec): boolean {
  return JSON.stringify(spec.request.json ?? null).includes('{{secrets}}');
}

function requestFor(b: RevokeBatch, options: RespondOptions): BuiltRequest {
  const first = b.credentials[0];
  return buildRequest(b.rule.revoke.request, b.rule, { secret: first.secret, parts: first.parts, secrets: b.credentials.map((c) => c.secret) }, options.endpoints);
}

/** The requests a revocation would send, redacted (Authorization-like values of any scheme are redacted too). */
export function previewRevocations(batches: RevokeBatch[], options: RespondOptions = {}): RevokePreview[] {
  return batches.map((b) => {
    const scrub = scrubberFor(b.credentials);
    const base = { ruleId: b.rule.id, tokens: b.credentials.map((c) => c.id) };
    let req: BuiltRequest;
    try {
      req = requestFor(b, options);
    } catch (err) {
      const why = err instanceof RequestNotBuilt ? err.message : 'the request could not be built';
      return { ...base, method: b.rule.revoke.request.method, url: scrub.scrub(b.rule.revoke.request.url), headers: {}, body: `(not sent: ${why})` };
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) headers[k] = k === 'authorization' && v.startsWith('Basic ') ? 'Basic …(redacted)' : scrub.scrub(v);
    const preview: RevokePreview = { ...base, method: req.method, url: scrub.scrub(req.url.toString()), headers };
    if (req.body !== undefined) preview.body = scrub.scrub(req.body);
    return preview;
  });
}

/** Sends every batch (each provider within its limits) and says, per token, whether the provider confirmed it. */
export async function revokeCredentials(batches: RevokeBatch[], options: RespondOptions = {}): Promise<RevokeOutcome[]> {
  const lanes = new ProviderLanes();
  const outcomes: RevokeOutcome[] = [];
  await Promise.all(
    batches.map((b) =>
      lanes.run(b.rule, b.rule.verify?.rateLimit, async () => {
        let res: Awaited<ReturnType<typeof sendWithRetries>>;
        try {
          res = await sendWithRetries(() => requestFor(b, options), options, (r) => b.rule.revoke.success.some((m) => matches(m, r)));
        } catch (err) {
          res = { failed: 'error', detail: err instanceof RequestNotBuilt ? err.message : 'the request could not be built' };
        }
        for (const c of b.credentials) {
          if ('failed' in res) outcomes.push({ id: c.id, status: 'failed', detail: res.detail });
          else if (b.rule.revoke.success.some((m) => matches(m, res))) outcomes.push({ id: c.id, status: 'revoked', detail: `HTTP ${res.status}` });
          else outcomes.push({ id: c.id, status: 'failed', detail: `HTTP ${res.status}` });
        }
      }),
    ),
  );
  return outcomes;
}
