// Inventory -> an assessor's report in Markdown: what was scanned and when, the counts, the findings mapped to
// NIST SP 800-53 Rev. 5 controls and NIST CSF 2.0 functions, and the list of what remains to rotate. Counts and
// controls cover report-tier tokens; review-tier ones are counted apart and listed in their own section when the
// inventory carries them. Pure and reproducible: dates come from the inventory, never from the clock. Secrets
// appear redacted only.
import type { Inventory, RuleKind, Token } from '../model/index.js';
import { EXPOSURES, EXPOSURE_TEXT, SEVERITIES, exposureDays, exposureOf, firstSeenDate, formatDuration, placesOf, plural, reportStats, safeUrl } from './stats.js';
import { formatBytes } from './text.js';
import { mdCode, mdText, mdUrl, placeText } from './escape.js';
import { verificationCounts, verificationSummary } from './verification.js';

/**
 * Every string that comes from the inventory (paths, repository names, warnings, rule names, even dates: a merged
 * inventory is any JSON) goes through one of the shared escapers: `cell` (text) or `code` (inline code). Fixed
 * text written here is Markdown as it stands.
 */
const cell = mdText;
const code = mdCode;

/** Keys and signing material: SC-12 / SC-13. */
const KEY_KINDS: RuleKind[] = ['private-key', 'encryption-key', 'signing-secret', 'webhook-secret'];
/** Credentials bound to an account (a person, a service account, a bot): AC-2. */
const ACCOUNT_KINDS: RuleKind[] = [
  'personal-access-token', 'service-account', 'bot-token', 'deploy-token', 'password', 'password-hash', 'credentials', 'oauth-token',
  'refresh-token', 'session-token', 'connection-string',
];

function table(head: string[], rows: Array<Array<string | number>>): string {
  const align = head.map((h) => (h.endsWith(':') ? '---:' : '---'));
  return [
    `| ${head.map((h) => h.replace(/:$/, '')).join(' | ')} |`,
    `| ${align.join(' | ')} |`,
    ...rows.map((r) => `| ${r.map((c) => (typeof c === 'number' ? String(c) : c)).join(' | ')} |`),
  ].join('\n');
}

function providersOf(tokens: Token[]): string {
  if (!tokens.length) return '—';
  const m = new Map<string, number>();
  for (const t of tokens) m.set(t.provider, (m.get(t.provider) ?? 0) + 1);
  const list = [...m].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const shown = list.slice(0, 5).map(([p, n]) => `${p} ${n}`);
  if (list.length > 5) shown.push(`${list.length - 5} more`);
  return cell(shown.join(', '));
}

const status = (n: number, open: string) => (n ? `**Open**: ${open}` : 'No finding');

const utc = (iso: string) => iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z').replace(/Z$/, ' UTC');

