#!/usr/bin/env node
// Counts what `--verify` and `shadowscan revoke` cover, from the verify and revoke blocks of rules/*.yaml, and
// prints the counts and the README's "Providers by capability" table in Markdown.
//   node scripts/verify-coverage.mjs [rules-dir]
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';

const RULES_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../rules');

/** Per provider (a rule file's provider name): the rules that verify, report identity, report scopes, revoke. */
export function verifyCoverage(dir = RULES_DIR) {
  const providers = new Map();
  for (const file of fs.readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort()) {
    const doc = YAML.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
    for (const rule of doc?.rules ?? []) {
      if (!rule.verify && !rule.revoke) continue;
      const name = rule.provider ?? doc.provider;
      const p = providers.get(name) ?? { provider: name, file, verify: [], identity: [], scopes: [], privilege: [], revoke: [] };
      const v = rule.verify;
      if (v) p.verify.push(rule.id);
      if (v?.identity?.length || v?.details?.identity?.length) p.identity.push(rule.id);
      if (v?.scopes || v?.details?.scopes) p.scopes.push(rule.id);
      if (v?.privilegeFromScopes?.length) p.privilege.push(rule.id);
      if (rule.revoke) p.revoke.push(rule.id);
      providers.set(name, p);
    }
  }
  const list = [...providers.values()].sort((a, b) => a.provider.localeCompare(b.provider, 'en', { sensitivity: 'base' }));
  const count = (key) => list.filter((p) => p[key].length).length;
  return {
    providers: list,
    counts: {
      verify: count('verify'),
      verifyRules: list.reduce((n, p) => n + p.verify.length, 0),
      identityOrScopes: list.filter((p) => p.identity.length || p.scopes.length).length,
      identity: count('identity'),
      scopes: count('scopes'),
      privilege: count('privilege'),
      revoke: count('revoke'),
      revokeRules: list.reduce((n, p) => n + p.revoke.length, 0),
    },
  };
}

export function coverageMarkdown({ providers, counts }) {
  const n = (rules) => (rules.length ? String(rules.length) : '');
  const lines = [
    `${counts.verify} providers verify (${counts.verifyRules} rules); ${counts.identityOrScopes} report identity or scopes ` +
      `(${counts.identity} identity, ${counts.scopes} scopes, ${counts.privilege} privilege from scopes); ` +
      `${counts.revoke} revoke (${counts.revokeRules} rules).`,
    '',
    '| Provider | Rules that verify | report identity | report scopes | privilege from scopes | revoke |',
    '|---|---:|---:|---:|---:|---:|',
    ...providers.map((p) => `| ${p.provider} | ${n(p.verify)} | ${n(p.identity)} | ${n(p.scopes)} | ${n(p.privilege)} | ${n(p.revoke)} |`),
  ];
  return lines.join('\n');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log(coverageMarkdown(verifyCoverage(process.argv[2] ? path.resolve(process.argv[2]) : RULES_DIR)));
}
