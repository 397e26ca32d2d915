// Inventory -> one self-contained HTML page: summary cards, five charts (inline SVG drawn here, readable with
// scripts off), and a sortable, filterable token table. Cards and charts count report-tier tokens; review-tier
// tokens are in the table behind a "show review tier" filter, off by default. No network at view time: inline
// CSS and script only, and a Content-Security-Policy that forbids loading anything. Secrets appear only as their
// redacted form, unless the inventory carries them (--show-secrets). Pure: no I/O.
import type { Inventory, Occurrence, Privilege, Severity, Token } from '../model/index.js';
import {
  AGE_BUCKETS, EXPOSURES, EXPOSURE_TEXT, PRIVILEGES, SEVERITIES, exposureDays, exposureOf, firstSeenDate, formatDuration, placesOf, plural,
  reportStats, safeUrl, type Exposure, type ReportStats,
} from './stats.js';
import { formatBytes } from './text.js';
import { placeText } from './escape.js';
import { liveFirst, verificationCounts, verificationText } from './verification.js';

const esc = (s: unknown) =>
  String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const SEVERITY_COLOR: Record<Severity, string> = { critical: '#b3192b', high: '#e0592a', medium: '#e9a23b', low: '#4f8fc0', info: '#9aa5b1' };
const PRIVILEGE_COLOR: Record<Privilege, string> = { admin: '#7a1f5c', write: '#c0392b', publish: '#d68910', read: '#2e86c1', unknown: '#aab7b8' };
const EXPOSURE_COLOR: Record<Exposure, string> = { active: '#c0392b', unmerged: '#d68910', 'history-only': '#7f8c8d' };
/** The table sorts by status: active first. */
const EXPOSURE_RANK: Record<Exposure, number> = { active: 2, unmerged: 1, 'history-only': 0 };
const BAR = '#3b6ea8';
const SEVERITY_RANK: Record<Severity, number> = { critical: 5, high: 4, medium: 3, low: 2, info: 1 };

const truncate = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

interface BarItem {
  label: string;
  value: number;
  color?: string;
  /** Clicking the bar filters the table: data-filter-<key>=value. */
  filter?: [string, string];
}

const W = 480;

function horizontalBars(items: BarItem[], ariaLabel: string): string {
  if (!items.length) return `<p class="empty">No tokens.</p>`;
  const labelW = 170;
  const barW = W - labelW - 50;
  const rowH = 24;
  const max = Math.max(...items.map((i) => i.value), 1);
  const h = items.length * rowH + 8;
  const rows = items.map((it, i) => {
    const y = 4 + i * rowH;
    const w = Math.max(2, Math.round((it.value / max) * barW));
    const filter = it.filter ? ` data-filter-${it.filter[0]}="${esc(it.filter[1])}" tabindex="0" role="button"` : '';
    return (
      `<g class="bar" data-label="${esc(it.label)}" data-value="${it.value}"${filter}>` +
      `<title>${esc(it.label)}: ${it.value}</title>` +
      `<text class="label" x="${labelW - 8}" y="${y + 15}" text-anchor="end">${esc(truncate(it.label, 26))}</text>` +
      `<rect x="${labelW}" y="${y + 3}" width="${w}" height="16" rx="2" fill="${it.color ?? BAR}"/>` +
      `<text class="value" x="${labelW + w + 6}" y="${y + 15}">${it.value}</text></g>`
    );
  });
  return `<svg viewBox="0 0 ${W} ${h}" width="100%" role="img" aria-label="${esc(ariaLabel)}">${rows.join('')}</svg>`;
}

