// Baselines (create, add, prune, --baseline on scan, history and staged) and the ignore file.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir, writeTree } from '../helpers/cli.js';
import { ALICE, BOB, FixtureRepo } from '../helpers/git-fixtures.js';
import { fakeAwsAccessKeyId, fakeGithubPat, fakeSlackBotToken, fakeStripeLiveKey } from '../helpers/fake-tokens.js';
import { parseIgnoreFile, serializeBaseline } from '../../src/scan/baseline.js';

const KEY = 'baseline-test-key';
const ENV = { SHADOWSCAN_FINGERPRINT_KEY: KEY };
const fp = (secret: string) => crypto.createHmac('sha256', KEY).update(secret, 'utf8').digest('hex');

interface Inv {
  scan: { warnings: string[]; baseline?: { file: string; known: number } };
  tokens: Array<{ id: string; ruleId: string; occurrences: Array<{ path: string; line: number }> }>;
}

const cli = (args: string[], cwd: string, env: NodeJS.ProcessEnv = ENV) => runCli(args, { cwd, env });

function json(args: string[], cwd: string, env: NodeJS.ProcessEnv = ENV): { code: number; inv: Inv; stderr: string } {
  const r = cli([...args, '--format', 'json'], cwd, env);
  return { code: r.code, inv: r.stdout ? (JSON.parse(r.stdout) as Inv) : { scan: { warnings: [] }, tokens: [] }, stderr: r.stderr };
}

