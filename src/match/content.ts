// Turns raw file bytes into something the matcher can read: detects binary data and UTF-16 text.

export type PreparedContent =
  | { kind: 'text'; content: Buffer; encoding: 'utf8' | 'utf16le' | 'utf16be' }
  | { kind: 'binary' };

/** How a text's bytes are read: the encoding, the byte-order mark to drop, NULs taken as line breaks. */
export interface TextDecoding {
  encoding: 'utf8' | 'utf16le' | 'utf16be';
  /** Bytes of byte-order mark at the start (0 or 2). */
  bom: number;
  /** NUL-separated records: each NUL reads as a line break. */
  nulSeparated?: boolean;
}

/** The first bytes that decide whether content is binary (and, without a byte-order mark, its encoding). */
export const SNIFF = 8192;

/**
 * Binary (undefined) or how to read the text. Whether content is binary depends on its first SNIFF + 2 bytes only,
 * so a reader can decide that without reading a large file whole.
 */
export function detectDecoding(raw: Buffer): TextDecoding | undefined {
  // UTF-16 with a byte-order mark: transcode so that ASCII patterns match. Lines stay lines.
  if (raw.length >= 2 && raw[0] === 0xff && raw[1] === 0xfe && plausibleUtf16(raw, 'le')) return { encoding: 'utf16le', bom: 2 };
  if (raw.length >= 2 && raw[0] === 0xfe && raw[1] === 0xff && plausibleUtf16(raw, 'be')) return { encoding: 'utf16be', bom: 2 };
  const head = raw.subarray(0, SNIFF);
  if (head.includes(0)) {
    // UTF-16 without a BOM: every other byte of ASCII text is NUL.
    if (looksLikeUtf16le(head)) return { encoding: 'utf16le', bom: 0 };
    // Text records separated by NULs (/proc/PID/environ, `find -print0`, `env -0`): each record becomes a line.
    if (looksLikeNulSeparatedText(head)) return { encoding: 'utf8', bom: 0, nulSeparated: true };
    return undefined;
  }
  // Invalid UTF-8 is fine: RE2 matches bytes, and only matched slices are decoded.
  return { encoding: 'utf8', bom: 0 };
}

/** Reads the bytes as the given decoding says. */
export function decodeContent(raw: Buffer, d: TextDecoding): PreparedContent & { kind: 'text' } {
  const body = d.bom ? raw.subarray(d.bom) : raw;
  if (d.encoding === 'utf16le') return { kind: 'text', content: Buffer.from(body.toString('utf16le'), 'utf8'), encoding: 'utf16le' };
  if (d.encoding === 'utf16be') {
    const swapped = Buffer.from(body.subarray(0, body.length - (body.length % 2)));
    swapped.swap16();
    return { kind: 'text', content: Buffer.from(swapped.toString('utf16le'), 'utf8'), encoding: 'utf16be' };
  }
  if (d.nulSeparated) {
    const content = Buffer.from(body);
    for (let i = content.indexOf(0); i !== -1; i = content.indexOf(0, i + 1)) content[i] = 0x0a;
    return { kind: 'text', content, encoding: 'utf8' };
  }
  return { kind: 'text', content: body, encoding: 'utf8' };
}

/** Buffers whose decoding was decided elsewhere: the later chunks of a file read in chunks, whose first chunk decided. */
const decided = new WeakMap<Buffer, TextDecoding>();

/** Marks a buffer to be read with this decoding by prepareContent, whatever its own first bytes look like. */
export function withDecoding(raw: Buffer, d: TextDecoding): Buffer {
  decided.set(raw, d);
  return raw;
}

export function prepareContent(raw: Buffer): PreparedContent {
  const d = decided.get(raw) ?? detectDecoding(raw);
  return d ? decodeContent(raw, d) : { kind: 'binary' };
}

/**
 * Line breaks as the matcher counts them (LF; NUL too in NUL-separated text), in a content's raw bytes: how many
 * lie in [from, to), and where the last line in that span starts. For UTF-16, offsets must be even (no mark).
 */
