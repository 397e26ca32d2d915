// Inventory -> human-readable text, grouped by token. Colour only when asked (the CLI asks on a TTY).
import type { Inventory, Occurrence, ScanSummary, Severity, Token } from '../model/index.js';
import { escapeControl as esc, placeText } from './escape.js';
import { liveFirst, verificationCounts, verificationSummary, verificationText } from './verification.js';

const COLORS: Record<Severity, string> = { critical: '\x1b[1;31m', high: '\x1b[31m', medium: '\x1b[33m', low: '\x1b[36m', info: '\x1b[2m' };
const RESET = '\x1b[0m';
const DIM = '\x1b[2m';
const BOLD = '\x1b[1m';

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MB`;
  return `${(n / 1024 ** 3).toFixed(2)} GB`;
}

/** One line: the score and what decided it; `review` first for a review-tier token. */
export function scoreLine(t: Token): string {
  const score = `score ${(t.score ?? 1).toFixed(2)}`;
  const reasons = t.reasons?.length ? `: ${t.reasons.join('; ')}` : '';
  return `${t.tier === 'review' ? 'review, ' : ''}${score}${reasons}`;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** What a scan read, for a summary line: commits and unique blobs for history, files for the rest. */
export function scannedText(s: ScanSummary): string {
  if (s.history?.mode === 'history') return `${plural(s.history.commits, 'commit')}, ${plural(s.history.blobs, 'blob')}`;
  return plural(s.files, 'file');
}

/**
 * A history token's standing: its status (and the refs that hold it), how many commits wrote it, when first and
 * last. Undefined for a scan of files.
 */
export function historyLine(t: Token): string | undefined {
  if (!t.status && t.commits === undefined) return undefined;
  const parts: string[] = [];
  if (t.status === 'active') parts.push('active (in HEAD)');
  else if (t.status === 'unmerged') {
    const refs = t.refs ?? [];
    parts.push(`unmerged (not in HEAD; at ${refs.slice(0, 3).join(', ')}${refs.length > 3 ? ` and ${refs.length - 3} more` : ''})`);
  } else if (t.status === 'history-only') parts.push('history only (no branch, tag or stash holds it)');
  if (t.commits !== undefined) parts.push(plural(t.commits, 'commit'));
  const day = (d: string) => d.slice(0, 10);
  if (t.firstSeen) {
    const first = `first ${day(t.firstSeen.date)} ${t.firstSeen.commit.slice(0, 10)}`;
    parts.push(t.lastSeen && t.lastSeen.commit !== t.firstSeen.commit ? `${first}, last ${day(t.lastSeen.date)} ${t.lastSeen.commit.slice(0, 10)}` : first);
  }
  return parts.join('; ');
}

/** Counts for a summary line: report-tier tokens shown, review-tier ones shown, and those left out. */
export function tierCounts(inv: Inventory): { reported: number; review: number; hidden: number } {
  const review = inv.tokens.filter((t) => t.tier === 'review').length;
  return { reported: inv.tokens.length - review, review, hidden: Math.max(0, (inv.scan.review ?? 0) - review) };
}

/**
 * An occurrence's place for a terminal: `target:path:line:column` (or the name, author or message it is in), with the
 * commit that wrote it; control characters escaped.
 */
export function textPlace(o: Occurrence, showTarget: boolean): string {
  const prefix = o.repo !== undefined ? `${o.repo}: ` : o.target && showTarget ? `${o.target}:` : '';
  return esc(`${o.part ? `part: ${o.part} at ` : ''}${prefix}${placeText(o, true)}`);
}

export function toText(inv: Inventory, options: { color?: boolean } = {}): string {
  const c = (code: string, s: string) => (options.color ? `${code}${s}${RESET}` : s);
  const out: string[] = [];
  for (const t of liveFirst(inv.tokens)) {
    const secretShown = t.secret !== undefined ? `  ${c(BOLD, esc(t.secret))}` : '';
    const review = t.tier === 'review' ? `  ${c(BOLD, '(review)')}` : '';
    out.push(`${c(COLORS[t.severity] ?? '', esc(String(t.severity).toUpperCase().padEnd(8)))} ${c(BOLD, esc(t.ruleName))}  ${esc(t.redacted)}${secretShown}  ${c(DIM, esc(`[${t.ruleId}] ${t.id.slice(0, 12)}`))}${review}`);
    out.push(`         ${esc(scoreLine(t))}`);
    const verified = verificationText(t);
    if (verified) out.push(`         ${t.verification!.status === 'live' ? c(BOLD, esc(`verified: ${verified}`)) : esc(`verified: ${verified}`)}`);
    const extra = [
      `privilege ${t.privilege} (${t.privilegeReason})`,
      `confidence ${t.confidence}`,
      t.environment !== 'unknown' ? t.environment : '',
      t.parts?.length ? `with ${t.parts.map((p) => `${p.name} ${p.redacted}`).join(', ')}` : '',
    ].filter(Boolean);
    out.push(`         ${esc(extra.join('; '))}`);
    const hist = historyLine(t);
    if (hist) out.push(`         ${t.status === 'active' ? c(BOLD, esc(hist)) : esc(hist)}`);
    for (const o of t.occurrences) {
      const where = textPlace(o, inv.scan.targets.length > 1);
      const hist = o.commit ? c(DIM, esc(`  ${o.commit.slice(0, 10)} ${o.author?.name ?? ''} ${o.date?.slice(0, 10) ?? ''}`)) : '';
      out.push(`         ${where}${o.decoded ? c(DIM, ` (${esc(o.decoded)}-decoded)`) : ''}${hist}`);
    }
    out.push(`         rotate: ${esc(t.rotate)}`);
    out.push('');
  }
  const occ = inv.tokens.reduce((n, t) => n + t.occurrences.filter((o) => !o.part).length, 0);
  const s = inv.scan;
  const n = tierCounts(inv);
  const tokens = `${n.reported} token${n.reported === 1 ? '' : 's'}${n.review ? ` and ${n.review} in review` : ''}`;
  const summary =
    `${tokens} (${occ} occurrence${occ === 1 ? '' : 's'}) in ${scannedText(s)}, ${formatBytes(s.bytes)}, ${(s.durationMs / 1000).toFixed(2)} s` +
    `${s.skipped.length ? `; ${s.skipped.length} skipped` : ''}${s.baseline?.known ? `; ${s.baseline.known} known in the baseline, not shown` : ''}` +
    `${n.hidden ? `; ${n.hidden} more in review (--include-review)` : ''}`;
  out.push(n.reported ? c(BOLD, summary) : summary);
  const v = verificationCounts(inv);
  if (v.verified) out.push(verificationSummary(v));
  return out.join('\n') + '\n';
}
