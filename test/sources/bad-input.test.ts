// Bad input never loses findings: each odd file is skipped with a reason (or scanned), and the rest goes on.
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir, writeTree } from '../helpers/cli.js';
import { fakeHexSecret, fakePassword } from '../helpers/fake-tokens.js';

interface Inv { scan: { files: number; skipped: { path: string; reason: string }[] }; tokens: { occurrences: { path: string; line: number }[] }[] }
const scanJson = (dir: string, ...args: string[]) => {
  const r = runCli(['scan', dir, '--format', 'json', ...args]);
  return { ...r, inv: JSON.parse(r.stdout) as Inv };
};
const foundIn = (inv: Inv) => new Set(inv.tokens.flatMap((t) => t.occurrences.map((o) => o.path)));

describe('bad input', () => {
  it('skips binaries and big files with a reason, scans invalid UTF-8 and UTF-16, and still finds the rest', () => {
    const dir = tempDir();
    const secret = () => `API_SECRET=${fakeHexSecret(32)}\n`;
    writeTree(dir, {
      'image.png': Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0x0d]), Buffer.from(secret())]),
      'big.log': secret() + 'x'.repeat(2 * 1024 * 1024),
      'latin1.env': Buffer.concat([Buffer.from('# caf\xe9 \xff\xfe\n', 'latin1'), Buffer.from(secret())]),
      'utf16.env': Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`# comment\n${secret()}`, 'utf16le')]),
      'minified.js': `var a=1;`.repeat(130_000) + `var apiSecret="${fakeHexSecret(32)}";` + 'var b=2;'.repeat(1000),
      'ok.env': secret(),
    });
    const { code, inv, stderr } = scanJson(dir, '--max-file-size', '1MB');
    expect(code).toBe(1);
    expect(inv.scan.skipped).toEqual(
      expect.arrayContaining([
        { path: 'image.png', reason: 'binary file' },
        { path: 'big.log', reason: expect.stringMatching(/larger than --max-file-size/) },
      ]),
    );
    expect(stderr).toMatch(/warning: skipped big\.log/);
    expect([...foundIn(inv)].sort()).toEqual(['latin1.env', 'minified.js', 'ok.env', 'utf16.env']);
    const utf16 = inv.tokens.find((t) => t.occurrences[0].path === 'utf16.env')!;
    expect(utf16.occurrences[0].line).toBe(2);
  });

  it('does not follow symlinks, so a symlink loop is a skipped entry and not a hang', () => {
    const dir = tempDir();
    writeTree(dir, { 'real/.env': `DB_PASSWORD=${fakePassword()}\n` });
    fs.symlinkSync(path.join(dir, 'real'), path.join(dir, 'real', 'loop'));
    fs.symlinkSync(path.join(dir, 'nowhere'), path.join(dir, 'dangling'));
    const { inv } = scanJson(dir);
    expect(foundIn(inv)).toEqual(new Set(['real/.env']));
    expect(inv.scan.skipped.map((s) => s.path).sort()).toEqual(['dangling', 'real/loop']);
  });

  it('reports an unreadable file or folder and goes on', () => {
    const dir = tempDir();
    writeTree(dir, { 'a/.env': `DB_PASSWORD=${fakePassword()}\n`, 'locked/b.env': `DB_PASSWORD=${fakePassword()}\n` });
    fs.chmodSync(path.join(dir, 'locked'), 0o000);
    try {
      const { inv } = scanJson(dir);
      expect(foundIn(inv).has('a/.env')).toBe(true);
      if (process.getuid?.() !== 0) expect(inv.scan.skipped.map((s) => s.path)).toContain('locked');
    } finally {
      fs.chmodSync(path.join(dir, 'locked'), 0o755);
    }
  });

  it('skips special files such as FIFOs instead of blocking on them', () => {
    const dir = tempDir();
    writeTree(dir, { 'a.env': `DB_PASSWORD=${fakePassword()}\n` });
    spawnSync('mkfifo', [path.join(dir, 'pipe')]);
    const { inv } = scanJson(dir);
    expect(foundIn(inv)).toEqual(new Set(['a.env']));
    if (fs.existsSync(path.join(dir, 'pipe'))) expect(inv.scan.skipped).toContainEqual({ path: 'pipe', reason: 'not a regular file' });
  });

  it('scans a folder of 100,000 files', () => {
    const dir = tempDir();
    for (let d = 0; d < 100; d++) {
      const sub = path.join(dir, `d${d}`);
      fs.mkdirSync(sub);
      for (let f = 0; f < 1000; f++) fs.writeFileSync(path.join(sub, `f${f}.txt`), `line ${f}\n`);
    }
    fs.writeFileSync(path.join(dir, 'd7', 'creds.env'), `DB_PASSWORD=${fakePassword()}\n`);
    const { code, inv } = scanJson(dir);
    expect(code).toBe(1);
    expect(inv.scan.files).toBe(100_001);
    expect(foundIn(inv)).toEqual(new Set(['d7/creds.env']));
  }, 180_000);

  it('a rule matching everywhere is cut short with a warning, not a scan that runs for hours', () => {
    const dir = tempDir();
    const rules = path.join(dir, 'rules');
    const repo = path.join(dir, 'repo');
    writeTree(rules, {
      'everywhere.yaml': [
        'provider: Test',
        'rules:',
        '  - id: test.everywhere',
        '    name: Matches every line',
        '    description: A custom rule written too broadly.',
        '    kind: api-key',
        "    pattern: '\\b(tkn[0-9a-f]{13})\\b'",
        '    keywords: [tkn]',
        '    confidence: high',
        '    severity: high',
        '    privilege: unknown',
        '    privilegeReason: Test.',
        '    rotate: https://example.com/rotate',
        '    examples:',
        "      - text: 'x = tkn0123456789abc'",
        '        secret: tkn0123456789abc',
        '    negativeExamples:',
        "      - text: 'x = tkn0123'",
        '',
      ].join('\n'),
    });
    // 150,000 matches in 2.4 MB, and a real finding in another file.
    const lines: string[] = [];
    for (let i = 0; i < 150_000; i++) lines.push(`tkn${crypto.randomBytes(7).toString('hex').slice(0, 13)}`);
    writeTree(repo, { '.shadowscan.yaml': `rules:\n  paths: [${JSON.stringify(rules)}]\n`, 'big.txt': lines.join('\n') + '\n', 'a.env': `DB_PASSWORD=${fakePassword()}\n` });
    const started = Date.now();
    const { code, inv } = scanJson(repo);
    expect(Date.now() - started).toBeLessThan(60_000);
    expect(code).toBe(1);
    expect(inv.scan.warnings).toContainEqual(expect.stringMatching(/^big\.txt: a rule matched more than 10,000 times/));
    expect(foundIn(inv).has('a.env')).toBe(true);
    expect(inv.tokens.filter((t: { ruleId: string }) => t.ruleId === 'test.everywhere').length).toBe(10_000);
  }, 120_000);
});
