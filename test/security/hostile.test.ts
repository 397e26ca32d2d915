// Issue 13: hostile and unlucky input. Items 2 (Markdown injection), 4 (rules RE2 cannot compile), 7 (errors in
// matcher threads), 13 (terminal escape sequences), 14 (config validated by its schema), 15 (foreign and newer
// SQLite files), 17 (atomic report files), 18 (-j capped), 19 (exclude lists compiled once).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Ajv } from 'ajv';
import { parse as parseYaml } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { BIN, ROOT, runCli, tempDir, writeTree } from '../helpers/cli.js';
import { fakeGithubPat, fakePassword } from '../helpers/fake-tokens.js';
import { FixtureRepo } from '../helpers/git-fixtures.js';
import type { Inventory } from '../../src/model/index.js';
import { toMarkdown } from '../../src/report/markdown.js';
import { toGithubSummary } from '../../src/report/github.js';
import { toText } from '../../src/report/text.js';

/** Markup that must never reach a Markdown renderer as markup. */
function expectNoInjection(markdown: string): void {
  // Inline code is shown as it is (no markup, no HTML inside a code span): what is left must carry none either.
  const md = markdown.replace(/(`+)(?:(?!\1)[\s\S])*?\1/g, '');
  expect(md).not.toMatch(/<\s*(img|script|iframe|svg|a)\b/i);
  expect(md).not.toMatch(/(?<!\\)!\[/);
  expect(md).not.toMatch(/(?<!\\)\]\(\s*javascript:/i);
  expect(md).not.toMatch(/(?<!\\)\]\(https?:\/\/evil/i);
}

const HOSTILE = {
  path: 'src/<img src=x onerror=alert(1)>.js',
  repo: '<script>alert(1)</script>',
  warning: 'see [here](javascript:alert(1)) and ![pixel](https://evil.example/p.png) <img src=x onerror=alert(2)>',
  rotate: 'https://docs.example/a)![x](https://evil.example/p.png',
};

function hostileInventory(): Inventory {
  return {
    schemaVersion: 1,
    tool: { name: 'shadowscan', version: '0.1.0' },
    scan: {
      targets: [HOSTILE.repo],
      startedAt: '2024-01-01T00:00:00.000Z',
      durationMs: 5,
      files: 1,
      bytes: 10,
      skipped: [{ path: HOSTILE.path, reason: 'binary file' }],
      warnings: [HOSTILE.warning],
      rules: 1,
      history: { mode: 'history', backend: 'git', commits: 1, blobs: 1 },
      org: {
        source: '<img src=x onerror=alert(3)>',
        repositories: [
          { name: HOSTILE.repo, status: 'scanned', scannedAt: '2024-01-01T00:00:00.000Z', durationMs: 1, tokens: 1 },
          { name: '![x](https://evil.example/r.png)', status: 'failed', error: HOSTILE.warning, scannedAt: '2024-01-01T00:00:00.000Z', durationMs: 1 },
        ],
        blobsRead: 1,
        blobsReused: 0,
      },
    },
    tokens: [
      {
        id: 'a'.repeat(64), ruleId: 'github.pat.classic', ruleName: 'GitHub <b>token</b>', provider: 'GitHub', kind: 'personal-access-token',
        severity: 'critical', confidence: 'high', privilege: 'write', privilegeReason: 'x', environment: 'unknown', lifetime: 'unknown',
        redacted: 'ghp_Ab…(40)', length: 40, entropy: 5, score: 0.9, tier: 'report', reasons: ['<script>r</script>'], rotate: HOSTILE.rotate,
        references: [], controls: [], repos: [HOSTILE.repo],
        occurrences: [{ path: HOSTILE.path, line: 1, column: 1, endLine: 1, endColumn: 41, repo: HOSTILE.repo, commit: 'c'.repeat(40) }],
      },
      {
        id: 'b'.repeat(64), ruleId: 'github.pat.classic', ruleName: 'GitHub token', provider: 'GitHub', kind: 'personal-access-token',
        severity: 'high', confidence: 'high', privilege: 'write', privilegeReason: 'x', environment: 'unknown', lifetime: 'unknown',
        redacted: 'ghp_Cd…(40)', length: 40, entropy: 5, score: 0.3, tier: 'review', reasons: ['![r](https://evil.example/q.png)'], rotate: 'javascript:alert(1)',
        references: [], controls: [],
        occurrences: [{ path: HOSTILE.path, line: 1, column: 1, endLine: 1, endColumn: 41 }],
      },
    ],
  };
}

describe('item 2: Markdown writers escape paths, repository names and warnings', () => {
  it('the audit report carries no HTML, image or javascript: link from the inventory', () => {
    const md = toMarkdown(hostileInventory());
    expectNoInjection(md);
    expect(md).toContain('&lt;script&gt;');
  });

  it('the job summary escapes the same way (one escaper)', () => {
    const inv = hostileInventory();
    const md = toGithubSummary(inv.tokens, {
      scope: HOSTILE.warning, found: 2, known: 0, baselineFile: '`x` <img src=x onerror=alert(1)>', failOn: 'new', failed: true,
      repositoryUrl: 'https://github.com/o/r', sha: 'c'.repeat(40),
    });
    expectNoInjection(md);
  });

  it('merge --format audit of a hostile inventory (end to end)', () => {
    const dir = tempDir();
    const file = path.join(dir, 'inv.json');
    fs.writeFileSync(file, JSON.stringify(hostileInventory()));
    const r = runCli(['merge', file, '--format', 'audit', '--include-review']);
    expect(r.code).toBe(1);
    expectNoInjection(r.stdout);
  });
});

describe('item 13: control characters in names, authors and warnings are escaped for the terminal', () => {
  const ESC = '\x1b';

  it('the text report escapes file and author names', () => {
    const inv = hostileInventory();
    inv.tokens[0].occurrences[0].path = `a${ESC}]0;pwned\x07${ESC}[2J.js`;
    inv.tokens[0].occurrences[0].author = { name: `${ESC}[31mevil\r`, email: 'e@x' };
    const text = toText(inv);
    expect(text).not.toContain(ESC);
    expect(text).not.toContain('\x07');
    expect(text).not.toContain('\r');
    expect(text).toContain('\\x1b]0;pwned\\x07\\x1b[2J.js');
  });

  it('scan and history: stdout and stderr carry no escape sequence from a file name or author', () => {
    const repo = FixtureRepo.init();
    const pat = fakeGithubPat();
    const evil = `evil${ESC}]0;title\x07${ESC}[2J`;
    repo.write(`${evil}.py`, `GITHUB_TOKEN = "${pat}"\n`);
    repo.write(`big${ESC}[2J.txt`, 'x'.repeat(5000));
    repo.commit('add', { name: `Mallory${ESC}[2J`, email: `m${ESC}@x` }, '2024-01-01T00:00:00Z');
    for (const args of [['scan', repo.dir, '--max-file-size', '1KB'], ['history', repo.dir, '--max-file-size', '1KB']]) {
      const r = runCli(args);
      expect(r.code).toBe(1);
      expect(r.stdout).not.toContain(ESC);
      expect(r.stderr).not.toContain(ESC);
      expect(r.stdout + r.stderr).toContain('\\x1b');
    }
  });
});

describe('item 4: a rule RE2 cannot compile is a usage error before the scan', () => {
  it('exit 2 naming the rule, not files skipped as "scan failed"', () => {
    const dir = tempDir();
    const rules = path.join(dir, 'rules');
    fs.mkdirSync(rules);
    const rule = {
      provider: 'Acme',
      rules: [
        {
          id: 'acme.lookahead', name: 'Acme key', kind: 'api-key', pattern: '(?=acme_)(acme_[a-z0-9]{20})', keywords: ['acme_'],
          confidence: 'high', severity: 'high', privilege: 'write', privilegeReason: 'full access', rotate: 'https://acme.example/rotate',
          examples: [
            { text: 'k = acme_abcdefghij0123456789', secret: 'acme_abcdefghij0123456789' },
            { text: 'x acme_zyxwvutsrq0123456789', secret: 'acme_zyxwvutsrq0123456789' },
          ],
          negativeExamples: ['acme_short'],
        },
      ],
    };
    fs.writeFileSync(path.join(rules, 'acme.yaml'), JSON.stringify(rule));
    const pat = fakeGithubPat();
    writeTree(dir, { '.shadowscan.yaml': 'rules:\n  paths: [rules]\n', 'src/a.py': `acme_abcdefghij0123456789\nGITHUB_TOKEN = "${pat}"\n` });
    const r = runCli(['scan', dir], { env: { SHADOWSCAN_CACHE_DIR: tempDir() } });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('acme.lookahead');
    expect(r.stdout).toBe('');
  });
});

describe('item 7: a failure in the matcher threads is exit 2 with one line', () => {
  it('an invalid allowlist.secrets pattern with 20,000 files', () => {
    const dir = tempDir();
    const files: Record<string, string> = { '.shadowscan.yaml': "allowlist:\n  secrets: ['(?=lookahead)x']\n" };
    for (let i = 0; i < 20_000; i++) files[`d${i % 50}/f${i}.txt`] = `line ${i}\n`;
    writeTree(dir, files);
    const r = runCli(['scan', dir, '-j', '2']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('allowlist.secrets');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('item 7: a matcher thread that fails rejects the work waiting for it, with one clear error', () => {
  it('MatcherPool.run rejects (never hangs) when its threads cannot start', async () => {
    // The built pool: its worker is dist/scan/worker.js.
    const { MatcherPool } = await import(path.join(ROOT, 'dist/scan/pool.js'));
    const pool = new MatcherPool(2, { rules: [], fingerprintKey: 'k', showSecrets: false, allowSecrets: ['(?=x)'], stopwords: [] });
    try {
      await expect(pool.run([{ kind: 'bytes', bytes: new Uint8Array(4), relPath: 'a' }])).rejects.toThrow(/^matcher thread failed: /);
    } finally {
      await pool.close();
    }
  });
});

describe('item 14: the config is checked against schema/config.schema.json', () => {
  const run = (yaml: string, extra: string[] = []) => {
    const dir = tempDir();
    writeTree(dir, { '.shadowscan.yaml': yaml, 'a.txt': 'x'.repeat(3000) + '\n' });
    return { dir, r: runCli(['scan', dir, '-f', 'json', ...extra], { env: { SHADOWSCAN_CACHE_DIR: tempDir() } }) };
  };

  it('the schema is published and accepts a full config', () => {
    const schema = JSON.parse(fs.readFileSync(path.join(ROOT, 'schema/config.schema.json'), 'utf8'));
    const validate = new Ajv({ strict: false }).compile(schema);
    const full = parseYaml(
      "exclude: [dist]\nincludeVendored: false\nmaxFileSize: 10MB\nfingerprintKey: 'k'\nminScore: 0.7\nallowlist:\n  paths: [x]\n  secrets: [abc]\n  stopwords: [demo]\n  fingerprints: [abcdef]\nrules:\n  disable: [a.b]\n  paths: []\n",
    );
    expect(validate(full)).toBe(true);
    expect(validate({ allowlist: { path: ['x'] } })).toBe(false);
  });

  it('maxFileSize in the config is used', () => {
    const { r } = run('maxFileSize: 1KB\n');
    expect(r.code).toBe(0);
    const inv = JSON.parse(r.stdout) as Inventory;
    expect(inv.scan.skipped.map((s) => s.path)).toContain('a.txt');
    // The option still wins.
    const { r: r2 } = run('maxFileSize: 1KB\n', ['--max-file-size', '1MB']);
    expect((JSON.parse(r2.stdout) as Inventory).scan.skipped).toEqual([]);
  });

  it('fingerprintKey as a YAML number is an error, not the public default key', () => {
    const { r } = run('fingerprintKey: 0123456789\n');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/fingerprintKey must be a string/);
  });

  it('includeVendored: "false" is an error, not true', () => {
    const { r } = run('includeVendored: "false"\n');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/includeVendored/);
  });

  it('nested unknown keys are rejected', () => {
    for (const yaml of ['allowlist:\n  path: [x]\n', 'rules:\n  disabled: [x]\n']) {
      const { r } = run(yaml);
      expect(r.code, yaml).toBe(2);
      expect(r.stderr).toMatch(/unknown key "(path|disabled)"/);
    }
  });

  it('minScore stays a number from 0 to 1', () => {
    expect(run('minScore: 0.7\n').r.code).toBe(0);
    expect(run('minScore: 2\n').r.code).toBe(2);
    expect(run("minScore: '0.7'\n").r.code).toBe(2);
  });

  // A config that passed is read back parsed from the cache folder (no YAML parser, no ajv on the next run).
  it('a config read back from the cache is the config that passed: an edit is checked again, a planted one ignored', () => {
    const cache = tempDir();
    const dir = tempDir();
    const scan = () => runCli(['scan', dir, '-f', 'json'], { env: { SHADOWSCAN_CACHE_DIR: cache } });
    const parsed = () => fs.readdirSync(cache).filter((f) => /^config-[0-9a-f]{16}\.json$/.test(f));
    writeTree(dir, { '.shadowscan.yaml': 'maxFileSize: 1KB\n', 'a.txt': 'x'.repeat(3000) + '\n' });
    for (let i = 0; i < 2; i++) {
      const r = scan();
      expect(r.code).toBe(0);
      expect((JSON.parse(r.stdout) as Inventory).scan.skipped.map((s) => s.path)).toEqual(['a.txt']);
    }
    expect(parsed()).toHaveLength(1);
    fs.writeFileSync(path.join(dir, '.shadowscan.yaml'), 'maxFileSize: 1KB\nallowlist:\n  path: [x]\n');
    expect(scan().stderr).toMatch(/unknown key "path"/);
    // A folder everyone can write to is not believed: a planted parsed config is not read.
    fs.writeFileSync(path.join(dir, '.shadowscan.yaml'), 'maxFileSize: 1KB\n');
    fs.writeFileSync(path.join(cache, parsed()[0]), JSON.stringify({ maxFileSize: 1e9 }));
    fs.chmodSync(cache, 0o777);
    expect((JSON.parse(scan().stdout) as Inventory).scan.skipped.map((s) => s.path)).toEqual(['a.txt']);
  });
});

describe('item 15: --db and inventory show never write into an SQLite file that is not theirs', () => {
  let org: string;

  beforeAll(() => {
    org = tempDir();
    const repo = FixtureRepo.init();
    fs.renameSync(repo.dir, path.join(org, 'r'));
  });

  const bytesOf = (f: string) => fs.readFileSync(f).toString('hex');

  it('a foreign database is left byte for byte as it was', () => {
    const file = path.join(tempDir(), 'app.db');
    const db = new Database(file);
    db.exec("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO users (name) VALUES ('a');");
    db.close();
    const before = bytesOf(file);
    for (const args of [['org', org, '--db', file, '-q'], ['inventory', 'show', '--db', file], ['inventory', 'diff', '--db', file]]) {
      const r = runCli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/not a shadowscan datastore/);
      expect(bytesOf(file)).toBe(before);
      expect(fs.existsSync(`${file}-wal`)).toBe(false);
    }
  });

  it('a datastore of a newer schema is left as it was', () => {
    const file = path.join(tempDir(), 'new.db');
    expect(runCli(['org', org, '--db', file, '-q']).code).toBe(0);
    const db = new Database(file);
    db.pragma('journal_mode = DELETE');
    db.prepare("UPDATE meta SET value = '99' WHERE key = 'schema'").run();
    db.close();
    const before = bytesOf(file);
    for (const args of [['org', org, '--db', file, '-q'], ['inventory', 'show', '--db', file]]) {
      const r = runCli(args);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/schema 99/);
      expect(bytesOf(file)).toBe(before);
    }
  });
});

describe('item 17: report files are written whole or not at all', () => {
  it('a write that fails (file size limit) leaves the previous report intact, exit 2', () => {
    const dir = tempDir();
    writeTree(dir, Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`a${i}.py`, `GITHUB_TOKEN = "${fakeGithubPat()}"\n`])));
    const out = path.join(tempDir(), 'report.json');
    expect(runCli(['scan', dir, '-f', 'json', '-o', out]).code).toBe(1);
    const before = fs.readFileSync(out, 'utf8');
    expect(before.length).toBeGreaterThan(2048);
    const r = spawnSync('sh', ['-c', `ulimit -f 2; exec "${process.execPath}" "${BIN}" scan "${dir}" -f json -o "${out}"`], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(fs.readFileSync(out, 'utf8')).toBe(before);
    expect(fs.readdirSync(path.dirname(out))).toEqual(['report.json']);
  });
});

describe('item 17: what is not a regular file is not replaced', () => {
  it('-o /dev/null writes to the device (never renames over it); a symbolic link to a report keeps pointing at the report', () => {
    const dir = tempDir();
    writeTree(dir, { 'a.txt': 'nothing\n' });
    const r = runCli(['scan', dir, '-f', 'json', '-o', '/dev/null', '-q']);
    expect(r.code).toBe(0);
    expect(fs.statSync('/dev/null').isCharacterDevice()).toBe(true);
    expect(fs.readdirSync('/dev').filter((f) => f.endsWith('.tmp'))).toEqual([]);
    const out = tempDir();
    fs.symlinkSync(path.join(out, 'real.json'), path.join(out, 'link.json'));
    for (let i = 0; i < 2; i++) expect(runCli(['scan', dir, '-f', 'json', '-o', path.join(out, 'link.json'), '-q']).code).toBe(0);
    expect(fs.lstatSync(path.join(out, 'link.json')).isSymbolicLink()).toBe(true);
    expect(JSON.parse(fs.readFileSync(path.join(out, 'real.json'), 'utf8')).schemaVersion).toBe(1);
    expect(fs.readdirSync(out).sort()).toEqual(['link.json', 'real.json']);
  });
});

describe('item 18: -j is capped at twice the cores', () => {
  it('the option parser caps it', async () => {
    const { threads, maxThreads } = await import('../../src/cli/options.js');
    const cores = os.availableParallelism?.() ?? os.cpus().length;
    expect(maxThreads()).toBe(2 * cores);
    expect(threads('256')).toBe(2 * cores);
    expect(threads('1')).toBe(1);
  });
});

describe('item 19: exclude lists are compiled once into one matcher', () => {
  it('20,000 patterns: compiled in well under seconds, each path tested at once, same answers as the ignore package', async () => {
    const { compileExcludes } = await import('../../src/sources/globs.js');
    const ignore = (await import('ignore')).default;
    const globs = Array.from({ length: 20_000 }, (_, i) => `gen/dir${i}/**/*.tmp`);
    globs.push('**/*.log', 'build', 'src/a?c.js', '*.md', '{a,b}/c');
    const t0 = performance.now();
    const excluded = compileExcludes(globs);
    let hits = 0;
    for (let i = 0; i < 20_000; i++) if (excluded(`src/d${i % 50}/file${i}.js`)) hits++;
    const ms = performance.now() - t0;
    expect(hits).toBe(0);
    expect(ms).toBeLessThan(3000);
    // Same answers as one `ignore` instance holding every pattern (gitignore syntax since issue 12, item 10).
    const some = globs.slice(0, 50).concat(globs.slice(-5));
    const ref = ignore({ ignoreCase: false }).add(some);
    const small = compileExcludes(some);
    for (const p of ['gen/dir5/a/b.tmp', 'gen/dir5/b.tmp', 'gen/dir9999/x.tmp', 'x/y.log', 'build/z', 'build', 'src/abc.js', 'README.md', 'docs/README.md', 'a/c', 'b/c/d', '.x.log', 'a.js']) {
      expect(small(p), p).toBe(ref.ignores(p));
    }
  });
});

describe('item 19: the walk and git paths use the compiled excludes', () => {
  it('scan and history with 20,000 exclude globs exclude what they name and finish', () => {
    const dir = tempDir();
    const globs = Array.from({ length: 20_000 }, (_, i) => `gen/dir${i}/**/*.tmp`);
    globs.push('secrets/**');
    const files: Record<string, string> = { '.shadowscan.yaml': `exclude:\n${globs.map((g) => `  - "${g}"`).join('\n')}\n`, 'secrets/.env': `DB_PASSWORD=${fakePassword()}\n`, 'app/.env': `DB_PASSWORD=${fakePassword()}\n` };
    for (let i = 0; i < 300; i++) files[`src/d${i % 20}/f${i}.js`] = `export const x${i} = ${i};\n`;
    writeTree(dir, files);
    const scan = runCli(['scan', dir, '--format', 'json', '--no-baseline']);
    expect(scan.code, scan.stderr).toBe(1);
    const paths = (JSON.parse(scan.stdout) as { tokens: { occurrences: { path: string }[] }[] }).tokens.flatMap((t) => t.occurrences.map((o) => o.path));
    expect(paths).toEqual(['app/.env']);
    spawnSync('git', ['init', '-q'], { cwd: dir });
    spawnSync('git', ['add', '-A'], { cwd: dir });
    spawnSync('git', ['-c', 'user.name=a', '-c', 'user.email=a@example.com', 'commit', '-qm', 'x'], { cwd: dir });
    const history = runCli(['history', dir, '--format', 'json', '--no-baseline']);
    expect(history.code, history.stderr).toBe(1);
    const hpaths = (JSON.parse(history.stdout) as { tokens: { occurrences: { path: string }[] }[] }).tokens.flatMap((t) => t.occurrences.map((o) => o.path));
    expect(hpaths).toEqual(['app/.env']);
  }, 120_000);
});

