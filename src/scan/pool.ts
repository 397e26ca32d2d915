// A pool of matcher worker threads. Workers pull: a batch goes out only when a worker has room, so one that drew
// costly content (minified bundles full of keyword hits) does not leave the other idle at the end. Each worker
// compiles the rules once.
import v8 from 'node:v8';
import { Worker } from 'node:worker_threads';
import type { FindingContextOptions } from './findings.js';
import type { ArchiveLimits } from '../sources/index.js';
import type { PackedBatch, WorkItem, WorkResult } from './work.js';
import type { WorkerSettings } from './worker.js';

interface Pending {
  resolve: (r: WorkResult[]) => void;
  reject: (e: Error) => void;
  worker: number;
}

interface Queued {
  items: WorkItem[] | PackedBatch;
  transfer: ArrayBuffer[];
  resolve: (r: WorkResult[]) => void;
  reject: (e: Error) => void;
}

/**
 * V8 settings once two or more matcher threads run (README, Measurements). Each thread compiles the hot matching
 * code for itself, and with every core matching, V8's compiler threads take their time from the matchers:
 * - a tier-up budget of 600,000 bytecodes (V8's default is 67,584) before a function is considered for the
 *   optimizing compiler: fewer functions compiled, and fewer compiled twice after a deoptimization (TurboFan's CPU at
 *   -j 2 on node_modules: 2.6 -> 0.75 s);
 * - a smaller cumulative inlining budget (300 bytecodes; default 920): each compile is smaller.
 * Not set for a single thread, whose compiler runs on an otherwise idle core, nor before a pool is needed: changing
 * any V8 flag makes V8 refuse Node's built-in code cache, so every Node module loaded afterwards compiles from source
 * (a pre-commit hook paid 10 ms for it, and a worker thread starts in 56 ms instead of 28).
 */
export const POOL_V8_FLAGS = ['--interrupt-budget=600000', '--max-inlined-bytecode-size-cumulative=300'];

/** Batches held by one worker at a time: one running, one ready so it never waits for a message. */
const PER_WORKER = 2;

export class MatcherPool {
  private readonly workers: Worker[] = [];
  private readonly busy: number[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private failed: Error | undefined;
  private waiters: Array<() => void> = [];
  private readonly queue: Queued[] = [];

  /** `archives`: the workers open archives with these limits (see processItem). */
  constructor(size: number, options: FindingContextOptions, archives?: ArchiveLimits) {
    const settings: WorkerSettings = archives ? { options, archives } : { options };
    // Process-wide, read by each thread's isolate as it runs: set before the threads start.
    if (size > 1) for (const flag of POOL_V8_FLAGS) v8.setFlagsFromString(flag);
    for (let i = 0; i < size; i++) {
      const w = new Worker(new URL('./worker.js', import.meta.url), { workerData: settings });
      w.on('message', (msg: { id: number; results: WorkResult[] }) => {
        const p = this.pending.get(msg.id);
        if (!p) return;
        this.pending.delete(msg.id);
        this.busy[p.worker]--;
        p.resolve(msg.results);
        this.pump();
        this.wake();
      });
      // A thread that fails (it could not compile what it was given, it ran out of memory) fails every batch
      // waiting for the pool with one clear error; callers turn it into a one-line exit 2.
      w.on('error', (err) => this.fail(new Error(`matcher thread failed: ${String(err?.message ?? err).split('\n')[0]}`)));
      w.on('exit', (code) => {
        if (code !== 0) this.fail(new Error(`matcher thread exited with code ${code}`));
      });
      this.workers.push(w);
      this.busy.push(0);
    }
  }

  private fail(err: Error): void {
    this.failed ??= err;
    for (const [id, p] of this.pending) {
      this.pending.delete(id);
      p.reject(err);
    }
    for (const q of this.queue.splice(0)) q.reject(err);
    this.wake();
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /**
   * Resolves once fewer than `limit` batches are queued across the workers. Callers sharing one pool (an org
   * scan's repositories) wait here, so memory stays bounded by the pool, not by the number of callers.
   */
  async room(limit: number): Promise<void> {
    while (!this.failed && this.inFlight >= limit) await new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  get size(): number {
    return this.workers.length;
  }

  /** Batches queued here or at the workers; callers keep this bounded to bound memory. */
  get inFlight(): number {
    return this.busy.reduce((a, b) => a + b, 0) + this.queue.length;
  }

  run(items: WorkItem[] | PackedBatch, transfer: ArrayBuffer[] = []): Promise<WorkResult[]> {
    if (this.failed) return Promise.reject(this.failed);
    return new Promise((resolve, reject) => {
      this.queue.push({ items, transfer, resolve, reject });
      this.pump();
    });
  }

  /** Hands queued batches to workers with room, the least busy first. */
  private pump(): void {
    while (this.queue.length && !this.failed) {
      let w = 0;
      for (let i = 1; i < this.workers.length; i++) if (this.busy[i] < this.busy[w]) w = i;
      if (this.busy[w] >= PER_WORKER) return;
      const q = this.queue.shift()!;
      const id = this.nextId++;
      this.busy[w]++;
      this.pending.set(id, { resolve: q.resolve, reject: q.reject, worker: w });
      this.workers[w].postMessage({ id, items: q.items }, q.transfer);
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
