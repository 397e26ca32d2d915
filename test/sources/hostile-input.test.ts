// Hostile and unlucky files for the working-tree scan (issue 13): byte-order marks that lie, odd names, files
// swapped during the walk, special files given as the target, and files too large for one buffer.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli, tempDir, writeTree } from '../helpers/cli.js';
import { fakeAwsAccessKeyId, fakeGithubPat, fakeRsaPrivateKey, fakeSlackBotToken } from '../helpers/fake-tokens.js';
import { prepareContent } from '../../src/match/content.js';
import { BUILTIN_RULES_DIR, loadRules } from '../../src/rules/index.js';
import { FindingContext } from '../../src/scan/findings.js';
import { scanInChunks } from '../../src/scan/work.js';
import { openFileEntry } from '../../src/sources/files.js';

interface Inv {
  scan: { files: number; warnings: string[]; skipped: { path: string; reason: string }[] };
  tokens: { occurrences: { path: string; line: number; column: number }[] }[];
}
const scanJson = (targets: string[], args: string[] = [], options: { input?: string; env?: NodeJS.ProcessEnv } = {}) => {
  const r = runCli(['scan', ...targets, '--format', 'json', ...args], options);
  let inv = { scan: { files: 0, warnings: [], skipped: [] }, tokens: [] } as unknown as Inv;
  try {
    inv = JSON.parse(r.stdout) as Inv;
  } catch {
    // checked through the exit code
  }
  return { ...r, inv };
};
const paths = (inv: Inv) => inv.tokens.flatMap((t) => t.occurrences.map((o) => o.path)).sort();
const line = (secret: string) => `GITHUB_TOKEN = "${secret}"\n`;

describe('byte-order marks (item 21)', () => {
  it('decodes FF FE as UTF-16 only when the UTF-16 reading is plausible: a Latin-1 file starting with ÿþ stays bytes', () => {
    const t = fakeGithubPat();
    const latin1 = Buffer.concat([Buffer.from('\xff\xfe caf\xe9\n', 'latin1'), Buffer.from(line(t))]);
    const asRead = prepareContent(latin1);
    expect(asRead.kind).toBe('text');
    expect(asRead.kind === 'text' && asRead.content.includes(t)).toBe(true);
    const be = Buffer.concat([Buffer.from('\xfe\xff caf\xe9\n', 'latin1'), Buffer.from(line(t))]);
    expect(prepareContent(be).kind === 'text' && (prepareContent(be) as { content: Buffer }).content.includes(t)).toBe(true);
    // Real UTF-16 keeps working, with a BOM in either order.
    const le16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`# x\n${line(t)}`, 'utf16le')]);
    const r16 = prepareContent(le16);
    expect(r16.kind === 'text' && r16.encoding === 'utf16le' && r16.content.includes(t)).toBe(true);
    const be16 = Buffer.from(Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(`# x\n${line(t)}`, 'utf16le').swap16()]));
    const rbe = prepareContent(be16);
    expect(rbe.kind === 'text' && rbe.encoding === 'utf16be' && rbe.content.includes(t)).toBe(true);

    const dir = tempDir();
    writeTree(dir, { 'latin1.env': latin1, 'utf16.env': le16 });
    const r = scanJson([dir]);
    expect(r.code).toBe(1);
    expect(paths(r.inv)).toEqual(['latin1.env', 'utf16.env']);
    expect(r.inv.tokens.find((x) => x.occurrences[0].path === 'latin1.env')!.occurrences[0].line).toBe(2);
  });
});

/** Runs the built reader in a child process, so that a reader that blocks fails the test instead of hanging it. */
function readInChild(file: string, maxSize = 1024 * 1024): { timedOut: boolean; result?: unknown } {
  const script = `import(${JSON.stringify(path.join(ROOT, 'dist/sources/files.js'))}).then((m) => {
    const r = m.readFileEntrySync(${JSON.stringify(file)}, ${maxSize});
    process.stdout.write(JSON.stringify(Buffer.isBuffer(r) ? { text: r.toString('utf8') } : r));
  });`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { timeout: 5000, encoding: 'utf8' });
  if (r.error || r.signal) return { timedOut: true };
  return { timedOut: false, result: JSON.parse(r.stdout) };
}