export function lineBreaks(raw: Buffer, from: number, to: number, d: TextDecoding): { count: number; firstLineStart?: number; lastLineStart?: number } {
  let count = 0;
  let firstLineStart: number | undefined;
  let lastLineStart: number | undefined;
  const found = (lineStart: number) => {
    count++;
    if (firstLineStart === undefined || lineStart < firstLineStart) firstLineStart = lineStart;
    if (lastLineStart === undefined || lineStart > lastLineStart) lastLineStart = lineStart;
  };
  if (d.encoding === 'utf8') {
    for (const b of d.nulSeparated ? [0x0a, 0] : [0x0a]) {
      for (let i = raw.indexOf(b, from); i !== -1 && i < to; i = raw.indexOf(b, i + 1)) found(i + 1);
    }
  } else {
    const lf = d.encoding === 'utf16le' ? 0 : 1;
    for (let i = raw.indexOf(0x0a, from); i !== -1 && i < to; i = raw.indexOf(0x0a, i + 1)) {
      // A line feed unit: 0A 00 (LE) or 00 0A (BE), on a unit boundary, wholly before `to`.
      if ((i - from) % 2 !== lf || i - lf + 2 > to || raw[i + (lf ? -1 : 1)] !== 0) continue;
      found(i - lf + 2);
    }
  }
  return { count, firstLineStart, lastLineStart };
}

/** UTF-16 code units (the matcher's columns) that the raw bytes [from, to) decode to. */
export function columnUnits(raw: Buffer, from: number, to: number, d: TextDecoding): number {
  if (d.encoding !== 'utf8') return Math.floor((to - from) / 2);
  let units = 0;
  for (let i = from; i < to; i++) {
    const b = raw[i];
    if ((b & 0xc0) !== 0x80) units++;
    if (b >= 0xf0 && b <= 0xf4) units++;
  }
  return units;
}

function looksLikeUtf16le(head: Buffer): boolean {
  if (head.length < 16) return false;
  let zerosOdd = 0;
  let zerosEven = 0;
  const n = head.length - (head.length % 2);
  for (let i = 0; i < n; i += 2) {
    if (head[i] === 0) zerosEven++;
    if (head[i + 1] === 0) zerosOdd++;
  }
  const pairs = n / 2;
  return zerosOdd > pairs * 0.9 && zerosEven < pairs * 0.05;
}

/**
 * Whether bytes that start with a UTF-16 byte-order mark read as UTF-16 text. FF FE is also "ÿþ" in Latin-1 (and
 * FE FF "þÿ"): trusting the mark alone turns such a file into CJK-looking noise and hides its tokens. Any UTF-16
 * text holding ASCII (a token, a space, a line break) has NUL high bytes; Latin-1 text has no NUL at all. So the
 * mark is trusted when, in the first 8 KB after it, NULs sit mostly in high-byte positions; with no NUL there, the
 * first NUL further on decides by its position; with no NUL anywhere the content holds no ASCII character as
 * UTF-16, so reading it as bytes loses nothing a rule could match.
 */
export function plausibleUtf16(raw: Buffer, order: 'le' | 'be'): boolean {
  const hiFirst = order === 'be' ? 1 : 0;
  const end = Math.min(raw.length, 2 + SNIFF);
  let hi = 0;
  let lo = 0;
  for (let i = 2; i + 1 < end; i += 2) {
    if (raw[i + 1 - hiFirst] === 0) hi++;
    if (raw[i + hiFirst] === 0) lo++;
  }
  if (hi || lo) return hi >= 2 * lo;
  const nul = raw.indexOf(0, end);
  if (nul === -1) return false;
  // Offsets from the start of the content after the mark: a high byte is odd (LE) or even (BE).
  return (nul - 2) % 2 === (order === 'le' ? 1 : 0);
}

const utf8Strict = new TextDecoder('utf-8', { fatal: true });

/**
 * NUL-separated text: at most one byte in four is NUL, every other byte is printable text (no other control
 * characters but tab, line breaks, form feed and escape) and the whole is valid UTF-8 (a sequence cut at the end of
 * the sample aside). Binary formats carry control bytes or invalid UTF-8 in their first 8 KB.
 */
function looksLikeNulSeparatedText(head: Buffer): boolean {
  let nuls = 0;
  for (const b of head) {
    if (b === 0) nuls++;
    else if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0b && b !== 0x0c && b !== 0x0d && b !== 0x1b) return false;
    else if (b === 0x7f) return false;
  }
  if (nuls * 4 > head.length) return false;
  for (let cut = 0; cut <= 3 && cut < head.length; cut++) {
    try {
      utf8Strict.decode(head.subarray(0, head.length - cut));
      return true;
    } catch {
      // maybe a multi-byte sequence cut at the end of the sample
    }
  }
  return false;
}
