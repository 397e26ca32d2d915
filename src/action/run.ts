// The GitHub Action: pick what to scan from the event (a pull request's commits, a push's commits, the whole
// history or the working tree), make the checkout complete enough for it, scan through the CLI's commands (in
// this process), then write SARIF (new tokens only), the job summary, annotations and outputs. Only report-tier
// tokens count: review-tier ones are in the SARIF file only with `include-review`, never annotated, never failing
// the job. Exit 1 only when `fail-on` says so, 2 on errors (with a message that says what to do).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Inventory, Token } from '../model/index.js';
import { BASELINE_FILE_NAME, BaselineError, IGNORE_FILE_NAME, keyMismatchWarning, partitionTokens, readBaseline, type Baseline } from '../scan/baseline.js';
import { CONFIG_FILE_NAMES } from '../scan/config.js';
import { isReported } from '../scan/tiers.js';
import { toSarif } from '../report/sarif.js';
import { escapeData, toGithubAnnotations, toGithubSummary } from '../report/github.js';
import { CheckoutError, changedPaths, ensureFullHistory, ensureRange, fetchBranch, fileAt, mergeBase, withWorktree } from './git.js';

export const MODES = ['pull-request', 'push', 'history', 'tree'] as const;
export type Mode = (typeof MODES)[number];
export const FAIL_ON = ['none', 'new', 'any'] as const;
export type FailOn = (typeof FAIL_ON)[number];

export interface ActionIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

const defaultIo: ActionIo = { stdout: (s) => process.stdout.write(s), stderr: (s) => process.stderr.write(s) };

/** An input or event problem: reported as one `::error::` line, exit 2. */
export class ActionInputError extends Error {}

const ZERO = /^0+$/;

/** An action input: INPUT_<NAME> with `-` as `_` (how action.yml passes them), or with `-` kept (how runners do). */
export function input(env: NodeJS.ProcessEnv, name: string): string {
  const upper = name.toUpperCase().replace(/ /g, '_');
  return (env[`INPUT_${upper.replace(/-/g, '_')}`] ?? env[`INPUT_${upper}`] ?? '').trim();
}

export function resolveMode(value: string, eventName: string | undefined): Mode {
  const v = value || 'auto';
  if (v === 'auto') {
    // A merge queue's group is scanned as a pull request: the commits it adds to its base.
    if (eventName === 'pull_request' || eventName === 'pull_request_target' || eventName === 'merge_group') return 'pull-request';
    if (eventName === 'push') return 'push';
    return 'tree';
  }
  if (!(MODES as readonly string[]).includes(v)) throw new ActionInputError(`mode must be one of auto, ${MODES.join(', ')} (got "${v}")`);
  return v as Mode;
}

interface Plan {
  /** Arguments for the CLI (after `shadowscan`), without format options. */
  args: string[];
  /** In words, for the summary. */
  scope: string;
  /** Set when there is nothing to scan (a deleted branch). */
  nothing?: string;
  /** A pull request's (or merge group's) commits: what its own changes to the config, ignore file and baseline hide is checked. */
  range?: { base: string; head: string };
  /** A pull request from a fork (or Dependabot's): its token cannot write code scanning alerts. */
  readOnlyToken?: string;
}

interface PushEvent {
  before?: string;
  after?: string;
  ref?: string;
  deleted?: boolean;
  repository?: { default_branch?: string };
}

interface PullRequestEvent {
  number?: number;
  pull_request?: {
    number?: number;
    base?: { sha?: string; ref?: string; repo?: { full_name?: string } | null };
    head?: { sha?: string; ref?: string; repo?: { full_name?: string; fork?: boolean } | null };
  };
  merge_group?: { base_sha?: string; head_sha?: string; base_ref?: string; head_ref?: string };
}

/** Why a pull_request run's token is read-only (GitHub gives forks and Dependabot no write access), or undefined. */
function readOnlyReason(ev: PullRequestEvent, env: NodeJS.ProcessEnv): string | undefined {
  if (env.GITHUB_EVENT_NAME !== 'pull_request') return undefined;
  const head = ev.pull_request?.head?.repo;
  const base = ev.pull_request?.base?.repo;
  if (head === null || head?.fork || (head?.full_name && base?.full_name && head.full_name !== base.full_name)) return 'a pull request from a fork';
  if (env.GITHUB_ACTOR === 'dependabot[bot]') return 'a Dependabot pull request';
  return undefined;
}

