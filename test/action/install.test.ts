// action.yml's install: the Node check, production dependencies only on a release tag (dist/ built), the
// node_modules cache keyed on the lockfile, and the fallback for a ref without dist/. The steps' scripts are run as
// the runner runs them (bash, inputs in the environment), with npm and node replaced by stubs that record calls.
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import semver from 'semver';
import YAML from 'yaml';
import { describe, expect, it } from 'vitest';
import { ROOT, tempDir } from '../helpers/cli.js';

interface Step {
  id?: string;
  if?: string;
  uses?: string;
  run?: string;
  env?: Record<string, string>;
  with?: Record<string, string>;
}

const action = YAML.parse(fs.readFileSync(path.join(ROOT, 'action.yml'), 'utf8')) as { inputs: Record<string, unknown>; outputs: Record<string, unknown>; runs: { steps: Step[] } };
const steps = action.runs.steps;
const step = (id: string) => steps.find((s) => s.id === id)!;
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } };

interface Run {
  code: number;
  stdout: string;
  outputs: Record<string, string>;
  npm: string[];
}

/** Runs one step's script in `actionDir` with stubbed node (reporting `nodeVersion`) and npm. */
function runStep(id: string, actionDir: string, env: Record<string, string> = {}, nodeVersion = '20.19.2'): Run {
  const stubs = tempDir('shadowscan-action-stubs-');
  const npmLog = path.join(stubs, 'npm.log');
  fs.writeFileSync(path.join(stubs, 'node'), `#!/bin/sh\necho ${nodeVersion}\n`, { mode: 0o755 });
  // npm ci makes node_modules; npm run build makes dist/.
  fs.writeFileSync(
    path.join(stubs, 'npm'),
    `#!/bin/sh\necho "$*" >> '${npmLog}'\ncase "$1" in\n  ci) mkdir -p node_modules ;;\n  run) mkdir -p dist/action && touch dist/action/main.js ;;\nesac\n`,
    { mode: 0o755 },
  );
  const output = path.join(stubs, 'output');
  fs.writeFileSync(output, '');
  const r = spawnSync('bash', ['-e', '-c', step(id).run!], {
    cwd: tempDir('shadowscan-action-cwd-'),
    env: {
      PATH: `${stubs}:${process.env.PATH}`,
      GITHUB_OUTPUT: output,
      RUNNER_OS: 'Linux',
      RUNNER_ARCH: 'X64',
      RUNNER_TEMP: stubs,
      SHADOWSCAN_ACTION_PATH: actionDir,
      SHADOWSCAN_VERSION: '',
      ...env,
    },
    encoding: 'utf8',
  });
  const outputs: Record<string, string> = {};
  for (const line of fs.readFileSync(output, 'utf8').split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) outputs[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return { code: r.status ?? -1, stdout: r.stdout + r.stderr, outputs, npm: fs.existsSync(npmLog) ? fs.readFileSync(npmLog, 'utf8').trim().split('\n') : [] };
}

/** An action folder: the lockfile, and dist/ when it is a release tag. */
function actionDir(options: { dist: boolean; nodeModules?: boolean }): string {
  const dir = tempDir('shadowscan-action-dir-');
  fs.copyFileSync(path.join(ROOT, 'package-lock.json'), path.join(dir, 'package-lock.json'));
  if (options.dist) {
    fs.mkdirSync(path.join(dir, 'dist/action'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'dist/action/main.js'), '');
  }
  if (options.nodeModules) fs.mkdirSync(path.join(dir, 'node_modules'));
  return dir;
}

describe('action.yml: install', () => {
  it('the steps take inputs from the environment, never from ${{ }} in a script', () => {
    for (const s of steps) if (s.run) expect(s.run, s.id).not.toContain('${{');
  });

  it('accepts exactly the Node versions package.json supports (every production dependency declares them)', () => {
    const dir = actionDir({ dist: true });
    for (const v of ['18.20.4', '20.0.0', '20.16.0', '20.17.0', '20.19.2', '21.7.3', '22.8.0', '22.9.0', '23.11.0', '24.4.1', '26.1.0', '27.0.0']) {
      const r = runStep('plan', dir, {}, v);
      expect(r.code === 0, `${v}: ${r.stdout}`).toBe(semver.satisfies(v, pkg.engines.node));
      if (r.code !== 0) expect(r.stdout).toMatch(/^::error::shadowscan needs Node .*node-version input/m);
    }
    expect(semver.satisfies(process.version, pkg.engines.node)).toBe(true);
  });

  it('a release tag (dist/ built): production dependencies only, cached on the lockfile hash, Node major, OS and architecture', () => {
    const dir = actionDir({ dist: true });
    const plan = runStep('plan', dir);
    expect(plan.code, plan.stdout).toBe(0);
    const lock = crypto.createHash('sha256').update(fs.readFileSync(path.join(ROOT, 'package-lock.json'))).digest('hex');
    expect(plan.outputs).toEqual({ deps: 'production', 'cache-key': `shadowscan-node_modules-Linux-X64-node20-production-${lock}`, cache: 'true' });

    const install = runStep('install', dir, { SHADOWSCAN_DEPS: 'production' });
    expect(install.code, install.stdout).toBe(0);
    expect(install.npm).toEqual(['ci --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error', 'rebuild --no-audit --no-fund --loglevel=error']);
    expect(install.outputs.entry).toBe(path.join(dir, 'dist/action/main.js'));

    // Warm: node_modules restored from the cache: no npm at all.
    const warm = runStep('install', actionDir({ dist: true, nodeModules: true }), { SHADOWSCAN_DEPS: 'production' });
    expect(warm.code).toBe(0);
    expect(warm.npm).toEqual([]);
  });

  it('a ref without dist/: every dependency, to build it; a cached node_modules is built from', () => {
    const dir = actionDir({ dist: false });
    const plan = runStep('plan', dir, {}, '22.12.0');
    expect(plan.outputs.deps).toBe('all');
    expect(plan.outputs['cache-key']).toMatch(/^shadowscan-node_modules-Linux-X64-node22-all-[0-9a-f]{64}$/);
    const install = runStep('install', dir, { SHADOWSCAN_DEPS: 'all' });
    expect(install.code, install.stdout).toBe(0);
    expect(install.stdout).toContain('::notice::shadowscan: this ref has no built dist/');
    expect(install.npm).toEqual(['ci --no-audit --no-fund --loglevel=error', 'run build --silent']);
    const warm = runStep('install', actionDir({ dist: false, nodeModules: true }), { SHADOWSCAN_DEPS: 'all' });
    expect(warm.npm).toEqual(['run build --silent']);
  });

  it('a published version (input version) installs that, production only, and skips the cache', () => {
    const dir = actionDir({ dist: true });
    expect(runStep('plan', dir, { SHADOWSCAN_VERSION: '0.2.0' }).outputs.cache).toBe('false');
    const install = runStep('install', dir, { SHADOWSCAN_VERSION: '0.2.0' });
    expect(install.npm).toHaveLength(1);
    expect(install.npm[0]).toMatch(/^install --prefix \S+ --omit=dev --no-save .* -- shadowscan@0\.2\.0$/);
  });

  it('restores node_modules before the install and saves it right after (a job failing on a token still saves it)', () => {
    const ids = steps.map((s) => s.id ?? s.uses);
    const restore = steps.find((s) => s.uses?.startsWith('actions/cache/restore@'))!;
    const save = steps.find((s) => s.uses?.startsWith('actions/cache/save@'))!;
    expect(ids.indexOf(restore.id)).toBeLessThan(ids.indexOf('install'));
    expect(steps.indexOf(save)).toBe(steps.indexOf(step('install')) + 1);
    for (const s of [restore, save]) {
      expect(s.with).toEqual({ path: '${{ github.action_path }}/node_modules', key: '${{ steps.plan.outputs.cache-key }}' });
    }
    expect(save.if).toContain("steps.restore.outputs.cache-hit != 'true'");
    expect(steps[0]).toMatchObject({ if: "inputs.node-version != ''", uses: 'actions/setup-node@v4' });
    expect(Object.keys(action.outputs)).toEqual(expect.arrayContaining(['suppressed-tokens', 'can-upload-sarif']));
  });
});
