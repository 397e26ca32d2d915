// Reads blobs through ONE long-lived `git cat-file --batch` process: ids go in on stdin as they are discovered,
// contents come back in order. Memory stays bounded: when the consumer falls behind, stdout is paused, git blocks
// on the pipe, and requests wait for stdin to drain. A missing object is answered by git ("missing"); a corrupt one
// makes git die: the object at the head of the queue is reported unreadable and a new process takes the rest.
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { firstLine, spawnGit } from './exec.js';
import type { BlobReader, BlobResult } from './types.js';

/** Results buffered before stdout is paused (count and bytes). */
const HIGH_WATER_RESULTS = 4096;
const HIGH_WATER_BYTES = 32 * 1024 * 1024;
const SLAB_SIZE = 1024 * 1024;

type ParseState =
  | { kind: 'header' }
  | { kind: 'body'; id: string; size: number; got: number; keep: boolean; data?: Buffer; tooLarge: boolean; wrongType?: string }
  | { kind: 'lf'; result: BlobResult };

export class CatFileReader implements BlobReader {
  private proc: ChildProcessWithoutNullStreams | undefined;
  /** Ids sent to the current process and not yet answered, oldest first. */
  private pending: string[] = [];
  private pendingHead = 0;
  private state: ParseState = { kind: 'header' };
  private headerCarry: Buffer | undefined;
  private stderr = '';
  private ended = false;
  private closed = false;
  private finished = false;
  private results: BlobResult[] = [];
  private resultsHead = 0;
  private bufferedBytes = 0;
  private paused = false;
  private wake: (() => void) | undefined;
  private drainWaiters: Array<() => void> = [];
  private unsent = '';
  private flushScheduled = false;
  private blocked = false;
  private slab = Buffer.allocUnsafeSlow(0);
  private slabUsed = 0;
  private restarts = 0;

  constructor(
    private readonly cwd: string,
    private readonly maxSize: number,
  ) {
    this.start();
  }

  private start(): void {
    const proc = spawnGit(this.cwd, ['cat-file', '--batch']);
    this.proc = proc;
    this.stderr = '';
    this.state = { kind: 'header' };
    this.headerCarry = undefined;
    this.paused = false;
    proc.stdout.on('data', (chunk: Buffer) => {
      if (proc === this.proc) this.onData(chunk);
    });
    proc.stderr.on('data', (b: Buffer) => {
      if (this.stderr.length < 4096) this.stderr += b.toString('utf8');
    });
    proc.stdin.on('error', () => {
      // The process died; 'close' decides what happens to the queue.
    });
    proc.stdin.on('drain', () => this.releaseDrainWaiters());
    proc.on('error', (err) => {
      this.stderr += String(err.message);
    });
    proc.on('close', (code) => {
      if (proc === this.proc) this.onClose(code);
    });
  }

  private releaseDrainWaiters(): void {
    this.blocked = false;
    const w = this.drainWaiters;
    this.drainWaiters = [];
    for (const f of w) f();
  }

