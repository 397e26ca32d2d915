// The GitHub Action entry point (dist/action/main.js) against recorded pull_request and push event payloads, in
// temp repositories checked out the way actions/checkout does it (one commit deep), with temp files standing in
// for GITHUB_OUTPUT and GITHUB_STEP_SUMMARY: valid SARIF, a summary, annotations, and a non-zero exit only for
// new tokens (by default).
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv04 from 'ajv-draft-04';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, tempDir } from '../helpers/cli.js';
import { ALICE, BOB, FixtureRepo, gitEnv } from '../helpers/git-fixtures.js';
import { fakeGithubPat, fakeMd5CryptHash, fakeSlackBotToken, fakeStripeLiveKey } from '../helpers/fake-tokens.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const ENTRY = path.join(ROOT, 'dist/action/main.js');
const KEY = 'action-test-key';
const fp = (secret: string) => crypto.createHmac('sha256', KEY).update(secret, 'utf8').digest('hex');

const schema = JSON.parse(fs.readFileSync(path.join(ROOT, 'test/schemas/sarif-2.1.0-rtm.5.json'), 'utf8'));
const validateSarif = new Ajv04({ allErrors: true, strict: false, validateFormats: false, unicodeRegExp: false }).compile(schema);

interface ActionRun {
  code: number;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
  sarif?: { runs: Array<{ automationDetails?: { id: string }; results: Array<{ ruleId: string; level: string; properties: { fingerprint: string; tier: string }; locations: Array<{ physicalLocation: { artifactLocation: { uri: string } } }> }> }> };
  sarifText: string;
}

function fixture(name: string): Record<string, any> {
  return JSON.parse(fs.readFileSync(path.join(here, 'fixtures', name), 'utf8'));
}

function runAction(workspace: string, eventName: string, event: unknown, inputs: Record<string, string> = {}, extraEnv: NodeJS.ProcessEnv = {}): ActionRun {
  const tmp = tempDir('shadowscan-action-run-');
  const eventPath = path.join(tmp, 'event.json');
  fs.writeFileSync(eventPath, JSON.stringify(event));
  const outputFile = path.join(tmp, 'output');
  const summaryFile = path.join(tmp, 'summary.md');
  fs.writeFileSync(outputFile, '');
  fs.writeFileSync(summaryFile, '');
  const env: NodeJS.ProcessEnv = {
    ...gitEnv(),
    SHADOWSCAN_FINGERPRINT_KEY: KEY,
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: workspace,
    GITHUB_EVENT_NAME: eventName,
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    GITHUB_REPOSITORY: 'octo-org/payments',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_SHA: 'f'.repeat(40),
    ...extraEnv,
  };
  for (const [k, v] of Object.entries(inputs)) env[`INPUT_${k.toUpperCase().replace(/-/g, '_')}`] = v;
  const r = spawnSync(process.execPath, [ENTRY], { cwd: workspace, env, encoding: 'utf8' });
  const outputs: Record<string, string> = {};
  for (const line of fs.readFileSync(outputFile, 'utf8').split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) outputs[line.slice(0, eq)] = line.slice(eq + 1);
  }
  const sarifPath = outputs['sarif-file'];
  const sarifText = sarifPath && fs.existsSync(sarifPath) ? fs.readFileSync(sarifPath, 'utf8') : '';
  return {
    code: r.status ?? -1,
    stdout: r.stdout,
    stderr: r.stderr,
    outputs,
    summary: fs.readFileSync(summaryFile, 'utf8'),
    sarif: sarifText ? JSON.parse(sarifText) : undefined,
    sarifText,
  };
}

