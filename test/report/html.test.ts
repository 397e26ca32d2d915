// The HTML report: one self-contained page. Opened in headless Chromium (Debian's, driven by playwright-core):
// no console errors, no request leaves the page, every chart and the table show the inventory's counts (report
// tier), the filters and sorting work, review-tier tokens stay hidden until the review filter shows them; a
// screenshot is saved to test/report/__output__/. Also through the CLI, for `scan` and `history`, without ever
// writing a raw secret.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { toHtml } from '../../src/report/html.js';
import { runCli, tempDir, writeTree } from '../helpers/cli.js';
import { fakeGithubPat, fakeStripeLiveKey } from '../helpers/fake-tokens.js';
import { ALICE, FixtureRepo } from '../helpers/git-fixtures.js';
import { orgInventory } from './org-inventory.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const OUT = path.join(here, '__output__');
const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

// CI installs Chromium (.ci/run); a developer machine without it skips the browser checks, and says so.
const haveChromium = fs.existsSync(CHROMIUM);
if (!haveChromium && !process.env.CI) console.warn(`html.test: ${CHROMIUM} missing: browser checks skipped (apt-get install chromium)`);

interface Loaded {
  page: Page;
  errors: string[];
  external: string[];
}

describe('HTML report of a working tree', () => {
  // A scan of files measured no history: no status, no "only in past commits", no exposure age.
  const inv = orgInventory();
  const tree = {
    ...inv,
    scan: { targets: ['.'], startedAt: inv.scan.startedAt, durationMs: 120, files: 40, bytes: 81_920, skipped: [], warnings: [], rules: 612 },
    tokens: inv.tokens.map(({ firstSeen: _f, lastSeen: _l, commits: _c, presentInHead: _p, repos: _r, ...t }) => ({
      ...t,
      occurrences: t.occurrences.map(({ commit: _co, author: _a, date: _d, repo: _re, ...o }) => o),
    })),
  };

  it('states only what the scan knows', () => {
    const html = toHtml(tree);
    for (const absent of ['only in past commits', 'data-chart="exposure"', 'data-chart="age"', 'data-card="active"', 'data-card="history-only"', 'id="f-exposure"', 'id="f-age"', '>Status</th>', '>First seen</th>', 'Exposed for', 'class="exp ', '(100%)']) {
      expect(html, absent).not.toContain(absent);
    }
    expect(html).toContain('data-chart="provider"');
    expect(html).toContain('unique secrets in the files');
    // The same tokens from a history scan keep every history fact.
    const hist = toHtml(inv);
    for (const present of ['only in past commits', 'data-chart="exposure"', 'data-chart="age"', '>Status</th>', '>First seen</th>']) expect(hist, present).toContain(present);
  });
});

