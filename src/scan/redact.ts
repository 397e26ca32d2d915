// The only two ways a secret leaves the scan layer: a keyed hash and a redacted prefix.
import crypto from 'node:crypto';

/** Documented default; set SHADOWSCAN_FINGERPRINT_KEY (or `fingerprintKey` in config) to make ids private to you. */
export const DEFAULT_FINGERPRINT_KEY = 'shadowscan-fingerprint-v1';

export function fingerprintSecret(key: string, secret: string): string {
  return crypto.createHmac('sha256', key).update(secret, 'utf8').digest('hex');
}

/** A short prefix (at most 6 characters, at most a quarter of the secret) and the length. */
export function redactSecret(secret: string): string {
  const flat = secret.replace(/\s+/g, ' ');
  const n = Math.min(6, Math.floor(flat.length / 4));
  return `${flat.slice(0, n)}…(${secret.length})`;
}