const short = (sha: string) => sha.slice(0, 12);
const isSha = (s: unknown): s is string => typeof s === 'string' && /^[0-9a-f]{40,64}$/.test(s);

function readEvent(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const file = env.GITHUB_EVENT_PATH;
  if (!file) throw new ActionInputError('GITHUB_EVENT_PATH is not set: the pull-request and push modes read the event that started the workflow');
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (err) {
    throw new ActionInputError(`cannot read the event payload ${file}: ${(err as Error).message.split('\n')[0]}`);
  }
}

async function plan(mode: Mode, ws: string, env: NodeJS.ProcessEnv, log: (s: string) => void): Promise<Plan> {
  switch (mode) {
    case 'tree':
      return { args: ['scan', ws], scope: 'the working tree' };
    case 'history':
      await ensureFullHistory(ws, log);
      return { args: ['history', ws], scope: 'the whole history (every branch and tag)' };
    case 'pull-request': {
      const ev = readEvent(env) as PullRequestEvent;
      const group = ev.merge_group;
      const base = group ? group.base_sha : ev.pull_request?.base?.sha;
      const head = group ? group.head_sha : ev.pull_request?.head?.sha;
      if (!isSha(base) || !isSha(head)) {
        throw new ActionInputError(
          `mode pull-request needs a pull_request event (pull_request.base.sha and pull_request.head.sha) or a merge_group event (merge_group.base_sha and head_sha); this run's event is ${env.GITHUB_EVENT_NAME ?? 'unknown'}`,
        );
      }
      await ensureRange(ws, base, head, log);
      const args = ['history', ws, '--range', `${base}..${head}`];
      const commits = `the commits ${short(base)}..${short(head)}`;
      if (group) return { args, scope: `merge queue group ${group.head_ref ?? ''} into ${group.base_ref ?? 'its base'}: ${commits}`, range: { base, head } };
      const n = ev.pull_request?.number ?? ev.number;
      return { args, scope: `pull request${n ? ` #${n}` : ''}: ${commits}`, range: { base, head }, readOnlyToken: readOnlyReason(ev, env) };
    }
    case 'push': {
      const ev = readEvent(env) as PushEvent;
      const { before, after } = ev;
      if (ev.deleted || (typeof after === 'string' && ZERO.test(after))) return { args: [], scope: `the push to ${ev.ref ?? 'a ref'}`, nothing: 'the push deleted a ref: nothing to scan' };
      if (!isSha(after) || (before !== undefined && typeof before !== 'string')) {
        throw new ActionInputError(`mode push needs a push event (before and after commit ids); this run's event is ${env.GITHUB_EVENT_NAME ?? 'unknown'}`);
      }
      if (isSha(before) && !ZERO.test(before)) {
        try {
          await ensureRange(ws, before, after, log);
          return { args: ['history', ws, '--range', `${before}..${after}`], scope: `the push to ${ev.ref ?? 'a ref'}: the commits ${short(before)}..${short(after)}` };
        } catch (err) {
          if (!(err instanceof CheckoutError)) throw err;
          // After a force push the previous tip may be gone from the remote: scan as for a new ref.
          log(`the commit before the push (${short(before)}) is not available (${err.message}); scanning as for a new ref`);
        }
      }
      // A new branch or tag (or a lost previous tip): what it adds to the default branch; else its whole history.
      const def = ev.repository?.default_branch;
      if (def && ev.ref !== `refs/heads/${def}`) {
        const defSha = await fetchBranch(ws, def, log);
        if (defSha) {
          await ensureRange(ws, defSha, after, log);
          return { args: ['history', ws, '--range', `${defSha}..${after}`], scope: `the new ref ${ev.ref ?? ''}: the commits it adds to ${def} (${short(defSha)}..${short(after)})` };
        }
      }
      await ensureFullHistory(ws, log);
      return { args: ['history', ws, '--ref', after], scope: `the new ref ${ev.ref ?? ''}: every commit of ${short(after)}` };
    }
  }
}

/** A token a pull request adds that its own change to a control (config, ignore file, baseline) keeps from being reported. */
export interface SuppressedToken {
  token: Token;
  /** Which control: `the baseline`, `.shadowscan.yaml`, ... */
  by: string;
}

interface SelfSuppressionInput {
  ws: string;
  range: { base: string; head: string };
  /** Relative to ws: the config given as input, else undefined (the default names). */
  configRel?: string;
  baselineRel: string;
  headTokens: Token[];
  headFresh: Token[];
  headBaseline?: Baseline;
  scan: (args: string[]) => Promise<Inventory>;
  log: (s: string) => void;
}

/**
 * What a pull request's own changes to the scan's controls hide: the report-tier tokens its commits add that the
 * controls at its merge base (config, .shadowscanignore, baseline) would report as new, but that are not new now. The
 * config and the ignore file act during the scan, so when either changed the same commits are scanned again with
 * their merge-base versions (in a linked worktree holding only those files); the baseline acts afterwards.
 */
async function selfSuppression(o: SelfSuppressionInput): Promise<{ changed: string[]; suppressed: SuppressedToken[] } | undefined> {
  const mb = (await mergeBase(o.ws, o.range.base, o.range.head)) ?? o.range.base;
  const configPaths = o.configRel ? [o.configRel] : CONFIG_FILE_NAMES;
  const changed = await changedPaths(o.ws, mb, o.range.head, [...configPaths, IGNORE_FILE_NAME, o.baselineRel]);
  if (!changed.length) return undefined;
  o.log(`shadowscan: this pull request changes ${changed.join(', ')}: checking what that hides`);
  const scanControls = changed.filter((p) => p !== o.baselineRel);
  let before = o.headTokens;
  if (scanControls.length) {
    const files = new Map<string, Buffer>();
    for (const p of [...configPaths, IGNORE_FILE_NAME]) {
      const content = await fileAt(o.ws, mb, p);
      if (content) files.set(p, content);
    }
    before = await withWorktree(o.ws, mb, files, async (dir) => {
      const config = o.configRel && files.has(o.configRel) ? ['--config', path.join(dir, o.configRel)] : [];
      return (await o.scan(['history', dir, '--range', `${o.range.base}..${o.range.head}`, ...config, '--include-review', '--quiet'])).tokens;
    });
  }
  let beforeBaseline = o.headBaseline;
  if (changed.includes(o.baselineRel)) {
    const content = await fileAt(o.ws, mb, o.baselineRel);
    beforeBaseline = undefined;
    if (content) {
      const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'shadowscan-action-baseline-'));
      try {
        fs.writeFileSync(path.join(tmp, 'baseline.json'), content);
        beforeBaseline = readBaseline(path.join(tmp, 'baseline.json'));
      } finally {
        fs.rmSync(tmp, { recursive: true, force: true });
      }
    }
  }
  const knownBefore = new Set(beforeBaseline?.tokens.map((t) => t.id));
  const knownNow = new Set(o.headBaseline?.tokens.map((t) => t.id));
  const freshNow = new Set(o.headFresh.map((t) => t.id));
  const now = new Map(o.headTokens.map((t) => [t.id, t]));
  const suppressed: SuppressedToken[] = [];
  for (const t of before) {
    if (!isReported(t) || knownBefore.has(t.id) || freshNow.has(t.id)) continue;
    const found = now.get(t.id);
    const by = found && isReported(found) && knownNow.has(t.id) ? `the baseline (${o.baselineRel})` : scanControls.join(' or ');
    suppressed.push({ token: t, by });
  }
  return { changed, suppressed };
}

