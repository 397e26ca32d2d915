// Issue 13, item 1: tokens in file and folder names, commit authors, committers and commit messages are found,
// reported with their own location kind, and never printed or stored raw: not in any report format, not on stderr,
// not in the datastore.
import crypto from 'node:crypto';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { BIN, runCli, tempDir } from '../helpers/cli.js';
import { fakeGithubPat } from '../helpers/fake-tokens.js';
import { FixtureRepo, gitEnv } from '../helpers/git-fixtures.js';

const FORMATS = ['text', 'json', 'sarif', 'csv', 'html', 'markdown'];
const DEFAULT_KEY = 'shadowscan-fingerprint-v1';
const fingerprint = (s: string) => crypto.createHmac('sha256', DEFAULT_KEY).update(s, 'utf8').digest('hex');

interface Occ {
  path: string;
  kind?: string;
  pathFingerprint?: string;
  line: number;
  column: number;
  commit?: string;
  author?: { name: string; email: string };
}
interface Tok {
  id: string;
  occurrences: Occ[];
}

describe('tokens in names, authors and commit messages (issue 13, item 1)', () => {
  let org: string;
  let repo: FixtureRepo;
  const T = {
    file: fakeGithubPat(),
    folder: fakeGithubPat(),
    binary: fakeGithubPat(),
    content: fakeGithubPat(),
    author: fakeGithubPat(),
    email: fakeGithubPat(),
    committer: fakeGithubPat(),
    message: fakeGithubPat(),
    staged: fakeGithubPat(),
  };
  const raw = Object.values(T);

  /** Every place a raw token could leak to: nowhere. */
  const expectClean = (what: string, text: string | Buffer) => {
    const s = Buffer.isBuffer(text) ? text.toString('latin1') : text;
    for (const [name, t] of Object.entries(T)) expect(s.includes(t), `${what} holds the raw token planted in ${name}`).toBe(false);
  };

  beforeAll(() => {
    org = tempDir('shadowscan-names-');
    const dir = path.join(org, 'r1');
    fs.mkdirSync(dir);
    spawnSync('git', ['init', '-q', '-b', 'main', dir], { env: gitEnv() });
    repo = new FixtureRepo(dir);
    repo.write(`src/${T.file}.js`, 'x = 1\n');
    repo.write(`${T.folder}/notes.txt`, 'hello\n');
    repo.write(`img/${T.binary}.png`, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 1, 2, 3]));
    repo.write('config.py', `GITHUB_TOKEN = "${T.content}"\n`);
    repo.commit(`deploy\n\nwith ${T.message} for now`, { name: T.author, email: `${T.email}@example.com` }, '2024-03-01T10:00:00Z');
    repo.write('README.md', '# r1\n');
    repo.git(['add', '-A']);
    repo.git(['commit', '-q', '-m', 'docs'], {
      env: { GIT_COMMITTER_NAME: T.committer, GIT_COMMITTER_EMAIL: 'ci@example.com', GIT_AUTHOR_DATE: '2024-03-02T10:00:00Z', GIT_COMMITTER_DATE: '2024-03-02T10:00:00Z' },
    });
  });

  it('the reproduction: history -f json finds the tokens and prints none of them', () => {
    const r = runCli(['history', repo.dir, '-f', 'json']);
    expect(r.code).toBe(1);
    expectClean('history json stdout', r.stdout);
    expectClean('history json stderr', r.stderr);
    const inv = JSON.parse(r.stdout) as { tokens: Tok[] };
    const byId = new Map(inv.tokens.map((t) => [t.id, t]));
    const kindsOf = (secret: string) => new Set(byId.get(fingerprint(secret))?.occurrences.map((o) => o.kind ?? 'content'));
    expect(kindsOf(T.file)).toEqual(new Set(['path']));
    expect(kindsOf(T.folder)).toEqual(new Set(['path']));
    expect(kindsOf(T.binary)).toEqual(new Set(['path']));
    expect(kindsOf(T.content)).toEqual(new Set(['content']));
    expect(kindsOf(T.author)).toEqual(new Set(['author']));
    expect(kindsOf(T.email)).toEqual(new Set(['author']));
    expect(kindsOf(T.committer)).toEqual(new Set(['author']));
    expect(kindsOf(T.message)).toEqual(new Set(['message']));
    // A path holding a token: redacted, with the keyed hash of the real path.
    const file = byId.get(fingerprint(T.file))!.occurrences[0];
    expect(file.path).toBe(`src/${T.file.slice(0, 6)}…(40).js`);
    expect(file.pathFingerprint).toBe(fingerprint(`src/${T.file}.js`));
    expect(file.column).toBe(5);
    // A folder named after a token: one occurrence at the folder, not one per file in it.
    expect(byId.get(fingerprint(T.folder))!.occurrences.map((o) => o.path)).toEqual([`${T.folder.slice(0, 6)}…(40)`]);
    // The content token's occurrence carries the commit's author, redacted.
    const content = byId.get(fingerprint(T.content))!.occurrences[0];
    expect(content.path).toBe('config.py');
    expect(content.pathFingerprint).toBeUndefined();
    expect(content.author?.name).toBe(`${T.author.slice(0, 6)}…(40)`);
    expect(content.author?.email).toBe(`${T.email.slice(0, 6)}…(40)@example.com`);
    const message = byId.get(fingerprint(T.message))!.occurrences[0];
    expect([message.line, message.column]).toEqual([3, 6]);
  });

  it('no raw token in any format, on stdout, stderr or in a report file: history, scan and staged', () => {
    const out = tempDir('shadowscan-names-out-');
    for (const cmd of [['history', repo.dir], ['scan', repo.dir]]) {
      for (const format of FORMATS) {
        const file = path.join(out, `${cmd[0]}.${format}`);
        const r = runCli([...cmd, '-f', format, '-o', file]);
        expect(r.code, `${cmd[0]} ${format}: ${r.stderr}`).toBe(1);
        expectClean(`${cmd[0]} ${format} stdout`, r.stdout);
        expectClean(`${cmd[0]} ${format} stderr`, r.stderr);
        expectClean(`${cmd[0]} ${format} file`, fs.readFileSync(file));
      }
      const text = runCli(cmd);
      expect(text.code).toBe(1);
      expectClean(`${cmd[0]} text to stdout`, text.stdout + text.stderr);
    }
    const scan = JSON.parse(runCli(['scan', repo.dir, '-f', 'json']).stdout) as { tokens: Tok[]; scan: { skipped: Array<{ path: string }> } };
    const ids = new Set(scan.tokens.map((t) => t.id));
    for (const t of [T.file, T.folder, T.binary, T.content]) expect(ids.has(fingerprint(t))).toBe(true);

    // A staged file named after a token: the blocked commit's message shows it redacted.
    repo.write(`deploy/${T.staged}.env`, 'nothing here\n');
    repo.git(['add', '-A']);
    const staged = runCli(['staged', repo.dir]);
    expect(staged.code).toBe(1);
    expect(staged.stdout).toContain(`deploy/${T.staged.slice(0, 6)}…(40).env (file name)`);
    expectClean('staged stdout', staged.stdout);
    expectClean('staged stderr', staged.stderr);
    repo.git(['reset', '-q']);
    fs.rmSync(path.join(repo.dir, 'deploy'), { recursive: true });
  });

  it('the datastore holds no raw token, nor do inventory show and diff', () => {
    const db = path.join(tempDir('shadowscan-names-db-'), 'org.db');
    const r = runCli(['org', org, '--db', db, '-f', 'json', '-q']);
    expect(r.code, r.stderr).toBe(1);
    expectClean('org json', r.stdout + r.stderr);
    for (const f of fs.readdirSync(path.dirname(db))) expectClean(`datastore file ${f}`, fs.readFileSync(path.join(path.dirname(db), f)));
    // Read back: kinds and path fingerprints survive the datastore.
    const shown = runCli(['inventory', 'show', '--db', db, '-f', 'json']);
    expect(shown.code).toBe(1);
    const inv = JSON.parse(shown.stdout) as { tokens: Tok[] };
    const file = inv.tokens.find((t) => t.id === fingerprint(T.file))!;
    expect(file.occurrences[0].kind).toBe('path');
    expect(file.occurrences[0].pathFingerprint).toBe(fingerprint(`src/${T.file}.js`));
    expect(inv.tokens.find((t) => t.id === fingerprint(T.message))!.occurrences[0].kind).toBe('message');
    for (const format of FORMATS) {
      const s = runCli(['inventory', 'show', '--db', db, '-f', format]);
      expectClean(`inventory show ${format}`, s.stdout + s.stderr);
    }
    const d = runCli(['inventory', 'diff', '--db', db]);
    expectClean('inventory diff', d.stdout + d.stderr);
  });

  it('with the isomorphic-git reader too', () => {
    const r = runCli(['history', repo.dir, '-f', 'json', '--git-backend', 'isomorphic-git']);
    expect(r.code).toBe(1);
    expectClean('isomorphic-git history', r.stdout + r.stderr);
    const ids = new Set((JSON.parse(r.stdout) as { tokens: Tok[] }).tokens.map((t) => t.id));
    for (const t of [T.message, T.committer, T.author, T.file]) expect(ids.has(fingerprint(t))).toBe(true);
  });

  it('the CLI binary exists (sanity)', () => {
    expect(fs.existsSync(BIN)).toBe(true);
    expect(raw).toHaveLength(9);
  });
});
