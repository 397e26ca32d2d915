// Matching for content that arrives as a stream of buffers (git blobs), with the working-tree scan's thresholds:
// inline while the work is small, across worker threads once it is big enough to be worth starting them.
import { FindingContext, type FindingContextOptions } from './findings.js';
import { MatcherPool } from './pool.js';
import { processItem, type PackedBatch, type WorkItem, type WorkResult } from './work.js';
import { chunkCount } from '../match/index.js';
import type { ArchiveLimits } from '../sources/index.js';
import { BATCH_BYTES, INLINE_MAX_BYTES, INLINE_MAX_FILES, defaultConcurrency } from './scan-tree.js';

/**
 * Blobs are small (a few KB) and arrive already read, so batches are bounded by bytes more than by count: fewer,
 * larger messages. Batches queued per worker: enough that a worker never waits for the next one.
 */
const STREAM_BATCH_ITEMS = 1024;
const QUEUED_PER_WORKER = 3;
/**
 * Batches travel in shared memory blocks that are reused once the worker is done with them: allocating (and
 * transferring) a fresh buffer per batch made the garbage collector run for the external memory alone.
 */
const ARENA_BYTES = 2 * BATCH_BYTES;

type BytesItem = Extract<WorkItem, { kind: 'bytes' }>;
type Done = (result: WorkResult) => void;

/** One result from the chunks of one content: findings in chunk order, the first chunk's skip, the bytes once. */
function mergeChunks(parts: WorkResult[]): WorkResult {
  const merged: WorkResult = { findings: parts.flatMap((p) => p.findings), bytes: parts.reduce((n, p) => n + p.bytes, 0) };
  const skipped = parts.find((p) => p.skipped)?.skipped;
  const warning = parts.find((p) => p.warning)?.warning;
  const archive = parts.find((p) => p.archive)?.archive;
  if (skipped) merged.skipped = skipped;
  if (warning) merged.warning = warning;
  if (archive) merged.archive = archive;
  return merged;
}

/**
 * Matches a stream of byte buffers. Items are held until the held work passes the inline threshold; then a
 * MatcherPool starts and batches go to it (each batch in one memory block), with a few batches queued per
 * worker so memory stays bounded. If the stream ends first, everything is matched inline on this thread.
 */
export class StreamDispatcher<T> {
  private held: Array<{ item: BytesItem; tag: T }> = [];
  private heldBytes = 0;
  private pool: MatcherPool | undefined;
  private ctx: FindingContext | undefined;
  private batch: Array<{ item: BytesItem; done: Done }> = [];
  private batchBytes = 0;
  private readonly running = new Set<Promise<void>>();
  private readonly concurrency: number;
  private failure: Error | undefined;
  private readonly freeArenas: SharedArrayBuffer[] = [];

  /**
   * `shared`: a pool that outlives this stream (an org scan's, serving every repository); used at once, never closed
   * here. `archives`: archives are opened with these limits (a shared pool's workers were given its own).
   */
  constructor(
    private readonly ctxOptions: FindingContextOptions,
    private readonly onResult: (tag: T, result: WorkResult) => void,
    concurrency?: number,
    private readonly shared?: MatcherPool,
    private readonly archives?: ArchiveLimits,
  ) {
    this.concurrency = Math.max(1, concurrency ?? defaultConcurrency());
    this.pool = shared;
  }

  /** Queues one buffer; resolves when the dispatcher can take more (back-pressure). */
  async push(item: BytesItem, tag: T): Promise<void> {
    if (this.pool) return this.toPool(item, tag);
    if (this.concurrency === 1) {
      const r = processItem(this.inline(), item, false, this.archives);
      this.onResult(tag, r instanceof Promise ? await r : r);
      return;
    }
    this.held.push({ item, tag });
    this.heldBytes += item.bytes.byteLength;
    if (this.held.length > INLINE_MAX_FILES || this.heldBytes > INLINE_MAX_BYTES) {
      this.pool = new MatcherPool(this.concurrency, this.ctxOptions, this.archives);
      const held = this.held;
      this.held = [];
      this.heldBytes = 0;
      for (const h of held) await this.toPool(h.item, h.tag);
    }
  }

