// The rules' verify and revoke blocks as data (issue 14, docs/verify-spec.md): provider hosts only, templates that
// name what the rule has, the secret out of URLs where the provider takes a header, a provider case for every
// verified rule, and the coverage the issue asks for.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { loadRules } from '../../src/rules/index.js';
import type { HttpRequestSpec, Rule } from '../../src/model/index.js';
// @ts-expect-error: a plain .mjs script without type declarations
import { verifyCoverage } from '../../scripts/verify-coverage.mjs';

const { rules } = loadRules();
const responding = rules.filter((r) => r.verify || r.revoke);

/** Providers whose verify block comes from their API reference, not from the shared facts file (verify.yaml). */
const KNOWLEDGE = ['Fastly', 'Twitch', 'Figma', 'Linode (Akamai Cloud)', 'Vultr', 'Intercom', 'Calendly', 'Box', 'Contentful', 'Snyk', 'Pulumi',
  'Honeycomb', 'Brevo', 'Postmark', 'Coda', 'Smartsheet', 'ClickUp', 'YNAB (You Need A Budget)', 'Shortcut', 'Supabase', 'Cisco Webex', 'Close', 'Clockify'];

/** Rules whose provider takes the credential only in the URL (Telegram's bot path, Mapbox's token query, Algolia's
 * key lookup, npm's token revocation): everywhere else the secret goes in a header or body. */
const SECRET_IN_URL = new Set(['telegram.bot-token', 'mapbox.secret-token', 'mapbox.public-token', 'mapbox.temporary-token', 'algolia.admin-key', 'npm.token', 'npm.token.legacy']);

const PLACEHOLDER_HOST = /(^|\.)(example\.(com|org|net)|localhost|invalid|test)$|^127\.|[<>{}\s]|your|hostname|domain/i;

function requests(rule: Rule): [string, HttpRequestSpec][] {
  const out: [string, HttpRequestSpec][] = [];
  if (rule.verify) out.push(['verify', rule.verify.request]);
  if (rule.verify?.details) out.push(['details', rule.verify.details.request]);
  if (rule.revoke) out.push(['revoke', rule.revoke.request]);
  return out;
}

/** Every string a request turns into bytes: URL, header values, basic, form, JSON leaves, signing inputs. */
function templateStrings(req: HttpRequestSpec): string[] {
  const leaves = (v: unknown): string[] =>
    typeof v === 'string' ? [v] : Array.isArray(v) ? v.flatMap(leaves) : v && typeof v === 'object' ? Object.values(v).flatMap(leaves) : [];
  return [req.url, ...leaves(req.headers), ...leaves(req.basic), ...leaves(req.form), ...leaves(req.json), ...leaves(req.sign)];
}

