// Matching for content that arrives as a stream of buffers (git blobs), with the working-tree scan's thresholds:
// inline while the work is small, across worker threads once it is big enough to be worth starting them.
import { FindingContext, type FindingContextOptions } from './findings.js';
import { MatcherPool } from './pool.js';
import { processItem, type WorkItem, type WorkResult } from './work.js';
import { BATCH_BYTES, BATCH_FILES, INLINE_MAX_BYTES, INLINE_MAX_FILES, defaultConcurrency } from './scan-tree.js';

type BytesItem = Extract<WorkItem, { kind: 'bytes' }>;

/**
 * Matches a stream of byte buffers. Items are held until the held work passes the inline threshold; then a
 * MatcherPool starts and batches go to it (buffers transferred, not copied), with at most two batches queued per
 * worker so memory stays bounded. If the stream ends first, everything is matched inline on this thread.
 */
export class StreamDispatcher<T> {
  private held: Array<{ item: BytesItem; tag: T }> = [];
  private heldBytes = 0;
  private pool: MatcherPool | undefined;
  private ctx: FindingContext | undefined;
  private batch: Array<{ item: BytesItem; tag: T }> = [];
  private batchBytes = 0;
  private readonly running = new Set<Promise<void>>();
  private readonly concurrency: number;
  private failure: Error | undefined;

  constructor(
    private readonly ctxOptions: FindingContextOptions,
    private readonly onResult: (tag: T, result: WorkResult) => void,
    concurrency?: number,
  ) {
    this.concurrency = Math.max(1, concurrency ?? defaultConcurrency());
  }

  /** Queues one buffer; resolves when the dispatcher can take more (back-pressure). */
  async push(item: BytesItem, tag: T): Promise<void> {
    if (this.pool) return this.toBatch(item, tag);
    if (this.concurrency === 1) {
      this.onResult(tag, processItem(this.inline(), item));
      return;
    }
    this.held.push({ item, tag });
    this.heldBytes += item.bytes.byteLength;
    if (this.held.length > INLINE_MAX_FILES || this.heldBytes > INLINE_MAX_BYTES) {
      this.pool = new MatcherPool(this.concurrency, this.ctxOptions);
      const held = this.held;
      this.held = [];
      this.heldBytes = 0;
      for (const h of held) await this.toBatch(h.item, h.tag);
    }
  }

  private inline(): FindingContext {
    return (this.ctx ??= new FindingContext(this.ctxOptions));
  }

  private async toBatch(item: BytesItem, tag: T): Promise<void> {
    this.batch.push({ item, tag });
    this.batchBytes += item.bytes.byteLength;
    if (this.batch.length >= BATCH_FILES || this.batchBytes >= BATCH_BYTES) await this.flush();
  }

  private async flush(): Promise<void> {
    if (!this.batch.length || !this.pool) return;
    const these = this.batch;
    this.batch = [];
    this.batchBytes = 0;
    const transfer: ArrayBuffer[] = [];
    const buffers = new Set<ArrayBufferLike>();
    for (const { item } of these) {
      const ab = item.bytes.buffer;
      // Only buffers that own their whole ArrayBuffer can be moved; the rest are copied.
      if (ab instanceof ArrayBuffer && item.bytes.byteOffset === 0 && item.bytes.byteLength === ab.byteLength && !buffers.has(ab)) {
        buffers.add(ab);
        transfer.push(ab);
      }
    }
    const job: Promise<void> = this.pool
      .run(these.map((t) => t.item), transfer)
      .then(
        (results) => results.forEach((r, i) => this.onResult(these[i].tag, r)),
        (err: Error) => void (this.failure ??= err),
      )
      .finally(() => this.running.delete(job));
    this.running.add(job);
    while (this.running.size >= this.pool.size * 2) await Promise.race(this.running);
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
        for (const h of held) this.onResult(h.tag, processItem(ctx, h.item));
      }
      return;
    }
    await this.flush();
    await Promise.all(this.running);
    if (this.failure) throw this.failure;
  }

  async close(): Promise<void> {
    await this.pool?.close();
    this.pool = undefined;
  }
}