function severityPrivilegeChart(stats: ReportStats): string {
  const rows = SEVERITIES.filter((s) => stats.bySeverity[s] > 0);
  if (!rows.length) return `<p class="empty">No tokens.</p>`;
  const labelW = 80;
  const barW = W - labelW - 50;
  const rowH = 26;
  const max = Math.max(...rows.map((s) => stats.bySeverity[s]), 1);
  const out: string[] = [];
  rows.forEach((sev, i) => {
    const y = 4 + i * rowH;
    let x = labelW;
    const segs = PRIVILEGES.filter((p) => stats.bySeverityPrivilege[sev][p] > 0).map((p) => {
      const n = stats.bySeverityPrivilege[sev][p];
      const w = Math.max(2, Math.round((n / max) * barW));
      const seg = `<rect class="segment" data-privilege="${p}" data-value="${n}" x="${x}" y="${y + 3}" width="${w}" height="18" fill="${PRIVILEGE_COLOR[p]}"><title>${sev}, ${p}: ${n}</title></rect>`;
      x += w;
      return seg;
    });
    out.push(
      `<g class="bar" data-label="${sev}" data-value="${stats.bySeverity[sev]}" data-filter-severity="${sev}" tabindex="0" role="button">` +
        `<text class="label" x="${labelW - 8}" y="${y + 16}" text-anchor="end" fill="${SEVERITY_COLOR[sev]}">${sev}</text>${segs.join('')}` +
        `<text class="value" x="${x + 6}" y="${y + 16}">${stats.bySeverity[sev]}</text></g>`,
    );
  });
  const used = PRIVILEGES.filter((p) => stats.byPrivilege[p] > 0);
  const legendTop = 4 + rows.length * rowH + 10;
  let lx = 20;
  let legendY = legendTop;
  const legend = used.map((p) => {
    const text = `${p} (${stats.byPrivilege[p]})`;
    const width = 24 + text.length * 6.6;
    if (lx + width > W) {
      lx = 20;
      legendY += 18;
    }
    const x = lx;
    lx += width;
    return `<g class="legend"><rect x="${x}" y="${legendY}" width="10" height="10" fill="${PRIVILEGE_COLOR[p]}"/><text x="${x + 14}" y="${legendY + 9}">${text}</text></g>`;
  });
  return `<svg viewBox="0 0 ${W} ${legendY + 18}" width="100%" role="img" aria-label="Tokens by severity, split by privilege">${out.join('')}${legend.join('')}</svg>`;
}

function donut(stats: ReportStats): string {
  const total = stats.tokens;
  if (!total) return `<p class="empty">No tokens.</p>`;
  const cx = 90;
  const cy = 90;
  const r = 70;
  const slices = EXPOSURES.map((k) => ({ k, n: stats.exposure[k] }));
  let angle = -Math.PI / 2;
  const parts: string[] = [];
  for (const { k, n } of slices) {
    if (!n) continue;
    const attrs = `class="slice" data-label="${k}" data-value="${n}" data-filter-exposure="${k}" tabindex="0" role="button" fill="none" stroke="${EXPOSURE_COLOR[k]}" stroke-width="28"`;
    if (n === total) {
      parts.push(`<circle ${attrs} cx="${cx}" cy="${cy}" r="${r}"><title>${k}: ${n}</title></circle>`);
      continue;
    }
    const a2 = angle + (2 * Math.PI * n) / total;
    const large = a2 - angle > Math.PI ? 1 : 0;
    const p = (a: number) => `${(cx + r * Math.cos(a)).toFixed(2)} ${(cy + r * Math.sin(a)).toFixed(2)}`;
    parts.push(`<path ${attrs} d="M ${p(angle)} A ${r} ${r} 0 ${large} 1 ${p(a2)}"><title>${k}: ${n}</title></path>`);
    angle = a2;
  }
  const legend = slices.map(({ k, n }, i) => {
    const y = 46 + i * 28;
    const what = k === 'active' ? 'active (in HEAD)' : k === 'unmerged' ? 'unmerged (other tips)' : 'history only';
    return `<g class="legend"><rect x="200" y="${y}" width="12" height="12" fill="${EXPOSURE_COLOR[k]}"/><text x="218" y="${y + 11}">${what}: ${n} (${Math.round((100 * n) / total)}%)</text></g>`;
  });
  return (
    `<svg viewBox="0 0 ${W} 180" width="100%" role="img" aria-label="Active, unmerged and history-only tokens">${parts.join('')}` +
    `<text x="${cx}" y="${cy + 2}" text-anchor="middle" class="big">${total}</text><text x="${cx}" y="${cy + 20}" text-anchor="middle" class="small">tokens</text>${legend.join('')}</svg>`
  );
}

