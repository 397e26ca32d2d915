// File names are bytes. Every source turns them into text the same way, so that the working-tree walk, history
// and staged scans name one file alike and reports, baselines and the datastore can compare paths.

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A path (or name) as text, and whether the text is exactly its bytes read as UTF-8.
 *
 * - Valid UTF-8 (nearly every name): the text itself, control characters such as `\n` and `\r` included (they are
 *   bytes a name can hold; printing them safely is the reports' business).
 * - Not UTF-8 (a Latin-1 `caf\xe9`, arbitrary bytes): ASCII is kept, and every other byte and every backslash is
 *   written `\xNN` (two lower-case hex digits). This is lossless: in such a text every backslash starts an escape,
 *   so reading each `\xNN` back as the byte NN gives the original bytes, and two different names never print
 *   alike. (A valid UTF-8 name that happens to spell `\xNN` itself prints as it is; it is a different name only to
 *   a reader who cannot tell the two kinds apart, and `exact` says which kind a text is.)
 */
export function decodeName(bytes: Uint8Array): { text: string; exact: boolean } {
  let ascii = true;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] >= 0x80) {
      ascii = false;
      break;
    }
  }
  if (ascii) return { text: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1'), exact: true };
  try {
    return { text: utf8.decode(bytes), exact: true };
  } catch {
    let s = '';
    for (const b of bytes) s += b < 0x80 && b !== 0x5c ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`;
    return { text: s, exact: false };
  }
}

/** A path held as bytes, as text (see decodeName). */
export function decodePath(bytes: Uint8Array): string {
  return decodeName(bytes).text;
}
