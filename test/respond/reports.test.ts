// Every report shows what --verify learnt; an inventory never verified renders as before.
import { describe, expect, it } from 'vitest';
import type { Inventory, Token } from '../../src/model/index.js';
import { toCsv, toSarif, toText } from '../../src/report/index.js';
import { toHtml } from '../../src/report/html.js';
import { toMarkdown } from '../../src/report/markdown.js';
import { orgInventory } from '../report/org-inventory.js';

function verified(): Inventory {
  const inv = structuredClone(orgInventory());
  const reported = inv.tokens.filter((t) => t.tier === 'report');
  const last = reported[reported.length - 1];
  last.verification = { status: 'live', checkedAt: '2026-01-02T03:04:05.000Z', identity: 'user: octo', scopes: ['repo', 'admin:org'] };
  last.privilege = 'admin';
  last.privilegeSource = 'observed';
  reported[0].verification = { status: 'invalid', checkedAt: '2026-01-02T03:04:05.000Z', detail: 'HTTP 401' };
  reported[0].privilegeSource = 'rule';
  return inv;
}
const live = (inv: Inventory): Token => inv.tokens.find((t) => t.verification?.status === 'live')!;

describe('reports of a verified run', () => {
  it('SARIF: level error for a live token, verification in its properties', () => {
    const inv = verified();
    const sarif = toSarif(inv, []);
    const results = sarif.runs[0].results!;
    const mine = results.filter((r) => r.properties?.fingerprint === live(inv).id);
    expect(mine.length).toBeGreaterThan(0);
    for (const r of mine) {
      expect(r.level).toBe('error');
      expect(r.properties?.verification).toMatchObject({ status: 'live', identity: 'user: octo' });
      expect(r.properties?.privilegeSource).toBe('observed');
      expect(r.message.text).toContain('Verified: live.');
    }
  });

  it('text: live first, with a verified line and the count', () => {
    const inv = verified();
    const text = toText(inv);
    expect(text.indexOf(live(inv).redacted)).toBeLessThan(text.indexOf(inv.tokens[0].redacted));
    expect(text).toContain('verified: live as user: octo; scopes repo, admin:org; privilege admin (observed); checked 2026-01-02T03:04:05Z');
    expect(text).toContain('1 live token, 1 with admin privilege (of 2 verified: 1 invalid, 0 unknown, 0 error)');
  });

  it('HTML: a Verified column and filter, live first, a live card', () => {
    const html = toHtml(verified());
    expect(html).toContain('<th data-sort="number">Verified</th>');
    expect(html).toContain('id="f-verified"');
    expect(html).toContain('data-card="live"');
    const firstRow = html.indexOf('<tr data-tier=');
    expect(html.slice(firstRow, firstRow + 300)).toContain('data-verified="live"');
    expect(toHtml(orgInventory())).not.toContain('Verified</th>');
  });

  it('Markdown: "N live tokens, M with admin privilege", a Verified column, live first', () => {
    const md = toMarkdown(verified());
    expect(md).toContain('1 live token, 1 with admin privilege');
    expect(md).toMatch(/\| Verified \|/);
    const table = md.slice(md.indexOf('## What remains to rotate'));
    expect(table.split('\n')[4]).toContain('**live**');
    expect(md).not.toContain('No credential was tried against its provider');
  });

  it('CSV gains verification columns only for a verified run', () => {
    expect(toCsv(verified()).split('\n')[0]).toMatch(/,verification,identity,scopes,privilege_source,checked_at$/);
    expect(toCsv(orgInventory()).split('\n')[0]).toMatch(/,status$/);
  });

  it('the audit report lists revoked tokens', () => {
    const inv = verified();
    live(inv).revocation = { status: 'revoked', revokedAt: '2026-01-02T04:00:00.000Z', by: 'alice', detail: 'HTTP 202' };
    const md = toMarkdown(inv);
    expect(md).toContain('## Revoked');
    expect(md).toContain('revoked (HTTP 202)');
    expect(md.slice(md.indexOf('## What remains to rotate'))).not.toContain(live(inv).redacted.replace(/[*_`|]/g, ''));
  });
});
