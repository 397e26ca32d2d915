// Builds git repositories at test time, with fixed authors and dates so that provenance can be asserted exactly.
// Every token is fake and made here (random characters in the right shape); nothing secret is ever committed
// to this project.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { tempDir } from './cli.js';
import { fakeAwsAccessKeyId, fakeGithubPat, randomFrom } from './fake-tokens.js';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A value the generic `NAME = "value"` rule reports: 24 random letters and digits (with at least one of each). */
export function fakeGenericSecret(): string {
  return `${randomFrom(ALNUM, 22)}7q`;
}

export interface Person {
  name: string;
  email: string;
}

export const ALICE: Person = { name: 'Alice Example', email: 'alice@example.com' };
export const BOB: Person = { name: 'Bob Example', email: 'bob@example.com' };

/** git with no user or system configuration, so the machine's settings cannot change the fixtures. */
export function gitEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_AUTHOR_NAME: ALICE.name,
    GIT_AUTHOR_EMAIL: ALICE.email,
    GIT_COMMITTER_NAME: ALICE.name,
    GIT_COMMITTER_EMAIL: ALICE.email,
    ...extra,
  };
}

export class FixtureRepo {
  constructor(readonly dir: string) {}

  static init(prefix = 'shadowscan-git-', args: string[] = []): FixtureRepo {
    const dir = tempDir(prefix);
    const repo = new FixtureRepo(dir);
    repo.git(['init', '-q', '-b', 'main', ...args]);
    return repo;
  }

  git(args: string[], options: { env?: NodeJS.ProcessEnv; input?: string | Buffer; allowFail?: boolean } = {}): string {
    const r = spawnSync('git', args, { cwd: this.dir, env: gitEnv(options.env), input: options.input, maxBuffer: 256 * 1024 * 1024 });
    if (r.status !== 0 && !options.allowFail) {
      throw new Error(`git ${args.join(' ')} failed in ${this.dir}: ${r.stderr.toString()}`);
    }
    return r.stdout.toString('utf8').trim();
  }

  write(rel: string | Buffer, content: string | Buffer): void {
    const p = Buffer.isBuffer(rel) ? Buffer.concat([Buffer.from(this.dir + path.sep), rel]) : path.join(this.dir, rel);
    fs.mkdirSync(path.dirname(p.toString()), { recursive: true });
    fs.writeFileSync(p, content);
  }

  remove(rel: string): void {
    this.git(['rm', '-q', '--', rel]);
  }

  /** Stages everything and commits as `who` at `date` (ISO 8601); returns the commit id. */
  commit(message: string, who: Person, date: string, options: { all?: boolean } = {}): string {
    if (options.all !== false) this.git(['add', '-A']);
    this.git(['commit', '-q', '--allow-empty', '-m', message], { env: this.identity(who, date) });
    return this.git(['rev-parse', 'HEAD']);
  }

  identity(who: Person, date: string): NodeJS.ProcessEnv {
    return {
      GIT_AUTHOR_NAME: who.name,
      GIT_AUTHOR_EMAIL: who.email,
      GIT_AUTHOR_DATE: date,
      GIT_COMMITTER_NAME: who.name,
      GIT_COMMITTER_EMAIL: who.email,
      GIT_COMMITTER_DATE: date,
    };
  }

  rev(name: string): string {
    return this.git(['rev-parse', '--verify', '--end-of-options', `${name}^{commit}`]);
  }

  blobOf(rev: string, file: string): string {
    return this.git(['rev-parse', `${rev}:${file}`]);
  }
}

/** git's strict ISO date for a fixture date given in UTC. */
export const isoUtc = (d: string) => d.replace(/Z$/, '+00:00');

export interface HistoryFixture {
  repo: FixtureRepo;
  tokens: {
    /** In legacy/old.py since the first commit, still in HEAD. */
    old: string;
    /** Added on a branch, deleted, re-added under another path with the same bytes, merged. */
    branch: string;
    /** Only reachable from an annotated tag (its branch was deleted). */
    tagged: string;
    /** Added in a commit that a later commit reverts. */
    reverted: string;
  };
  commits: Record<'root' | 'added' | 'deleted' | 'readded' | 'mainWork' | 'merge' | 'tagged' | 'reverted' | 'revert', string>;
  dates: Record<'root' | 'added' | 'deleted' | 'readded' | 'mainWork' | 'merge' | 'tagged' | 'reverted' | 'revert', string>;
}

