// Fake credentials made at test time: right shape, random content, never real.
import crypto from 'node:crypto';
import { base62, crc32 } from '../../src/match/checksum.js';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const UPPER32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const B64 = ALNUM + '+/';

export function randomFrom(alphabet: string, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += alphabet[crypto.randomInt(alphabet.length)];
  return s;
}

/** A GitHub classic PAT with a valid CRC32 suffix. */
export function fakeGithubPat(): string {
  const body = randomFrom(ALNUM, 30);
  return `ghp_${body}${base62(crc32(body), 6)}`;
}

export function fakeAwsAccessKeyId(): string {
  return `AKIA${randomFrom(UPPER32, 16)}`;
}

export function fakeAwsSecretKey(): string {
  return randomFrom(B64, 40);
}

export function fakeSlackBotToken(): string {
  return `xoxb-${randomFrom('0123456789', 12)}-${randomFrom('0123456789', 13)}-${randomFrom(ALNUM, 24)}`;
}

export function fakeStripeLiveKey(): string {
  return `sk_live_${randomFrom(ALNUM, 24)}`;
}

export function fakePassword(): string {
  return `${randomFrom(ALNUM, 6)}#${randomFrom(ALNUM, 5)}`;
}

export function fakeHexSecret(n = 40): string {
  return randomFrom('0123456789abcdef', n);
}

export function fakeRsaPrivateKey(): string {
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 1024 });
  return privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
}

/** An MD5-crypt password hash ($1$salt$hash), as in a Cisco "secret 5" line: a review-tier finding. */
export function fakeMd5CryptHash(): string {
  const CRYPT = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
  return `$1$${randomFrom(CRYPT, 4)}$${randomFrom(CRYPT, 22)}`;
}