function appendFile(file: string | undefined, text: string): void {
  if (file) fs.appendFileSync(file, text);
}

function repositoryUrl(env: NodeJS.ProcessEnv): string | undefined {
  if (!env.GITHUB_REPOSITORY) return undefined;
  return `${(env.GITHUB_SERVER_URL || 'https://github.com').replace(/\/+$/, '')}/${env.GITHUB_REPOSITORY}`;
}

/** Runs the action; returns the exit code. Never throws. */
export async function runAction(env: NodeJS.ProcessEnv = process.env, io: ActionIo = defaultIo): Promise<number> {
  const log = (s: string) => io.stdout(`${s}\n`);
  try {
    const ws = path.resolve(env.GITHUB_WORKSPACE || process.cwd());
    const mode = resolveMode(input(env, 'mode'), env.GITHUB_EVENT_NAME);
    const failOn = (input(env, 'fail-on') || 'new') as FailOn;
    if (!(FAIL_ON as readonly string[]).includes(failOn)) throw new ActionInputError(`fail-on must be one of ${FAIL_ON.join(', ')} (got "${failOn}")`);
    const configInput = input(env, 'config');
    const config = configInput ? path.resolve(ws, configInput) : undefined;
    const baselineInput = input(env, 'baseline');
    const baselineFile = baselineInput ? path.resolve(ws, baselineInput) : fs.existsSync(path.join(ws, BASELINE_FILE_NAME)) ? path.join(ws, BASELINE_FILE_NAME) : undefined;
    if (baselineInput && !fs.existsSync(baselineFile!)) throw new ActionInputError(`baseline file does not exist: ${baselineInput}`);
    const sarifFile = path.resolve(ws, input(env, 'sarif-file') || 'shadowscan.sarif');
    const includeReviewInput = input(env, 'include-review') || 'false';
    if (!['true', 'false'].includes(includeReviewInput)) throw new ActionInputError(`include-review must be true or false (got "${includeReviewInput}")`);
    const includeReview = includeReviewInput === 'true';

    log(`shadowscan: mode ${mode}`);
    const p = await plan(mode, ws, env, log);
    const cli = await import('../cli/main.js');
    let inv: Inventory | undefined;
    if (!p.nothing) {
      // Every tier: the review tier is counted, and goes to the SARIF file with include-review.
      const args = [...p.args, ...(config ? ['--config', config] : []), '--include-review', '--quiet'];
      // A SARIF file left by an earlier step holds token ids under a key named like a secret: never scan it.
      const rel = path.relative(ws, sarifFile);
      if (p.args[0] === 'scan' && !rel.startsWith('..') && !path.isAbsolute(rel)) args.push('--exclude', rel.split(path.sep).join('/'));
      log(`shadowscan ${args.join(' ')}`);
      let stderr = '';
      try {
        inv = await cli.inventoryOf(args, { stdout: io.stdout, stderr: (s) => (stderr += s), isTTY: false });
      } catch (err) {
        throw new ActionInputError(`${stderr.trim() || (err as Error).message}`.replace(/^shadowscan: /, ''));
      }
      for (const w of inv.scan.warnings) io.stdout(`::warning::${escapeData(`shadowscan: ${w}`)}\n`);
    }
    const all = inv?.tokens ?? [];
    let baseline: Baseline | undefined;
    if (baselineFile) baseline = readBaseline(baselineFile);
    const split = baseline ? partitionTokens(all, baseline) : { fresh: all, known: [] };
    const tokens = all.filter(isReported);
    const fresh = split.fresh.filter(isReported);
    const known = split.known.filter(isReported);
    const review = all.length - tokens.length;

    // Rules describe the results in the SARIF file: the same rules the scan used.
    const { findConfigFile, loadConfig } = await import('../scan/config.js');
    const cfg = loadConfig(findConfigFile(config, [ws]));
    if (baseline && baselineFile) {
      const warning = keyMismatchWarning(path.relative(ws, baselineFile), baseline, cli.fingerprintKey(cfg));
      if (warning) io.stdout(`::warning::${escapeData(`shadowscan: ${warning}`)}\n`);
    }
    const rules = cli.loadActiveRules(cfg);
    const version = cli.packageVersion();
    const newInv: Inventory = inv
      ? { ...inv, tokens: includeReview ? split.fresh : fresh }
      : {
          schemaVersion: 1,
          tool: { name: 'shadowscan', version },
          scan: { targets: [ws], startedAt: new Date().toISOString(), durationMs: 0, files: 0, bytes: 0, skipped: [], warnings: [], rules: rules.length },
          tokens: [],
        };
    fs.mkdirSync(path.dirname(sarifFile), { recursive: true });
    fs.writeFileSync(sarifFile, JSON.stringify(toSarif(newInv, rules, { automationId: `shadowscan/${mode}/` }), null, 2) + '\n');

    let controls: Awaited<ReturnType<typeof selfSuppression>>;
    if (p.range && inv) {
      const rel = (f: string) => path.relative(ws, f).split(path.sep).join('/');
      try {
        controls = await selfSuppression({
          ws,
          range: p.range,
          configRel: config && !rel(config).startsWith('..') ? rel(config) : undefined,
          baselineRel: baselineFile && !rel(baselineFile).startsWith('..') ? rel(baselineFile) : BASELINE_FILE_NAME,
          headTokens: all,
          headFresh: fresh,
          headBaseline: baseline,
          scan: (args) => cli.inventoryOf(args, { stdout: io.stdout, stderr: () => undefined, isTTY: false }),
          log,
        });
      } catch (err) {
        io.stdout(`::warning::${escapeData(`shadowscan: could not check what this pull request's changes to the config, ignore file or baseline hide: ${(err as Error).message.split('\n')[0]}`)}\n`);
      }
    }
    const suppressed = controls?.suppressed ?? [];
    if (suppressed.length) {
      const n = suppressed.length;
      io.stdout(`::warning::${escapeData(`shadowscan: this pull request changes ${controls!.changed.join(', ')} so that ${n} token${n === 1 ? '' : 's'} it adds ${n === 1 ? 'is' : 'are'} not reported (see the job summary)`)}\n`);
    }
    if (p.readOnlyToken) {
      io.stdout(`::notice::${escapeData(`shadowscan: ${p.readOnlyToken} runs with a read-only token, so code scanning cannot take the SARIF file (output can-upload-sarif is false); the annotations and the job summary show the findings`)}\n`);
    }

    const failed = failOn === 'any' ? tokens.length > 0 : failOn === 'new' ? fresh.length > 0 : false;
    const summary = toGithubSummary(fresh, {
      scope: p.nothing ? `${p.scope} (${p.nothing})` : p.scope,
      found: tokens.length,
      review,
      known: known.length,
      baselineFile: baselineFile ? path.relative(ws, baselineFile) : undefined,
      failOn,
      failed,
      repositoryUrl: repositoryUrl(env),
      sha: env.GITHUB_SHA,
      controlsChanged: controls?.changed,
      suppressed,
      readOnlyToken: p.readOnlyToken,
    });
    appendFile(env.GITHUB_STEP_SUMMARY, summary);
    for (const line of toGithubAnnotations(fresh)) io.stdout(`${line}\n`);
    appendFile(
      env.GITHUB_OUTPUT,
      `sarif-file=${sarifFile}\ntokens-found=${tokens.length}\nnew-tokens=${fresh.length}\nreview-tokens=${review}\n` +
        `suppressed-tokens=${suppressed.length}\ncan-upload-sarif=${p.readOnlyToken ? 'false' : 'true'}\n`,
    );
    log(
      `shadowscan: ${tokens.length} token${tokens.length === 1 ? '' : 's'} found, ${fresh.length} new${baselineFile ? `, ${known.length} in the baseline` : ''}` +
        `${review ? `; ${review} more in review${includeReview ? ' (in the SARIF file)' : ''}` : ''}; SARIF written to ${path.relative(ws, sarifFile) || sarifFile}`,
    );
    return failed ? 1 : 0;
  } catch (err) {
    const known = err instanceof ActionInputError || err instanceof CheckoutError || err instanceof BaselineError;
    const msg = known ? (err as Error).message : `${(err as Error)?.message ?? String(err)} (set ACTIONS_STEP_DEBUG for details)`;
    io.stdout(`::error::${escapeData(`shadowscan: ${msg}`)}\n`);
    if (!known && env.ACTIONS_STEP_DEBUG === 'true') io.stderr(`${(err as Error)?.stack ?? ''}\n`);
    return 2;
  }
}
