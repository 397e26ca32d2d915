// The only two ways a secret leaves the scan layer: a keyed hash and a redacted prefix.
import crypto from 'node:crypto';

/** Documented default; set SHADOWSCAN_FINGERPRINT_KEY (or `fingerprintKey` in config) to make ids private to you. */
export const DEFAULT_FINGERPRINT_KEY = 'shadowscan-fingerprint-v1';

export function fingerprintSecret(key: string, secret: string): string {
  return crypto.createHmac('sha256', key).update(secret, 'utf8').digest('hex');
}

/**
 * A short keyed hash of a constant: equal for equal fingerprint keys, and says nothing about any secret. Baselines
 * and inventories carry it, so that ids made under another key (which can never match) are caught.
 */
export function keyCheck(fingerprintKey: string): string {
  return crypto.createHmac('sha256', fingerprintKey).update('shadowscan-baseline-key-check').digest('hex').slice(0, 16);
}

/** A short prefix (at most 6 characters, at most a quarter of the secret) and the length. */
export function redactSecret(secret: string): string {
  const flat = secret.replace(/\s+/g, ' ');
  const n = Math.min(6, Math.floor(flat.length / 4));
  return `${flat.slice(0, n)}…(${secret.length})`;
}

/** The keyed hash of a path that had to be redacted (it holds a secret): tools holding the key can still match it. */
export function fingerprintPath(key: string, realPath: string): string {
  return fingerprintSecret(key, realPath);
}

/** Replaces every known secret in any string by its redaction (longest secrets first). */
export class Scrubber {
  private readonly secrets = new Map<string, string>();
  private re: RegExp | undefined;

  get empty(): boolean {
    return this.secrets.size === 0;
  }

  add(secret: string, redacted: string): void {
    // Too short to replace blindly: the redaction of its name covers where it was found.
    if (secret.length < 4 || this.secrets.has(secret)) return;
    this.secrets.set(secret, redacted);
    this.re = undefined;
  }

  scrub(s: string): string {
    if (!this.secrets.size || !s) return s;
    this.re ??= new RegExp(
      [...this.secrets.keys()].sort((a, b) => b.length - a.length).map((x) => x.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'),
      'g',
    );
    return s.replace(this.re, (m) => this.secrets.get(m) ?? m);
  }
}
