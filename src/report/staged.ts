// Inventory of a staged scan -> the message a blocked commit shows: where each token is, what it is (redacted),
// and the three ways forward with the exact commands. Only report-tier tokens block a commit; review-tier ones
// are counted, and listed with --include-review. Pure: no I/O.
import type { Inventory, Token } from '../model/index.js';
import { formatBytes, scoreLine, textPlace, tierCounts } from './text.js';
import { escapeControl as esc } from './escape.js';

const RED = '\x1b[1;31m';
const BOLD = '\x1b[1m';
const DIM = '\x1b[2m';
const RESET = '\x1b[0m';

export interface StagedMessageOptions {
  color?: boolean;
  /** A baseline file other than the default (.shadowscan-baseline.json at the top of the repository). */
  baselineFile?: string;
  /** How to run shadowscan, as the user should type it (default `shadowscan`). */
  command?: string;
}

/** Fingerprint prefixes long enough to name one token among many, short enough to type. */
export const FINGERPRINT_PREFIX = 12;

/** A path as a POSIX shell word. */
function quoteArg(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

export function toStagedText(inv: Inventory, options: StagedMessageOptions = {}): string {
  const c = (code: string, s: string) => (options.color ? `${code}${s}${RESET}` : s);
  const s = inv.scan;
  const counts = tierCounts(inv);
  const inReview = counts.review + counts.hidden;
  const known = s.baseline?.known ? `; ${s.baseline.known} known token${s.baseline.known === 1 ? '' : 's'} (baseline) not reported` : '';
  const review = inReview ? `; ${inReview} in review, not blocking${counts.hidden ? ' (--include-review lists them)' : ''}` : '';
  const stats = `${s.files} file${s.files === 1 ? '' : 's'}, ${formatBytes(s.bytes)}, ${(s.durationMs / 1000).toFixed(2)} s${known}${review}`;
  const blocking = inv.tokens.filter((t) => t.tier !== 'review');
  const listed = inv.tokens.filter((t) => t.tier === 'review');
  const tokenLines = (t: Token, indent: string): string[] => {
    const fp = t.id.slice(0, FINGERPRINT_PREFIX);
    const parts = t.parts?.length ? `, with ${t.parts.map((p) => `${p.name} ${p.redacted}`).join(', ')}` : '';
    return [
      `${indent}${c(BOLD, esc(t.ruleName))} [${esc(t.ruleId)}]: ${esc(t.redacted)}${esc(parts)}${t.secret !== undefined ? `  ${esc(t.secret)}` : ''}`,
      `${indent}  fingerprint ${fp}, severity ${t.severity}, privilege ${t.privilege}; ${esc(scoreLine(t))}`,
      ...t.occurrences.map((o) => `${indent}  ${o.part ? `part: ${esc(o.part)} at ` : ''}${c(BOLD, textPlace({ ...o, part: undefined }, false))}${o.decoded ? ` (${o.decoded}-decoded)` : ''}`),
    ];
  };
  const reviewSection = listed.length ? ['In review (does not block the commit):', ...listed.flatMap((t) => [...tokenLines(t, '  '), ''])] : [];
  if (!blocking.length) return [`shadowscan: no new secrets in the staged changes (${stats})`, ...(listed.length ? ['', ...reviewSection] : [])].join('\n') + '\n';

  const cmd = options.command ?? 'shadowscan';
  const baseline = options.baselineFile ?? '.shadowscan-baseline.json';
  const baselineFlag = options.baselineFile ? ` --baseline ${quoteArg(options.baselineFile)}` : '';
  const n = blocking.length;
  const out: string[] = [c(RED, `shadowscan: commit blocked: ${n} secret${n === 1 ? '' : 's'} in the staged changes`) + c(DIM, ` (${stats})`), ''];
  for (const t of blocking) {
    out.push(...tokenLines(t, '  '));
    out.push(`    rotate: ${t.rotate}`);
    out.push('');
  }
  const fps = blocking.map((t) => t.id.slice(0, FINGERPRINT_PREFIX));
  const first = blocking[0];
  // The token's own place, not a companion part's: that is the line to mark.
  const where = first.occurrences.find((o) => !o.part) ?? first.occurrences[0];
  out.push(
    'Three ways forward:',
    `  1. Remove it: take the value out of the file (read it from the environment or a secret store) and`,
    `     \`git add\` the file again. If it ever left your machine, rotate it too (the link above).`,
    `  2. Accept it as known: add it to the baseline, then stage the baseline and commit again:`,
    `       ${cmd} baseline add --from staged${baselineFlag} ${fps.join(' ')}`,
    `       git add ${esc(quoteArg(baseline))}`,
    `  3. Mark the line as intended (a test fixture, a documented example): put a comment on it with`,
    `     \`shadowscan:allow\` and the token's fingerprint, e.g. on ${esc(where.path)} line ${where.line}:`,
    `       shadowscan:allow ${first.id.slice(0, FINGERPRINT_PREFIX)}`,
    `     (bound to this token: a different secret on that line is still reported).`,
    '',
    ...reviewSection,
  );
  return out.join('\n');
}
