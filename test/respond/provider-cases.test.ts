// Table-driven provider checks: each case of test/respond/provider-cases.yaml (the rule data's own table; skipped
// when absent) and of fixtures/provider-cases.yaml (sample rules) gets a loopback server standing in for the
// provider. The test checks the exact request the rule makes, answers live then invalid, and checks the statuses,
// identity, scopes and observed privilege; with `revoke`, the revocation request and its success.
//
// Expected values: `{{secret}}` and `{{part.NAME}}` are substituted (URL-encoded in `path`); `base64(...)` and
// `{{basic:USER:PASS}}` are replaced by the base64 of what they hold (`Basic base64({{part.username}}:{{secret}})`,
// `Basic {{basic:api:{{secret}}}}`). An expected `authorization` of `{{sigv4}}`, or any for a rule signed with
// aws-sigv4, is checked for the SigV4 shape (Credential=<key id>/<date>/<region>/<service>/aws4_request,
// SignedHeaders, a 64-hex Signature).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { Rule } from '../../src/model/index.js';
import { BUILTIN_RULES_DIR, loadRules } from '../../src/rules/load.js';
import { revokeBatches, revokeCredentials, verifyOne } from '../../src/respond/index.js';
import { fakeServer, type FakeServer, type Reply, type SeenRequest } from './fake-server.js';

const here = path.dirname(fileURLToPath(import.meta.url));

interface Answer {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

export interface ProviderCase {
  rule: string;
  secret: string;
  parts?: Record<string, string>;
  expect: { method: string; path: string; headers?: Record<string, string>; bodyContains?: string };
  live: Answer;
  invalid: Answer;
  identity?: string;
  scopes?: string[];
  privilege?: string;
  /** `body` and `headers` (optional): what the provider answers a successful revocation with. */
  revoke?: { method: string; path: string; status: number; body?: unknown; headers?: Record<string, string> };
}

const TABLES: Array<{ name: string; file: string; rulesDir: string }> = [
  { name: 'sample cases', file: path.join(here, 'fixtures/provider-cases.yaml'), rulesDir: path.join(here, 'fixtures/rules') },
  { name: 'provider cases', file: path.join(here, 'provider-cases.yaml'), rulesDir: BUILTIN_RULES_DIR },
];

const servers: FakeServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

function fill(template: string, values: { secret: string; parts: Record<string, string> }, encode = false): string {
  const sub = (t: string) =>
    t.replace(/\{\{\s*(secret|part\.[A-Za-z0-9_-]+)\s*\}\}/g, (_, name: string) => {
      const v = name === 'secret' ? values.secret : values.parts[name.slice(5)];
      if (v === undefined) throw new Error(`the case names ${name}, which it does not give`);
      return encode ? encodeURIComponent(v) : v;
    });
  const b64 = (_: string, inner: string) => Buffer.from(inner, 'utf8').toString('base64');
  return sub(template).replace(/base64\(([^)]*)\)/g, b64).replace(/\{\{basic:(.*)\}\}/g, b64);
}

function reply(a: Answer): Reply {
  return { status: a.status, headers: a.headers, body: a.body };
}

for (const table of TABLES) {
  const present = fs.existsSync(table.file);
  describe.skipIf(!present)(table.name, () => {
    const cases = present ? ((parse(fs.readFileSync(table.file, 'utf8')) as ProviderCase[] | null) ?? []) : [];
    const loaded = present ? loadRules([table.rulesDir], { validate: true }) : { rules: [] as Rule[], problems: [] };
    const rules = new Map(loaded.rules.map((r) => [r.id, r]));

    it('every case names a rule that verifies', () => {
      expect(loaded.problems).toEqual([]);
      for (const c of cases) expect(rules.get(c.rule)?.verify, c.rule).toBeDefined();
    });

    for (const c of cases) {
      it(c.rule, async () => {
        const rule = rules.get(c.rule);
        if (!rule?.verify) throw new Error(`rule ${c.rule} has no verify block`);
        const example = rule.examples[0];
        const secret = c.secret === 'generate' ? example?.secret : c.secret;
        if (!secret) throw new Error(`rule ${c.rule} has no example secret to generate from`);
        const parts = { ...(c.secret === 'generate' ? (example?.parts ?? {}) : {}), ...(c.parts ?? {}) };
        const values = { secret, parts };
        let phase: 'live' | 'invalid' | 'revoke' = 'live';
        const expectedPath = fill(c.expect.path, values, true);
        const server = await fakeServer((req: SeenRequest): Reply => {
          if (phase === 'revoke') return c.revoke && req.path === fill(c.revoke.path, values, true) ? { status: c.revoke.status, headers: c.revoke.headers, body: c.revoke.body ?? {} } : { status: 404 };
          if (req.path !== expectedPath) return reply(c.live); // a details request: answered as live
          return reply(phase === 'live' ? c.live : c.invalid);
        });
        servers.push(server);
        const endpoints = { [rule.id]: server.url };
        const credential = { id: 'case', rule, secret, parts };

        const live = await verifyOne(credential, { endpoints, retries: 0 });
        const first = server.requests[0];
        expect(first, 'a request was sent').toBeDefined();
        expect(first.method).toBe(c.expect.method);
        expect(first.path).toBe(expectedPath);
        const sign = rule.verify.request.sign;
        for (const [name, value] of Object.entries(c.expect.headers ?? {})) {
          const got = first.headers[name.toLowerCase()];
          if (name.toLowerCase() === 'authorization' && (sign?.kind === 'aws-sigv4' || value.trim() === '{{sigv4}}')) {
            const keyId = fill(sign?.accessKeyId ?? '{{secret}}', values).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
            const scope = `${sign?.region ?? 'us-east-1'}/${sign?.service ?? 'sts'}`;
            expect(String(got)).toMatch(new RegExp(`^AWS4-HMAC-SHA256 Credential=${keyId}/\\d{8}/${scope}/aws4_request, SignedHeaders=[a-z0-9;-]+, Signature=[0-9a-f]{64}$`));
          } else {
            expect(got, `header ${name}`).toBe(fill(value, values));
          }
        }
        if (c.expect.bodyContains !== undefined) expect(first.body).toContain(fill(c.expect.bodyContains, values));
        expect(live.status, `live answer: ${live.detail ?? ''}`).toBe('live');
        if (c.identity !== undefined) expect(live.identity).toBe(c.identity);
        if (c.scopes !== undefined) expect(live.scopes).toEqual(c.scopes);
        if (c.privilege !== undefined) expect(live.privilege).toBe(c.privilege);

        phase = 'invalid';
        const invalid = await verifyOne(credential, { endpoints, retries: 0 });
        expect(invalid.status, `invalid answer: ${invalid.detail ?? ''}`).toBe('invalid');

        if (c.revoke) {
          expect(rule.revoke, `rule ${c.rule} has no revoke block`).toBeDefined();
          phase = 'revoke';
          const before = server.requests.length;
          const [outcome] = await revokeCredentials(revokeBatches([credential]), { endpoints, retries: 0 });
          const sent = server.requests[before];
          expect(sent.method).toBe(c.revoke.method);
          expect(sent.path).toBe(fill(c.revoke.path, values, true));
          expect(outcome.status).toBe('revoked');
        }
      });
    }
  });
}
