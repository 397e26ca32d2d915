// Terminal colours (--color, --no-color, FORCE_COLOR, NO_COLOR, a terminal or not) and CSV's byte-order mark
// (--csv-bom), through the built CLI.
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir, writeTree } from '../helpers/cli.js';
import { ALICE, FixtureRepo } from '../helpers/git-fixtures.js';
import { fakeGithubPat } from '../helpers/fake-tokens.js';
import { colorWanted } from '../../src/cli/options.js';

const ESC = '\x1b[';
const BOM = '\uFEFF';

describe('terminal colours', () => {
  let dir: string;
  beforeAll(() => {
    dir = tempDir('shadowscan-color-');
    writeTree(dir, { 'a.js': `const token = "${fakeGithubPat()}";\n` });
  });
  // runCli's stdout is a pipe, and it sets NO_COLOR=1 unless a test unsets it.
  const scan = (args: string[], env: NodeJS.ProcessEnv = {}) => runCli(['scan', dir, ...args], { env });

  it('a pipe gets no colour; FORCE_COLOR colours it (0 and false do not); NO_COLOR alone keeps it plain', () => {
    expect(scan([], { NO_COLOR: undefined }).stdout).not.toContain(ESC);
    expect(scan([]).stdout).not.toContain(ESC);
    for (const v of ['1', '', 'true', '3']) {
      const r = scan([], { NO_COLOR: undefined, FORCE_COLOR: v });
      expect(r.code, v).toBe(1);
      expect(r.stdout, `FORCE_COLOR=${v}`).toContain(`${ESC}1;31mCRITICAL`);
    }
    for (const v of ['0', 'false']) expect(scan([], { NO_COLOR: undefined, FORCE_COLOR: v }).stdout, `FORCE_COLOR=${v}`).not.toContain(ESC);
  });

  it('--color and --no-color decide whatever the environment says', () => {
    const on = scan(['--color'], { NO_COLOR: '1' });
    expect(on.code).toBe(1);
    expect(on.stdout).toContain(ESC);
    const time = /\d+\.\d\d s/;
    expect(on.stdout.replace(/\x1b\[[0-9;]*m/g, '').replace(time, '')).toBe(scan([]).stdout.replace(time, ''));
    expect(scan(['--no-color'], { NO_COLOR: undefined, FORCE_COLOR: '1' }).stdout).not.toContain(ESC);
    // JSON is never coloured.
    expect(scan(['--color', '--format', 'json']).stdout).not.toContain(ESC);
  });

  it('a report written to a file is coloured only with --color', () => {
    const out = path.join(tempDir('shadowscan-color-out-'), 'report.txt');
    expect(scan(['-o', out], { NO_COLOR: undefined, FORCE_COLOR: '1' }).code).toBe(1);
    expect(fs.readFileSync(out, 'utf8')).not.toContain(ESC);
    expect(scan(['-o', out, '--color']).code).toBe(1);
    expect(fs.readFileSync(out, 'utf8')).toContain(ESC);
  });

  it("a blocked commit's message follows the same rules", () => {
    const repo = FixtureRepo.init('shadowscan-color-staged-');
    repo.write('README.md', '# app\n');
    repo.commit('root', ALICE, '2024-01-01T10:00:00Z');
    repo.write('config.js', `export const token = "${fakeGithubPat()}";\n`);
    repo.git(['add', 'config.js']);
    const plain = runCli(['staged'], { cwd: repo.dir });
    expect(plain.code).toBe(1);
    expect(plain.stdout).toContain('commit blocked');
    expect(plain.stdout).not.toContain(ESC);
    expect(runCli(['staged'], { cwd: repo.dir, env: { NO_COLOR: undefined, FORCE_COLOR: '1' } }).stdout).toContain(`${ESC}1;31mshadowscan: commit blocked`);
    expect(runCli(['staged', '--color'], { cwd: repo.dir }).stdout).toContain(ESC);
  });

  it('on a terminal: colour unless NO_COLOR, NODE_DISABLE_COLORS or TERM=dumb; FORCE_COLOR and the flags win', () => {
    const tty = { isTTY: true, file: false };
    expect(colorWanted(undefined, tty, {})).toBe(true);
    expect(colorWanted(undefined, tty, { NO_COLOR: '1' })).toBe(false);
    expect(colorWanted(undefined, tty, { NO_COLOR: '' })).toBe(true);
    expect(colorWanted(undefined, tty, { NODE_DISABLE_COLORS: '1' })).toBe(false);
    expect(colorWanted(undefined, tty, { TERM: 'dumb' })).toBe(false);
    expect(colorWanted(undefined, tty, { NO_COLOR: '1', FORCE_COLOR: '1' })).toBe(true);
    expect(colorWanted(undefined, tty, { FORCE_COLOR: '0' })).toBe(false);
    expect(colorWanted(false, tty, { FORCE_COLOR: '1' })).toBe(false);
    expect(colorWanted(true, { isTTY: false, file: true }, { NO_COLOR: '1' })).toBe(true);
    expect(colorWanted(undefined, { isTTY: true, file: true }, { FORCE_COLOR: '1' })).toBe(false);
  });
});

describe('CSV byte-order mark', () => {
  it('--csv-bom starts the CSV with EF BB BF; the rest is the same UTF-8 (… included)', () => {
    const dir = tempDir('shadowscan-csv-bom-');
    writeTree(dir, { 'a.js': `const token = "${fakeGithubPat()}";\n` });
    const out = tempDir('shadowscan-csv-bom-out-');
    expect(runCli(['scan', dir, '-f', 'csv', '-o', path.join(out, 'plain.csv')]).code).toBe(1);
    expect(runCli(['scan', dir, '-f', 'csv', '--csv-bom', '-o', path.join(out, 'bom.csv')]).code).toBe(1);
    const plain = fs.readFileSync(path.join(out, 'plain.csv'));
    const bom = fs.readFileSync(path.join(out, 'bom.csv'));
    expect([...plain.subarray(0, 3)]).not.toEqual([0xef, 0xbb, 0xbf]);
    expect([...bom.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(bom.subarray(3).toString('utf8')).toBe(plain.toString('utf8'));
    expect(plain.toString('utf8')).toContain('…(40)');
    // On stdout too, and for a merged inventory.
    expect(runCli(['scan', dir, '-f', 'csv', '--csv-bom']).stdout.startsWith(`${BOM}token_id,`)).toBe(true);
    const inv = path.join(out, 'inv.json');
    runCli(['scan', dir, '-f', 'json', '-o', inv]);
    expect(runCli(['merge', inv, '-f', 'csv', '--csv-bom']).stdout.startsWith(`${BOM}token_id,`)).toBe(true);
  });

  it('--csv-bom with another format is a usage error, before anything is scanned', () => {
    const dir = tempDir('shadowscan-csv-bom-bad-');
    writeTree(dir, { 'a.js': `const token = "${fakeGithubPat()}";\n` });
    const r = runCli(['scan', dir, '-f', 'json', '--csv-bom']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('error: --csv-bom applies to --format csv only\n');
  });
});
