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
    // Text records separated by NULs (/proc/PID/environ, `find -print0`, `env -0`): each record becomes a line.
    if (looksLikeNulSeparatedText(head)) {
      const content = Buffer.from(raw);
      for (let i = content.indexOf(0); i !== -1; i = content.indexOf(0, i + 1)) content[i] = 0x0a;
      return { kind: 'text', content, encoding: 'utf8' };
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
