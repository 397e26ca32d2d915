// Turns raw file bytes into something the matcher can read: detects binary data and UTF-16 text.

export type PreparedContent =
  | { kind: 'text'; content: Buffer; encoding: 'utf8' | 'utf16le' | 'utf16be' }
  | { kind: 'binary' };

const SNIFF = 8192;

export function prepareContent(raw: Buffer): PreparedContent {
  // UTF-16 with a byte-order mark: transcode so that ASCII patterns match. Lines stay lines.
  if (raw.length >= 2 && raw[0] === 0xff && raw[1] === 0xfe) {
    return { kind: 'text', content: Buffer.from(raw.subarray(2).toString('utf16le'), 'utf8'), encoding: 'utf16le' };
  }
  if (raw.length >= 2 && raw[0] === 0xfe && raw[1] === 0xff) {
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