export function toMarkdown(full: Inventory): string {
  const s = full.scan;
  const inv = { ...full, tokens: full.tokens.filter((t) => t.tier !== 'review') };
  const inReview = full.tokens.filter((t) => t.tier === 'review');
  const reviewCount = Math.max(s.review ?? 0, inReview.length);
  const st = reportStats(inv);
  const tokens = inv.tokens;
  const active = tokens.filter((t) => exposureOf(t) === 'active');
  const unmerged = tokens.filter((t) => exposureOf(t) === 'unmerged');
  const historyOnly = tokens.filter((t) => exposureOf(t) === 'history-only');
  const keys = tokens.filter((t) => KEY_KINDS.includes(t.kind));
  const accounts = tokens.filter((t) => ACCOUNT_KINDS.includes(t.kind));
  const admin = tokens.filter((t) => t.privilege === 'admin');
  const write = tokens.filter((t) => t.privilege === 'write' || t.privilege === 'publish');
  const longLived = tokens.filter((t) => t.lifetime !== 'short-lived');
  const repos = s.org?.repositories;
  const failed = repos?.filter((r) => r.status === 'failed') ?? [];
  const verified = verificationCounts(inv);
  const revoked = full.tokens.filter((t) => t.revocation);
  const out: string[] = [];

  out.push('# Secrets exposure assessment', '');
  const scope: Array<[string, string]> = [];
  scope.push(['Tool', `${cell(inv.tool.name)} ${cell(inv.tool.version)}, ${cell(s.rules)} detection rules${s.org?.rulesVersion ? ` (rules version ${code(String(s.org.rulesVersion).slice(0, 12))})` : ''}`]);
  scope.push(['Scan started', cell(utc(String(s.startedAt)))]);
  scope.push(['Duration', cell(formatDuration(s.durationMs))]);
  if (repos) {
    scope.push(['Scope', `${plural(repos.length, 'repository', 'repositories')} from ${code(s.org!.source)}${s.org!.shard ? `, shard ${cell(s.org!.shard.index)} of ${cell(s.org!.shard.count)}` : ''}; ${failed.length ? `**${failed.length} could not be scanned**` : 'all scanned'}`]);
  } else {
    scope.push(['Scope', s.targets.map(code).join(', ')]);
  }
  if (s.history) {
    const reused = s.org?.blobsReused ? `; ${s.org.blobsReused} more answered by the datastore (matched earlier by the same rules)` : '';
    scope.push([
      'Coverage',
      s.history.mode === 'staged'
        ? `staged changes, ${cell(plural(s.history.blobs, 'file version'))}`
        : `every commit reachable from ${s.history.refs?.length ? s.history.refs.map(code).join(', ') : 'every branch, tag and other ref'}${s.history.since ? ` since ${cell(s.history.since)}` : ''}: ${cell(plural(s.history.commits, 'commit'))}, ${cell(plural(s.history.blobs, 'unique file version'))} read (${cell(formatBytes(s.bytes))})${cell(reused)}`,
    ]);
  } else {
    scope.push(['Coverage', cell(`working tree: ${plural(s.files, 'file')} (${formatBytes(s.bytes)}); history not scanned`)]);
  }
  if (s.org?.datastore) scope.push(['Datastore', code(s.org.datastore)]);
  if (s.minScore !== undefined || reviewCount) {
    const listed = inReview.length ? 'listed under "For review"' : reviewCount ? 'not listed (`--include-review` lists them)' : 'none';
    scope.push([
      'Tiers',
      `reported: ${tokens.length}; review: ${cell(reviewCount)} (a score below ${cell(s.minScore ?? 'the minimum')}, or a password hash, an encrypted key or another value kept for a person to judge; ${listed})`,
    ]);
  }
  // Values are escaped where they are built: here they stay as they are (they hold inline code and emphasis).
  out.push(table(['Item', 'Value'], scope), '');

  out.push('## Summary', '');
  const reviewNote = reviewCount
    ? `${plural(reviewCount, 'more candidate')} ${reviewCount === 1 ? 'is' : 'are'} in the review tier: not counted here, for a person to judge.`
    : '';
  if (!tokens.length) {
    out.push(`No credentials were found in the scope above.${failed.length ? ` ${plural(failed.length, 'repository', 'repositories')} could not be scanned: see below.` : ''}${reviewNote ? ` ${reviewNote}` : ''}`, '');
  } else {
    const where = repos ? ` in ${st.placesWithTokens} of ${plural(repos.length, 'repository', 'repositories')}` : '';
    out.push(`- **${plural(tokens.length, 'unique credential')}** (${plural(st.occurrences, 'occurrence')})${where}.`);
    if (st.isHistory) {
      const elsewhere = unmerged.length
        ? ` **${unmerged.length} unmerged** (not in HEAD, but at the tip of another branch, tag or stash: one merge away from it): remove there and rotate.`
        : '';
      out.push(`- **${active.length} active** (still in the current tree of HEAD): remove from the code and rotate.${elsewhere} **${historyOnly.length} only in history**: deleted from every branch but readable in every clone; rotate.`);
    } else {
      out.push(`- **${active.length}** in the files scanned: remove from the code and rotate.`);
    }
    out.push(`- By severity: ${SEVERITIES.filter((x) => st.bySeverity[x]).map((x) => `${x} ${st.bySeverity[x]}`).join(', ')}.`);
    out.push(`- Over-privileged (admin rights): ${admin.length}; write or publish rights: ${write.length}.`);
    if (verified.verified) out.push(`- Verified with the providers: **${verificationSummary(verified)}**.`);
    if (revoked.length) out.push(`- Revoked through the providers' APIs: ${revoked.filter((t) => t.revocation!.status === 'revoked').length} (see "Revoked").`);
    if (st.shared) out.push(`- ${plural(st.shared, 'credential')} ${st.shared === 1 ? 'appears' : 'appear'} in more than one repository.`);
    if (reviewNote) out.push(`- ${reviewNote}`);
    out.push('');
  }

  out.push('## NIST SP 800-53 Rev. 5', '');
  out.push(
    table(
      ['Control', 'Why it applies', 'Tokens:', 'Providers', 'Status'],
      [
        ['IA-5 Authenticator Management', 'Each credential found is an authenticator held outside managed storage, without owner, rotation or revocation control.', tokens.length, providersOf(tokens), status(tokens.length, 'rotate and move to a secret store')],
        ['IA-5(7) No Embedded Unencrypted Static Authenticators', `Static credentials embedded in source code${st.isHistory ? ' and its history' : ''}; ${longLived.length} are long-lived.`, tokens.length, providersOf(tokens), status(tokens.length, 'remove from code; load at run time')],
        ['SC-12 Cryptographic Key Establishment and Management', 'Private keys and encryption, signing and webhook secrets stored in repositories.', keys.length, providersOf(keys), status(keys.length, 'reissue the keys')],
        ['SC-13 Cryptographic Protection', 'The protection these keys give is void once the key is disclosed.', keys.length, providersOf(keys), status(keys.length, 'reissue; re-sign or re-encrypt what they protect')],
        [
          'SC-28 Protection of Information at Rest',
          `Secrets stored unencrypted at rest in repository content${st.isHistory ? `; ${historyOnly.length} persist only in history` : ''}.`,
          tokens.length,
          providersOf(tokens),
          status(tokens.length, st.isHistory ? 'rotate; history keeps them' : 'rotate; git history may keep them'),
        ],
        ['AC-2 Account Management', 'Credentials bound to an account (personal, service, bot or deploy tokens, passwords): review the accounts and their owners.', accounts.length, providersOf(accounts), status(accounts.length, 'review the accounts')],
        ['AC-6 Least Privilege', `Over-privileged tokens (admin rights); ${write.length} more can write or publish.`, admin.length, providersOf(admin), status(admin.length, 'reissue with least privilege')],
        ['AU-6 Audit Record Review, Analysis, and Reporting', 'This review is evidence for AU-6; each exposed credential calls for a review of the provider’s audit log for its use.', tokens.length, providersOf(tokens), tokens.length ? '**Open**: review provider logs' : 'Reviewed; no finding'],
      ],
    ),
    '',
  );

  out.push('## NIST CSF 2.0', '');
  const critical = tokens.filter((t) => t.severity === 'critical').length;
  out.push(
    table(
      ['Function', 'Categories', 'Observation', 'Action'],
      [
        [
          'Identify (ID)',
          'ID.AM asset management, ID.RA risk assessment',
          `${plural(tokens.length, 'credential')} inventoried${repos ? ` across ${plural(repos.length, 'repository', 'repositories')}` : ''}, each with its provider, privilege and locations.`,
          'Keep the inventory current: run the scan on a schedule with a datastore.',
        ],
        [
          'Protect (PR)',
          'PR.AA identity management and access control, PR.DS data security',
          `${active.length} still in current code${unmerged.length ? ` (${unmerged.length} more at other branch or tag tips)` : ''}; ${admin.length} with admin rights.`,
          'Move secrets to a secret store; reissue with least privilege; block new ones at commit time (pre-commit hook).',
        ],
        [
          'Detect (DE)',
          'DE.CM continuous monitoring, DE.AE adverse event analysis',
          s.org?.datastore ? 'Incremental scans with a datastore: each run reads only new content.' : 'One-off scan.',
          'Compare each run with the previous (`shadowscan inventory diff`); treat a new credential as an event.',
        ],
        [
          'Respond (RS)',
          'RS.MI incident mitigation, RS.AN analysis',
          `${plural(tokens.length, 'credential')} to rotate, ${critical} critical.`,
          'Rotate in the order of the table below; check provider logs (AU-6) for use.',
        ],
        [
          'Recover (RC)',
          'RC.RP recovery plan execution',
          st.isHistory
            ? `${historyOnly.length} only in history: rotation is the only remedy for clones already made.`
            : 'History not scanned: credentials deleted from the code may remain in every clone (`shadowscan history` finds them).',
          'Confirm each old credential is revoked; a later run must no longer list it as active.',
        ],
      ],
    ),
    '',
  );

  out.push('## What was scanned', '');
  if (repos) {
    out.push(
      table(
        ['Repository', 'Status', 'Commits:', 'Blobs read:', 'Reused:', 'Tokens:', 'Scanned at'],
        repos.map((r) => [
          code(r.name),
          r.status === 'failed' ? `**failed**: ${cell(r.error ?? '')}` : 'scanned',
          cell(r.commits ?? '—'),
          cell(r.blobs ?? '—'),
          cell(r.reused ?? 0),
          cell(r.tokens ?? '—'),
          cell(utc(String(r.scannedAt))),
        ]),
      ),
      '',
    );
  } else {
    out.push(`${s.targets.map(code).join(', ')}: ${cell(`${s.history ? `${plural(s.history.commits, 'commit')}, ` : ''}${plural(s.files, 'file')}, ${formatBytes(s.bytes)}`)}.`, '');
  }
  if (s.warnings.length) {
    out.push(`${plural(s.warnings.length, 'note')} from the scan:`, '');
    for (const w of s.warnings.slice(0, 20)) out.push(`- ${cell(w)}`);
    if (s.warnings.length > 20) out.push(`- … ${s.warnings.length - 20} more in the JSON inventory`);
    out.push('');
  }

  if (revoked.length) {
    out.push('## Revoked', '');
    out.push(
      table(
        ['#', 'Credential', 'Value', 'Fingerprint', 'Result', 'When', 'By'],
        revoked.map((t, i) => [
          i + 1,
          cell(`${t.provider}: ${t.ruleName}`),
          code(t.redacted),
          code(String(t.id).slice(0, 12)),
          cell(`${t.revocation!.status}${t.revocation!.detail ? ` (${t.revocation!.detail})` : ''}`),
          cell(utc(String(t.revocation!.revokedAt))),
          cell(t.revocation!.by),
        ]),
      ),
      '',
      'A revoked credential still belongs out of the code and its history: remove it; the rest below still need rotating.',
      '',
    );
  }

  out.push('## What remains to rotate', '');
  const toRotate = revoked.length ? tokens.filter((t) => t.revocation?.status !== 'revoked') : tokens;
  if (!toRotate.length) out.push('Nothing.', '');
  else {
    const isLive = (t: Token) => (t.verification?.status === 'live' ? 0 : 1);
    const order = [...toRotate].sort(
      (a, b) =>
        isLive(a) - isLive(b) ||
        SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity) ||
        EXPOSURES.indexOf(exposureOf(a)) - EXPOSURES.indexOf(exposureOf(b)) ||
        (a.provider < b.provider ? -1 : a.provider > b.provider ? 1 : 0) ||
        (a.id < b.id ? -1 : 1),
    );
    // Status and dates are facts of a history scan: a scan of files has no columns for them.
    // Verified: a column of its own, only in a report of a run that verified (index 11, after Rotate).
    const historyColumns = [6, 8, 9];
    const columns = <T>(row: T[]): T[] => row.filter((_, i) => (st.isHistory || !historyColumns.includes(i)) && (verified.verified || i !== 11));
    out.push(
      table(
        columns(['#', 'Severity', 'Credential', 'Value', 'Fingerprint', 'Privilege', 'Status', 'Where', 'First seen', 'Exposed (days):', 'Rotate', 'Verified']),
        order.map((t, i) => {
          const places = placesOf(t, inv);
          const own = t.occurrences.filter((o) => !o.part);
          const first = own[0];
          const whereText = repos
            ? `${plural(places.length, 'repository', 'repositories')}: ${places.slice(0, 3).join(', ')}${places.length > 3 ? ', …' : ''}`
            : `${first ? placeText(first) : ''}${own.length > 1 ? ` (+${own.length - 1})` : ''}`;
          const days = exposureDays(t, s.startedAt);
          const url = mdUrl(safeUrl(t.rotate));
          return columns([
            i + 1,
            cell(t.severity),
            cell(`${t.provider}: ${t.ruleName}`),
            code(t.redacted),
            code(String(t.id).slice(0, 12)),
            cell(t.privilege),
            EXPOSURE_TEXT[exposureOf(t)],
            cell(whereText),
            cell(firstSeenDate(t)?.slice(0, 10) ?? '—'),
            cell(days ?? '—'),
            url ? `[rotate](${url})` : '—',
            t.verification ? (t.verification.status === 'live' ? '**live**' : cell(t.verification.status)) + (t.verification.identity ? ` ${cell(t.verification.identity)}` : '') : '—',
          ]);
        }),
      ),
      '',
    );
  }

  if (inReview.length) {
    out.push('## For review', '');
    out.push('Kept for a person to judge, not counted above: each may be a real credential or not.', '');
    out.push(
      table(
        ['#', 'Severity', 'Credential', 'Value', 'Fingerprint', 'Score:', 'Why in review', 'Where'],
        inReview.map((t, i) => {
          const own = t.occurrences.filter((o) => !o.part);
          const first = own[0];
          const places = placesOf(t, inv);
          const whereText = repos
            ? `${plural(places.length, 'repository', 'repositories')}: ${places.slice(0, 3).join(', ')}${places.length > 3 ? ', …' : ''}`
            : `${first ? placeText(first) : ''}${own.length > 1 ? ` (+${own.length - 1})` : ''}`;
          return [
            i + 1,
            cell(t.severity),
            cell(`${t.provider}: ${t.ruleName}`),
            code(t.redacted),
            code(String(t.id).slice(0, 12)),
            cell(Number(t.score ?? 1).toFixed(2)),
            cell(t.reasons.join('; ') || '—'),
            cell(whereText),
          ];
        }),
      ),
      '',
    );
  }

  out.push('## Method and limits', '');
  const validity = verified.verified
    ? ` ${plural(verified.verified, 'credential')} ${verified.verified === 1 ? 'was' : 'were'} checked with ${verified.verified === 1 ? 'its' : 'their'} provider (--verify): one request each to the provider's own API; "unknown" means the answer did not say.`
    : undefined;
  const limits = (text: string) => (validity ? text.replace(' No credential was tried against its provider: validity is not tested.', validity) : text);
  out.push(
    '- Detection: provider-specific patterns with keyword prefilters, entropy thresholds and checksums where a provider embeds one; generic rules for assignments of secret-looking values.',
    '- Each candidate is scored from 0 to 1 on its features; those below the minimum score, and password hashes, encrypted keys and other values a person must judge, go to the review tier and are not counted as findings.',
    '- Every credential is listed once, identified by a keyed fingerprint (HMAC-SHA-256); values are shown only as a short prefix and their length.',
    limits(st.isHistory
      ? '- "Active" means present in the current tree of HEAD; "unmerged", at the tip of another branch, tag, remote or pull ref or a stash entry but not in HEAD; "only in history", in past commits alone. No credential was tried against its provider: validity is not tested.'
      : '- Only the files scanned were read: credentials deleted from the code but kept in git history are not covered. No credential was tried against its provider: validity is not tested.'),
    '- History scans read every unique file version reachable from the refs scanned; content outside git (LFS objects, submodules, build artefacts) is not covered.',
    '',
  );
  return out.join('\n');
}