describe.skipIf(!haveChromium && !process.env.CI)('HTML report in Chromium', () => {
  let browser: Browser;
  const inv = orgInventory();
  // Charts, cards and the default table cover the report tier.
  const reported = { ...inv, tokens: inv.tokens.filter((t) => t.tier === 'report') };
  let loaded: Loaded;

  async function open(file: string): Promise<Loaded> {
    const page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
    const errors: string[] = [];
    const external: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('request', (r) => {
      if (!r.url().startsWith('file:')) external.push(r.url());
    });
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    return { page, errors, external };
  }

  beforeAll(async () => {
    fs.mkdirSync(OUT, { recursive: true });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
    const file = path.join(OUT, 'org-report.html');
    fs.writeFileSync(file, toHtml(inv));
    loaded = await open(file);
  });

  afterAll(async () => {
    await browser?.close();
  });

  const values = (page: Page, selector: string) => page.$$eval(selector, (els) => els.map((e) => Number(e.getAttribute('data-value'))));
  const shown = (page: Page) => page.$eval('#count', (e) => Number((e as HTMLElement).dataset.shown));

  it('loads with no console error and no request leaving the page', async () => {
    const { page, errors, external } = loaded;
    await page.waitForSelector('#tokens tbody tr');
    expect(errors).toEqual([]);
    expect(external).toEqual([]);
    const csp = await page.$eval('meta[http-equiv="Content-Security-Policy"]', (m) => m.getAttribute('content'));
    expect(csp).toContain("default-src 'none'");
  });

  it('draws every chart with the inventory counts', async () => {
    const { page } = loaded;
    const inv = reported;
    const total = inv.tokens.length;
    const providers = new Set(inv.tokens.map((t) => t.provider));
    const provider = await values(page, '[data-chart="provider"] .bar');
    expect(provider).toHaveLength(providers.size);
    expect(provider.reduce((a, b) => a + b, 0)).toBe(total);
    const labels = await page.$$eval('[data-chart="provider"] .bar', (els) => els.map((e) => e.getAttribute('data-label')));
    const perProvider = new Map<string, number>();
    for (const t of inv.tokens) perProvider.set(t.provider, (perProvider.get(t.provider) ?? 0) + 1);
    const expected = [...perProvider].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    expect(labels).toEqual(expected.map(([p]) => p));
    expect(provider).toEqual(expected.map(([, n]) => n));

    const severity = await values(page, '[data-chart="severity"] .bar');
    expect(severity.reduce((a, b) => a + b, 0)).toBe(total);
    const critical = await page.$eval('[data-chart="severity"] .bar[data-label="critical"]', (e) => Number(e.getAttribute('data-value')));
    expect(critical).toBe(inv.tokens.filter((t) => t.severity === 'critical').length);
    const segments = await values(page, '[data-chart="severity"] .segment');
    expect(segments.reduce((a, b) => a + b, 0)).toBe(total);

    const slices = await page.$$eval('[data-chart="exposure"] .slice', (els) => Object.fromEntries(els.map((e) => [e.getAttribute('data-label'), Number(e.getAttribute('data-value'))])));
    expect(slices).toEqual({ active: inv.tokens.filter((t) => t.presentInHead).length, 'history-only': inv.tokens.filter((t) => !t.presentInHead).length });

    const ages = await values(page, '[data-chart="age"] .bar');
    expect(ages.reduce((a, b) => a + b, 0)).toBe(total);
    expect(ages.length).toBe(6);

    const places = await page.$$eval('[data-chart="places"] .bar', (els) => els.map((e) => [e.getAttribute('data-label'), Number(e.getAttribute('data-value'))]));
    expect(places.length).toBe(10);
    const perRepo = new Map<string, number>();
    for (const t of inv.tokens) for (const r of t.repos ?? []) perRepo.set(r, (perRepo.get(r) ?? 0) + 1);
    expect(places[0]).toEqual([...perRepo].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]);

    // Every chart is drawn with a size (not collapsed to nothing).
    const boxes = await page.$$eval('figure.chart svg', (els) => els.map((e) => e.getBoundingClientRect().height));
    expect(boxes).toHaveLength(5);
    for (const h of boxes) expect(h).toBeGreaterThan(60);
    const cards = await page.$eval('[data-card="tokens"] .n', (e) => e.textContent);
    expect(cards).toBe(String(total));
    expect(await page.$$eval('#failed li', (els) => els.length)).toBe(1);
  });

  it('lists every token in a table that filters and sorts', async () => {
    const { page } = loaded;
    const total = reported.tokens.length;
    expect(await page.$$eval('#tokens tbody tr', (rows) => rows.length)).toBe(inv.tokens.length);
    expect(await page.$$eval('#tokens tbody tr:not([hidden])', (rows) => rows.length)).toBe(total);
    expect(await shown(page)).toBe(total);
    expect(await page.textContent('#count')).toBe(`Showing ${total} of ${total} tokens`);
    // Redacted values and rotation links, no secret column.
    expect(await page.$$eval('#tokens tbody code', (els) => els.map((e) => e.textContent))).toEqual(expect.arrayContaining(['AKIAIO…(20)', 'sk_liv…(32)']));
    expect(await page.$$eval('#tokens tbody a[href^="https://"]', (els) => els.length)).toBe(inv.tokens.length);
    expect(await page.$$eval('.secret', (els) => els.length)).toBe(0);

    await page.fill('#q', 'stripe');
    expect(await shown(page)).toBe(1);
    await page.fill('#q', '');
    await page.selectOption('#f-severity', 'critical');
    expect(await shown(page)).toBe(reported.tokens.filter((t) => t.severity === 'critical').length);
    await page.selectOption('#f-exposure', 'history-only');
    expect(await shown(page)).toBe(reported.tokens.filter((t) => t.severity === 'critical' && !t.presentInHead).length);
    await page.click('#reset');
    expect(await shown(page)).toBe(total);

    // A bar filters the table by its provider.
    await page.click('[data-chart="provider"] .bar[data-label="GitHub"] rect');
    expect(await shown(page)).toBe(2);
    expect(await page.inputValue('#f-provider')).toBe('GitHub');
    await page.click('#reset');

    // Sorting: by occurrences (most first), then the other way.
    expect(await page.textContent('#tokens th:nth-child(7)')).toBe('Occurrences');
    await page.click('#tokens th:nth-child(7)');
    const occ = await page.$$eval('#tokens tbody tr td:nth-child(7)', (tds) => tds.map((td) => Number(td.textContent)));
    expect(occ[0]).toBe(7);
    expect([...occ].sort((a, b) => b - a)).toEqual(occ);
    await page.click('#tokens th:nth-child(7)');
    const asc = await page.$$eval('#tokens tbody tr td:nth-child(7)', (tds) => tds.map((td) => Number(td.textContent)));
    expect([...asc].sort((a, b) => a - b)).toEqual(asc);
    await page.click('#tokens th:nth-child(1)');
    expect(await page.$eval('#tokens tbody tr td:nth-child(1)', (td) => td.textContent)).toBe('critical');
    expect(loaded.errors).toEqual([]);
  });

  it('shows scores with their reasons, sorts by score, and hides the review tier behind a filter that is off by default', async () => {
    const { page } = loaded;
    await page.click('#reset');
    const total = reported.tokens.length;
    const review = inv.tokens.filter((t) => t.tier === 'review');
    expect(review).toHaveLength(1);
    const hash = review[0].id.slice(0, 12);
    const row = `#tokens tbody tr[data-tier="review"]`;

    // Off by default: the review-tier row is in the page but hidden, and not counted.
    expect(await page.isChecked('#f-review')).toBe(false);
    expect(await page.isVisible(row)).toBe(false);
    expect(await page.textContent('#count')).toBe(`Showing ${total} of ${total} tokens`);
    expect(await page.textContent('[data-card="review"] .n')).toBe('1');
    await page.fill('#q', hash);
    expect(await shown(page)).toBe(0);
    await page.fill('#q', '');

    // On: the row shows, marked, with its score and why it is in review; it counts.
    await page.check('#f-review');
    expect(await page.isVisible(row)).toBe(true);
    expect(await page.textContent('#count')).toBe(`Showing ${total + 1} of ${total + 1} tokens`);
    expect(await page.textContent(`${row} .tier-review`)).toBe('review');
    expect(await page.textContent(`${row} td.score`)).toContain('0.95');
    expect(await page.textContent(`${row} td.score .reasons`)).toBe('a password hash; high-confidence rule');
    await page.fill('#q', hash);
    expect(await shown(page)).toBe(1);
    await page.fill('#q', '');
    // The other filters apply to it too.
    await page.selectOption('#f-severity', 'critical');
    expect(await page.isVisible(row)).toBe(false);

    // Reset turns it off again.
    await page.click('#reset');
    expect(await page.isChecked('#f-review')).toBe(false);
    expect(await page.isVisible(row)).toBe(false);

    // The score column sorts, highest first.
    expect(await page.textContent('#tokens th:nth-child(3)')).toBe('Score');
    await page.click('#tokens th:nth-child(3)');
    const scores = await page.$$eval('#tokens tbody tr:not([hidden]) td.score', (tds) => tds.map((td) => Number(td.getAttribute('data-value'))));
    expect(scores).toHaveLength(total);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    expect(scores[scores.length - 1]).toBe(0.6);
    expect(loaded.errors).toEqual([]);
  });

  it('saves a screenshot', async () => {
    const { page } = loaded;
    await page.click('#reset');
    const file = path.join(OUT, 'html-report.png');
    await page.screenshot({ path: file, fullPage: true });
    expect(fs.statSync(file).size).toBeGreaterThan(20_000);
  });

  it('renders `scan --format html` and `history --format html` from the CLI, secrets redacted', async () => {
    const pat = fakeGithubPat();
    const stripe = fakeStripeLiveKey();
    const dir = tempDir();
    writeTree(dir, { 'app/config.js': `const token = "${pat}";\n`, 'x"><img src=x onerror=alert(1)>.py': `STRIPE_KEY = "${stripe}"\n` });
    const scan = runCli(['scan', dir, '--format', 'html', '--output', path.join(OUT, 'scan.html')]);
    expect(scan.code).toBe(1);
    const html = fs.readFileSync(path.join(OUT, 'scan.html'), 'utf8');
    expect(html).not.toContain(pat);
    expect(html).not.toContain(stripe);
    expect(html).not.toContain('<img src=x');
    expect(html).toContain(pat.slice(0, 6));

    const repo = FixtureRepo.init();
    repo.write('deploy.sh', `export GITHUB_TOKEN=${pat}\n`);
    repo.commit('add', ALICE, '2024-02-01T10:00:00Z');
    repo.remove('deploy.sh');
    repo.commit('remove', ALICE, '2024-02-02T10:00:00Z');
    const hist = runCli(['history', repo.dir, '--format', 'html', '--output', path.join(OUT, 'history.html')]);
    expect(hist.code).toBe(1);
    expect(fs.readFileSync(path.join(OUT, 'history.html'), 'utf8')).not.toContain(pat);

    for (const name of ['scan.html', 'history.html']) {
      const { page, errors, external } = await open(path.join(OUT, name));
      expect(errors).toEqual([]);
      expect(external).toEqual([]);
      const rows = await page.$$eval('#tokens tbody tr', (r) => r.length);
      expect(rows).toBe(name === 'scan.html' ? 2 : 1);
      if (name === 'scan.html') {
        // Three charts, no status or age, and the filters that remain still work.
        expect(await page.$$eval('figure.chart', (els) => els.map((e) => e.getAttribute('data-chart')))).toEqual(['provider', 'severity', 'places']);
        expect(await page.$$eval('#tokens thead th', (els) => els.map((e) => e.textContent))).not.toContain('Status');
        await page.selectOption('#f-provider', 'GitHub');
        expect(await shown(page)).toBe(1);
        await page.click('#reset');
        expect(await shown(page)).toBe(2);
      }
      if (name === 'history.html') {
        expect(await page.$eval('[data-chart="exposure"] .slice', (e) => e.getAttribute('data-label'))).toBe('history-only');
      }
      await page.close();
    }
  });
});
