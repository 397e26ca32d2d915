// Checksums some providers embed in their tokens: a valid one raises confidence, a failing one lowers it.
import type { ChecksumKind } from '../model/index.js';

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

export function crc32(s: string): number {
  let c = 0xffffffff;
  for (let i = 0; i < s.length; i++) c = CRC_TABLE[(c ^ s.charCodeAt(i)) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

export function base62(n: number, width: number): string {
  let s = '';
  do {
    s = BASE62[n % 62] + s;
    n = Math.floor(n / 62);
  } while (n > 0);
  return s.padStart(width, '0');
}

/**
 * GitHub's prefixed tokens (ghp_, gho_, ghu_, ghs_, ghr_) and npm's npm_ tokens end in six base62
 * characters that encode the CRC32 of the random part before them.
 */
const CHECKSUMMED: Record<ChecksumKind, RegExp> = {
  'github-crc32': /^gh[pousr]_([A-Za-z0-9]{30})([A-Za-z0-9]{6})$/,
  'npm-crc32': /^npm_([A-Za-z0-9]{30})([A-Za-z0-9]{6})$/,
};

export function verifyChecksum(kind: ChecksumKind, secret: string): boolean | undefined {
  const m = CHECKSUMMED[kind].exec(secret);
  if (!m) return undefined;
  return base62(crc32(m[1]), 6) === m[2];
}
