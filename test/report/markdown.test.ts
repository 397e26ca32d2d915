// The assessor's report (--format markdown, alias audit): golden files for a fixed org inventory and for an empty
// one, and through the CLI on a real history scan.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Inventory } from '../../src/model/index.js';
import { toMarkdown } from '../../src/report/markdown.js';
import { runCli } from '../helpers/cli.js';
import { fakeAwsAccessKeyId, fakeGithubPat } from '../helpers/fake-tokens.js';
import { ALICE, BOB, FixtureRepo } from '../helpers/git-fixtures.js';
import { orgInventory } from './org-inventory.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const golden = (name: string) => path.join(here, 'golden', name);
const UPDATE = process.env.UPDATE_GOLDEN === '1';

function expectGolden(name: string, actual: string): void {
  if (UPDATE || !fs.existsSync(golden(name))) fs.writeFileSync(golden(name), actual);
  expect(actual).toBe(fs.readFileSync(golden(name), 'utf8'));
}

describe('markdown audit report', () => {
  it('maps an org inventory to NIST SP 800-53 and CSF 2.0 (golden)', () => {
    const md = toMarkdown(orgInventory());
    expectGolden('audit-org.md', md);
    for (const control of ['IA-5 ', 'IA-5(7)', 'SC-12', 'SC-13', 'SC-28', 'AC-2', 'AC-6', 'AU-6']) expect(md).toContain(`| ${control}`);
    for (const fn of ['Identify (ID)', 'Protect (PR)', 'Detect (DE)', 'Respond (RS)', 'Recover (RC)']) expect(md).toContain(`| ${fn} |`);
  });

  it('says so when nothing was found (golden)', () => {
    const inv: Inventory = {
      schemaVersion: 1,
      tool: { name: 'shadowscan', version: '0.1.0' },
      scan: { targets: ['.'], startedAt: '2026-01-01T00:00:00.000Z', durationMs: 950, files: 40, bytes: 81_920, skipped: [], warnings: [], rules: 612 },
      tokens: [],
    };
    expectGolden('audit-empty.md', toMarkdown(inv));
  });

  it('a working-tree report states no history fact it did not measure', () => {
    const inv = orgInventory();
    const tree: Inventory = {
      ...inv,
      scan: { targets: ['.'], startedAt: inv.scan.startedAt, durationMs: 120, files: 40, bytes: 81_920, skipped: [], warnings: [], rules: 612 },
      tokens: inv.tokens.map(({ firstSeen: _f, lastSeen: _l, commits: _c, presentInHead: _p, repos: _r, ...t }) => ({
        ...t,
        occurrences: t.occurrences.map(({ commit: _co, author: _a, date: _d, repo: _re, ...o }) => o),
      })),
    };
    const md = toMarkdown(tree);
    for (const absent of ['only in history', 'persist only in history', '| Privilege | Status |', '| First seen |', 'Exposed (days)', '"Active" means', 'and its history']) expect(md, absent).not.toContain(absent);
    expect(md).toContain('History not scanned');
    const rows = md.split('## What remains to rotate')[1].split('\n').filter((l) => /^\| \d+ \|/.test(l));
    expect(rows[0].split(' | ')).toHaveLength(8);
  });

  it('is reproducible and never holds more than the redacted value', () => {
    const inv = orgInventory();
    expect(toMarkdown(inv)).toBe(toMarkdown(orgInventory()));
    const md = toMarkdown(inv);
    // Every report-tier token is listed once in what remains to rotate, most severe first; review-tier ones apart.
    const [rotate, review] = md.split('## What remains to rotate')[1].split('## For review');
    const rows = rotate.split('\n').filter((l) => /^\| \d+ \|/.test(l));
    expect(rows).toHaveLength(inv.tokens.filter((t) => t.tier === 'report').length);
    expect(rows[0]).toMatch(/^\| 1 \| critical \|/);
    const reviewRows = review.split('## Method')[0].split('\n').filter((l) => /^\| \d+ \|/.test(l));
    expect(reviewRows).toHaveLength(1);
    expect(reviewRows[0]).toContain('a password hash');
    // Without the review tier in the inventory, it is counted and said to be left out.
    const reportOnly = toMarkdown({ ...inv, tokens: inv.tokens.filter((t) => t.tier === 'report') });
    expect(reportOnly).not.toContain('## For review');
    expect(reportOnly).toContain('review: 1 (');
    expect(reportOnly).toContain('not listed (`--include-review` lists them)');
  });

  it('is what `history --format audit` and `--format markdown` write', () => {
    const repo = FixtureRepo.init();
    const pat = fakeGithubPat();
    const aws = fakeAwsAccessKeyId();
    repo.write('ci.sh', `export GITHUB_TOKEN=${pat}\nexport AWS_ACCESS_KEY_ID=${aws}\n`);
    repo.commit('ci', ALICE, '2024-01-01T10:00:00Z');
    repo.write('ci.sh', `export AWS_ACCESS_KEY_ID=${aws}\n`);
    repo.commit('drop the token', BOB, '2024-03-01T10:00:00Z');
    const audit = runCli(['history', repo.dir, '--format', 'audit']);
    const markdown = runCli(['history', repo.dir, '--format', 'markdown']);
    expect(audit.code).toBe(1);
    expect(audit.stdout).toContain('# Secrets exposure assessment');
    expect(audit.stdout).toContain('**1 active** (still in the current tree of HEAD)');
    expect(audit.stdout).toContain('**1 only in history**');
    expect(audit.stdout).not.toContain(pat);
    expect(audit.stdout).not.toContain(aws);
    // The same report but for the scan's own timing.
    const strip = (s: string) => s.replace(/\| (Scan started|Duration) \|.*\n/g, '');
    expect(strip(markdown.stdout)).toBe(strip(audit.stdout));
  });
});
