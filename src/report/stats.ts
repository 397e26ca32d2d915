// Figures the human reports (HTML, Markdown) share: counts by provider, severity, privilege, exposure and age,
// and where tokens live. Pure: inventory in, numbers out; "now" is the scan's start, so reports are reproducible.
import type { Inventory, Privilege, Severity, Token, TokenStatus } from '../model/index.js';

export const SEVERITIES: Severity[] = ['critical', 'high', 'medium', 'low', 'info'];
export const PRIVILEGES: Privilege[] = ['admin', 'write', 'publish', 'read', 'unknown'];

export type Exposure = TokenStatus;

export const EXPOSURES: Exposure[] = ['active', 'unmerged', 'history-only'];

/** How each status reads in a report. */
export const EXPOSURE_TEXT: Record<Exposure, string> = { active: 'active', unmerged: 'unmerged', 'history-only': 'history only' };

/**
 * The token's status (see TokenStatus): active in HEAD's tree, unmerged at the tip of another ref, history-only in
 * past commits alone. Inventories made before statuses existed say only whether HEAD holds it.
 */
export function exposureOf(t: Token): Exposure {
  return t.status ?? (t.presentInHead === false ? 'history-only' : 'active');
}

/** When the token was first written (its first commit's author date), if known. */
export function firstSeenDate(t: Token): string | undefined {
  if (t.firstSeen?.date) return t.firstSeen.date;
  let min: string | undefined;
  let minMs = Infinity;
  for (const o of t.occurrences) {
    const ms = o.date ? Date.parse(o.date) : NaN;
    if (ms < minMs) {
      minMs = ms;
      min = o.date;
    }
  }
  return min;
}

const DAY = 86_400_000;

/** Whole days from the token's first commit to the scan, if known. */
export function exposureDays(t: Token, scanStart: string): number | undefined {
  const first = firstSeenDate(t);
  const a = first ? Date.parse(first) : NaN;
  const b = Date.parse(scanStart);
  if (Number.isNaN(a) || Number.isNaN(b)) return undefined;
  return Math.max(0, Math.floor((b - a) / DAY));
}

export const AGE_BUCKETS: Array<{ label: string; maxDays: number }> = [
  { label: '< 1 week', maxDays: 7 },
  { label: '1–4 weeks', maxDays: 30 },
  { label: '1–3 months', maxDays: 91 },
  { label: '3–12 months', maxDays: 365 },
  { label: '1–2 years', maxDays: 730 },
  { label: '> 2 years', maxDays: Infinity },
];

export function ageBucket(days: number | undefined): string {
  if (days === undefined) return 'unknown';
  return AGE_BUCKETS.find((b) => days < b.maxDays)!.label;
}

/** Where a token lives, for "top repositories": its repositories, else the scan targets, else top-level folders. */
export function placesOf(t: Token, inv: Inventory): string[] {
  if (t.repos?.length) return t.repos;
  const set = new Set<string>();
  for (const o of t.occurrences) {
    if (o.repo) set.add(o.repo);
    else if (o.target && inv.scan.targets.length > 1) set.add(o.target);
    else if (o.kind === 'author' || o.kind === 'message') set.add('(commits)');
    else set.add(o.path.includes('/') ? o.path.slice(0, o.path.indexOf('/') + 1) : '(top level)');
  }
  return [...set].sort();
}

export interface ReportStats {
  tokens: number;
  occurrences: number;
  byProvider: Array<[string, number]>;
  bySeverity: Record<Severity, number>;
  bySeverityPrivilege: Record<Severity, Record<Privilege, number>>;
  byPrivilege: Record<Privilege, number>;
  exposure: Record<Exposure, number>;
  ages: Array<[string, number]>;
  /** Tokens per repository (or folder), most first. */
  places: Array<[string, number]>;
  placeKind: 'repositories' | 'targets' | 'folders';
  /** Repositories (or places) holding at least one token. */
  placesWithTokens: number;
  /** Tokens found in more than one repository. */
  shared: number;
  /**
   * A scan of commits (history, org, merged or stored inventories): it measured statuses and dates. A scan of
   * files or of staged changes did not, and its reports say nothing of them.
   */
  isHistory: boolean;
}

function zero<K extends string>(keys: K[]): Record<K, number> {
  return Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;
}

const byCountThenName = (a: [string, number], b: [string, number]) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);

export function reportStats(inv: Inventory): ReportStats {
  const byProvider = new Map<string, number>();
  const bySeverity = zero(SEVERITIES);
  const byPrivilege = zero(PRIVILEGES);
  const bySeverityPrivilege = Object.fromEntries(SEVERITIES.map((s) => [s, zero(PRIVILEGES)])) as Record<Severity, Record<Privilege, number>>;
  const exposure: Record<Exposure, number> = { active: 0, unmerged: 0, 'history-only': 0 };
  const ages = new Map<string, number>([...AGE_BUCKETS.map((b) => [b.label, 0] as [string, number]), ['unknown', 0]]);
  const places = new Map<string, number>();
  let occurrences = 0;
  let shared = 0;
  for (const t of inv.tokens) {
    occurrences += t.occurrences.filter((o) => !o.part).length;
    byProvider.set(t.provider, (byProvider.get(t.provider) ?? 0) + 1);
    bySeverity[t.severity]++;
    byPrivilege[t.privilege]++;
    bySeverityPrivilege[t.severity][t.privilege]++;
    exposure[exposureOf(t)]++;
    const bucket = ageBucket(exposureDays(t, inv.scan.startedAt));
    ages.set(bucket, (ages.get(bucket) ?? 0) + 1);
    for (const p of placesOf(t, inv)) places.set(p, (places.get(p) ?? 0) + 1);
    if ((t.repos?.length ?? 0) > 1) shared++;
  }
  const isOrg = Boolean(inv.scan.org) || inv.tokens.some((t) => t.repos?.length);
  if (!ages.get('unknown')) ages.delete('unknown');
  return {
    tokens: inv.tokens.length,
    occurrences,
    byProvider: [...byProvider].sort(byCountThenName),
    bySeverity,
    bySeverityPrivilege,
    byPrivilege,
    exposure,
    ages: [...ages],
    places: [...places].sort(byCountThenName),
    placeKind: isOrg ? 'repositories' : inv.scan.targets.length > 1 ? 'targets' : 'folders',
    placesWithTokens: places.size,
    shared,
    isHistory: inv.scan.history?.mode === 'history',
  };
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${Math.round(s - m * 60)} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** A rotation link only if it is an http(s) URL. */
export function safeUrl(u: string | undefined): string | undefined {
  return u && /^https?:\/\/[^\s"'<>]+$/i.test(u) ? u : undefined;
}
