// Progress of `scan` and `history` on a terminal (issue 12, item 11): a line on stderr redrawn in place, nothing
// when stderr is not a terminal or with --quiet. SHADOWSCAN_PROGRESS=tty stands in for a terminal.
import { describe, expect, it } from 'vitest';
import { runCli, tempDir, writeTree } from '../helpers/cli.js';
import { fakeGithubPat } from '../helpers/fake-tokens.js';
import { ALICE, FixtureRepo } from '../helpers/git-fixtures.js';
import { ProgressView, progressMode, scanProgressLine } from '../../src/cli/progress.js';
import { ScanProgress } from '../../src/scan/progress.js';

const CLEAR = '\r\x1b[K';

describe('the progress line', () => {
  it('shows a bar once the total is known, files or blobs done, MB, tokens and the time left', () => {
    const p = new ScanProgress('files');
    p.found = 7;
    p.done = 3;
    p.bytes = 3 * 1024 * 1024;
    p.saw([{ id: 'a' }, { id: 'b' }, { id: 'a' }]);
    // Still walking: no total, no bar, no estimate.
    expect(scanProgressLine(p)).toBe('files 3/7+ · 3.0 MB · 2 tokens · ETA …');
    p.found = 10;
    p.done = 5;
    p.listed = true;
    expect(scanProgressLine(p, p.startedAt + 4000)).toBe('[##########----------] files 5/10 · 3.0 MB · 2 tokens · ETA 4s');
    const blobs = new ScanProgress('blobs');
    blobs.saw([{ id: 'x' }]);
    expect(scanProgressLine(blobs)).toBe('blobs 0/0+ · 0.0 MB · 1 token · ETA …');
  });

  it('is redrawn in place on a terminal and cleared at the end; nothing when off', () => {
    let out = '';
    const p = new ScanProgress('files');
    p.found = 2;
    const view = new ProgressView({ stderr: (s) => (out += s) }, () => scanProgressLine(p), 'tty', { intervalMs: 10_000 });
    view.start();
    view.stop();
    expect(out).toBe(`${CLEAR}shadowscan: files 0/2+ · 0.0 MB · 0 tokens · ETA …${CLEAR}`);
    out = '';
    const off = new ProgressView({ stderr: (s) => (out += s) }, () => 'x', 'off', { intervalMs: 1 });
    off.start();
    off.stop();
    expect(out).toBe('');
    expect(progressMode(true, 'plain')).toBe('off');
  });
});

const ENV = { SHADOWSCAN_PROGRESS: 'tty', SHADOWSCAN_PROGRESS_INTERVAL_MS: '1' };

describe('scan and history draw progress on a terminal only', () => {
  it('scan: files done of the total; --quiet and a stderr that is not a terminal show none', () => {
    const dir = tempDir();
    const files: Record<string, string> = { 'app.env': `GITHUB_TOKEN=${fakeGithubPat()}\n` };
    for (let i = 0; i < 400; i++) files[`d${i % 20}/f${i}.txt`] = `line ${i}\n`.repeat(200);
    writeTree(dir, files);
    const r = runCli(['scan', dir, '-j', '2', '--format', 'json'], { env: ENV });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain(CLEAR);
    expect(r.stderr).toMatch(/shadowscan: (\[[#-]{20}\] )?files \d+\/\d+\+? · \d+\.\d MB · [01] tokens? · ETA/);
    // The line is cleared before the summary; the report on stdout is untouched.
    expect(r.stderr).toMatch(/\r\x1b\[Kshadowscan: 1 token\(s\)/);
    expect(JSON.parse(r.stdout).tokens).toHaveLength(1);
    expect(runCli(['scan', dir, '-j', '2', '--format', 'json', '--quiet'], { env: ENV }).stderr).toBe('');
    expect(runCli(['scan', dir, '-j', '2', '--format', 'json'], { env: { SHADOWSCAN_PROGRESS_INTERVAL_MS: '1' } }).stderr).not.toContain('\x1b');
  });

  it('history: blobs done of the total', () => {
    const repo = FixtureRepo.init('shadowscan-progress-');
    for (let c = 0; c < 4; c++) {
      for (let i = 0; i < 100; i++) repo.write(`d${i % 10}/f${i}.txt`, `commit ${c} line ${i}\n`.repeat(200));
      repo.commit(`c${c}`, ALICE, `2024-01-0${c + 1}T10:00:00Z`);
    }
    const r = runCli(['history', repo.dir, '-j', '2', '--format', 'json'], { env: ENV });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/shadowscan: (\[[#-]{20}\] )?blobs \d+\/\d+\+? · /);
    expect(runCli(['history', repo.dir, '-j', '2', '--format', 'json', '-q'], { env: ENV }).stderr).toBe('');
  });
});
