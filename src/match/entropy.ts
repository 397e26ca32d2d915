/** Shannon entropy in bits per character. */
export function shannonEntropy(s: string): number {
  if (!s) return 0;
  const counts = new Map<number, number>();
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    counts.set(c, (counts.get(c) ?? 0) + 1);
  }
  let h = 0;
  for (const n of counts.values()) {
    const p = n / s.length;
    h -= p * Math.log2(p);
  }
  return h;
}

/**
 * Default minimum entropy for generic rules, by the alphabet the value uses. Random values of each
 * alphabet sit well above these; words, paths and repeated characters sit below.
 */
export function defaultMinEntropy(s: string): number {
  if (/^[0-9a-f]+$/i.test(s)) return 3.0;
  if (/^[A-Za-z0-9+/=_-]+$/.test(s)) return s.length >= 20 ? 3.5 : 2.5;
  return 2.5;
}
