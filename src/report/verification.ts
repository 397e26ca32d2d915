// How every report shows what --verify learnt (tokens never verified show nothing new).
import type { Inventory, Token, VerifyStatus } from '../model/index.js';

const ORDER: Record<VerifyStatus, number> = { live: 0, unknown: 1, error: 2, invalid: 3 };

/** Live tokens first; the rest keep their order (a stable sort: unverified inventories are unchanged). */
export function liveFirst(tokens: Token[]): Token[] {
  if (!tokens.some((t) => t.verification?.status === 'live')) return tokens;
  return [...tokens].sort((a, b) => (a.verification?.status === 'live' ? 0 : 1) - (b.verification?.status === 'live' ? 0 : 1));
}

/** `live as user: octocat; scopes repo, admin:org; checked 2026-01-01T10:00:00Z`, or undefined when not verified. */
export function verificationText(t: Token): string | undefined {
  const v = t.verification;
  if (!v) return undefined;
  const parts = [`${v.status}${v.identity ? ` as ${v.identity}` : ''}`];
  if (v.scopes) parts.push(`scopes ${v.scopes.length ? v.scopes.join(', ') : 'none'}`);
  if (t.privilegeSource === 'observed') parts.push(`privilege ${t.privilege} (observed)`);
  if (v.detail) parts.push(v.detail);
  parts.push(`checked ${v.checkedAt.replace(/\.\d+Z$/, 'Z')}`);
  return parts.join('; ');
}

export interface VerificationCounts {
  verified: number;
  live: number;
  invalid: number;
  unknown: number;
  error: number;
  liveAdmin: number;
}

export function verificationCounts(inv: Pick<Inventory, 'tokens'>): VerificationCounts {
  const n: VerificationCounts = { verified: 0, live: 0, invalid: 0, unknown: 0, error: 0, liveAdmin: 0 };
  for (const t of inv.tokens) {
    if (!t.verification) continue;
    n.verified++;
    n[t.verification.status]++;
    if (t.verification.status === 'live' && t.privilege === 'admin') n.liveAdmin++;
  }
  return n;
}

/** "N live tokens, M with admin privilege" and the rest of the counts. */
export function verificationSummary(n: VerificationCounts): string {
  return `${n.live} live token${n.live === 1 ? '' : 's'}, ${n.liveAdmin} with admin privilege (of ${n.verified} verified: ${n.invalid} invalid, ${n.unknown} unknown, ${n.error} error)`;
}
