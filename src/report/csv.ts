// Inventory -> CSV, one row per occurrence (a companion part's place has the part's name in `part`).
import type { Inventory } from '../model/index.js';

const COLUMNS = [
  'token_id', 'rule_id', 'provider', 'kind', 'severity', 'confidence', 'score', 'tier', 'privilege', 'redacted',
  'target', 'path', 'line', 'column', 'end_line', 'end_column', 'part', 'commit', 'author', 'date', 'decoded', 'rotate',
  // Where the token is when not in a file's content (path, author, message), and the keyed hash of a redacted path.
  'location', 'path_fingerprint',
  // History scans: the token's status (active, unmerged, history-only).
  'status',
] as const;
/** Only in the CSV of a run that verified: what the provider said. */
const VERIFY_COLUMNS = ['verification', 'identity', 'scopes', 'privilege_source', 'checked_at'] as const;

function cell(v: unknown): string {
  // Control characters other than tab and line breaks (a file name with an escape sequence) are written as \xNN.
  const s = (v === undefined || v === null ? '' : String(v)).replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g, (ch) => `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`);
  // Quote when needed; a leading = + - @ is neutralised so spreadsheets do not evaluate it.
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** `bom`: a UTF-8 byte-order mark first, without which Excel reads the file in the system's code page (`…` as `â€¦`). */
export function toCsv(inv: Inventory, options: { bom?: boolean } = {}): string {
  const verified = inv.tokens.some((t) => t.verification);
  const rows = [(options.bom ? '\uFEFF' : '') + [...COLUMNS, ...(verified ? VERIFY_COLUMNS : [])].join(',')];
  for (const t of inv.tokens) {
    for (const o of t.occurrences) {
      rows.push(
        [
          t.id, t.ruleId, t.provider, t.kind, t.severity, t.confidence, t.score?.toFixed(2), t.tier, t.privilege, t.redacted,
          o.target ?? o.repo, o.path, o.line, o.column, o.endLine, o.endColumn, o.part, o.commit, o.author ? `${o.author.name} <${o.author.email}>` : '', o.date, o.decoded, t.rotate,
          o.kind, o.pathFingerprint,
          t.status,
          ...(verified ? [t.verification?.status, t.verification?.identity, t.verification?.scopes?.join(' '), t.privilegeSource, t.verification?.checkedAt] : []),
        ]
          .map(cell)
          .join(','),
      );
    }
  }
  return rows.join('\n') + '\n';
}
