// `--help` of every command: examples, exit codes, required options marked, defaults as the README writes them,
// and the same option names for the same things across commands (the baseline commands especially).
import fs from 'node:fs';
import path from 'node:path';
import { CommanderError, type Command } from 'commander';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir, writeTree } from '../helpers/cli.js';
import { ALICE, FixtureRepo } from '../helpers/git-fixtures.js';
import { fakeGithubPat, fakeStripeLiveKey } from '../helpers/fake-tokens.js';
import { buildProgram } from '../../src/cli/main.js';
import { commandPath } from '../../src/cli/help.js';

function allCommands(cmd: Command): Command[] {
  return [cmd, ...cmd.commands.flatMap(allCommands)];
}

/** `shadowscan <words> --help`, in this process. */
async function help(words: string[]): Promise<string> {
  let out = '';
  const io = { stdout: (s: string) => (out += s), stderr: (s: string) => (out += s), isTTY: false };
  try {
    await buildProgram(io).parseAsync(['node', 'shadowscan', ...words, '--help']);
  } catch (err) {
    if (!(err instanceof CommanderError) || err.exitCode !== 0) throw err;
  }
  return out;
}

describe('--help', () => {
  const program = buildProgram();
  const commands = allCommands(program);
  const texts = new Map<string, string>();

  beforeAll(async () => {
    for (const c of commands) {
      const words = commandPath(c);
      texts.set(words, await help(words ? words.split(' ') : []));
    }
  });

  it('covers every command', () => {
    expect([...texts.keys()]).toEqual(expect.arrayContaining(['', 'scan', 'history', 'staged', 'baseline create', 'baseline add', 'baseline prune', 'org', 'merge', 'inventory diff', 'inventory show', 'rules list', 'rules check', 'install-hook', 'uninstall-hook', 'explain']));
  });

  it('every command shows two or three examples of itself and its exit codes', () => {
    for (const [words, text] of texts) {
      const examples = text.split('\nExamples:\n')[1]?.split('\n\n')[0] ?? '';
      const lines = examples.split('\n').filter((l) => l.startsWith('  $ '));
      expect(lines.length, `${words}: ${text}`).toBeGreaterThanOrEqual(2);
      expect(lines.length, words).toBeLessThanOrEqual(3);
      for (const l of lines) expect(l, words).toMatch(new RegExp(`^  \\$ shadowscan ${words ? `${words} ` : ''}`.replace(/ $/, '\\b')));
      const codes = text.split('\nExit codes:\n')[1] ?? '';
      expect(codes, words).toMatch(/^ {2}0 {2}\S/m);
      expect(codes, words).toMatch(/^ {2}2 {2}\S/m);
    }
    expect(texts.get('scan')).toMatch(/^ {2}1 {2}at least one report-tier token found$/m);
  });

  it('the examples run as written (a usage error would be exit 2)', async () => {
    const dir = tempDir('shadowscan-help-examples-');
    writeTree(dir, { 'src/a.js': 'const retries = 3;\n', 'config/b.yaml': 'a: 1\n' });
    for (const words of ['scan']) {
      const text = texts.get(words)!;
      const lines = text.split('\n').filter((l) => l.startsWith('  $ shadowscan ')).map((l) => l.slice('  $ shadowscan '.length));
      for (const line of lines) {
        const args = line.split(' ').map((a) => a.replace(/^'(.*)'$/, '$1'));
        const r = runCli([...args, '--quiet'], { cwd: dir });
        expect(r.code, `${line}: ${r.stderr}`).toBe(0);
      }
    }
  });

  it('required options are marked, in the list and in the usage line', () => {
    let seen = 0;
    for (const c of commands) {
      const text = texts.get(commandPath(c))!;
      for (const o of c.options.filter((x) => x.mandatory)) {
        seen++;
        const line = text.split('\n').find((l) => l.trimStart().startsWith(o.flags))!;
        expect(line, o.flags).toContain('(required');
        expect(text.split('\n')[0], commandPath(c)).toContain(o.flags);
      }
    }
    expect(seen).toBeGreaterThanOrEqual(2);
    expect(texts.get('inventory diff')!.split('\n')[0]).toBe('Usage: shadowscan inventory diff --db <file> [options]');
  });

  it('defaults read like the README: 50MB, ., text; no [] or quoted values', () => {
    for (const [words, text] of texts) {
      expect(text, words).not.toContain('default: []');
      expect(text, words).not.toMatch(/default: "/);
      expect(text, words).not.toMatch(/\d{5,}/);
      expect(text, words).not.toMatch(/choices: "/);
    }
    for (const words of ['scan', 'history', 'staged', 'org']) expect(texts.get(words), words).toMatch(/--max-file-size <size>[^\n]*\n?[^\n]*50MB/);
    expect(texts.get('scan')).toContain('(default: .)');
    expect(texts.get('scan')).toMatch(/default:\s+text\)/);
  });

  it('the same names for the same things: --baseline is the baseline file and --path the folder of every baseline command', () => {
    for (const words of ['baseline create', 'baseline add', 'baseline prune']) {
      const text = texts.get(words)!;
      expect(text, words).toMatch(/^ {2}--baseline <file> /m);
      expect(text, words).toMatch(/^ {2}--path <dir> /m);
      expect(text, words).not.toMatch(/--output/);
    }
    // Every command that prints in more than one format takes -f; none has a --json of its own.
    for (const [words, text] of texts) expect(text, words).not.toMatch(/^ {2}--json/m);
    expect(texts.get('rules list')).toContain('  -f, --format <format> ');
    expect(texts.get('inventory diff')).toContain('  -f, --format <format> ');
    for (const words of ['scan', 'history', 'staged', 'org', 'merge', 'inventory show']) {
      const text = texts.get(words)!;
      for (const flag of ['-o, --output <file>', '-f, --format <format>', '--color', '--no-color', '--csv-bom']) expect(text, `${words} ${flag}`).toContain(`  ${flag} `);
    }
  });
});

describe('rules list takes -f json as the other commands do', () => {
  it('-f json and the old --json print the same JSON', () => {
    const f = runCli(['rules', 'list', '-f', 'json']);
    expect(f.code).toBe(0);
    const rules = JSON.parse(f.stdout) as Array<{ id: string }>;
    expect(rules.length).toBeGreaterThan(500);
    expect(runCli(['rules', 'list', '--json']).stdout).toBe(f.stdout);
  });
});

describe('baseline commands take --path and --baseline', () => {
  const KEY = 'help-test-key';
  const env = { SHADOWSCAN_FINGERPRINT_KEY: KEY };

  it('create, add and prune with --path and --baseline; -o still works; conflicting values are one-line errors', () => {
    const dir = tempDir('shadowscan-help-baseline-');
    const [a, b] = [fakeGithubPat(), fakeStripeLiveKey()];
    writeTree(dir, { 'a.js': `const a = "${a}";\n` });
    const file = path.join(tempDir('shadowscan-help-baseline-file-'), 'known.json');
    const cwd = tempDir('shadowscan-help-cwd-');
    const create = runCli(['baseline', 'create', '--path', dir, '--baseline', file], { cwd, env });
    expect(create.code, create.stderr).toBe(0);
    expect(create.stdout).toContain('1 token');
    expect(runCli(['scan', dir, '--baseline', file], { cwd, env }).code).toBe(0);

    writeTree(dir, { 'b.js': `const b = "${b}";\n` });
    expect(runCli(['scan', dir, '--baseline', file], { cwd, env }).code).toBe(1);
    const add = runCli(['baseline', 'add', '--from', 'tree', '--path', dir, '--baseline', file], { cwd, env });
    expect(add.stdout).toContain('1 token added, 2 tokens in all');
    expect(runCli(['scan', dir, '--baseline', file], { cwd, env }).code).toBe(0);

    fs.rmSync(path.join(dir, 'b.js'));
    const prune = runCli(['baseline', 'prune', '--path', dir, '--baseline', file], { cwd, env });
    expect(prune.stdout).toContain('1 token kept, 1 token dropped');

    // The old name of the file option, and the positional path, still work.
    const old = path.join(path.dirname(file), 'old.json');
    expect(runCli(['baseline', 'create', dir, '-o', old], { cwd, env }).code).toBe(0);
    expect(fs.existsSync(old)).toBe(true);

    const both = runCli(['baseline', 'create', dir, '--path', cwd], { cwd, env });
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/^shadowscan: two folders to scan: .* \(give one\)\n$/);
    const files = runCli(['baseline', 'add', '--from', 'tree', '--path', dir, '--baseline', file, '--output', old], { cwd, env });
    expect(files.code).toBe(2);
    expect(files.stderr).toMatch(/^shadowscan: two baseline files: /);
  });

  it('a blocked commit with another baseline file prints a command that names it with --baseline, and that command works', () => {
    const repo = FixtureRepo.init('shadowscan-help-staged-');
    repo.write('README.md', '# app\n');
    repo.commit('root', ALICE, '2024-01-01T10:00:00Z');
    repo.write('known.json', JSON.stringify({ version: 1, tokens: [] }));
    repo.write('config.js', `export const token = "${fakeGithubPat()}";\n`);
    repo.git(['add', 'config.js']);
    const blocked = runCli(['staged', '--baseline', 'known.json'], { cwd: repo.dir, env });
    expect(blocked.code).toBe(1);
    const command = blocked.stdout.split('\n').map((l) => l.trim()).find((l) => l.startsWith('shadowscan baseline add'))!;
    expect(command).toMatch(/^shadowscan baseline add --from staged --baseline known\.json [0-9a-f]{12}$/);
    expect(runCli(command.split(' ').slice(1), { cwd: repo.dir, env }).code).toBe(0);
    expect(runCli(['staged', '--baseline', 'known.json'], { cwd: repo.dir, env }).code).toBe(0);
  });
});