function ageHistogram(stats: ReportStats): string {
  const items = stats.ages;
  if (!stats.tokens) return `<p class="empty">No tokens.</p>`;
  const h = 170;
  const base = 140;
  const colW = Math.floor((W - 20) / items.length);
  const max = Math.max(...items.map(([, n]) => n), 1);
  const bars = items.map(([label, n], i) => {
    const bh = n ? Math.max(2, Math.round((n / max) * 110)) : 0;
    const x = 10 + i * colW;
    return (
      `<g class="bar" data-label="${esc(label)}" data-value="${n}" data-filter-age="${esc(label)}" tabindex="0" role="button"><title>${esc(label)}: ${n}</title>` +
      `<rect x="${x + 8}" y="${base - bh}" width="${colW - 16}" height="${bh}" rx="2" fill="${label === 'unknown' ? '#aab7b8' : '#8e44ad'}"/>` +
      `<text class="value" x="${x + colW / 2}" y="${base - bh - 4}" text-anchor="middle">${n}</text>` +
      `<text class="label" x="${x + colW / 2}" y="${base + 16}" text-anchor="middle">${esc(label.replace(/ months$/, ' mo'))}</text></g>`
    );
  });
  return `<svg viewBox="0 0 ${W} ${h}" width="100%" role="img" aria-label="How long tokens have sat in history"><line x1="10" x2="${W - 10}" y1="${base}" y2="${base}" stroke="#ccd"/>${bars.join('')}</svg>`;
}

function where(o: Occurrence): string {
  const at = `${o.part ? `part: ${o.part} at ` : ''}${o.repo ? `${o.repo}: ` : o.target ? `${o.target}/` : ''}${placeText(o)}`;
  return o.commit ? `${at} @ ${o.commit.slice(0, 10)}${o.date ? ` (${o.date.slice(0, 10)})` : ''}` : at;
}

const MAX_LOCATIONS = 50;

const VERIFY_RANK = { live: 4, unknown: 3, error: 2, invalid: 1 } as const;

/** The Verified cell: status, and who the credential acts as. */
function verifiedCell(t: Token): string {
  const v = t.verification;
  if (!v) return '<td data-value="0">—</td>';
  return `<td data-value="${VERIFY_RANK[v.status]}"><span class="ver ver-${v.status}" title="${esc(verificationText(t))}">${v.status}</span>${v.identity ? `<div class="sub">${esc(v.identity)}</div>` : ''}</td>`;
}

