// Character classes shared by the matcher, the grammar and the decoders (byte or UTF-16 code, ASCII only).

/** `[A-Za-z0-9_]`: what `\b` counts as a word character. */
export function isWordByte(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}
