// Repositories that try to hide history or that are broken (issue 13): git's repository variables in the caller's
// environment, replace refs and grafts, bad refs and missing trees, and a corrupt repository read without git.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli.js';
import { ALICE, BOB, FixtureRepo, looseObjectPath } from '../helpers/git-fixtures.js';
import { fakeGithubPat } from '../helpers/fake-tokens.js';

const KEY = 'hostile-repos-key';
const ENV = { SHADOWSCAN_FINGERPRINT_KEY: KEY };
const fp = (secret: string) => crypto.createHmac('sha256', KEY).update(secret, 'utf8').digest('hex');

interface Inv {
  scan: { warnings: string[]; skipped: Array<{ path: string; reason: string }>; history?: Record<string, unknown> };
  tokens: Array<{ id: string; occurrences: Array<{ path: string; commit?: string; line: number }>; presentInHead?: boolean }>;
}

function run(args: string[], env: NodeJS.ProcessEnv = {}): { code: number; inv: Inv; stderr: string } {
  const r = runCli([...args, '--format', 'json'], { env: { ...ENV, ...env } });
  let inv = { scan: { warnings: [], skipped: [] }, tokens: [] } as unknown as Inv;
  try {
    inv = JSON.parse(r.stdout) as Inv;
  } catch {
    // checked through the exit code
  }
  return { code: r.code, inv, stderr: r.stderr };
}

const ids = (inv: Inv) => inv.tokens.map((t) => t.id).sort();

/** A PATH holding only node: no git executable, so the isomorphic-git reader is used. */
function pathWithoutGit(): string {
  const bin = tempDir('shadowscan-nogit-');
  fs.symlinkSync(process.execPath, path.join(bin, 'node'));
  return bin;
}

describe("git's repository variables in the environment (item 9)", () => {
  it('history and staged read the repository given, whatever GIT_DIR, GIT_WORK_TREE, GIT_INDEX_FILE and the object variables say', () => {
    const a = FixtureRepo.init('shadowscan-env-a-');
    const b = FixtureRepo.init('shadowscan-env-b-');
    const [ta, tb, sa, sb] = [fakeGithubPat(), fakeGithubPat(), fakeGithubPat(), fakeGithubPat()];
    a.write('a.py', `GITHUB_TOKEN = "${ta}"\n`);
    a.commit('a', ALICE, '2024-05-01T10:00:00Z');
    b.write('b.py', `GITHUB_TOKEN = "${tb}"\n`);
    b.commit('b', BOB, '2024-05-01T10:00:00Z');
    a.write('staged-a.py', `GITHUB_TOKEN = "${sa}"\n`);
    a.git(['add', 'staged-a.py']);
    b.write('staged-b.py', `GITHUB_TOKEN = "${sb}"\n`);
    b.git(['add', 'staged-b.py']);
    // What git exports to a hook running in b.
    const hostile = {
      GIT_DIR: path.join(b.dir, '.git'),
      GIT_WORK_TREE: b.dir,
      GIT_INDEX_FILE: path.join(b.dir, '.git', 'index'),
      GIT_OBJECT_DIRECTORY: path.join(b.dir, '.git', 'objects'),
      GIT_ALTERNATE_OBJECT_DIRECTORIES: path.join(b.dir, '.git', 'objects'),
      GIT_COMMON_DIR: path.join(b.dir, '.git'),
      GIT_NAMESPACE: 'elsewhere',
    };
    const h = run(['history', a.dir], hostile);
    expect(h.code).toBe(1);
    expect(ids(h.inv)).toEqual([fp(ta)]);
    const s = run(['staged', a.dir], hostile);
    expect(s.code).toBe(1);
    expect(ids(s.inv)).toEqual([fp(sa)]);
  });
});
