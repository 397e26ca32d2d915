// What a tree or history scan has done so far: the scan counts, the CLI reads it to draw progress.

export class ScanProgress {
  /** Files (a tree scan) or blobs (a history scan) matched, or skipped. */
  done = 0;
  /** Files or blobs found to scan so far; the total once `listed` is set. */
  found = 0;
  /** The walk (or the history listing) has ended: `found` is the total. */
  listed = false;
  bytes = 0;
  readonly startedAt = Date.now();
  private readonly ids = new Set<string>();

  constructor(readonly unit: 'files' | 'blobs') {}

  /** Distinct tokens found so far (before baselines and allowlists of fingerprints). */
  get tokens(): number {
    return this.ids.size;
  }

  saw(findings: Array<{ id: string }>): void {
    for (const f of findings) this.ids.add(f.id);
  }

  /** Milliseconds left, once the total is known and something is done. */
  eta(now = Date.now()): number | undefined {
    if (!this.listed || !this.done) return undefined;
    return ((now - this.startedAt) * Math.max(0, this.found - this.done)) / this.done;
  }
}
