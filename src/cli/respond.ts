// `--verify` after a scan, `inventory verify`, and `revoke`: the CLI side of src/respond (loaded only when asked).
import type { Inventory, Rule, Token } from '../model/index.js';
import type { HeldSecret } from '../scan/findings.js';
import { isReported } from '../scan/tiers.js';
import { verificationCounts } from '../report/verification.js';
// Loaded only by a command already running (main is loaded): no cycle at start-up.
import { EXIT_CLEAN, EXIT_FOUND } from './main.js';

interface Io {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  isTTY: boolean;
}

export interface VerifyFlags {
  verify?: boolean;
  verifyEndpoint?: string[];
  failOn?: 'live';
  rules?: string[];
  includeReview?: boolean;
  quiet?: boolean;
}

/** Problems with the flags, before anything is scanned. */
export function verifyFlagsProblem(o: VerifyFlags): string | undefined {
  if (o.failOn && !o.verify) return '--fail-on live needs --verify';
  if (o.verifyEndpoint?.length && !o.verify) return '--verify-endpoint needs --verify';
  return undefined;
}

/** `--verify-endpoint` values as the engine takes them (the last one for a key wins). */
export function endpointsOf(values: string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values ?? []) {
    const eq = v.indexOf('=');
    out[v.slice(0, eq).trim()] = v.slice(eq + 1).trim();
  }
  return out;
}

/** The tokens a run checks: the report tier (and the review tier with --include-review) whose rule verifies. */
export function tokensToVerify(inv: Inventory, rulesById: Map<string, Rule>, includeReview?: boolean): Token[] {
  return inv.tokens.filter((t) => (includeReview || isReported(t)) && rulesById.get(t.ruleId)?.verify);
}

export interface VerifyRunOptions {
  endpoints: Record<string, string>;
  /** When a secret is not at hand (a blob the datastore answered): re-read it from where it was found. */
  reread?: (tokens: Token[]) => Promise<Map<string, HeldSecret>>;
  timeoutMs?: number;
}

/** Checks the tokens with their held secrets, writes the results onto them, and says how it went on stderr. */
export async function verifyTokens(io: Io, tokens: Token[], rules: Rule[], held: Map<string, HeldSecret>, o: VerifyRunOptions & { quiet?: boolean }): Promise<void> {
  const respond = await import('../respond/index.js');
  const byId = new Map(rules.map((r) => [r.id, r]));
  // A key naming no rule would leave its provider pointed at its public host: said, not silently ignored.
  const keys = new Set(rules.flatMap((r) => [r.id, respond.ruleFileKey(r)]));
  for (const k of Object.keys(o.endpoints)) if (!keys.has(k) && !o.quiet) io.stderr(`warning: --verify-endpoint ${k}: no rule or rule file has that name\n`);
  const missing = tokens.filter((t) => !held.has(t.id));
  if (missing.length && o.reread) for (const [id, h] of await o.reread(missing)) held.set(id, h);
  const credentials = [];
  const now = new Date().toISOString();
  for (const t of tokens) {
    const h = held.get(t.id);
    const rule = byId.get(t.ruleId);
    if (!rule?.verify) continue;
    if (!h) {
      respond.applyVerification(t, { status: 'unknown', checkedAt: now, detail: 'the secret could not be read again where it was found' });
      continue;
    }
    credentials.push({ id: t.id, rule, secret: h.secret, parts: h.parts });
  }
  const results = await respond.verifyCredentials(credentials, { endpoints: o.endpoints, timeoutMs: o.timeoutMs });
  for (const t of tokens) {
    const r = results.get(t.id);
    if (r) respond.applyVerification(t, r);
  }
  if (!o.quiet) io.stderr(`shadowscan: ${verifySummary(tokens)}\n`);
}

export function verifySummary(tokens: Token[]): string {
  const n = verificationCounts({ tokens });
  return `verified ${n.verified} token(s): ${n.live} live, ${n.invalid} invalid, ${n.unknown} unknown, ${n.error} error`;
}

/** `--fail-on live`: 1 only when a token shown is live; otherwise the usual rule (a report-tier token fails). */
export function exitCodeWith(inv: Inventory, failOn: 'live' | undefined, usual: (inv: Inventory) => number): number {
  if (failOn === 'live') return inv.tokens.some((t) => t.verification?.status === 'live') ? EXIT_FOUND : EXIT_CLEAN;
  return usual(inv);
}

/** `--verify` after a scan: checks the tokens shown, then forgets the secrets. */
export async function verifyScanned(
  io: Io,
  inv: Inventory,
  rules: Rule[],
  held: Map<string, HeldSecret> | undefined,
  o: VerifyFlags,
  reread?: VerifyRunOptions['reread'],
): Promise<Token[]> {
  if (!o.verify || !held) return [];
  const tokens = tokensToVerify(inv, new Map(rules.map((r) => [r.id, r])), o.includeReview);
  try {
    await verifyTokens(io, tokens, rules, held, { endpoints: endpointsOf(o.verifyEndpoint), quiet: o.quiet, reread });
  } finally {
    held.clear();
  }
  return tokens;
}
