// Turns raw file bytes into something the matcher can read: detects binary data and UTF-16 text.

export type PreparedContent =
  | { kind: 'text'; content: Buffer; encoding: 'utf8' | 'utf16le' | 'utf16be' }
  | { kind: 'binary' };

const SNIFF = 8192;

export function prepareContent(raw: Buffer): PreparedContent {
  // UTF-16 with a byte-order mark: transcode so that ASCII patterns match. Lines stay lines.
  if (raw.length >= 2 && raw[0] === 0xff && raw[1] === 0xfe && plausibleUtf16(raw, 'le')) {
    return { kind: 'text', content: Buffer.from(raw.subarray(2).toString('utf16le'), 'utf8'), encoding: 'utf16le' };
  }
  if (raw.length >= 2 && raw[0] === 0xfe && raw[1] === 0xff && plausibleUtf16(raw, 'be')) {
    const swapped = Buffer.from(raw.subarray(2, raw.length - ((raw.length - 2) % 2)));
    swapped.swap16();
    return { kind: 'text', content: Buffer.from(swapped.toString('utf16le'), 'utf8'), encoding: 'utf16be' };
  }
  const head = raw.subarray(0, SNIFF);
  if (head.includes(0)) {
    // UTF-16 without a BOM: every other byte of ASCII text is NUL.
    if (looksLikeUtf16le(head)) {
      return { kind: 'text', content: Buffer.from(raw.toString('utf16le'), 'utf8'), encoding: 'utf16le' };
    }
    return { kind: 'binary' };
  }
  // Invalid UTF-8 is fine: RE2 matches bytes, and only matched slices are decoded.
  return { kind: 'text', content: raw, encoding: 'utf8' };
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
