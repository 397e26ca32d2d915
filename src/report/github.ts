// Inventory -> what a GitHub Actions job shows: a Markdown job summary and workflow-command annotations, for
// report-tier tokens (the caller passes those). Pure: the action entry point writes them. Tokens appear redacted,
// never in full.
import type { Occurrence, Severity, Token } from '../model/index.js';
import { mdCode, mdText, mdUrl, placeText } from './escape.js';

const SEVERITY_RANK: Record<Severity, number> = { critical: 5, high: 4, medium: 3, low: 2, info: 1 };

export interface GithubSummaryOptions {
  /** What was scanned, in words (e.g. "pull request #12: commits 1a2b3c4..5d6e7f8"). */
  scope: string;
  /** Every report-tier token found, before the baseline. */
  found: number;
  /** Review-tier tokens found (never reported here, never failing the job). */
  review?: number;
  /** Tokens left out because the baseline knows them. */
  known: number;
  baselineFile?: string;
  /** none | new | any, and whether the job fails because of it. */
  failOn: string;
  failed: boolean;
  /** `https://github.com/OWNER/REPO`, for links to files. */
  repositoryUrl?: string;
  /** The commit to link files at when an occurrence carries none (the checked-out commit). */
  sha?: string;
  /** At most this many rows (default 100). */
  maxRows?: number;
  /** The scan's controls (config, ignore file, baseline) that a pull request changes. */
  controlsChanged?: string[];
  /** Tokens the pull request adds that its own change to those controls keeps from being reported, and by which. */
  suppressed?: Array<{ token: Token; by: string }>;
  /** Why the run's token cannot upload SARIF (a pull request from a fork), if it cannot. */
  readOnlyToken?: string;
}

/** Text for a Markdown table cell: no line breaks, pipes and markup escaped (the one escaper of every Markdown writer). */
export const mdCell = (s: string): string => mdText(s);

function fileLink(o: Occurrence, opts: GithubSummaryOptions): string {
  const label = mdCell(placeText(o));
  const sha = o.commit ?? opts.sha;
  // A name holding a token is shown redacted: there is no file of that name to link to.
  if (!opts.repositoryUrl || !sha || o.kind || o.pathFingerprint || !mdUrl(opts.repositoryUrl)) return label;
  const p = o.path.split('/').map(encodeURIComponent).join('/');
  return `[${label}](${mdUrl(opts.repositoryUrl)}/blob/${encodeURIComponent(sha)}/${p}#L${o.line})`;
}

