// Inventory of a staged scan -> the message a blocked commit shows: where each token is, what it is (redacted),
// and the three ways forward with the exact commands. Pure: no I/O.
import type { Inventory } from '../model/index.js';
import { formatBytes } from './text.js';

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
  const known = s.baseline?.known ? `; ${s.baseline.known} known token${s.baseline.known === 1 ? '' : 's'} (baseline) not reported` : '';
  const stats = `${s.files} file${s.files === 1 ? '' : 's'}, ${formatBytes(s.bytes)}, ${(s.durationMs / 1000).toFixed(2)} s${known}`;
  if (!inv.tokens.length) return `shadowscan: no new secrets in the staged changes (${stats})\n`;

  const cmd = options.command ?? 'shadowscan';
  const baseline = options.baselineFile ?? '.shadowscan-baseline.json';
  const output = options.baselineFile ? ` --output ${quoteArg(options.baselineFile)}` : '';
  const n = inv.tokens.length;
  const out: string[] = [c(RED, `shadowscan: commit blocked: ${n} secret${n === 1 ? '' : 's'} in the staged changes`) + c(DIM, ` (${stats})`), ''];
  for (const t of inv.tokens) {
    const fp = t.id.slice(0, FINGERPRINT_PREFIX);
    const parts = t.parts?.length ? `, with ${t.parts.map((p) => `${p.name} ${p.redacted}`).join(', ')}` : '';
    out.push(`  ${c(BOLD, t.ruleName)} [${t.ruleId}]: ${t.redacted}${parts}${t.secret !== undefined ? `  ${t.secret}` : ''}`);
    out.push(`    fingerprint ${fp}, severity ${t.severity}, privilege ${t.privilege}`);
    for (const o of t.occurrences) out.push(`    ${c(BOLD, `${o.path}:${o.line}:${o.column}`)}${o.decoded ? ` (${o.decoded}-decoded)` : ''}`);
    out.push(`    rotate: ${t.rotate}`);
    out.push('');
  }
  const fps = inv.tokens.map((t) => t.id.slice(0, FINGERPRINT_PREFIX));
  const first = inv.tokens[0];
  const where = first.occurrences[0];
  out.push(
    'Three ways forward:',
    `  1. Remove it: take the value out of the file (read it from the environment or a secret store) and`,
    `     \`git add\` the file again. If it ever left your machine, rotate it too (the link above).`,
    `  2. Accept it as known: add it to the baseline, then stage the baseline and commit again:`,
    `       ${cmd} baseline add --from staged${output} ${fps.join(' ')}`,
    `       git add ${quoteArg(baseline)}`,
    `  3. Mark the line as intended (a test fixture, a documented example): put a comment on it with`,
    `     \`shadowscan:allow\` and the token's fingerprint, e.g. on ${where.path} line ${where.line}:`,
    `       shadowscan:allow ${first.id.slice(0, FINGERPRINT_PREFIX)}`,
    `     (bound to this token: a different secret on that line is still reported).`,
    '',
  );
  return out.join('\n');
}