function tokenRow(t: Token, inv: Inventory, history: boolean, verified = false): string {
  const exposure = exposureOf(t);
  const days = exposureDays(t, inv.scan.startedAt);
  const first = firstSeenDate(t);
  const places = placesOf(t, inv);
  const age = days === undefined ? 'unknown' : (AGE_BUCKETS.find((b) => days < b.maxDays)?.label ?? 'unknown');
  const link = safeUrl(t.rotate);
  const locs = t.occurrences.slice(0, MAX_LOCATIONS).map((o) => `<li${o.part ? ' class="part"' : ''}>${esc(where(o))}${o.decoded ? ` <em>(${esc(o.decoded)})</em>` : ''}</li>`);
  if (t.occurrences.length > MAX_LOCATIONS) locs.push(`<li>… ${t.occurrences.length - MAX_LOCATIONS} more</li>`);
  const own = t.occurrences.filter((o) => !o.part);
  const tier = t.tier === 'review' ? 'review' : 'report';
  const score = t.score ?? 1;
  const search = [t.ruleName, t.ruleId, t.provider, t.kind, t.redacted, t.id.slice(0, 16), t.severity, t.privilege, history ? exposure : '', tier, ...(t.reasons ?? []), ...places, ...t.occurrences.slice(0, MAX_LOCATIONS).map((o) => o.path)]
    .join(' ')
    .toLowerCase();
  const secret = t.secret !== undefined ? `<div class="secret">${esc(t.secret)}</div>` : '';
  return (
    `<tr data-tier="${tier}" data-severity="${t.severity}" data-provider="${esc(t.provider)}" data-exposure="${exposure}" data-age="${esc(age)}"${verified ? ` data-verified="${t.verification?.status ?? 'none'}"` : ''} data-search="${esc(search)}"${tier === 'review' ? ' hidden' : ''}>` +
    `<td data-value="${SEVERITY_RANK[t.severity]}"><span class="sev sev-${t.severity}">${t.severity}</span></td>` +
    `<td data-value="${esc(`${t.provider} ${t.ruleName}`)}"><div class="rule">${esc(t.ruleName)}${tier === 'review' ? ' <span class="tier-review">review</span>' : ''}</div><div class="sub">${esc(t.provider)} · ${esc(t.kind)}</div>` +
    `<code>${esc(t.redacted)}</code> <span class="sub" title="fingerprint">${esc(t.id.slice(0, 12))}</span>${secret}</td>` +
    `<td class="score" data-value="${score}"><span class="n">${score.toFixed(2)}</span>${t.reasons?.length ? `<div class="sub reasons">${esc(t.reasons.join('; '))}</div>` : ''}</td>` +
    `<td data-value="${PRIVILEGES.length - PRIVILEGES.indexOf(t.privilege)}"><span class="priv priv-${t.privilege}" title="${esc(t.privilegeReason)}">${t.privilege}</span>${t.privilegeSource === 'observed' ? '<div class="sub">observed</div>' : ''}</td>` +
    (verified ? verifiedCell(t) : '') +
    (history
      ? `<td data-value="${EXPOSURE_RANK[exposure]}"><span class="exp exp-${exposure}"${t.refs?.length ? ` title="${esc(truncate(t.refs.join(', '), 300))}"` : ''}>${EXPOSURE_TEXT[exposure]}</span></td>`
      : '') +
    `<td data-value="${places.length}" title="${esc(places.join(', '))}">${places.length}</td>` +
    `<td data-value="${own.length}">${own.length}</td>` +
    (history
      ? `<td data-value="${esc(first ?? '')}">${esc(first ? first.slice(0, 10) : '—')}</td>` +
        `<td data-value="${days ?? -1}">${days === undefined ? '—' : esc(plural(days, 'day'))}</td>`
      : '') +
    `<td class="locs"><details><summary>${esc(truncate(where(own[0] ?? ({ path: '?', line: 0 } as Occurrence)), 60))}${t.occurrences.length > 1 ? ` +${t.occurrences.length - 1}` : ''}</summary><ul>${locs.join('')}</ul></details></td>` +
    `<td>${link ? `<a href="${esc(link)}" target="_blank" rel="noopener noreferrer">rotate</a>` : '—'}</td></tr>`
  );
}

