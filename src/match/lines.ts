// Byte offsets -> 1-based line and column. Columns count UTF-16 code units (SARIF's default column kind).

export class LineIndex {
  private newlines: number[] | undefined;

  constructor(private readonly content: Buffer) {}

  private build(): number[] {
    const nl: number[] = [];
    let i = this.content.indexOf(10);
    while (i !== -1) {
      nl.push(i);
      i = this.content.indexOf(10, i + 1);
    }
    return nl;
  }

  /** 0-based line number of a byte offset. */
  lineOf(offset: number): number {
    const nl = (this.newlines ??= this.build());
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
    const nl = (this.newlines ??= this.build());
    return line === 0 ? 0 : nl[line - 1] + 1;
  }

  /** Offset of the line's terminating newline (or the end of the content). */
  lineEnd(line: number): number {
    const nl = (this.newlines ??= this.build());
    return line < nl.length ? nl[line] : this.content.length;
  }

  get lineCount(): number {
    return (this.newlines ??= this.build()).length + 1;
  }

  /** 1-based line and column of a byte offset. */
  position(offset: number): { line: number; column: number } {
    const line = this.lineOf(offset);
    const start = this.lineStart(line);
    const column = offset === start ? 1 : this.content.toString('utf8', start, offset).length + 1;
    return { line: line + 1, column };
  }
}