export function toGithubSummary(newTokens: Token[], opts: GithubSummaryOptions): string {
  const out: string[] = ['## shadowscan', ''];
  const n = newTokens.length;
  const verdict = n ? `**${n} new secret${n === 1 ? '' : 's'}**` : '**No new secrets**';
  out.push(`${verdict} in ${mdCell(opts.scope)}.`, '');
  const hidden = opts.suppressed ?? [];
  const changed = (opts.controlsChanged ?? []).map(mdCode).join(', ');
  if (hidden.length) {
    const h = hidden.length;
    out.push(
      '> [!WARNING]',
      `> **This pull request changes ${changed} so that ${h} token${h === 1 ? '' : 's'} it adds ${h === 1 ? 'is' : 'are'} not reported.** ` +
        'A token accepted by the change that adds it has had no review: check that the change to these files is intended.',
      '',
      '| Severity | Token | Redacted | Fingerprint | Hidden by | Where |',
      '| --- | --- | --- | --- | --- | --- |',
      ...hidden.slice(0, opts.maxRows ?? 100).map(({ token: t, by }) => {
        const own = t.occurrences.filter((o) => !o.part);
        const where = own.slice(0, 3).map((o) => fileLink(o, opts)).join('<br>') + (own.length > 3 ? `<br>and ${own.length - 3} more` : '');
        return `| ${t.severity} | ${mdCell(t.ruleName)} (${mdCode(t.ruleId)}) | ${mdCell(t.redacted)} | \`${t.id.slice(0, 12)}\` | ${mdCell(by)} | ${where} |`;
      }),
      '',
    );
  } else if (changed) {
    out.push(`This pull request changes ${changed}; no token it adds is hidden by that.`, '');
  }
  if (opts.readOnlyToken) {
    out.push(`${mdCell(opts.readOnlyToken[0].toUpperCase() + opts.readOnlyToken.slice(1))} has a read-only token: code scanning cannot take the SARIF file, so this summary and the annotations are the report.`, '');
  }
  const facts = [`${opts.found} token${opts.found === 1 ? '' : 's'} found`];
  if (opts.review) facts.push(`${opts.review} more in review (not reported)`);
  if (opts.baselineFile) facts.push(`${opts.known} known in the baseline (${mdCode(opts.baselineFile)})`);
  facts.push(`fail-on: \`${opts.failOn}\`${opts.failed ? ' (this job fails)' : ''}`);
  out.push(facts.join(' · '), '');
  if (!n) return out.join('\n') + '\n';
  const rows = [...newTokens].sort((a, b) => SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity]);
  const max = opts.maxRows ?? 100;
  out.push('| Severity | Token | Redacted | Fingerprint | Score | Where | Rotate |', '| --- | --- | --- | --- | --- | --- | --- |');
  for (const t of rows.slice(0, max)) {
    const own = t.occurrences.filter((o) => !o.part);
    const where = own.slice(0, 3).map((o) => fileLink(o, opts)).join('<br>') + (own.length > 3 ? `<br>and ${own.length - 3} more` : '');
    out.push(
      `| ${t.severity} | ${mdCell(t.ruleName)} (${mdCode(t.ruleId)}) | ${mdCell(t.redacted)} | \`${t.id.slice(0, 12)}\` | ${(t.score ?? 1).toFixed(2)} | ${where} | ${mdUrl(t.rotate) ? `[rotate](${mdUrl(t.rotate)})` : '—'} |`,
    );
  }
  if (rows.length > max) out.push('', `... and ${rows.length - max} more (see the SARIF file or the code scanning alerts).`);
  const fps = rows.map((t) => t.id.slice(0, 12)).join(' ');
  const file = opts.baselineFile ?? '.shadowscan-baseline.json';
  const baselineFlag = file === '.shadowscan-baseline.json' ? '' : ` --baseline ${file}`;
  out.push(
    '',
    'For each token: rotate it at the provider if it is real (deleting it from the branch does not un-leak it) and remove it; ' +
      `or, for a known and accepted token, add it to the baseline (${mdCode(`shadowscan baseline add --from history${baselineFlag} ${fps}`)}, then commit ` +
      `${mdCode(file)}); or mark its line with \`shadowscan:allow <fingerprint>\`.`,
    '',
  );
  return out.join('\n');
}

/** Escaping for workflow commands: the message part, and property values (which also escape `:` and `,`). */
export function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

export function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** `::error file=...,line=...::message` for each place of each token (at most `max` lines; not its parts' places). */
export function toGithubAnnotations(tokens: Token[], options: { max?: number; level?: 'error' | 'warning' } = {}): string[] {
  const level = options.level ?? 'error';
  const max = options.max ?? 50;
  const lines: string[] = [];
  let total = 0;
  for (const t of tokens) {
    for (const o of t.occurrences) {
      if (o.part) continue;
      total++;
      if (lines.length >= max) continue;
      const props = [
        // A token in a commit's author or message has no file to point at; a name holding one is redacted.
        ...(o.kind === 'author' || o.kind === 'message' ? [] : [`file=${escapeProperty(o.path)}`]),
        `line=${o.line}`,
        `endLine=${o.endLine}`,
        ...(o.line === o.endLine ? [`col=${o.column}`, `endColumn=${o.endColumn}`] : []),
        `title=${escapeProperty(`shadowscan: ${t.ruleName}`)}`,
      ];
      const commit = o.commit ? ` (commit ${o.commit.slice(0, 12)})` : '';
      const msg = `${t.ruleName} [${t.ruleId}] ${t.redacted}${commit}, fingerprint ${t.id.slice(0, 12)}, severity ${t.severity}. Rotate it: ${t.rotate}`;
      lines.push(`::${level} ${props.join(',')}::${escapeData(msg)}`);
    }
  }
  if (total > lines.length) lines.push(`::warning::${escapeData(`shadowscan: ${total - lines.length} more occurrences not annotated (see the job summary and the SARIF file)`)}`);
  return lines;
}

