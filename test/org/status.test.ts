// Token status across an org scan and its datastore: each repository's tokens keep the refs whose tips hold them,
// every run's snapshot keeps the status (active, unmerged, history-only), and `inventory diff` says which tokens
// moved from active to history-only (deleted from every branch: rotate), which it ignored before (issue 12, item 4).
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RepositoryScan, Token } from '../../src/model/index.js';
import { Datastore } from '../../src/store/index.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { fakeGithubPat } from '../helpers/fake-tokens.js';
import { ALICE, BOB, FixtureRepo } from '../helpers/git-fixtures.js';
import { ENV, fp } from './org-fixture.js';

interface Tok {
  id: string;
  status?: string;
  refs?: string[];
  presentInHead?: boolean;
}

function token(id: string, extra: Partial<Token> = {}): Token {
  return {
    id: id.repeat(64).slice(0, 64), ruleId: 'test.rule', ruleName: 'Test rule', provider: 'Test', kind: 'api-key', severity: 'high', confidence: 'high',
    privilege: 'unknown', privilegeReason: 'Unknown.', environment: 'unknown', lifetime: 'unknown', redacted: 'ab…(12)', length: 12, entropy: 3.5,
    score: 0.9, tier: 'report', reasons: ['high-confidence rule'], rotate: 'https://example.com/rotate', references: [], controls: [],
    occurrences: [{ path: 'a.env', line: 1, column: 1, endLine: 1, endColumn: 12, commit: 'c'.repeat(40), date: '2024-01-01T10:00:00Z' }],
    ...extra,
  };
}

const scan = (name: string): RepositoryScan => ({ name, status: 'scanned', scannedAt: '2026-01-01T00:00:00.000Z', durationMs: 1, commits: 1, tokens: 1 });
const stats = { repositories: 1, failed: 0, blobsRead: 0, blobsReused: 0, bytes: 0, tokens: 1 };

describe('status in org scans and the datastore', () => {
  it('org inventories carry refs (with their repository) and status; inventory diff reports moves to history-only', () => {
    const root = tempDir('shadowscan-status-org-');
    fs.mkdirSync(path.join(root, 'api'));
    const repo = new FixtureRepo(path.join(root, 'api'));
    repo.git(['init', '-q', '-b', 'main']);
    const [inHead, onBranch] = [fakeGithubPat(), fakeGithubPat()];
    repo.write('ci.sh', `export GITHUB_TOKEN=${inHead}\n`);
    repo.commit('ci', ALICE, '2024-01-01T10:00:00Z');
    repo.git(['checkout', '-q', '-b', 'wip']);
    repo.write('wip.sh', `export GITHUB_TOKEN=${onBranch}\n`);
    repo.commit('wip', BOB, '2024-01-02T10:00:00Z');
    repo.git(['checkout', '-q', 'main']);
    const db = path.join(tempDir('shadowscan-status-db-'), 'org.db');
    const first = runCli(['org', root, '--db', db, '--format', 'json', '-q'], { env: ENV });
    expect(first.code).toBe(1);
    const tokens = (JSON.parse(first.stdout) as { tokens: Tok[] }).tokens;
    expect(tokens.find((t) => t.id === fp(inHead))).toMatchObject({ status: 'active', refs: ['api:refs/heads/main', 'api:refs/heads/wip'] });
    expect(tokens.find((t) => t.id === fp(onBranch))).toMatchObject({ status: 'unmerged', presentInHead: false, refs: ['api:refs/heads/wip'] });
    // An unchanged re-run answers from the datastore: the same statuses.
    const again = JSON.parse(runCli(['org', root, '--db', db, '--format', 'json', '-q'], { env: ENV }).stdout) as { tokens: Tok[] };
    expect(again.tokens.map((t) => [t.id, t.status, t.refs])).toEqual(tokens.map((t) => [t.id, t.status, t.refs]));
    const shown = JSON.parse(runCli(['inventory', 'show', '--db', db, '--format', 'json'], { env: ENV }).stdout) as { tokens: Tok[] };
    expect(shown.tokens.find((t) => t.id === fp(onBranch))).toMatchObject({ status: 'unmerged', refs: ['api:refs/heads/wip'] });

    // The branch is merged and deleted, and both tokens leave HEAD: in history only now, at no tip.
    repo.git(['merge', '-q', '--no-ff', '--no-edit', 'wip'], { env: repo.identity(ALICE, '2024-01-03T10:00:00Z') });
    repo.git(['branch', '-q', '-D', 'wip']);
    repo.write('ci.sh', 'export GITHUB_TOKEN="$CI_TOKEN"\n');
    repo.write('wip.sh', 'export GITHUB_TOKEN="$CI_TOKEN"\n');
    repo.commit('no token', ALICE, '2024-01-04T10:00:00Z');
    expect(runCli(['org', root, '--db', db, '-q'], { env: ENV }).code).toBe(1);
    const diff = runCli(['inventory', 'diff', '--db', db]);
    expect(diff.code).toBe(0);
    expect(diff.stdout).toContain('Moved from active to history only (1): deleted from every branch, still readable in every clone: rotate');
    expect(diff.stdout).toContain('Moved from unmerged to history only (1)');
    expect(diff.stdout).toContain('(2 changed status)');
    expect(diff.stdout).toMatch(new RegExp(`${fp(inHead).slice(0, 12)}  in api \\(history only\\)`));
    const json = JSON.parse(runCli(['inventory', 'diff', '--db', db, '--format', 'json']).stdout) as { statusChanged: Array<{ id: string; status: string; previousStatus: string }> };
    expect(json.statusChanged.map((t) => [t.id, t.previousStatus, t.status]).sort()).toEqual(
      [[fp(inHead), 'active', 'history-only'], [fp(onBranch), 'unmerged', 'history-only']].sort(),
    );
  });

  it('a status the earlier run did not record (stored before) is not a change', () => {
    const file = path.join(tempDir('shadowscan-status-api-'), 'org.db');
    const db = Datastore.open(file);
    try {
      // Refs unknown and not in HEAD: no status recorded.
      const r1 = db.startRun('scan');
      db.saveRepository(r1, '/repos/one', scan('one'), [token('a', { presentInHead: false })]);
      db.finishRun(r1, stats);
      const r2 = db.startRun('scan');
      db.saveRepository(r2, '/repos/one', scan('one'), [token('a', { presentInHead: false, refs: [] })]);
      db.finishRun(r2, stats);
      expect(db.diff().statusChanged).toEqual([]);
      const r3 = db.startRun('scan');
      db.saveRepository(r3, '/repos/one', scan('one'), [token('a', { presentInHead: false, refs: ['refs/heads/topic'] })]);
      db.finishRun(r3, stats);
      expect(db.diff().statusChanged.map((t) => [t.previousStatus, t.status])).toEqual([['history-only', 'unmerged']]);
      expect(db.currentTokens()[0].refs).toEqual(['refs/heads/topic']);
    } finally {
      db.close();
    }
  });
});