  /** A large content goes as chunks, each in a batch of its own so that the threads share it; the rest in batches. */
  private async toPool(item: BytesItem, tag: T): Promise<void> {
    const count = chunkCount(item.bytes.byteLength);
    if (count === 1) return this.toBatch(item, (r) => this.onResult(tag, r));
    // Every chunk reads the same shared copy of the content: no copy per chunk.
    const block = new SharedArrayBuffer(item.bytes.byteLength);
    Buffer.from(block).set(item.bytes);
    const parts: WorkResult[] = [];
    let left = count;
    for (let index = 0; index < count; index++) {
      if (this.shared) await this.shared.room(this.shared.size * QUEUED_PER_WORKER);
      const packed: PackedBatch = { buffer: block, ends: [item.bytes.byteLength], relPaths: [item.relPath], chunks: { 0: { index, count } } };
      await this.send(packed, [], [
        (r) => {
          parts[index] = r;
          if (--left === 0) this.onResult(tag, mergeChunks(parts));
        },
      ]);
    }
  }

  private inline(): FindingContext {
    return (this.ctx ??= FindingContext.shared(this.ctxOptions));
  }

  private async toBatch(item: BytesItem, done: Done): Promise<void> {
    this.batch.push({ item, done });
    this.batchBytes += item.bytes.byteLength;
    if (this.batch.length >= STREAM_BATCH_ITEMS || this.batchBytes >= BATCH_BYTES) await this.flush();
  }

  private async flush(): Promise<void> {
    if (!this.batch.length || !this.pool) return;
    // A shared pool: wait for room across every stream feeding it (the batch waits here, not yet copied).
    if (this.shared) await this.shared.room(this.shared.size * QUEUED_PER_WORKER);
    const these = this.batch;
    this.batch = [];
    this.batchBytes = 0;
    // One block per batch (see PackedBatch): a reused shared block, or for an outsized batch a buffer of its own.
    const total = these.reduce((n, t) => n + t.item.bytes.byteLength, 0);
    const shared = total <= ARENA_BYTES ? (this.freeArenas.pop() ?? new SharedArrayBuffer(ARENA_BYTES)) : undefined;
    const arena = shared ? Buffer.from(shared, 0, total) : Buffer.allocUnsafeSlow(total);
    const packed: PackedBatch = { buffer: shared ?? (arena.buffer as ArrayBuffer), ends: [], relPaths: [] };
    let offset = 0;
    these.forEach(({ item }, i) => {
      arena.set(item.bytes, offset);
      offset += item.bytes.byteLength;
      packed.ends.push(offset);
      packed.relPaths.push(item.relPath);
      if (item.chunk) (packed.chunks ??= {})[i] = item.chunk;
    });
    await this.send(packed, shared ? [] : [arena.buffer as ArrayBuffer], these.map((t) => t.done), () => {
      // The worker has answered: it holds nothing of the block any more.
      if (shared) this.freeArenas.push(shared);
    });
  }

  /** Sends one packed batch and waits while too many are in flight. */
  private async send(packed: PackedBatch, transfer: ArrayBuffer[], dones: Done[], settled?: () => void): Promise<void> {
    const job: Promise<void> = this.pool!
      .run(packed, transfer)
      .then(
        (results) => results.forEach((r, i) => dones[i](r)),
        (err: Error) => void (this.failure ??= err),
      )
      .finally(() => {
        this.running.delete(job);
        settled?.();
      });
    this.running.add(job);
    while (this.running.size >= this.pool!.size * QUEUED_PER_WORKER) await Promise.race(this.running);
    if (this.failure) throw this.failure;
  }

  /** Matches whatever is left and waits for every result. */
  async finish(): Promise<void> {
    if (!this.pool) {
      const held = this.held;
      this.held = [];
      this.heldBytes = 0;
      if (held.length) {
        const ctx = this.inline();
        for (const h of held) {
          const r = processItem(ctx, h.item, false, this.archives);
          this.onResult(h.tag, r instanceof Promise ? await r : r);
        }
      }
      return;
    }
    await this.flush();
    await Promise.all(this.running);
    if (this.failure) throw this.failure;
  }

  async close(): Promise<void> {
    if (this.pool !== this.shared) await this.pool?.close();
    this.pool = undefined;
  }
}
