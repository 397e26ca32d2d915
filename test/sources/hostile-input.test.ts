// Hostile and unlucky files for the working-tree scan (issue 13): byte-order marks that lie, odd names, files
// swapped during the walk, special files given as the target, and files too large for one buffer.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli, tempDir, writeTree } from '../helpers/cli.js';
import { fakeGithubPat } from '../helpers/fake-tokens.js';
import { prepareContent } from '../../src/match/content.js';

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