/**
 * main:    root ── mainWork ───────────── merge ── reverted ── revert
 *             \                          /
 * feature:     added ── deleted ── readded
 * tag v0.9-rc (annotated), on a deleted branch from mainWork: tagged
 */
export function buildHistoryFixture(): HistoryFixture {
  const repo = FixtureRepo.init();
  const tokens = { old: fakeGenericSecret(), branch: fakeGithubPat(), tagged: fakeAwsAccessKeyId(), reverted: fakeGithubPat() };
  const dates = {
    root: '2024-01-01T10:00:00Z',
    added: '2024-01-02T10:00:00Z',
    deleted: '2024-01-03T10:00:00Z',
    readded: '2024-01-04T10:00:00Z',
    mainWork: '2024-01-05T10:00:00Z',
    merge: '2024-01-06T10:00:00Z',
    tagged: '2024-01-07T10:00:00Z',
    reverted: '2024-01-08T10:00:00Z',
    revert: '2024-01-09T10:00:00Z',
  };
  repo.write('README.md', '# fixture\n');
  repo.write('config/settings.py', 'DEBUG = False\nTIMEOUT = 30\n');
  repo.write('legacy/old.py', `API_TOKEN = "${tokens.old}"\n`);
  const root = repo.commit('root', ALICE, dates.root);

  repo.git(['checkout', '-q', '-b', 'feature']);
  const secretFile = `# service credentials\nGITHUB_TOKEN = "${tokens.branch}"\n`;
  repo.write('config/secrets.py', secretFile);
  const added = repo.commit('add secrets', ALICE, dates.added);
  repo.remove('config/secrets.py');
  const deleted = repo.commit('remove secrets', BOB, dates.deleted);
  repo.write('deploy/env.py', secretFile);
  const readded = repo.commit('deploy env', ALICE, dates.readded);

  repo.git(['checkout', '-q', 'main']);
  repo.write('README.md', '# fixture\n\nMore words.\n');
  const mainWork = repo.commit('docs', BOB, dates.mainWork);
  repo.git(['merge', '-q', '--no-ff', '--no-edit', 'feature'], { env: repo.identity(BOB, dates.merge) });
  const merge = repo.rev('HEAD');

  repo.git(['checkout', '-q', '-b', 'tmp-release', mainWork]);
  repo.write('tools/release.sh', `#!/bin/sh\nexport AWS_ACCESS_KEY_ID=${tokens.tagged}\n`);
  const tagged = repo.commit('release script', BOB, dates.tagged);
  repo.git(['tag', '-a', '-m', 'release candidate', 'v0.9-rc'], { env: repo.identity(BOB, dates.tagged) });
  repo.git(['checkout', '-q', 'main']);
  repo.git(['branch', '-q', '-D', 'tmp-release']);

  repo.write('config/settings.py', `DEBUG = False\nTIMEOUT = 30\nGITHUB_TOKEN = "${tokens.reverted}"\n`);
  const reverted = repo.commit('try a token', ALICE, dates.reverted);
  repo.git(['revert', '--no-edit', 'HEAD'], { env: repo.identity(ALICE, dates.revert) });
  const revert = repo.rev('HEAD');
  return { repo, tokens, commits: { root, added, deleted, readded, mainWork, merge, tagged, reverted, revert }, dates };
}

/** A copy of a repository (the whole folder), to break or extend without touching the original. */
export function copyRepo(src: FixtureRepo, prefix = 'shadowscan-git-copy-'): FixtureRepo {
  const dir = tempDir(prefix);
  fs.cpSync(src.dir, dir, { recursive: true });
  return new FixtureRepo(dir);
}

/** Path of a loose object's file. */
export function looseObjectPath(repo: FixtureRepo, id: string): string {
  return path.join(repo.dir, '.git', 'objects', id.slice(0, 2), id.slice(2));
}