describe('files swapped during the walk (item 8)', () => {
  it('a walked file that became a FIFO is skipped with a reason instead of blocking the reader', () => {
    const dir = tempDir();
    const fifo = path.join(dir, 'was-a-file.env');
    spawnSync('mkfifo', [fifo]);
    if (!fs.existsSync(fifo)) return; // no mkfifo here
    const r = readInChild(fifo);
    expect(r.timedOut).toBe(false);
    expect(r.result).toEqual({ error: 'not a regular file' });
  });

  it('a walked file that became a symbolic link is not followed: the outside content is never read', () => {
    const outside = tempDir();
    const t = fakeGithubPat();
    fs.writeFileSync(path.join(outside, 'secret.env'), line(t));
    const dir = tempDir();
    const swapped = path.join(dir, 'innocent.env');
    fs.symlinkSync(path.join(outside, 'secret.env'), swapped);
    const r = readInChild(swapped);
    expect(r.timedOut).toBe(false);
    expect(r.result).toEqual({ error: 'symbolic link (not followed)' });
    // A link the user names as the target is followed, as before.
    expect(paths(scanJson([swapped]).inv)).toEqual(['innocent.env']);
  });
});

describe('special files given as the target (item 12)', () => {
  it('reads /dev/stdin as a stream, bounded by --max-file-size', () => {
    const t = fakeGithubPat();
    const r = scanJson(['/dev/stdin'], [], { input: `# piped\n${line(t)}` });
    expect(r.code).toBe(1);
    expect(r.inv.tokens).toHaveLength(1);
    expect(r.inv.tokens[0].occurrences[0]).toMatchObject({ path: 'stdin', line: 2 });
    const big = scanJson(['/dev/stdin'], ['--max-file-size', '1KB'], { input: `${line(t)}${'#'.repeat(4096)}\n` });
    expect(big.code).toBe(0);
    expect(big.inv.scan.skipped).toEqual([{ path: 'stdin', reason: expect.stringMatching(/larger than --max-file-size/) }]);
  });

  it('reads standard input for the target `-` (issue 12, item 13), alone or beside folders', () => {
    const t = fakeGithubPat();
    const r = scanJson(['-'], [], { input: `# piped\n${line(t)}` });
    expect(r.code, r.stderr).toBe(1);
    expect(r.inv.tokens[0].occurrences[0]).toMatchObject({ path: 'stdin', line: 2 });
    expect(scanJson(['-'], [], { input: '# nothing here\n' }).code).toBe(0);
    expect(scanJson(['-'], ['--max-file-size', '1KB'], { input: `${line(t)}${'#'.repeat(4096)}\n` }).inv.scan.skipped).toEqual([
      { path: 'stdin', reason: expect.stringMatching(/larger than --max-file-size/) },
    ]);

    // Beside a folder large enough for the matcher threads, standard input larger than a chunk (512 KB) is matched
    // whole: it cannot be read again for its other chunks, so a token near its end is found too.
    const dir = tempDir();
    const files: Record<string, string> = {};
    for (let i = 0; i < 250; i++) files[`d${i % 10}/f${i}.txt`] = `line ${i}\n`;
    writeTree(dir, files);
    const first = fakeGithubPat();
    const last = fakeSlackBotToken();
    const big = `${line(first)}${'# filler line of a large piped file\n'.repeat(30_000)}SLACK_TOKEN = "${last}"\n`;
    const both = scanJson(['-', dir], ['-j', '2'], { input: big });
    expect(both.code, both.stderr).toBe(1);
    expect(both.inv.tokens).toHaveLength(2);
    expect(both.inv.tokens.flatMap((x) => x.occurrences.map((o) => o.line)).sort((a, b) => a - b)).toEqual([1, 30_002]);
  });

  it('reads a FIFO and a process substitution <(...)', () => {
    const dir = tempDir();
    const fifo = path.join(dir, 'pipe.env');
    spawnSync('mkfifo', [fifo]);
    if (!fs.existsSync(fifo)) return; // no mkfifo here
    const t = fakeGithubPat();
    fs.writeFileSync(path.join(dir, 'content'), line(t));
    // The writer blocks until the scan opens the FIFO; both run at once.
    const bin = path.join(ROOT, 'bin/shadowscan.js');
    const sh = spawnSync('sh', ['-c', 'cat "$1" > "$2" & "$3" "$4" scan "$2" --format json; s=$?; wait; exit $s', 'sh', path.join(dir, 'content'), fifo, process.execPath, bin], {
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(sh.status).toBe(1);
    expect((JSON.parse(sh.stdout) as Inv).tokens[0].occurrences[0]).toMatchObject({ path: 'pipe.env', line: 1 });

    const bash = spawnSync('bash', ['-c', '"$1" "$2" scan <(cat "$3") --format json', 'bash', process.execPath, bin, path.join(dir, 'content')], { encoding: 'utf8', timeout: 20_000 });
    if (bash.error) return; // no bash here
    expect(bash.status).toBe(1);
    expect((JSON.parse(bash.stdout) as Inv).tokens).toHaveLength(1);
  });

  it('reads /proc/self/environ, whose size fstat gives as 0', () => {
    const t = fakeGithubPat();
    // NUL-separated records of text are text (one record a line), not a binary file.
    const environ = prepareContent(Buffer.from(`HOME=/root\0GITHUB_TOKEN=${t}\0LANG=C\0`));
    expect(environ.kind === 'text' && environ.content.toString()).toBe(`HOME=/root\nGITHUB_TOKEN=${t}\nLANG=C\n`);
    if (!fs.existsSync('/proc/self/environ')) return;
    const r = scanJson(['/proc/self/environ'], [], { env: { GITHUB_TOKEN: t } });
    expect(r.code).toBe(1);
    expect(r.inv.tokens.length).toBeGreaterThanOrEqual(1);
    expect(paths(r.inv)).toContain('environ');
  });
});

describe('large files with a raised --max-file-size (item 20)', () => {
  const GiB = 1024 ** 3;

  it('decides that a 3 GB file is binary from its first 8 KB', () => {
    const dir = tempDir();
    const file = path.join(dir, 'disk.img');
    const fd = fs.openSync(file, 'w');
    fs.writeSync(fd, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52]));
    fs.ftruncateSync(fd, 3 * GiB); // sparse: no disk space used
    fs.closeSync(fd);
    const started = Date.now();
    const r = scanJson([dir], ['--max-file-size', '4GB']);
    expect(r.code).toBe(0);
    expect(r.inv.scan.skipped).toEqual([{ path: 'disk.img', reason: 'binary file' }]);
    // Reading 3 GB takes tens of seconds here; 8 KB takes nothing.
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('scans a text file over 2 GiB in chunks: tokens at its start and past 2 GiB are found at their lines', () => {
    const dir = tempDir();
    const file = path.join(dir, 'dump.sql');
    const [first, far] = [fakeGithubPat(), fakeGithubPat()];
    const head = `-- dump\n${line(first)}${'-- filler line of a text file\n'.repeat(1000)}`;
    const fd = fs.openSync(file, 'w');
    fs.writeSync(fd, head);
    // Past 2 GiB, after a hole (NUL bytes, no line breaks): a line with the second token.
    fs.writeSync(fd, `\n${line(far)}`, Math.floor(2.5 * GiB));
    fs.ftruncateSync(fd, Math.floor(2.6 * GiB));
    fs.closeSync(fd);
    const r = scanJson([file], ['--max-file-size', '3GB']);
    expect(r.stderr).not.toMatch(/ERR_OUT_OF_RANGE|not readable/);
    expect(r.code).toBe(1);
    const lines = r.inv.tokens.map((t) => t.occurrences[0]).sort((a, b) => a.line - b.line);
    expect(lines.map((o) => [o.line, o.column])).toEqual([
      [2, 17],
      [1004, 17],
    ]);
  }, 180_000);
});

describe('matching in chunks (item 20)', () => {
  const ctx = new FindingContext({ rules: loadRules([BUILTIN_RULES_DIR], { cache: true }).rules, fingerprintKey: 'k', showSecrets: false, allowSecrets: [], stopwords: [] });
  const where = (fs: { id: string; line: number; column: number; endLine: number; endColumn: number }[]) =>
    fs.map((f) => `${f.id.slice(0, 12)} ${f.line}:${f.column}-${f.endLine}:${f.endColumn}`).sort();

  it('finds what one pass finds, at the same lines and columns, whatever the chunk boundaries cut', () => {
    const lines: string[] = [];
    for (let i = 0; i < 400; i++) {
      if (i % 37 === 5) lines.push(`  café → ${'é'.repeat(i % 7)} GITHUB_TOKEN = "${fakeGithubPat()}"`);
      else if (i % 53 === 7) lines.push(`export AWS_ACCESS_KEY_ID=${fakeAwsAccessKeyId()}  # ${'x'.repeat(i)}`);
      else if (i % 61 === 3) lines.push(`slack: "${fakeSlackBotToken()}"`);
      else if (i === 200) lines.push(fakeRsaPrivateKey().trim());
      else if (i === 300) lines.push(`${'a'.repeat(9000)} token=${fakeGithubPat()} ${'b'.repeat(5000)}`);
      else lines.push(`-- filler line ${i} of a text file that is long enough to matter ${'.'.repeat(i % 40)}`);
    }
    const text = lines.join('\n') + '\n';
    const dir = tempDir();
    for (const [name, bytes] of [
      ['utf8.txt', Buffer.from(text)],
      ['utf16le.txt', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')])],
    ] as const) {
      const file = path.join(dir, name);
      fs.writeFileSync(file, bytes);
      const whole = ctx.scan(bytes, name).findings;
      expect(whole.length, name).toBeGreaterThan(10);
      for (const [chunk, overlap] of [[8192, 2048], [5000, 3000], [65536, 4096]]) {
        const opened = openFileEntry(file);
        if ('error' in opened) throw new Error(opened.error);
        try {
          const r = scanInChunks(ctx, opened, name, chunk, overlap);
          expect(r.skipped, `${name} ${chunk}`).toBeUndefined();
          expect(where(r.findings), `${name} ${chunk}/${overlap}`).toEqual(where(whole));
        } finally {
          opened.close();
        }
      }
    }
  });
});

describe('names the file system can hold (item 5)', () => {
  it('walks names with line breaks and names that are not UTF-8, folders included, and reports them printably', () => {
    const dir = tempDir();
    const secrets = Array.from({ length: 6 }, () => fakeGithubPat());
    const at = (...parts: (string | Buffer)[]) => Buffer.concat([Buffer.from(dir), ...parts.flatMap((p) => [Buffer.from('/'), Buffer.from(p)])]);
    fs.writeFileSync(at('new\nline.env'), line(secrets[0]));
    fs.mkdirSync(at('carriage\rreturn'));
    fs.writeFileSync(at('carriage\rreturn', 'inner.env'), line(secrets[1]));
    const latin1 = Buffer.from([0x63, 0x61, 0x66, 0xe9]); // "café" in Latin-1: not UTF-8
    fs.writeFileSync(at(Buffer.concat([latin1, Buffer.from('.env')])), line(secrets[2]));
    fs.mkdirSync(at(latin1));
    fs.writeFileSync(at(latin1, 'deep\nname.env'), line(secrets[3]));
    // A backslash in a name that is not UTF-8 is escaped too, so that no two names print alike.
    fs.writeFileSync(at(Buffer.concat([Buffer.from('b\\xe9'), Buffer.from([0xff])])), line(secrets[4]));
    fs.writeFileSync(at('ordinary é.env'), line(secrets[5]));
    // Vendored folders and excludes still apply to such names.
    fs.mkdirSync(at('node_modules'));
    fs.writeFileSync(at('node_modules', Buffer.concat([Buffer.from('x'), Buffer.from([0xff])])), line(fakeGithubPat()));
    const r = scanJson([dir]);
    expect(r.code).toBe(1);
    expect(r.inv.scan.skipped).toEqual([]);
    expect(paths(r.inv)).toEqual(['b\\x5cxe9\\xff', 'caf\\xe9.env', 'caf\\xe9/deep\nname.env', 'carriage\rreturn/inner.env', 'new\nline.env', 'ordinary é.env'].sort());
    expect(r.inv.scan.files).toBe(6);
  });
});