describe('verify and revoke blocks in rules/', () => {
  it('send requests over https to a named provider host, never a placeholder', () => {
    const bad: string[] = [];
    for (const rule of responding) {
      const partNames = new Set((rule.parts ?? []).map((p) => p.name));
      for (const [what, req] of requests(rule)) {
        const m = /^https:\/\/([^/?#]+)/.exec(req.url);
        if (!m) {
          bad.push(`${rule.id} ${what}: not https: ${req.url}`);
          continue;
        }
        const host = m[1];
        if (host.includes('{{')) {
          // A part supplies the host: only with `hosts`, and only a part the rule declares.
          const names = [...host.matchAll(/\{\{part\.(\w+)\}\}/g)].map((x) => x[1]);
          if (!req.hosts?.length) bad.push(`${rule.id} ${what}: templated host without hosts`);
          if (!names.length || names.some((n) => !partNames.has(n))) bad.push(`${rule.id} ${what}: host template names no declared part`);
          const sample = host.replace(/\{\{part\.\w+\}\}/g, 'x');
          for (const h of req.hosts ?? []) if (!/^\*\.[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(h) || PLACEHOLDER_HOST.test(h.slice(2))) bad.push(`${rule.id} ${what}: hosts entry ${h}`);
          if (sample.includes('{{')) bad.push(`${rule.id} ${what}: host template ${host}`);
        } else {
          if (PLACEHOLDER_HOST.test(host) || !/^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(host)) bad.push(`${rule.id} ${what}: host ${host}`);
          if (req.hosts) bad.push(`${rule.id} ${what}: hosts without a templated host`);
        }
      }
    }
    expect(bad).toEqual([]);
  });

  it('name in templates only the secret, the batch of secrets, or a part the rule declares', () => {
    const bad: string[] = [];
    for (const rule of responding) {
      const partNames = new Set((rule.parts ?? []).map((p) => p.name));
      for (const [what, req] of requests(rule)) {
        for (const s of templateStrings(req)) {
          for (const [, name] of s.matchAll(/\{\{([^}]*)\}\}/g)) {
            const part = /^part\.(\w+)$/.exec(name);
            const ok = name === 'secret' || (name === 'secrets' && what === 'revoke' && s === '{{secrets}}') || (part && partNames.has(part[1]));
            if (!ok) bad.push(`${rule.id} ${what}: {{${name}}}`);
          }
          if (/\{\{(?![^}]*\}\})|(?<!\{)\{(?!\{)[^}]*\}\}/.test(s)) bad.push(`${rule.id} ${what}: unbalanced template in ${s}`);
        }
        if (what === 'revoke' && JSON.stringify(req.json ?? null).includes('{{secrets}}') && !rule.revoke?.batch) bad.push(`${rule.id}: {{secrets}} without batch`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('carry the secret in a header or body, in a URL only where the provider accepts nothing else', () => {
    const inUrl = responding.filter((r) => requests(r).some(([, req]) => req.url.includes('{{secret}}'))).map((r) => r.id);
    expect(inUrl.filter((id) => !SECRET_IN_URL.has(id))).toEqual([]);
  });

  it('list documentation for every block and matchers that decide something', () => {
    const bad: string[] = [];
    for (const rule of responding) {
      if (rule.verify && (!rule.verify.docs.length || !rule.verify.live.length || !rule.verify.invalid.length)) bad.push(rule.id);
      if (rule.revoke && (!rule.revoke.docs.length || !rule.revoke.success.length)) bad.push(rule.id);
      // A response cannot mean both live and invalid: the same bare status in both lists would hide the second.
      const bare = (ms: { status?: number | number[] }[]) => ms.filter((m) => Object.keys(m).length === 1).flatMap((m) => [m.status].flat());
      if (rule.verify && bare(rule.verify.live).some((s) => bare(rule.verify!.invalid).includes(s))) bad.push(`${rule.id}: status both live and invalid`);
    }
    expect(bad).toEqual([]);
  });

  it('have a case in test/respond/provider-cases.yaml for every verified rule, and no case without one', () => {
    const file = path.resolve(import.meta.dirname, '../respond/provider-cases.yaml');
    const cases = YAML.parse(fs.readFileSync(file, 'utf8'), { maxAliasCount: -1 }) as { rule: string; expect: { method: string; path: string } }[];
    const verified = new Set(rules.filter((r) => r.verify).map((r) => r.id));
    const cased = new Set(cases.map((c) => c.rule));
    expect([...verified].filter((id) => !cased.has(id))).toEqual([]);
    expect([...cased].filter((id) => !verified.has(id))).toEqual([]);
    expect(cases.length).toBe(cased.size);
    for (const c of cases) expect(c.expect.path, c.rule).toMatch(/^\//);
  });

  it('cover what issue 14 asks: >= 60 providers verify, >= 15 report identity or scopes, >= 6 revoke', () => {
    const { counts, providers } = verifyCoverage() as { counts: Record<string, number>; providers: { provider: string }[] };
    expect(counts.verify).toBeGreaterThanOrEqual(60);
    expect(counts.identityOrScopes).toBeGreaterThanOrEqual(15);
    expect(counts.revoke).toBeGreaterThanOrEqual(6);
    // The providers written from their API reference are named here so that they can be checked against it.
    const names = new Set(providers.map((p) => p.provider));
    expect(KNOWLEDGE.filter((k) => !names.has(k))).toEqual([]);
  });
});