function scopeLine(inv: Inventory): string {
  const s = inv.scan;
  const parts: string[] = [];
  if (s.org) {
    const failed = s.org.repositories.filter((r) => r.status === 'failed').length;
    parts.push(`${plural(s.org.repositories.length, 'repository', 'repositories')}${failed ? ` (${failed} failed)` : ''}`);
    if (s.org.shard) parts.push(`shard ${s.org.shard.index}/${s.org.shard.count}`);
  } else parts.push(s.targets.map(esc).join(', '));
  if (s.history) parts.push(`${plural(s.history.commits, 'commit')}, ${plural(s.history.blobs, 'blob')} read`);
  else parts.push(plural(s.files, 'file'));
  if (s.org?.blobsReused) parts.push(`${s.org.blobsReused} blobs reused from the datastore`);
  parts.push(formatBytes(s.bytes));
  parts.push(`started ${s.startedAt.replace('T', ' ').replace(/\.\d+Z$/, 'Z')}`);
  parts.push(`took ${formatDuration(s.durationMs)}`);
  parts.push(`${s.rules} rules`);
  return parts.map((p) => esc(p)).join(' · ');
}

const CSS = `
:root{--fg:#1d2733;--muted:#5d6b7a;--line:#e3e8ee;--bg:#f6f8fa;--card:#fff}
*{box-sizing:border-box}body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--fg);background:var(--bg)}
header{padding:20px 28px 8px}h1{margin:0 0 4px;font-size:22px}h2{font-size:15px;margin:0 0 8px}.meta{color:var(--muted);margin:0}
main{padding:8px 28px 28px}.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(140px,1fr));gap:12px;margin:12px 0 18px}
.card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:10px 14px}.card .n{font-size:24px;font-weight:650}.card .t{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.04em}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(420px,1fr));gap:14px;margin-bottom:18px}
figure.chart{margin:0;background:var(--card);border:1px solid var(--line);border-radius:8px;padding:12px 14px}figcaption{font-weight:600;margin-bottom:6px}
svg text{font:12px system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;fill:#33414f}svg text.big{font-size:28px;font-weight:700}svg text.small{fill:#5d6b7a}
svg [role=button]{cursor:pointer}svg [role=button]:hover rect,svg [role=button]:hover{opacity:.85}.empty{color:var(--muted)}
.panel{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:12px 14px}
.filters{display:flex;flex-wrap:wrap;gap:8px;align-items:center;margin-bottom:10px}.filters input[type=search],.filters select{font:inherit;padding:5px 8px;border:1px solid #c9d2db;border-radius:6px;background:#fff}
.filters input[type=search]{min-width:260px}#count{color:var(--muted);margin-left:auto}button.reset{font:inherit;padding:5px 10px;border:1px solid #c9d2db;border-radius:6px;background:#fff;cursor:pointer}
table{border-collapse:collapse;width:100%}th,td{text-align:left;vertical-align:top;padding:7px 8px;border-bottom:1px solid var(--line)}
th{position:sticky;top:0;background:#eef2f6;font-size:12px;text-transform:uppercase;letter-spacing:.03em;white-space:nowrap}th[data-sort]{cursor:pointer}
th[aria-sort=ascending]::after{content:" ▲"}th[aria-sort=descending]::after{content:" ▼"}tr[hidden]{display:none}
.rule{font-weight:600}.sub{color:var(--muted);font-size:12px}code{background:#eef2f6;padding:1px 5px;border-radius:4px;font-size:12px}
.secret{font-family:monospace;color:#b3192b;word-break:break-all}
.sev,.priv,.exp{display:inline-block;white-space:nowrap;padding:1px 7px;border-radius:10px;font-size:12px;font-weight:600;color:#fff}
.sev-critical{background:#b3192b}.sev-high{background:#e0592a}.sev-medium{background:#e9a23b}.sev-low{background:#4f8fc0}.sev-info{background:#9aa5b1}
.priv-admin{background:#7a1f5c}.priv-write{background:#c0392b}.priv-publish{background:#d68910}.priv-read{background:#2e86c1}.priv-unknown{background:#aab7b8}
.ver{display:inline-block;white-space:nowrap;padding:1px 7px;border-radius:10px;font-size:12px;font-weight:600;color:#fff}.ver-live{background:#b3192b}.ver-invalid{background:#7f8c8d}.ver-unknown{background:#aab7b8}.ver-error{background:#d68910}
.exp-active{background:#c0392b}.exp-unmerged{background:#d68910}.exp-history-only{background:#7f8c8d}
.score{white-space:nowrap}.score .reasons{white-space:normal;max-width:220px}.tier-review{display:inline-block;padding:0 6px;border-radius:8px;font-size:11px;font-weight:600;color:#5d6b7a;border:1px solid #c9d2db}
tr[data-tier=review]{background:#fafbfc}tr[data-tier=review] .rule{color:#5d6b7a}.filters label{display:flex;gap:5px;align-items:center;color:var(--muted)}li.part{color:var(--muted)}
.locs{max-width:420px;font-size:12px}.locs summary{cursor:pointer;word-break:break-all}.locs ul{margin:6px 0 0;padding-left:18px;word-break:break-all}
footer{color:var(--muted);font-size:12px;padding:0 28px 24px}
`;