describe('baseline create and --baseline', () => {
  it('records tokens by fingerprint, sorted, one a line, stable; moving code changes nothing', () => {
    const dir = tempDir('shadowscan-baseline-');
    const [gh, aws, slack] = [fakeGithubPat(), fakeAwsAccessKeyId(), fakeSlackBotToken()];
    writeTree(dir, {
      'src/a.js': `const gh = "${gh}";\n`,
      'src/b.sh': `export AWS_ACCESS_KEY_ID=${aws}\n`,
      'docs/c.md': `slack: ${slack}\n`,
    });
    const r = cli(['baseline', 'create'], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('3 tokens');
    const file = path.join(dir, '.shadowscan-baseline.json');
    const text = fs.readFileSync(file, 'utf8');
    for (const s of [gh, aws, slack]) {
      expect(text).not.toContain(s);
      expect(text).toContain(fp(s));
    }
    // No locations, one token a line, sorted by rule then id.
    expect(text).not.toMatch(/src\/a\.js|"line"/);
    const doc = JSON.parse(text) as { version: number; tokens: Array<{ ruleId: string; id: string; redacted: string }> };
    expect(doc.version).toBe(1);
    const entryLines = text.split('\n').filter((l) => l.trim().startsWith('{"ruleId"'));
    expect(entryLines).toHaveLength(3);
    const keys = doc.tokens.map((t) => `${t.ruleId} ${t.id}`);
    expect(keys).toEqual([...keys].sort());

    // Known tokens are not reported (exit 0); the summary says how many were left out.
    const scan = json(['scan'], dir);
    expect(scan.code).toBe(0);
    expect(scan.inv.tokens).toEqual([]);
    expect(scan.inv.scan.baseline).toEqual({ file: '.shadowscan-baseline.json', known: 3 });
    expect(cli(['scan'], dir).stdout).toContain('3 known in the baseline');

    // Moving code: other lines, other files. The baseline still covers it, and recreating it gives the same bytes.
    fs.rmSync(path.join(dir, 'src/a.js'));
    writeTree(dir, { 'lib/moved.js': `// moved\n\n\nmodule.exports = { gh: "${gh}" };\n` });
    expect(json(['scan'], dir).code).toBe(0);
    expect(cli(['baseline', 'create', '--force'], dir).code).toBe(0);
    expect(fs.readFileSync(file, 'utf8')).toBe(text);

    // A new token is reported, alone; --no-baseline reports everything; --baseline FILE takes another file.
    const stripe = fakeStripeLiveKey();
    writeTree(dir, { 'src/pay.js': `const k = "${stripe}";\n` });
    const after = json(['scan'], dir);
    expect(after.code).toBe(1);
    expect(after.inv.tokens.map((t) => t.id)).toEqual([fp(stripe)]);
    expect(json(['scan', '--no-baseline'], dir).inv.tokens).toHaveLength(4);
    const other = path.join(tempDir('shadowscan-baseline-other-'), 'known.json');
    expect(cli(['baseline', 'create', '-o', other], dir).code).toBe(0);
    fs.rmSync(file);
    expect(json(['scan'], dir).inv.tokens).toHaveLength(4);
    expect(json(['scan', '--baseline', other], dir).code).toBe(0);
  });

  it('the serialization is deterministic whatever the input order, and keeps extra fields', () => {
    const e = (ruleId: string, c: string) => ({ ruleId, id: c.repeat(64), redacted: 'x…(9)' });
    const a = serializeBaseline({ version: 1, keyCheck: 'k', tokens: [e('b.rule', 'a'), { ...e('a.rule', 'c'), note: 'test key' }, e('a.rule', 'b')] });
    const b = serializeBaseline({ version: 1, keyCheck: 'k', tokens: [e('a.rule', 'b'), e('b.rule', 'a'), { ...e('a.rule', 'c'), note: 'test key' }, e('a.rule', 'b')] });
    expect(a).toBe(b);
    expect(a.split('\n').filter((l) => l.includes('"ruleId"'))).toEqual([
      `    {"ruleId":"a.rule","id":"${'b'.repeat(64)}","redacted":"x…(9)"},`,
      `    {"ruleId":"a.rule","id":"${'c'.repeat(64)}","redacted":"x…(9)","note":"test key"},`,
      `    {"ruleId":"b.rule","id":"${'a'.repeat(64)}","redacted":"x…(9)"}`,
    ]);
  });

  it('history and staged take --baseline too; create --from history covers every commit', () => {
    const repo = FixtureRepo.init('shadowscan-baseline-git-');
    const old = fakeGithubPat();
    repo.write('app/settings.py', `TOKEN = "${old}"\n`);
    repo.commit('old token', ALICE, '2024-01-01T10:00:00Z');
    repo.write('app/settings.py', 'TOKEN = os.environ["TOKEN"]\n');
    repo.commit('removed', ALICE, '2024-01-02T10:00:00Z');
    // The tree no longer has it; history does.
    const fromTree = cli(['baseline', 'create', '-o', path.join(repo.dir, 'tree.json')], repo.dir);
    expect(fromTree.stdout).toContain('0 tokens');
    expect(cli(['baseline', 'create', '--from', 'history'], repo.dir).code).toBe(0);
    expect(json(['history'], repo.dir).code).toBe(0);
    expect(json(['history', '--no-baseline'], repo.dir).inv.tokens.map((t) => t.id)).toEqual([fp(old)]);

    const fresh = fakeGithubPat();
    repo.write('app/new.py', `A = "${old}"\nB = "${fresh}"\n`);
    repo.git(['add', 'app/new.py']);
    const staged = json(['staged'], repo.dir);
    expect(staged.code).toBe(1);
    expect(staged.inv.tokens.map((t) => t.id)).toEqual([fp(fresh)]);
    expect(staged.inv.scan.baseline?.known).toBe(1);
    // From a sub-folder the default baseline is still the one at the top of the repository.
    expect(json(['staged'], path.join(repo.dir, 'app')).inv.scan.baseline?.known).toBe(1);
    repo.commit('new', BOB, '2024-01-03T10:00:00Z');
    expect(json(['history', '--baseline', path.join(repo.dir, '.shadowscan-baseline.json')], repo.dir).inv.tokens.map((t) => t.id)).toEqual([fp(fresh)]);
  });

  it('baseline add: every token, or only the given fingerprints; unknown prefixes and bad files are one-line errors', () => {
    const dir = tempDir('shadowscan-baseline-add-');
    const [a, b] = [fakeGithubPat(), fakeStripeLiveKey()];
    writeTree(dir, { 'a.js': `const a = "${a}";\n`, 'b.js': `const b = "${b}";\n` });
    const one = cli(['baseline', 'add', '--from', 'tree', fp(a).slice(0, 8)], dir);
    expect(one.code).toBe(0);
    expect(one.stdout).toContain('1 token added, 1 token in all');
    expect(json(['scan'], dir).inv.tokens.map((t) => t.id)).toEqual([fp(b)]);
    const all = cli(['baseline', 'add', '--from', 'tree'], dir);
    expect(all.stdout).toContain('1 token added, 2 tokens in all');
    expect(json(['scan'], dir).code).toBe(0);

    const unknown = cli(['baseline', 'add', '--from', 'tree', 'abcdef012345'], dir);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe('shadowscan: no token has a fingerprint starting with abcdef012345\n');
    expect(cli(['baseline', 'add', 'xyz'], dir).stderr).toContain('not a fingerprint prefix');

    fs.writeFileSync(path.join(dir, 'bad.json'), '{"tokens": 3}');
    const bad = cli(['scan', '--baseline', 'bad.json'], dir);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toContain('is not a shadowscan baseline');
    expect(cli(['scan', '--baseline', 'missing.json'], dir).stderr).toContain('baseline file does not exist: missing.json');
  });

  it('a baseline made with another fingerprint key is said to be so', () => {
    const dir = tempDir('shadowscan-baseline-key-');
    writeTree(dir, { 'a.js': `const a = "${fakeGithubPat()}";\n` });
    expect(cli(['baseline', 'create'], dir).code).toBe(0);
    const other = json(['scan'], dir, { SHADOWSCAN_FINGERPRINT_KEY: 'another-key' });
    expect(other.code).toBe(1);
    expect(other.inv.scan.warnings.join('\n')).toContain('was made with another fingerprint key');
    const add = cli(['baseline', 'add', '--from', 'tree'], dir, { SHADOWSCAN_FINGERPRINT_KEY: 'another-key' });
    expect(add.code).toBe(2);
  });
});

describe('baseline prune', () => {
  it('drops entries no longer found; --dry-run changes nothing', () => {
    const dir = tempDir('shadowscan-baseline-prune-');
    const [a, b] = [fakeGithubPat(), fakeAwsAccessKeyId()];
    writeTree(dir, { 'a.js': `const a = "${a}";\n`, 'b.sh': `AWS_ACCESS_KEY_ID=${b}\n` });
    expect(cli(['baseline', 'create'], dir).code).toBe(0);
    const file = path.join(dir, '.shadowscan-baseline.json');
    const before = fs.readFileSync(file, 'utf8');
    fs.rmSync(path.join(dir, 'b.sh'));
    const dry = cli(['baseline', 'prune', '--dry-run'], dir);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain(`would drop aws.`);
    expect(dry.stdout).toContain(fp(b).slice(0, 12));
    expect(dry.stdout).not.toContain(b);
    expect(fs.readFileSync(file, 'utf8')).toBe(before);
    const real = cli(['baseline', 'prune'], dir);
    expect(real.stdout).toContain('1 token kept, 1 token dropped');
    const after = fs.readFileSync(file, 'utf8');
    expect(after).toContain(fp(a));
    expect(after).not.toContain(fp(b));
    expect(cli(['baseline', 'prune', '--baseline', 'nope.json'], dir).code).toBe(2);
  });
});

describe('baselines keep what they record (issue 12, item 9)', () => {
  it('create refuses to replace an existing baseline (and its notes) without --force', () => {
    const dir = tempDir('shadowscan-baseline-force-');
    const [a, b] = [fakeGithubPat(), fakeStripeLiveKey()];
    writeTree(dir, { 'a.js': `const a = "${a}";\n` });
    expect(cli(['baseline', 'create'], dir).code).toBe(0);
    const file = path.join(dir, '.shadowscan-baseline.json');
    const noted = fs.readFileSync(file, 'utf8').replace('"redacted":', '"note":"accepted until the vault migration","redacted":');
    fs.writeFileSync(file, noted);
    writeTree(dir, { 'b.js': `const b = "${b}";\n` });
    const again = cli(['baseline', 'create'], dir);
    expect(again.code).toBe(2);
    expect(again.stdout).toBe('');
    expect(again.stderr.trim().split('\n')).toHaveLength(1);
    expect(again.stderr).toContain('already exists');
    expect(again.stderr).toContain('--force');
    expect(fs.readFileSync(file, 'utf8')).toBe(noted);
    // -o names the file: the same rule.
    expect(cli(['baseline', 'create', '-o', file], dir).code).toBe(2);
    // add keeps the note; --force replaces the file.
    expect(cli(['baseline', 'add', '--from', 'tree'], dir).code).toBe(0);
    expect(fs.readFileSync(file, 'utf8')).toContain('accepted until the vault migration');
    expect(cli(['baseline', 'create', '--force'], dir).code).toBe(0);
    const replaced = fs.readFileSync(file, 'utf8');
    expect(replaced).not.toContain('vault migration');
    expect(replaced).toContain(fp(a));
    expect(replaced).toContain(fp(b));
  });

  it('prune scans what the baseline was made from: a history baseline keeps tokens deleted from the tree', () => {
    const repo = FixtureRepo.init('shadowscan-baseline-prune-history-');
    const [gone, kept, dropped] = [fakeGithubPat(), fakeGithubPat(), fakeStripeLiveKey()];
    repo.write('app/settings.py', `TOKEN = "${gone}"\nOTHER = "${kept}"\n`);
    repo.commit('tokens', ALICE, '2024-01-01T10:00:00Z');
    repo.write('app/settings.py', `OTHER = "${kept}"\n`);
    repo.commit('one removed', ALICE, '2024-01-02T10:00:00Z');
    expect(cli(['baseline', 'create', '--from', 'history'], repo.dir).code).toBe(0);
    const file = path.join(repo.dir, '.shadowscan-baseline.json');
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toMatchObject({ source: 'history' });
    // An entry whose token no scan finds any more (here: written into the file by hand) is what prune drops.
    const doc = JSON.parse(fs.readFileSync(file, 'utf8')) as { tokens: Array<Record<string, string>> };
    doc.tokens.push({ ruleId: 'stripe.secret-key.live', id: fp(dropped), redacted: 'sk_liv…(32)' });
    fs.writeFileSync(file, JSON.stringify(doc));
    const prune = cli(['baseline', 'prune'], repo.dir);
    expect(prune.code).toBe(0);
    expect(prune.stdout).toContain('2 tokens kept, 1 token dropped (scanned: every commit)');
    const after = fs.readFileSync(file, 'utf8');
    expect(after).toContain(fp(gone));
    expect(after).toContain(fp(kept));
    expect(after).not.toContain(fp(dropped));
    expect(JSON.parse(after)).toMatchObject({ source: 'history' });
    // From a folder inside the repository, and --from still decides when given.
    expect(cli(['baseline', 'prune', '--dry-run'], path.join(repo.dir, 'app')).stdout).toContain('2 tokens kept, 0 tokens would be dropped');
    const fromTree = cli(['baseline', 'prune', '--from', 'tree', '--dry-run'], repo.dir);
    expect(fromTree.stdout).toContain(`would drop github.pat.classic`);
    expect(fromTree.stdout).toContain(fp(gone).slice(0, 12));
    // A tree baseline records its source as well; adding tokens from history makes it a history baseline.
    const dir = tempDir('shadowscan-baseline-source-');
    writeTree(dir, { 'a.js': `const a = "${fakeGithubPat()}";\n` });
    expect(cli(['baseline', 'create'], dir).code).toBe(0);
    expect(JSON.parse(fs.readFileSync(path.join(dir, '.shadowscan-baseline.json'), 'utf8'))).toMatchObject({ source: 'tree' });
    expect(cli(['baseline', 'add', '--from', 'history'], repo.dir).code).toBe(0);
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toMatchObject({ source: 'history' });
  });
});

describe('.shadowscanignore', () => {
  it('fingerprints (or 6+ hex prefixes) and path globs are never reported', () => {
    const dir = tempDir('shadowscan-ignore-');
    const [a, b, c] = [fakeGithubPat(), fakeStripeLiveKey(), fakeGithubPat()];
    writeTree(dir, {
      'src/a.js': `const a = "${a}";\n`,
      'src/b.js': `const b = "${b}";\n`,
      'test/fixtures/c.js': `const c = "${c}";\n`,
      '.shadowscanignore': `# known test tokens\n${fp(a)}\n${fp(b).slice(0, 8)}  # the stripe test key\n\ntest/fixtures/**\n`,
    });
    const r = json(['scan'], dir);
    expect(r.code).toBe(0);
    expect(r.inv.tokens).toEqual([]);
    fs.writeFileSync(path.join(dir, '.shadowscanignore'), 'test/**\n');
    expect(json(['scan'], dir).inv.tokens.map((t) => t.id).sort()).toEqual([fp(a), fp(b)].sort());
  });

  it('applies to staged and history scans, from the top of the repository', () => {
    const repo = FixtureRepo.init('shadowscan-ignore-git-');
    const t = fakeGithubPat();
    repo.write('.shadowscanignore', 'fixtures/**\n');
    repo.write('fixtures/tok.txt', `${t}\n`);
    repo.git(['add', '-A']);
    expect(json(['staged'], repo.dir).code).toBe(0);
    repo.commit('fixtures', ALICE, '2024-01-01T10:00:00Z');
    expect(json(['history'], repo.dir).code).toBe(0);
    fs.rmSync(path.join(repo.dir, '.shadowscanignore'));
    expect(json(['history'], repo.dir).code).toBe(1);
  });

  it('parses comments, hex fingerprints and path patterns (gitignore syntax, kept as written)', () => {
    expect(parseIgnoreFile('# c\nABCDEF12\n./deadbeef\n/docs/**  # docs\n\n  *.pem\nabc\n!keep.pem\n')).toEqual({
      fingerprints: ['abcdef12'],
      paths: ['./deadbeef', '/docs/**', '*.pem', 'abc', '!keep.pem'],
    });
  });
});
