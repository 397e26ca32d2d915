// Reading a provider's answer as a rule describes it: matchers (live, invalid, revoked) and value extractors.
import type { Privilege, ResponseMatcher, ValueExtractor, VerifySpec } from '../model/index.js';
import type { HttpResponse } from './http.js';

/** The values at a dotted path; `*` maps over an array (`orgs.data.*.title`), a number indexes one. */
export function valuesAt(root: unknown, dotted: string): unknown[] {
  let current: unknown[] = [root];
  for (const seg of dotted.split('.').filter(Boolean)) {
    const next: unknown[] = [];
    for (const v of current) {
      if (seg === '*') {
        if (Array.isArray(v)) next.push(...v);
      } else if (v !== null && typeof v === 'object' && Object.prototype.hasOwnProperty.call(v, seg)) {
        next.push((v as Record<string, unknown>)[seg]);
      }
    }
    current = next;
  }
  return current.filter((v) => v !== undefined);
}

/** A matcher holds when every property it gives holds. */
export function matches(m: ResponseMatcher, res: HttpResponse): boolean {
  if (m.status !== undefined && !(Array.isArray(m.status) ? m.status.includes(res.status) : m.status === res.status)) return false;
  if (m.header !== undefined && res.headers[m.header.toLowerCase()] === undefined) return false;
  if (m.bodyContains !== undefined && !res.text.includes(m.bodyContains)) return false;
  if (m.json) {
    const found = valuesAt(res.json, m.json.path);
    if (m.json.exists !== undefined && (found.length > 0) !== m.json.exists) return false;
    if (m.json.equals !== undefined && !found.some((v) => v === m.json!.equals)) return false;
  }
  return true;
}

function asText(v: unknown): string | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

/** The raw values an extractor finds: a header's value, or the JSON values at its path. */
function extract(x: ValueExtractor, res: HttpResponse): unknown[] {
  if (x.header) {
    const h = res.headers[x.header.toLowerCase()];
    return h === undefined ? [] : [h];
  }
  if (x.json) return valuesAt(res.json, x.json);
  return [];
}

/** `label: value` per extractor that finds something (several values of one joined by a comma), joined by `, `. */
export function identityOf(extractors: ValueExtractor[] | undefined, res: HttpResponse): string | undefined {
  const parts: string[] = [];
  for (const x of extractors ?? []) {
    const values = extract(x, res).flatMap((v) => (Array.isArray(v) ? v : [v])).map(asText).filter((v): v is string => Boolean(v));
    if (!values.length) continue;
    parts.push(x.label ? `${x.label}: ${values.join(', ')}` : values.join(', '));
  }
  return parts.length ? parts.join(', ') : undefined;
}

/** The scopes, when the response shows them (an empty list is known: no scopes); undefined when it does not. */
export function scopesOf(x: ValueExtractor | undefined, res: HttpResponse): string[] | undefined {
  if (!x) return undefined;
  const found = extract(x, res);
  if (!found.length) return undefined;
  const list: string[] = [];
  for (const v of found.flatMap((f) => (Array.isArray(f) ? f : [f]))) {
    const text = asText(v);
    if (text === undefined) continue;
    list.push(...(x.split !== undefined ? text.split(x.split) : [text]));
  }
  return [...new Set(list.map((s) => s.trim()).filter(Boolean))];
}

/** The first entry with any of its scopes present; `read` when scopes are known and none matches. */
export function privilegeFromScopes(spec: VerifySpec['privilegeFromScopes'], scopes: string[]): Exclude<Privilege, 'unknown'> | undefined {
  if (!spec?.length) return undefined;
  const have = new Set(scopes.map((s) => s.toLowerCase()));
  for (const entry of spec) if (entry.anyOf.some((s) => have.has(s.toLowerCase()))) return entry.privilege;
  return 'read';
}

/** Seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(res: HttpResponse, now = Date.now()): number | undefined {
  const v = res.headers['retry-after'];
  if (v === undefined) return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(v)) return Math.round(Number(v) * 1000);
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : Math.max(0, t - now);
}
