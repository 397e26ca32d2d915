// The project config file (.shadowscan.yaml): excludes, allowlists, rule selection, fingerprint key, minimum score.
import fs from 'node:fs';
import path from 'node:path';
import { DEFAULT_MIN_SCORE } from '../match/thresholds.js';
import { createRequire } from 'node:module';

const requireLazy = createRequire(import.meta.url);

export interface ShadowscanConfig {
  exclude: string[];
  includeVendored?: boolean;
  maxFileSize?: number;
  fingerprintKey?: string;
  /** Tokens scoring below this go to the review tier (default DEFAULT_MIN_SCORE). */
  minScore?: number;
  allowlist: { paths: string[]; secrets: string[]; stopwords: string[]; fingerprints: string[] };
  rules: { disable: string[]; paths: string[] };
  /** Where the config came from, if anywhere. */
  file?: string;
}

export const CONFIG_FILE_NAMES = ['.shadowscan.yaml', '.shadowscan.yml'];

export class ConfigError extends Error {}

/** Below this score a token goes to the review tier, unless the config or --min-score says otherwise. */
export { DEFAULT_MIN_SCORE };

/** A minimum score: a number from 0 to 1. Undefined when `v` is not one. */
export function asMinScore(v: unknown): number | undefined {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) && n >= 0 && n <= 1 ? n : undefined;
}

export function emptyConfig(): ShadowscanConfig {
  return { exclude: [], allowlist: { paths: [], secrets: [], stopwords: [], fingerprints: [] }, rules: { disable: [], paths: [] } };
}

/** "50MB", "512k", "1048576" -> bytes. */
export function parseSize(s: string | number): number {
  if (typeof s === 'number') return s;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?\s*$/i.exec(s);
  if (!m) throw new ConfigError(`not a size: ${s} (use e.g. 50MB, 512KB, 1048576)`);
  const mult = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 }[m[2].toLowerCase() as '' | 'k' | 'm' | 'g' | 't'];
  return Math.round(parseFloat(m[1]) * mult);
}

function strings(v: unknown, where: string): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw new ConfigError(`${where} must be a list of strings`);
  return v as string[];
}

/** Finds the config for a scan: an explicit file, else .shadowscan.yaml in the first target folder. */
export function findConfigFile(explicit: string | undefined, targets: string[]): string | undefined {
  if (explicit) {
    if (!fs.existsSync(explicit)) throw new ConfigError(`config file does not exist: ${explicit}`);
    return explicit;
  }
  const dir = targets.find((t) => fs.statSync(t, { throwIfNoEntry: false })?.isDirectory()) ?? '.';
  for (const name of CONFIG_FILE_NAMES) {
    const p = path.join(dir, name);
    if (fs.existsSync(p)) return p;
  }
  return undefined;
}

export function loadConfig(file: string | undefined): ShadowscanConfig {
  const config = emptyConfig();
  if (!file) return config;
  let doc: Record<string, unknown>;
  try {
    doc = ((requireLazy('yaml') as typeof import('yaml')).parse(fs.readFileSync(file, 'utf8')) ?? {}) as Record<string, unknown>;
  } catch (err) {
    throw new ConfigError(`cannot read config ${file}: ${(err as Error).message.split('\n')[0]}`);
  }
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new ConfigError(`config ${file} must be a mapping`);
  const known = new Set(['exclude', 'includeVendored', 'maxFileSize', 'fingerprintKey', 'minScore', 'allowlist', 'rules']);
  for (const k of Object.keys(doc)) if (!known.has(k)) throw new ConfigError(`config ${file}: unknown key "${k}"`);
  config.file = file;
  config.exclude = strings(doc.exclude, 'exclude');
  if (doc.includeVendored !== undefined) config.includeVendored = Boolean(doc.includeVendored);
  if (doc.maxFileSize !== undefined) config.maxFileSize = parseSize(doc.maxFileSize as string | number);
  if (typeof doc.fingerprintKey === 'string') config.fingerprintKey = doc.fingerprintKey;
  if (doc.minScore !== undefined) {
    // A number in the YAML, not a string that looks like one.
    const min = typeof doc.minScore === 'number' ? asMinScore(doc.minScore) : undefined;
    if (min === undefined) throw new ConfigError(`config ${file}: minScore must be a number from 0 to 1 (got ${JSON.stringify(doc.minScore)})`);
    config.minScore = min;
  }
  const allow = (doc.allowlist ?? {}) as Record<string, unknown>;
  config.allowlist = {
    paths: strings(allow.paths, 'allowlist.paths'),
    secrets: strings(allow.secrets, 'allowlist.secrets'),
    stopwords: strings(allow.stopwords, 'allowlist.stopwords'),
    fingerprints: strings(allow.fingerprints, 'allowlist.fingerprints'),
  };
  const rules = (doc.rules ?? {}) as Record<string, unknown>;
  const base = path.dirname(file);
  config.rules = { disable: strings(rules.disable, 'rules.disable'), paths: strings(rules.paths, 'rules.paths').map((p) => path.resolve(base, p)) };
  return config;
}