  /** Ids are written in blocks (one write per event-loop turn or 64 KB), not one write per blob. */
  request(id: string): Promise<void> | void {
    if (this.ended || this.closed) throw new Error('blob reader already ended');
    this.pending.push(id);
    this.unsent += `${id}\n`;
    if (this.unsent.length >= 65536) this.flush();
    else if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
    if (this.blocked) return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  private flush(): void {
    this.flushScheduled = false;
    if (!this.unsent || !this.proc || this.proc.stdin.destroyed) return;
    const ok = this.proc.stdin.write(this.unsent);
    this.unsent = '';
    if (!ok) this.blocked = true;
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.flush();
    this.proc?.stdin.end();
    this.checkFinished();
  }

  close(): void {
    this.closed = true;
    this.finished = true;
    this.releaseDrainWaiters();
    this.proc?.kill();
    this.wake?.();
  }

  private get outstanding(): number {
    return this.pending.length - this.pendingHead;
  }

  private shiftPending(): string | undefined {
    if (this.pendingHead >= this.pending.length) return undefined;
    const id = this.pending[this.pendingHead++];
    if (this.pendingHead > 4096 && this.pendingHead * 2 > this.pending.length) {
      this.pending = this.pending.slice(this.pendingHead);
      this.pendingHead = 0;
    }
    return id;
  }

  private emit(r: BlobResult): void {
    this.results.push(r);
    this.bufferedBytes += r.data?.length ?? 0;
    if (!this.paused && (this.results.length - this.resultsHead >= HIGH_WATER_RESULTS || this.bufferedBytes >= HIGH_WATER_BYTES)) {
      this.paused = true;
      this.proc?.stdout.pause();
    }
    this.wake?.();
  }

  private onData(chunk: Buffer): void {
    let pos = 0;
    while (pos < chunk.length) {
      const st = this.state;
      if (st.kind === 'header') {
        const nl = chunk.indexOf(10, pos);
        if (nl === -1) {
          const rest = chunk.subarray(pos);
          this.headerCarry = this.headerCarry ? Buffer.concat([this.headerCarry, rest]) : Buffer.from(rest);
          return;
        }
        let line = chunk.toString('latin1', pos, nl);
        if (this.headerCarry) {
          line = this.headerCarry.toString('latin1') + line;
          this.headerCarry = undefined;
        }
        pos = nl + 1;
        this.onHeader(line);
      } else if (st.kind === 'body') {
        const take = Math.min(st.size - st.got, chunk.length - pos);
        if (st.keep && !st.data) {
          // A blob wholly inside this chunk is a view of it: no allocation, no copy. Others get a buffer.
          if (take === st.size) st.data = chunk.subarray(pos, pos + take);
          else st.data = this.alloc(st.size);
        }
        if (st.data && st.data.buffer !== chunk.buffer) chunk.copy(st.data, st.got, pos, pos + take);
        st.got += take;
        pos += take;
        if (st.got === st.size) {
          const r: BlobResult = { id: st.id, size: st.size };
          if (st.wrongType) r.error = `not a blob (${st.wrongType})`;
          else if (st.tooLarge) r.tooLarge = true;
          else r.data = st.data;
          this.state = { kind: 'lf', result: r };
        }
      } else {
        // The LF after the content.
        pos++;
        this.state = { kind: 'header' };
        this.emit(st.result);
      }
    }
  }

  private onHeader(line: string): void {
    const expected = this.shiftPending();
    const parts = line.split(' ');
    const id = expected ?? parts[0];
    if (parts[1] === 'missing' || parts[1] === 'ambiguous') {
      this.emit({ id, size: 0, error: parts[1] === 'missing' ? 'object missing from the repository' : 'ambiguous object name' });
      return;
    }
    const size = Number(parts[2]);
    if (parts.length < 3 || !Number.isFinite(size)) {
      this.emit({ id, size: 0, error: `unexpected answer from git cat-file: ${line.slice(0, 80)}` });
      return;
    }
    const tooLarge = size > this.maxSize;
    const wrongType = parts[1] !== 'blob' ? parts[1] : undefined;
    const st: ParseState = { kind: 'body', id, size, got: 0, keep: !tooLarge && !wrongType, tooLarge, wrongType };
    if (size === 0) {
      this.state = { kind: 'lf', result: wrongType ? { id, size, error: `not a blob (${wrongType})` } : { id, size, data: Buffer.alloc(0) } };
    } else this.state = st;
  }

  /**
   * Blob buffers are carved out of 1 MB slabs: one allocation per slab instead of one per blob. A slab is freed
   * once every blob cut from it has been matched (or copied into a batch for the worker threads).
   */
  private alloc(size: number): Buffer {
    if (size > SLAB_SIZE / 8) return Buffer.allocUnsafeSlow(size);
    if (this.slabUsed + size > this.slab.length) {
      this.slab = Buffer.allocUnsafeSlow(SLAB_SIZE);
      this.slabUsed = 0;
    }
    const b = this.slab.subarray(this.slabUsed, this.slabUsed + size);
    this.slabUsed += (size + 7) & ~7;
    return b;
  }

  private onClose(code: number | null): void {
    if (this.closed) return;
    const inFlight = this.state.kind !== 'header' || this.outstanding > 0;
    if (!inFlight && this.ended) {
      this.finished = true;
      this.wake?.();
      return;
    }
    // git died with work outstanding: the object it was on is unreadable; carry on with a new process.
    const culprit = this.state.kind === 'body' ? this.state.id : this.state.kind === 'lf' ? undefined : this.shiftPending();
    if (this.state.kind === 'lf') this.emit(this.state.result);
    else if (culprit) {
      this.emit({ id: culprit, size: 0, error: `unreadable object (git cat-file: ${firstLine(this.stderr) || `exit ${code}`})` });
    }
    const rest = this.pending.slice(this.pendingHead);
    this.pending = [];
    this.pendingHead = 0;
    if (++this.restarts > 10_000) {
      for (const id of rest) this.emit({ id, size: 0, error: 'unreadable object (git cat-file keeps failing)' });
      this.finished = true;
      this.wake?.();
      return;
    }
    this.start();
    // Everything not answered goes to the new process, including ids not yet written to the old one.
    this.unsent = '';
    this.pending = rest;
    if (rest.length) this.proc!.stdin.write(`${rest.join('\n')}\n`);
    if (this.ended) this.proc!.stdin.end();
    this.releaseDrainWaiters();
  }

  private checkFinished(): void {
    if (this.ended && this.outstanding === 0 && this.state.kind === 'header') {
      // The process will exit on its own once stdin is closed; nothing more is coming.
      this.finished = true;
      this.wake?.();
    }
  }

  async *[Symbol.asyncIterator](): AsyncIterator<BlobResult> {
    try {
      for (;;) {
        if (this.resultsHead < this.results.length) {
          const r = this.results[this.resultsHead];
          this.results[this.resultsHead++] = undefined as unknown as BlobResult;
          this.bufferedBytes -= r.data?.length ?? 0;
          if (this.resultsHead > 1024 && this.resultsHead * 2 > this.results.length) {
            this.results = this.results.slice(this.resultsHead);
            this.resultsHead = 0;
          }
          if (this.paused && this.results.length - this.resultsHead < HIGH_WATER_RESULTS / 2 && this.bufferedBytes < HIGH_WATER_BYTES / 2) {
            this.paused = false;
            this.proc?.stdout.resume();
          }
          yield r;
          continue;
        }
        this.checkFinished();
        if (this.finished || this.closed) return;
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = undefined;
      }
    } finally {
      if (!this.finished) this.close();
    }
  }
}