const SCRIPT = `
(function () {
  var table = document.getElementById('tokens');
  if (!table) return;
  var tbody = table.tBodies[0];
  var rows = Array.prototype.slice.call(tbody.rows);
  var q = document.getElementById('q');
  // A report of files has no status or age filter: only the filters the page has.
  var selects = {};
  ['severity', 'provider', 'exposure', 'age', 'verified'].forEach(function (k) { var el = document.getElementById('f-' + k); if (el) selects[k] = el; });
  var review = document.getElementById('f-review');
  var count = document.getElementById('count');
  function apply() {
    var text = q.value.trim().toLowerCase();
    var shown = 0, total = 0;
    rows.forEach(function (r) {
      // Review-tier rows count only once the review tier is shown.
      var inTier = r.dataset.tier !== 'review' || review.checked;
      var ok = inTier && (!text || r.dataset.search.indexOf(text) !== -1);
      Object.keys(selects).forEach(function (k) { if (ok && selects[k].value && r.dataset[k] !== selects[k].value) ok = false; });
      r.hidden = !ok;
      if (inTier) total++;
      if (ok) shown++;
    });
    count.textContent = 'Showing ' + shown + ' of ' + total + ' tokens';
    count.dataset.shown = String(shown);
  }
  var sortIndex = -1, dir = 1;
  function sortBy(th) {
    var i = th.cellIndex, numeric = th.dataset.sort === 'number';
    dir = sortIndex === i ? -dir : (numeric ? -1 : 1);
    sortIndex = i;
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (h) { h.removeAttribute('aria-sort'); });
    th.setAttribute('aria-sort', dir > 0 ? 'ascending' : 'descending');
    function val(r) { var c = r.cells[i]; var v = c.dataset.value !== undefined ? c.dataset.value : c.textContent; return numeric ? Number(v) : String(v).toLowerCase(); }
    rows.sort(function (a, b) { var x = val(a), y = val(b); return (x < y ? -1 : x > y ? 1 : 0) * dir; });
    var frag = document.createDocumentFragment();
    rows.forEach(function (r) { frag.appendChild(r); });
    tbody.appendChild(frag);
  }
  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th) {
    if (!th.dataset.sort) return;
    th.tabIndex = 0;
    th.addEventListener('click', function () { sortBy(th); });
    th.addEventListener('keydown', function (e) { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); sortBy(th); } });
  });
  q.addEventListener('input', apply);
  review.addEventListener('change', apply);
  Object.keys(selects).forEach(function (k) { selects[k].addEventListener('change', apply); });
  document.getElementById('reset').addEventListener('click', function () { q.value = ''; review.checked = false; Object.keys(selects).forEach(function (k) { selects[k].value = ''; }); apply(); });
  // Clicking a bar or a slice filters the table by what it shows.
  Array.prototype.forEach.call(document.querySelectorAll('svg [role=button]'), function (el) {
    function pick() {
      Object.keys(selects).forEach(function (k) {
        var v = el.getAttribute('data-filter-' + k);
        if (v !== null) { selects[k].value = v; }
      });
      apply();
      table.scrollIntoView({ behavior: 'smooth', block: 'start' });
    }
    el.addEventListener('click', pick);
    el.addEventListener('keydown', function (e) { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); pick(); } });
  });
  apply();
})();
`;

