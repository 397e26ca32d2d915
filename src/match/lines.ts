// Byte offsets -> 1-based line and column. Columns count UTF-16 code units (SARIF's default column kind).

export class LineIndex {
  /** Offsets of the newlines found so far, in order: found only as far as a lookup needs (matches are few, files long). */
  private readonly newlines: number[] = [];
  /** Where the search for the next newline goes on; the content's length once every newline is known. */
  private scanned = 0;

  constructor(private readonly content: Buffer) {}

  /** Finds newlines until `count` are known or there are no more. */
  private findLines(count: number): void {
    const nl = this.newlines;
    while (nl.length < count && this.scanned < this.content.length) this.findNext();
  }

  /** Finds newlines until one at or past `offset` is known or there are no more. */
  private findPast(offset: number): void {
    const nl = this.newlines;
    while ((nl.length === 0 || nl[nl.length - 1] < offset) && this.scanned < this.content.length) this.findNext();
  }

  private findNext(): void {
    const i = this.content.indexOf(10, this.scanned);
    if (i === -1) this.scanned = this.content.length;
    else {
      this.newlines.push(i);
      this.scanned = i + 1;
    }
  }

  /** 0-based line number of a byte offset. */
  lineOf(offset: number): number {
    this.findPast(offset);
    const nl = this.newlines;
    let lo = 0;
    let hi = nl.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (nl[mid] < offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  lineStart(line: number): number {
    if (line === 0) return 0;
    this.findLines(line);
    return this.newlines[line - 1] + 1;
  }

  /** Offset of the line's terminating newline (or the end of the content). */
  lineEnd(line: number): number {
    this.findLines(line + 1);
    return line < this.newlines.length ? this.newlines[line] : this.content.length;
  }

  get lineCount(): number {
    this.findLines(Infinity);
    return this.newlines.length + 1;
  }

  /** 1-based line and column of a byte offset. */
  position(offset: number): { line: number; column: number } {
    const line = this.lineOf(offset);
    const start = this.lineStart(line);
    const column = offset === start ? 1 : this.content.toString('utf8', start, offset).length + 1;
    return { line: line + 1, column };
  }
}
