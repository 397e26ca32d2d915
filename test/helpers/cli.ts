// Runs the built CLI (npm test builds dist/ first) and captures everything it writes.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = path.join(ROOT, 'bin/shadowscan.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {}): CliResult {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: options.cwd ?? ROOT,
    // Colour only when a test asks for it: a developer's FORCE_COLOR would otherwise colour every report.
    env: { ...process.env, FORCE_COLOR: undefined, NO_COLOR: '1', ...options.env },
    input: options.input,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  // A run that did not exit (killed by a signal, or not started) says why, so that a failing test shows it.
  const why = r.error ? `[runCli: ${r.error.message}]\n` : r.signal ? `[runCli: killed by ${r.signal}]\n` : '';
  return { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: (r.stderr ?? '') + why };
}

/**
 * runCli without blocking this process: for tests whose servers (a fake code host on loopback) run in it.
 */
export function runCliAsync(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: options.cwd ?? ROOT,
      // No proxy from the developer's shell: tests talk to loopback servers only (a test sets one when it means to).
      env: { ...process.env, FORCE_COLOR: undefined, NO_COLOR: '1', HTTPS_PROXY: undefined, HTTP_PROXY: undefined, https_proxy: undefined, http_proxy: undefined, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code, signal) =>
      resolve({ code: code ?? -1, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') + (signal ? `[runCliAsync: killed by ${signal}]\n` : '') }),
    );
    child.stdin.end(options.input ?? '');
  });
}

/** Folders made by tempDir in this test file: test/setup.ts removes them after the file's tests. */
const madeTempDirs: string[] = [];

export function tempDir(prefix = 'shadowscan-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  madeTempDirs.push(dir);
  return dir;
}

/** Removes the folders tempDir made (a suite run made some 10,000 and left them in the temp folder). */
export function removeTempDirs(): void {
  for (const dir of madeTempDirs.splice(0)) {
    try {
      fs.rmSync(dir, { recursive: true, force: true, maxRetries: 2 });
    } catch {
      // A process a test started may still hold it; the OS cleans the temp folder.
    }
  }
}

export function writeTree(root: string, files: Record<string, string | Buffer>): void {
  for (const [rel, content] of Object.entries(files)) {
    const p = path.join(root, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, content);
  }
}