function options(values: Array<[string, string]>): string {
  return values.map(([v, label]) => `<option value="${esc(v)}">${esc(label)}</option>`).join('');
}

export interface HtmlOptions {
  title?: string;
}

export function toHtml(inv: Inventory, opts: HtmlOptions = {}): string {
  const inReview = inv.tokens.filter((t) => t.tier === 'review');
  const stats = reportStats({ ...inv, tokens: inv.tokens.filter((t) => t.tier !== 'review') });
  const title = opts.title ?? (inv.scan.org ? 'Organisation token inventory' : 'Token inventory');
  const providers = stats.byProvider.slice(0, 12);
  const otherProviders = stats.byProvider.slice(12).reduce((n, [, c]) => n + c, 0);
  const providerItems: BarItem[] = providers.map(([p, n]) => ({ label: p, value: n, filter: ['provider', p] }));
  if (otherProviders) providerItems.push({ label: `${stats.byProvider.length - 12} other providers`, value: otherProviders, color: '#95a5a6' });
  const placeWord = stats.placeKind === 'repositories' ? 'repositories' : stats.placeKind === 'targets' ? 'scan targets' : 'folders';
  const placeItems: BarItem[] = stats.places.slice(0, 10).map(([p, n]) => ({ label: p, value: n }));
  const critical = stats.bySeverity.critical;
  const admin = stats.byPrivilege.admin;
  const repoCount = inv.scan.org?.repositories.length;
  // Status and age are facts of a history scan: a scan of files (or of staged changes) never measured them.
  const history = stats.isHistory;
  const cards: Array<[string, string | number, string]> = [
    ['tokens', stats.tokens, history ? 'unique secrets' : 'unique secrets in the files'],
    ...(history
      ? ([
          ['active', stats.exposure.active, 'still in HEAD'],
          ['unmerged', stats.exposure.unmerged, 'at other branch, tag or stash tips'],
          ['history-only', stats.exposure['history-only'], 'only in past commits'],
        ] as Array<[string, number, string]>)
      : []),
    ['critical', critical, 'critical severity'],
    ['admin', admin, 'admin privilege'],
    [
      'places',
      repoCount !== undefined ? `${stats.placesWithTokens} / ${repoCount}` : stats.placesWithTokens,
      repoCount !== undefined ? 'repositories with tokens' : `${placeWord} with tokens`,
    ],
  ];
  if (stats.shared) cards.push(['shared', stats.shared, 'in several repositories']);
  cards.push(['review', inReview.length, 'in review (hidden in the table)']);
  const failed = inv.scan.org?.repositories.filter((r) => r.status === 'failed') ?? [];
  // Verified runs: a Verified column and filter, live tokens first, and a card of live ones.
  const vc = verificationCounts(inv);
  const verified = vc.verified > 0;
  if (verified) cards.splice(1, 0, ['live', vc.live, `live when verified (${vc.liveAdmin} admin)`]);
  const rows = liveFirst(inv.tokens).map((t) => tokenRow(t, inv, history, verified)).join('\n');
  const ageOptions: Array<[string, string]> = stats.ages.map(([l]) => [l, l]);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="${esc(inv.tool.name)} ${esc(inv.tool.version)}">
<title>${esc(title)}</title>
<style>${CSS}</style>
</head>
<body>
<header>
<h1>${esc(title)}</h1>
<p class="meta">${scopeLine(inv)}</p>
</header>
<main>
<section class="cards">
${cards.map(([k, n, t]) => `<div class="card" data-card="${k}"><div class="n">${esc(n)}</div><div class="t">${esc(t)}</div></div>`).join('\n')}
</section>
${failed.length ? `<section class="panel" id="failed"><h2>${plural(failed.length, 'repository', 'repositories')} could not be scanned</h2><ul>${failed.map((r) => `<li><strong>${esc(r.name)}</strong>: ${esc(r.error ?? 'failed')}</li>`).join('')}</ul></section>` : ''}
<section class="charts">
<figure class="chart" data-chart="provider" data-total="${stats.tokens}"><figcaption>Tokens by provider</figcaption>${horizontalBars(providerItems, 'Tokens by provider')}</figure>
<figure class="chart" data-chart="severity" data-total="${stats.tokens}"><figcaption>By severity and privilege</figcaption>${severityPrivilegeChart(stats)}</figure>
${history ? `<figure class="chart" data-chart="exposure" data-total="${stats.tokens}"><figcaption>Active, unmerged, history only</figcaption>${donut(stats)}</figure>
<figure class="chart" data-chart="age" data-total="${stats.tokens}"><figcaption>Exposure age (since the first commit that wrote it)</figcaption>${ageHistogram(stats)}</figure>
` : ''}<figure class="chart" data-chart="places" data-total="${stats.tokens}"><figcaption>Top ${esc(placeWord)} by tokens</figcaption>${horizontalBars(placeItems, `Top ${placeWord} by tokens`)}</figure>
</section>
<section class="panel">
<h2>Tokens</h2>
<div class="filters">
<input id="q" type="search" placeholder="Filter: provider, rule, path, repository, fingerprint…" aria-label="Filter tokens">
<select id="f-severity" aria-label="Severity"><option value="">All severities</option>${options(SEVERITIES.filter((s) => stats.bySeverity[s]).map((s) => [s, s]))}</select>
<select id="f-provider" aria-label="Provider"><option value="">All providers</option>${options(stats.byProvider.map(([p]) => [p, p]).sort((a, b) => (a[0] < b[0] ? -1 : 1)) as Array<[string, string]>)}</select>
${history ? `<select id="f-exposure" aria-label="Status"><option value="">Any status</option>${options(EXPOSURES.map((k) => [k, EXPOSURE_TEXT[k][0].toUpperCase() + EXPOSURE_TEXT[k].slice(1)]))}</select>
<select id="f-age" aria-label="Exposure age"><option value="">Any age</option>${options(ageOptions)}</select>
` : ''}${verified ? `<select id="f-verified" aria-label="Verified"><option value="">Any verification</option>${options([['live', 'Live'], ['invalid', 'Invalid'], ['unknown', 'Unknown'], ['error', 'Error'], ['none', 'Not verified']])}</select>
` : ''}<label title="Password hashes, encrypted keys and low-scoring candidates: kept for a person to judge, never counted"><input type="checkbox" id="f-review"> Show review tier (${inReview.length})</label>
<button type="button" class="reset" id="reset">Reset</button>
<span id="count" data-shown="${stats.tokens}">Showing ${stats.tokens} of ${stats.tokens} tokens</span>
</div>
<table id="tokens">
<thead><tr><th data-sort="number">Severity</th><th data-sort="text">Token</th><th data-sort="number">Score</th><th data-sort="number">Privilege</th>${verified ? '<th data-sort="number">Verified</th>' : ''}${history ? '<th data-sort="number">Status</th>' : ''}<th data-sort="number">${stats.placeKind === 'repositories' ? 'Repos' : 'Places'}</th><th data-sort="number">Occurrences</th>${history ? '<th data-sort="text">First seen</th><th data-sort="number">Exposed for</th>' : ''}<th>Locations</th><th>Rotate</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
</section>
</main>
<footer>Generated by ${esc(inv.tool.name)} ${esc(inv.tool.version)}. Values are redacted (a short prefix and the length); tokens are identified by a keyed fingerprint. This page loads nothing from the network.</footer>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
