// A line diff for the isomorphic-git fallback (the git executable diffs for us otherwise): Myers' O(ND) algorithm on
// lines, after trimming the common head and tail. Only which new lines are added matters here.

const MAX_D = 1000;

function splitLines(buf: Uint8Array): string[] {
  const s = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength).toString('latin1');
  const lines = s.split('\n');
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** Lines in a file (a last line without a newline counts). */
export function lineCount(buf: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < buf.length; i++) if (buf[i] === 10) n++;
  return buf.length && buf[buf.length - 1] !== 10 ? n + 1 : n;
}

/** Like git: NUL in the first 8000 bytes makes a file binary (not diffed line by line). */
export function looksBinaryForDiff(buf: Uint8Array): boolean {
  const n = Math.min(buf.length, 8000);
  for (let i = 0; i < n; i++) if (buf[i] === 0) return true;
  return false;
}

/** 1-based numbers of the lines of `next` that are not matched to lines of `prev`. */
export function addedLineNumbers(prev: Uint8Array, next: Uint8Array): Set<number> {
  const a = splitLines(prev);
  const b = splitLines(next);
  const added = new Set<number>();
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const A = a.slice(head, a.length - tail);
  const B = b.slice(head, b.length - tail);
  if (!A.length) {
    for (let i = 0; i < B.length; i++) added.add(head + i + 1);
    return added;
  }
  if (!B.length) return added;
  const matched = myersMatchedB(A, B);
  if (!matched) {
    // Too different to diff cheaply: a line counts as added when the old version does not have it.
    const old = new Map<string, number>();
    for (const l of A) old.set(l, (old.get(l) ?? 0) + 1);
    B.forEach((l, i) => {
      const n = old.get(l) ?? 0;
      if (n > 0) old.set(l, n - 1);
      else added.add(head + i + 1);
    });
    return added;
  }
  for (let i = 0; i < B.length; i++) if (!matched[i]) added.add(head + i + 1);
  return added;
}

/** Which lines of B lie on a shortest edit script's diagonals; undefined past MAX_D edits. */
function myersMatchedB(A: string[], B: string[]): Uint8Array | undefined {
  const n = A.length;
  const m = B.length;
  const max = Math.min(n + m, MAX_D);
  const offset = max + 1;
  let v = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  let found = -1;
  for (let d = 0; d <= max; d++) {
    trace.push(v.slice());
    for (let k = -d; k <= d; k += 2) {
      let x: number;
      if (k === -d || (k !== d && v[offset + k - 1] < v[offset + k + 1])) x = v[offset + k + 1];
      else x = v[offset + k - 1] + 1;
      let y = x - k;
      while (x < n && y < m && A[x] === B[y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) {
        found = d;
        break;
      }
    }
    if (found >= 0) break;
  }
  if (found < 0) return undefined;
  const matched = new Uint8Array(m);
  let x = n;
  let y = m;
  for (let d = found; d > 0; d--) {
    const vd = trace[d];
    const k = x - y;
    const down = k === -d || (k !== d && vd[offset + k - 1] < vd[offset + k + 1]);
    const prevK = down ? k + 1 : k - 1;
    const prevX = vd[offset + prevK];
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      x--;
      y--;
      matched[y] = 1;
    }
    x = prevX;
    y = prevY;
  }
  while (x > 0 && y > 0) {
    x--;
    y--;
    matched[y] = 1;
  }
  return matched;
}
