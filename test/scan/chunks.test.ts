// Large files are split into chunks that threads share. Findings must not depend on it: a content matched whole and
// matched as chunks gives the same findings, a secret across a chunk boundary is found once, and scans and history
// scans at -j 1 (never chunked) and -j 2 (chunked) give the same inventory.
import { beforeAll, describe, expect, it } from 'vitest';
import { BUILTIN_RULES_DIR, loadRules } from '../../src/rules/load.js';
import { FindingContext, type Finding } from '../../src/scan/findings.js';
import { chunkBounds, chunkCount, CHUNK_MIN_BYTES } from '../../src/match/index.js';
import { runCli, tempDir, writeTree } from '../helpers/cli.js';
import { ALICE, FixtureRepo } from '../helpers/git-fixtures.js';
import { fakeAwsAccessKeyId, fakeAwsSecretKey, fakeGithubPat, fakePassword, fakeRsaPrivateKey, fakeSlackBotToken } from '../helpers/fake-tokens.js';

const WORDS = 'const value result config options request response handler error user item list map name path file data'.split(' ');

/** About `bytes` of code-like lines with secrets written every so often, several of them across chunk boundaries. */
function bigContent(bytes: number): string {
  const lines: string[] = [];
  let size = 0;
  let n = 0;
  const secretLine = () => {
    const k = n++ % 5;
    if (k === 0) return `const githubToken = "${fakeGithubPat()}";`;
    if (k === 1) return `SLACK_BOT_TOKEN=${fakeSlackBotToken()}`;
    if (k === 2) return `aws_access_key_id = ${fakeAwsAccessKeyId()}\naws_secret_access_key = ${fakeAwsSecretKey()}`;
    if (k === 3) return `db.password = "${fakePassword()}"`;
    return `const key = \`${fakeRsaPrivateKey().trim()}\`;`;
  };
  while (size < bytes) {
    const l = lines.length % 97 === 50 ? secretLine() : `  ${WORDS[lines.length % WORDS.length]}(${lines.length}, "${WORDS[(lines.length * 7) % WORDS.length]}");`;
    lines.push(l);
    size += l.length + 1;
  }
  // Secrets placed right across the boundaries of 2, 3 and 4 chunks: their lines start just before a boundary.
  let out = lines.join('\n') + '\n';
  for (const count of [4, 3, 2]) {
    for (let i = 1; i < count; i++) {
      const at = chunkBounds(Buffer.from(out), i, count).ownFrom;
      const lineStart = out.lastIndexOf('\n', at - 2) + 1;
      out = `${out.slice(0, lineStart)}const straddling${count}_${i} = "${fakeGithubPat()}";\n${fakeRsaPrivateKey().trim()}\n${out.slice(lineStart)}`;
    }
  }
  return out;
}

const view = (f: Finding) => `${f.id} ${f.ruleId} ${f.line}:${f.column}-${f.endLine}:${f.endColumn} ${(f.partLocations ?? []).map((p) => `${p.name}@${p.line}`).join(',')}`;

describe('chunked matching', () => {
  let ctx: FindingContext;
  let content: Buffer;
  beforeAll(() => {
    ctx = new FindingContext({ rules: loadRules([BUILTIN_RULES_DIR]).rules, fingerprintKey: 'test', showSecrets: false, allowSecrets: [], stopwords: [] });
    content = Buffer.from(bigContent(CHUNK_MIN_BYTES * 3));
  });

  it('splits large contents only', () => {
    expect(chunkCount(CHUNK_MIN_BYTES - 1)).toBe(1);
    expect(chunkCount(CHUNK_MIN_BYTES)).toBeGreaterThanOrEqual(2);
    expect(chunkCount(2 ** 31)).toBe(16);
  });

  it('chunks own whole lines, in order, with no gap and no overlap', () => {
    for (const count of [2, 3, 5, 16]) {
      let prev = 0;
      for (let i = 0; i < count; i++) {
        const b = chunkBounds(content, i, count);
        expect(b.ownFrom).toBe(prev);
        expect(b.ownFrom === 0 || content[b.ownFrom - 1] === 10).toBe(true);
        expect(b.from).toBeLessThanOrEqual(b.ownFrom);
        expect(b.to).toBeGreaterThanOrEqual(b.ownTo);
        prev = b.ownTo;
      }
      expect(prev).toBe(content.length);
    }
  });

  it('finds the same findings whole and in 2 to 7 chunks, each secret once', () => {
    const whole = ctx.scan(content, 'src/big.js').findings.map(view).sort();
    expect(whole.length).toBeGreaterThan(40);
    for (let count = 2; count <= 7; count++) {
      const chunked = Array.from({ length: count }, (_, index) => ctx.scan(content, 'src/big.js', { index, count }).findings).flat().map(view).sort();
      expect(chunked, `${count} chunks`).toEqual(whole);
    }
  });
});

describe('scans at -j 1 and -j 2', () => {
  let dir: string;
  let repo: FixtureRepo;
  beforeAll(() => {
    // Enough small files for the scan to start its threads, and one file large enough to be chunked.
    const files: Record<string, string> = { 'src/big.js': bigContent(CHUNK_MIN_BYTES * 2) };
    for (let i = 0; i < 260; i++) files[`src/small/f${i}.js`] = `export const n${i} = ${i};\n`;
    files['src/small/creds.env'] = `DB_PASSWORD=${fakePassword()}\n`;
    dir = tempDir('shadowscan-chunks-');
    writeTree(dir, files);
    repo = FixtureRepo.init('shadowscan-chunks-git-');
    for (const [rel, text] of Object.entries(files)) repo.write(rel, text);
    repo.commit('import', ALICE, '2024-05-01T10:00:00Z');
  });

  const inventory = (args: string[]) => {
    const r = runCli([...args, '--format', 'json', '--no-baseline']);
    expect(r.code, r.stderr).toBe(1);
    const inv = JSON.parse(r.stdout) as { tokens: { id: string; ruleId: string; occurrences: { path: string; line: number; column: number; part?: string }[] }[]; scan: { files: number; bytes: number } };
    return {
      tokens: inv.tokens.map((t) => `${t.id} ${t.ruleId} ${t.occurrences.map((o) => `${o.path}:${o.line}:${o.column}${o.part ? `/${o.part}` : ''}`).sort().join(',')}`).sort(),
      files: inv.scan.files,
      bytes: inv.scan.bytes,
    };
  };

  it('scan', () => {
    const one = inventory(['scan', dir, '-j', '1']);
    expect(inventory(['scan', dir, '-j', '2'])).toEqual(one);
    expect(one.files).toBe(262);
  }, 120_000);

  it('history', () => {
    const one = inventory(['history', repo.dir, '-j', '1']);
    expect(inventory(['history', repo.dir, '-j', '2'])).toEqual(one);
  }, 120_000);
});