/** A checkout like actions/checkout's default: `git fetch --depth=1 origin <ref>` into an empty repository. */
function shallowCheckout(origin: FixtureRepo, ref: string): string {
  const dir = tempDir('shadowscan-action-ws-');
  const git = (args: string[]) => {
    const r = spawnSync('git', args, { cwd: dir, env: gitEnv(), encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
    return r.stdout.trim();
  };
  git(['init', '-q']);
  git(['remote', 'add', 'origin', `file://${origin.dir}`]);
  git(['fetch', '-q', '--no-tags', '--depth=1', 'origin', `+${ref}:refs/remotes/pull/checkout`]);
  git(['checkout', '-q', '--detach', 'refs/remotes/pull/checkout']);
  expect(git(['rev-parse', '--is-shallow-repository'])).toBe('true');
  return dir;
}

function expectValidSarif(run: ActionRun): void {
  expect(run.sarif).toBeDefined();
  const ok = validateSarif(run.sarif);
  if (!ok) throw new Error(JSON.stringify(validateSarif.errors?.slice(0, 5), null, 2));
}

function expectNoSecrets(run: ActionRun, secrets: string[]): void {
  for (const s of secrets) {
    for (const text of [run.stdout, run.stderr, run.summary, run.sarifText]) expect(text).not.toContain(s);
  }
}

describe('action: pull_request', () => {
  let origin: FixtureRepo;
  const tokens = { old: '', fresh: '', reAdded: '', hash: '' };
  let base = '';
  let head = '';

  beforeAll(() => {
    origin = FixtureRepo.init('shadowscan-action-origin-');
    tokens.old = fakeGithubPat();
    tokens.fresh = fakeStripeLiveKey();
    tokens.hash = fakeMd5CryptHash();
    origin.write('README.md', '# payments\n');
    origin.write('legacy/settings.py', `GITHUB_TOKEN = "${tokens.old}"\n`);
    origin.commit('root', ALICE, '2024-05-01T09:00:00Z');
    // The old token is known: baselined on main.
    origin.write('.shadowscan-baseline.json', JSON.stringify({ version: 1, keyCheck: '', tokens: [{ ruleId: 'github.pat.classic', id: fp(tokens.old), redacted: 'x' }] }));
    for (let i = 0; i < 60; i++) {
      origin.write(`docs/note${i}.md`, `note ${i}\n`);
      origin.commit(`note ${i}`, BOB, `2024-05-01T10:${String(i).padStart(2, '0')}:00Z`);
    }
    base = origin.rev('HEAD');
    origin.git(['checkout', '-q', '-b', 'billing-client']);
    // An unrelated edit next to the old token, then the new token, then more commits on top.
    origin.write('legacy/settings.py', `GITHUB_TOKEN = "${tokens.old}"\nRETRIES = 3\n`);
    origin.commit('retries', ALICE, '2024-05-02T09:00:00Z');
    origin.write('billing/client.py', `import os\n\nSTRIPE_KEY = "${tokens.fresh}"\n`);
    origin.commit('billing client', ALICE, '2024-05-02T09:10:00Z');
    for (let i = 0; i < 5; i++) {
      origin.write(`billing/part${i}.py`, `PART = ${i}\n`);
      origin.commit(`part ${i}`, ALICE, `2024-05-02T09:2${i}:00Z`);
    }
    // A password hash: review tier, never annotated, never failing the job.
    origin.write('network/edge.cfg', `hostname edge-rtr-01\nenable secret 5 ${tokens.hash}\n`);
    origin.commit('router config', ALICE, '2024-05-02T09:30:00Z');
    head = origin.rev('HEAD');
    // main moves on after the branch point; GitHub's merge ref merges head into it.
    origin.git(['checkout', '-q', 'main']);
    origin.write('docs/later.md', 'later\n');
    origin.commit('later', BOB, '2024-05-02T11:00:00Z');
    base = origin.rev('HEAD');
    origin.git(['merge', '-q', '--no-ff', '--no-edit', 'billing-client'], { env: origin.identity(BOB, '2024-05-02T12:00:00Z') });
    origin.git(['update-ref', 'refs/pull/7/merge', 'HEAD']);
    origin.git(['reset', '-q', '--hard', base]);
  });

  function prEvent(b = base, h = head): Record<string, any> {
    const ev = fixture('pull_request.json');
    ev.pull_request.base.sha = b;
    ev.pull_request.head.sha = h;
    return ev;
  }

  it('shallow checkout of the merge ref: fetches what it needs, reports the new token only, exits 1', () => {
    const ws = shallowCheckout(origin, 'refs/pull/7/merge');
    const run = runAction(ws, 'pull_request', prEvent());
    expect(run.code, run.stdout + run.stderr).toBe(1);
    expect(run.stdout).toContain('git fetch');

    // SARIF: valid, only the new token, with the pull-request automation id.
    expectValidSarif(run);
    expect(run.sarif!.runs[0].automationDetails).toEqual({ id: 'shadowscan/pull-request/' });
    expect(run.sarif!.runs[0].results.map((r) => r.properties.fingerprint)).toEqual([fp(tokens.fresh)]);
    expect(run.sarif!.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri).toBe('billing/client.py');

    // Outputs.
    expect(run.outputs).toEqual({
      'sarif-file': path.join(ws, 'shadowscan.sarif'),
      'tokens-found': '1',
      'new-tokens': '1',
      'review-tokens': '1',
      'suppressed-tokens': '0',
      'can-upload-sarif': 'true',
    });

    // Annotations: one ::error per occurrence of a new token, with file and line.
    const errors = run.stdout.split('\n').filter((l) => l.startsWith('::error '));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^::error file=billing\/client\.py,line=3,endLine=3,col=\d+,endColumn=\d+,title=shadowscan%3A Stripe[^:]*::Stripe/);
    expect(errors[0]).toContain(fp(tokens.fresh).slice(0, 12));

    // The job summary: a table row for the new token, redacted, with a rotation link and a link to the file.
    expect(run.summary).toContain('**1 new secret**');
    expect(run.summary).toContain(`pull request #7: the commits ${base.slice(0, 12)}..${head.slice(0, 12)}`);
    expect(run.summary).toContain('| Severity | Token | Redacted | Fingerprint | Score | Where | Rotate |');
    expect(run.summary).toContain('1 more in review (not reported)');
    expect(run.summary).not.toContain(fp(tokens.hash).slice(0, 12));
    const row = run.summary.split('\n').find((l) => l.includes(fp(tokens.fresh).slice(0, 12)))!;
    expect(row).toMatch(/\| critical \| Stripe/);
    expect(row).toContain('[rotate](https://');
    expect(row).toMatch(/\[billing\/client\.py:3\]\(https:\/\/github\.com\/octo-org\/payments\/blob\/[0-9a-f]{40}\/billing\/client\.py#L3\)/);
    expect(run.summary).toContain(`shadowscan baseline add --from history ${fp(tokens.fresh).slice(0, 12)}`);
    expectNoSecrets(run, [tokens.fresh, tokens.old, tokens.hash]);
  });

  it('include-review adds review-tier tokens to the SARIF file as notes; they never fail the job', () => {
    const ws = shallowCheckout(origin, 'refs/pull/7/merge');
    const run = runAction(ws, 'pull_request', prEvent(), { 'include-review': 'true' });
    expect(run.code).toBe(1);
    expectValidSarif(run);
    const results = run.sarif!.runs[0].results;
    expect(results.map((r) => [r.properties.fingerprint, r.properties.tier, r.level])).toEqual([
      [fp(tokens.fresh), 'report', 'error'],
      [fp(tokens.hash), 'review', 'note'],
    ]);
    expect(run.stdout.split('\n').filter((l) => l.startsWith('::error '))).toHaveLength(1);

    // With the report-tier token known, only the review-tier one is left: exit 0, even with fail-on any.
    fs.writeFileSync(path.join(ws, '.shadowscan-baseline.json'), JSON.stringify({ version: 1, keyCheck: '', tokens: [{ ruleId: 'stripe', id: fp(tokens.fresh), redacted: 'x' }] }));
    for (const failOn of ['new', 'any']) {
      const left = runAction(ws, 'pull_request', prEvent(), { 'include-review': 'true', 'fail-on': failOn });
      expect(left.code, failOn).toBe(failOn === 'any' ? 1 : 0);
    }
    const onlyReview = runAction(ws, 'pull_request', prEvent(), { 'include-review': 'true' });
    expect(onlyReview.sarif!.runs[0].results.map((r) => r.properties.tier)).toEqual(['review']);
    expect(onlyReview.stdout).not.toContain('::error');
    expect(onlyReview.summary).toContain('**No new secrets**');
    expect(runAction(ws, 'pull_request', prEvent(), { 'include-review': 'maybe' }).code).toBe(2);
    expectNoSecrets(run, [tokens.hash]);
  });

  it('fail-on: none never fails; a token the baseline knows is found but not new (exit 0), unless fail-on is any', () => {
    const ws = shallowCheckout(origin, 'refs/pull/7/merge');
    expect(runAction(ws, 'pull_request', prEvent(), { 'fail-on': 'none' }).code).toBe(0);

    // Baseline the new token in the checkout: found 1, new 0.
    const file = path.join(ws, '.shadowscan-baseline.json');
    fs.writeFileSync(file, JSON.stringify({ version: 1, keyCheck: '', tokens: [{ ruleId: 'stripe', id: fp(tokens.fresh), redacted: 'x' }] }));
    const known = runAction(ws, 'pull_request', prEvent());
    expect(known.code).toBe(0);
    expect(known.outputs['tokens-found']).toBe('1');
    expect(known.outputs['new-tokens']).toBe('0');
    expect(known.stdout).not.toContain('::error');
    expect(known.summary).toContain('**No new secrets**');
    expect(known.summary).toContain('1 known in the baseline');
    expectValidSarif(known);
    expect(known.sarif!.runs[0].results).toEqual([]);
    expect(runAction(ws, 'pull_request', prEvent(), { 'fail-on': 'any' }).code).toBe(1);

    // The baseline input points elsewhere.
    fs.renameSync(file, path.join(ws, 'known.json'));
    expect(runAction(ws, 'pull_request', prEvent()).code).toBe(1);
    expect(runAction(ws, 'pull_request', prEvent(), { baseline: 'known.json', 'sarif-file': 'out/results.sarif' }).outputs).toEqual({
      'sarif-file': path.join(ws, 'out/results.sarif'),
      'tokens-found': '1',
      'new-tokens': '0',
      'review-tokens': '1',
      'suppressed-tokens': '0',
      'can-upload-sarif': 'true',
    });
  });

  it('merge_group (a merge queue): scans the commits the group adds to its base, as for a pull request', () => {
    const group = origin.git(['rev-parse', 'refs/pull/7/merge']);
    origin.git(['update-ref', `refs/heads/gh-readonly-queue/main/pr-7-${base}`, group]);
    const ws = shallowCheckout(origin, `refs/heads/gh-readonly-queue/main/pr-7-${base}`);
    const ev = fixture('merge_group.json');
    ev.merge_group.base_sha = base;
    ev.merge_group.head_sha = group;
    ev.merge_group.head_ref = `refs/heads/gh-readonly-queue/main/pr-7-${base}`;
    const run = runAction(ws, 'merge_group', ev);
    expect(run.code, run.stdout).toBe(1);
    expect(run.sarif!.runs[0].automationDetails).toEqual({ id: 'shadowscan/pull-request/' });
    expect(run.sarif!.runs[0].results.map((r) => r.properties.fingerprint)).toEqual([fp(tokens.fresh)]);
    expect(run.summary).toContain(`merge queue group refs/heads/gh-readonly-queue/main/pr-7-${base} into refs/heads/main: the commits ${base.slice(0, 12)}..${group.slice(0, 12)}`);
    expect(run.outputs['can-upload-sarif']).toBe('true');
    expectNoSecrets(run, [tokens.fresh, tokens.old, tokens.hash]);
  });

  it('a pull request from a fork (or Dependabot) cannot upload SARIF: output can-upload-sarif is false and the summary says why', () => {
    const ws = shallowCheckout(origin, 'refs/pull/7/merge');
    const ev = prEvent();
    ev.pull_request.head.repo = { ...ev.pull_request.head.repo, full_name: 'octocat/payments', fork: true };
    const run = runAction(ws, 'pull_request', ev);
    expect(run.code).toBe(1);
    expect(run.outputs['can-upload-sarif']).toBe('false');
    expect(run.stdout).toMatch(/^::notice::shadowscan: a pull request from a fork runs with a read-only token/m);
    expect(run.summary).toContain('A pull request from a fork has a read-only token');
    // The annotations and the summary still carry the finding.
    expect(run.stdout.split('\n').filter((l) => l.startsWith('::error '))).toHaveLength(1);
    expect(run.summary).toContain('**1 new secret**');
    const bot = runAction(ws, 'pull_request', prEvent(), {}, { GITHUB_ACTOR: 'dependabot[bot]' });
    expect(bot.outputs['can-upload-sarif']).toBe('false');
  });

  it('a shallow checkout whose missing commits cannot be fetched fails with a message about fetch-depth, never an empty scan', () => {
    const ws = shallowCheckout(origin, 'refs/pull/7/merge');
    spawnSync('git', ['remote', 'set-url', 'origin', `file://${path.join(tempDir('shadowscan-gone-'), 'nothing')}`], { cwd: ws, env: gitEnv() });
    const run = runAction(ws, 'pull_request', prEvent());
    expect(run.code).toBe(2);
    expect(run.stdout).toMatch(/^::error::shadowscan: .*fetch-depth: 0/m);
    expect(run.outputs['new-tokens']).toBeUndefined();
  });

  it('a full clone needs no fetch; mode input and event mismatches are one-line errors', () => {
    const ws = tempDir('shadowscan-action-full-');
    spawnSync('git', ['clone', '-q', '--no-local', origin.dir, ws], { env: gitEnv() });
    spawnSync('git', ['fetch', '-q', 'origin', '+refs/pull/7/merge:refs/remotes/pull/7'], { cwd: ws, env: gitEnv() });
    const run = runAction(ws, 'pull_request', prEvent());
    expect(run.code).toBe(1);
    expect(run.stdout).not.toContain('git fetch');
    expect(run.outputs['new-tokens']).toBe('1');

    const noEvent = runAction(ws, 'push', fixture('push.json'), { mode: 'pull-request' });
    expect(noEvent.code).toBe(2);
    expect(noEvent.stdout).toContain('needs a pull_request event');
    expect(noEvent.stdout).toContain('or a merge_group event');
    const badMode = runAction(ws, 'push', prEvent(), { mode: 'everything' });
    expect(badMode.code).toBe(2);
    expect(badMode.stdout).toContain('mode must be one of');
  });
});

describe('action: push, history and tree', () => {
  let origin: FixtureRepo;
  let before = '';
  let after = '';
  const tokens = { pushed: '', old: '' };

  beforeAll(() => {
    origin = FixtureRepo.init('shadowscan-action-push-');
    tokens.old = fakeGithubPat();
    tokens.pushed = fakeSlackBotToken();
    origin.write('README.md', '# payments\n');
    origin.write('old/creds.py', `TOKEN = "${tokens.old}"\n`);
    origin.commit('root', ALICE, '2024-05-01T09:00:00Z');
    origin.write('old/creds.py', 'TOKEN = os.environ["TOKEN"]\n');
    origin.commit('remove the token', ALICE, '2024-05-01T09:30:00Z');
    before = origin.rev('HEAD');
    origin.write('config/mail.py', `SLACK = "${tokens.pushed}"\n`);
    origin.commit('mail relay', BOB, '2024-05-03T12:21:07Z');
    origin.write('README.md', '# payments\n\nMail relay.\n');
    after = origin.commit('docs', BOB, '2024-05-03T12:22:07Z');
  });

  function pushEvent(b = before, a = after): Record<string, any> {
    const ev = fixture('push.json');
    ev.before = b;
    ev.after = a;
    ev.head_commit.id = a;
    return ev;
  }

  it('push: scans before..after in a shallow checkout, writes SARIF with the push automation id', () => {
    const ws = shallowCheckout(origin, 'refs/heads/main');
    const run = runAction(ws, 'push', pushEvent());
    expect(run.code, run.stdout).toBe(1);
    expectValidSarif(run);
    expect(run.sarif!.runs[0].automationDetails).toEqual({ id: 'shadowscan/push/' });
    expect(run.sarif!.runs[0].results.map((r) => r.properties.fingerprint)).toEqual([fp(tokens.pushed)]);
    expect(run.outputs['new-tokens']).toBe('1');
    expect(run.stdout).toMatch(/^::error file=config\/mail\.py,line=1,/m);
    expect(run.summary).toContain(`the push to refs/heads/main: the commits ${before.slice(0, 12)}..${after.slice(0, 12)}`);
    expectNoSecrets(run, [tokens.pushed, tokens.old]);

    // A push that only deletes the branch has nothing to scan.
    const del = runAction(ws, 'push', { ...pushEvent(before, '0'.repeat(40)), deleted: true });
    expect(del.code).toBe(0);
    expect(del.outputs['tokens-found']).toBe('0');
    expect(del.summary).toContain('nothing to scan');
  });

  it('push of a new branch compares it with the default branch', () => {
    const o = origin;
    o.git(['checkout', '-q', '-b', 'feature']);
    const fresh = fakeStripeLiveKey();
    o.write('feature/pay.py', `KEY = "${fresh}"\n`);
    const tip = o.commit('feature', ALICE, '2024-05-04T09:00:00Z');
    o.git(['checkout', '-q', 'main']);
    const ws = shallowCheckout(o, 'refs/heads/feature');
    const ev = { ...pushEvent('0'.repeat(40), tip), ref: 'refs/heads/feature', created: true };
    const run = runAction(ws, 'push', ev);
    expect(run.code, run.stdout).toBe(1);
    expect(run.sarif!.runs[0].results.map((r) => r.properties.fingerprint)).toEqual([fp(fresh)]);
    expect(run.summary).toContain('the commits it adds to main');
  });

  it('push whose previous tip is gone (a force push): scans as for a new ref, never fails for it', () => {
    const ws = shallowCheckout(origin, 'refs/heads/main');
    const run = runAction(ws, 'push', pushEvent('1234567890abcdef1234567890abcdef12345678'));
    expect(run.code, run.stdout).toBe(1);
    expect(run.stdout).toContain('scanning as for a new ref');
    // main is the default branch: its whole history, so the removed old token is found too.
    expect(run.summary).toContain('every commit of');
    expect(run.sarif!.runs[0].results.map((r) => r.properties.fingerprint)).toEqual(expect.arrayContaining([fp(tokens.old), fp(tokens.pushed)]));
  });

  it('history: unshallows the checkout and finds a token that only history holds', () => {
    const ws = shallowCheckout(origin, 'refs/heads/main');
    const run = runAction(ws, 'push', pushEvent(), { mode: 'history' });
    expect(run.code, run.stdout).toBe(1);
    expect(run.stdout).toContain('--unshallow');
    expect(run.sarif!.runs[0].automationDetails).toEqual({ id: 'shadowscan/history/' });
    // Every branch is fetched (the feature branch of the test above adds its own token).
    expect(run.sarif!.runs[0].results.map((r) => r.properties.fingerprint)).toEqual(expect.arrayContaining([fp(tokens.old), fp(tokens.pushed)]));
    expectValidSarif(run);
  });

  it('tree: scans the checked-out files (the removed token is not there)', () => {
    const ws = shallowCheckout(origin, 'refs/heads/main');
    const run = runAction(ws, 'workflow_dispatch', {}, { mode: 'auto' });
    expect(run.code).toBe(1);
    expect(run.sarif!.runs[0].automationDetails).toEqual({ id: 'shadowscan/tree/' });
    expect(run.sarif!.runs[0].results.map((r) => r.properties.fingerprint)).toEqual([fp(tokens.pushed)]);
    expect(run.summary).toContain('the working tree');
    // Run again: the SARIF file the first run left in the workspace is not scanned.
    const again = runAction(ws, 'workflow_dispatch', {}, { mode: 'tree' });
    expect(again.outputs['tokens-found']).toBe('1');
  });
});

describe('action: a pull request that changes its own config, ignore file or baseline', () => {
  let origin: FixtureRepo;
  let main = '';
  const tokens = { baselined: '', ignored: '', allowed: '' };

  beforeAll(() => {
    origin = FixtureRepo.init('shadowscan-action-controls-');
    tokens.baselined = fakeGithubPat();
    tokens.ignored = fakeStripeLiveKey();
    tokens.allowed = fakeSlackBotToken();
    origin.write('README.md', '# payments\n');
    origin.write('.shadowscan-baseline.json', JSON.stringify({ version: 1, keyCheck: '', tokens: [] }));
    origin.write('.shadowscan.yaml', 'minScore: 0.5\n');
    main = origin.commit('root', ALICE, '2024-05-01T09:00:00Z');
    const branch = (name: string, files: Record<string, string>) => {
      origin.git(['checkout', '-q', '-b', name, main]);
      for (const [rel, content] of Object.entries(files)) origin.write(rel, content);
      const head = origin.commit(name, ALICE, '2024-05-02T09:00:00Z');
      origin.git(['checkout', '-q', 'main']);
      return head;
    };
    const entry = (secret: string) => ({ ruleId: 'x', id: fp(secret), redacted: 'x' });
    branch('self-baseline', {
      'app/github.py': `TOKEN = "${tokens.baselined}"\n`,
      '.shadowscan-baseline.json': JSON.stringify({ version: 1, keyCheck: '', tokens: [entry(tokens.baselined)] }),
    });
    branch('self-ignore', { 'fixtures/stripe.py': `KEY = "${tokens.ignored}"\n`, '.shadowscanignore': 'fixtures/**\n' });
    branch('self-config', { 'app/slack.py': `SLACK = "${tokens.allowed}"\n`, '.shadowscan.yaml': `minScore: 0.5\nallowlist:\n  fingerprints: ['${fp(tokens.allowed).slice(0, 12)}']\n` });
    branch('config-only', { '.shadowscan.yaml': 'minScore: 0.6\n' });
  });

  function prRun(branchName: string) {
    const head = origin.rev(branchName);
    const ws = shallowCheckout(origin, `refs/heads/${branchName}`);
    const ev = fixture('pull_request.json');
    ev.pull_request.base.sha = main;
    ev.pull_request.head.sha = head;
    return { ...runAction(ws, 'pull_request', ev), ws };
  }

  it('a token baselined by the pull request that adds it: not a failure, but flagged in the summary and a warning', () => {
    const run = prRun('self-baseline');
    expect(run.code, run.stdout).toBe(0);
    expect(run.outputs['new-tokens']).toBe('0');
    expect(run.outputs['suppressed-tokens']).toBe('1');
    expect(run.stdout).toMatch(/^::warning::shadowscan: this pull request changes \.shadowscan-baseline\.json so that 1 token it adds is not reported/m);
    expect(run.summary).toContain('> [!WARNING]');
    expect(run.summary).toContain('**This pull request changes `.shadowscan-baseline.json` so that 1 token it adds is not reported.**');
    const row = run.summary.split('\n').find((l) => l.includes(fp(tokens.baselined).slice(0, 12)))!;
    expect(row).toContain('| the baseline (.shadowscan-baseline.json) |');
    expect(row).toContain('app/github.py:1');
    expectNoSecrets(run, [tokens.baselined]);
  });

  it('a token hidden by the ignore file or the config the pull request changes is flagged too, with the file that hides it', () => {
    const ignored = prRun('self-ignore');
    expect(ignored.code, ignored.stdout).toBe(0);
    expect(ignored.outputs['suppressed-tokens']).toBe('1');
    expect(ignored.summary.split('\n').find((l) => l.includes(fp(tokens.ignored).slice(0, 12)))).toContain('| .shadowscanignore |');

    const allowed = prRun('self-config');
    expect(allowed.code, allowed.stdout).toBe(0);
    expect(allowed.outputs['suppressed-tokens']).toBe('1');
    expect(allowed.summary.split('\n').find((l) => l.includes(fp(tokens.allowed).slice(0, 12)))).toContain('| .shadowscan.yaml |');
    expectNoSecrets(allowed, [tokens.allowed]);
    // The worktree that held the merge base's config is gone.
    expect(spawnSync('git', ['worktree', 'list'], { cwd: allowed.ws, encoding: 'utf8' }).stdout.trim().split('\n')).toHaveLength(1);
  });

  it('a change to the config that hides nothing is said to hide nothing; a pull request that leaves them alone says nothing', () => {
    const run = prRun('config-only');
    expect(run.code).toBe(0);
    expect(run.outputs['suppressed-tokens']).toBe('0');
    expect(run.summary).toContain('This pull request changes `.shadowscan.yaml`; no token it adds is hidden by that.');
    expect(run.summary).not.toContain('[!WARNING]');
    expect(run.stdout).not.toContain('::warning::');
  });
});
