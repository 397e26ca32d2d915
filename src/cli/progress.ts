// Progress on stderr for `scan`, `history` and `org`: a line redrawn in place on a terminal, plain lines every few
// seconds where asked for (org, or SHADOWSCAN_PROGRESS=plain), nothing when quiet.
import type { ScanProgress } from '../scan/progress.js';

interface Io {
  stderr: (s: string) => void;
}

export type ProgressMode = 'tty' | 'plain' | 'off';

export const fmtBytes = (n: number) => (n < 1024 ** 3 ? `${(n / 1024 ** 2).toFixed(1)} MB` : `${(n / 1024 ** 3).toFixed(2)} GB`);

export function fmtEta(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return 'ETA …';
  const s = Math.round(ms / 1000);
  if (s < 60) return `ETA ${s}s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `ETA ${m}m ${String(s % 60).padStart(2, '0')}s` : `ETA ${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}

const BAR = 20;

/** One progress line of a tree or history scan: a bar once the total is known, files or blobs done, MB, tokens, time left. */
export function scanProgressLine(p: ScanProgress, now = Date.now()): string {
  const total = p.listed ? String(p.found) : `${p.found}+`;
  const filled = p.listed && p.found ? Math.min(BAR, Math.floor((BAR * p.done) / p.found)) : 0;
  const bar = p.listed ? `[${'#'.repeat(filled)}${'-'.repeat(BAR - filled)}] ` : '';
  return `${bar}${p.unit} ${p.done}/${total} · ${fmtBytes(p.bytes)} · ${p.tokens} token${p.tokens === 1 ? '' : 's'} · ${fmtEta(p.eta(now))}`;
}

/**
 * The mode for this run: off when quiet; SHADOWSCAN_PROGRESS (tty, plain or off) when set; else a live line when
 * stderr is a terminal, and `notTty` otherwise (org prints plain lines to CI logs, scan and history nothing).
 */
export function progressMode(quiet: boolean | undefined, notTty: ProgressMode): ProgressMode {
  if (quiet) return 'off';
  const forced = process.env.SHADOWSCAN_PROGRESS;
  if (forced === 'tty' || forced === 'plain' || forced === 'off') return forced;
  return process.stderr.isTTY ? 'tty' : notTty;
}

export interface ProgressViewOptions {
  /** Between plain lines (tty: 200 ms between redraws). */
  intervalMs: number;
  /** A terminal sees nothing for this long: a scan that ends sooner leaves no trace. */
  delayMs?: number;
  /** On stop, the last line stays (org); otherwise a drawn line is cleared. */
  finalLine?: boolean;
}

/** Progress on stderr: a live line on a terminal, a plain line every few seconds otherwise, nothing when off. */
export class ProgressView {
  private timer: NodeJS.Timeout | undefined;
  private drawn = false;

  /** `line(tty)`: the text of a line; `tty` when it is drawn on a terminal (it may say more). */
  constructor(
    private readonly io: Io,
    private readonly line: (tty: boolean) => string,
    private readonly mode: ProgressMode,
    private readonly options: ProgressViewOptions,
  ) {}

  start(what?: string): void {
    if (this.mode === 'off') return;
    if (this.mode === 'plain' && what) this.io.stderr(`shadowscan: ${what}\n`);
    const every = () => {
      this.timer = setInterval(() => this.tick(), this.mode === 'tty' ? Math.min(200, this.options.intervalMs) : this.options.intervalMs);
      this.timer.unref();
      if (this.mode === 'tty') this.tick();
    };
    if (this.options.delayMs) {
      this.timer = setTimeout(every, this.options.delayMs);
      this.timer.unref();
    } else every();
  }

  private tick(): void {
    if (this.mode === 'tty') {
      const cols = (process.stderr.columns || 100) - 1;
      this.io.stderr(`\r\x1b[K${`shadowscan: ${this.line(true)}`.slice(0, cols)}`);
      this.drawn = true;
    } else this.io.stderr(`shadowscan: ${this.line(false)}\n`);
  }

  /** A message between redraws (a failed repository). */
  note(line: string): void {
    // Plain output: the report's warnings at the end say it once.
    if (this.mode !== 'tty') return;
    if (this.drawn) this.io.stderr('\r\x1b[K');
    this.io.stderr(`${line}\n`);
    this.tick();
  }

  stop(): void {
    if (this.timer) {
      clearInterval(this.timer);
      clearTimeout(this.timer);
    }
    if (this.mode === 'off') return;
    if (this.drawn) this.io.stderr('\r\x1b[K');
    if (this.options.finalLine) this.io.stderr(`shadowscan: ${this.line(false)}\n`);
  }
}

/** Progress of a tree or history scan on a terminal (nothing otherwise, unless SHADOWSCAN_PROGRESS says). */
export function scanProgressView(io: Io, progress: ScanProgress, quiet: boolean | undefined): ProgressView {
  const interval = Number(process.env.SHADOWSCAN_PROGRESS_INTERVAL_MS) || undefined;
  return new ProgressView(io, () => scanProgressLine(progress), progressMode(quiet, 'off'), {
    intervalMs: interval ?? 10_000,
    delayMs: interval ?? 500,
  });
}
