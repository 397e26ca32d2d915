// Escaping shared by every report: Markdown (the audit report, the job summary) and terminal text. Names, paths,
// authors, repository names and warnings come from the scanned content: none of them may inject markup or
// terminal control sequences.
import type { Occurrence } from '../model/index.js';

/** Text for Markdown, in a table cell or anywhere else: no line breaks; pipes, markup and HTML escaped. */
export function mdText(s: unknown): string {
  return escapeControl(String(s ?? '').replace(/[\r\n\u2028\u2029]+/g, ' '))
    .replace(/[\\`*_[\]<>|~!&]/g, (ch) => (ch === '<' ? '&lt;' : ch === '>' ? '&gt;' : ch === '&' ? '&amp;' : `\\${ch}`));
}

/** Inline code, in a table cell or anywhere else: a fence longer than any backtick run inside, pipes escaped. */
export function mdCode(s: unknown): string {
  const text = escapeControl(String(s ?? '').replace(/[\r\n\u2028\u2029]+/g, ' ')).replace(/\|/g, '\\|');
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((r) => r.length));
  const fence = '`'.repeat(longest + 1);
  return longest ? `${fence} ${text} ${fence}` : `${fence}${text}${fence}`;
}

/** A link target for Markdown: http(s) only, with every character that could end or nest the link encoded. */
export function mdUrl(u: string | undefined): string | undefined {
  if (!u || !/^https?:\/\/[^\s"'<>]+$/i.test(u)) return undefined;
  return u.replace(/[()[\]!\\|<>]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

/**
 * Text for a terminal: control characters (escape sequences, carriage returns, backspaces), C1 controls and the
 * Unicode bidirectional overrides are written as `\xNN` / `\uNNNN`, so a file or author name cannot clear the
 * screen, set the window title or reorder what is shown. Keeps `\n` when `keepNewlines`.
 */
export function escapeControl(s: unknown, keepNewlines = false): string {
  return String(s ?? '').replace(/[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (ch) => {
    if (keepNewlines && ch === '\n') return ch;
    const n = ch.charCodeAt(0);
    return n < 0x100 ? `\\x${n.toString(16).padStart(2, '0')}` : `\\u${n.toString(16).padStart(4, '0')}`;
  });
}

/**
 * Where an occurrence is, in words: `src/a.js:12` (with `:column` when asked), `src/ghp_Ab…(40).js (file name)`,
 * `commit author`, `commit message, line 2`. Unescaped: each report escapes it for its format.
 */
export function placeText(o: Pick<Occurrence, 'path' | 'line' | 'column' | 'kind'>, withColumn = false): string {
  switch (o.kind) {
    case 'path':
      return `${o.path} (file name)`;
    case 'author':
      return 'commit author';
    case 'message':
      return `commit message, line ${o.line}`;
    default:
      return `${o.path}:${o.line}${withColumn ? `:${o.column}` : ''}`;
  }
}
