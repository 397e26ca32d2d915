// The project config file (.shadowscan.yaml): excludes, allowlists, rule selection, fingerprint key, minimum score.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { DEFAULT_MIN_SCORE } from '../match/thresholds.js';
import { cacheDir, trustedFolder, writeCacheFile } from '../rules/cache-dir.js';
import { createRequire } from 'node:module';
import type { ValidateFunction } from 'ajv';

const requireLazy = createRequire(import.meta.url);

/** The config file's JSON Schema, published with the package. */
export const CONFIG_SCHEMA_PATH = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../schema/config.schema.json');

export interface ShadowscanConfig {
  exclude: string[];
  includeVendored?: boolean;
  maxFileSize?: number;
  /** false: archives and packages are not opened (as --no-archives). */
  archives?: boolean;
  /** Archives nested up to this depth are opened (as --archive-depth). */
  archiveDepth?: number;
  fingerprintKey?: string;
  /** Tokens scoring below this go to the review tier (default DEFAULT_MIN_SCORE). */
  minScore?: number;
  allowlist: { paths: string[]; secrets: string[]; stopwords: string[]; fingerprints: string[] };
  rules: { disable: string[]; paths: string[] };
  /** Where the config came from, if anywhere. */
  file?: string;
}

export const CONFIG_FILE_NAMES = ['.shadowscan.yaml', '.shadowscan.yml'];

/** Files (and blobs) larger than this are skipped, unless --max-file-size or maxFileSize in the config say otherwise. */
export const DEFAULT_MAX_FILE_SIZE = 50 * 1024 * 1024;

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

let validator: ValidateFunction | undefined;


/** An ajv error in words: where, and what is wrong there. */
function schemaError(e: NonNullable<ValidateFunction['errors']>[number]): string {
  const where = e.instancePath ? e.instancePath.slice(1).replace(/\//g, '.') : 'the top level';
  if (e.keyword === 'additionalProperties') return `unknown key "${(e.params as { additionalProperty: string }).additionalProperty}" in ${where}`;
  // An unquoted fingerprint prefix or key of digits (and one `e`) is a number to YAML: `1234e5678901` is 1.234e+5681.
  if (e.keyword === 'type' && (e.params as { type?: string }).type === 'string') {
    return `${where} must be a string: quote it (YAML reads 0123456789 or 1234e56 as a number)`;
  }
  if (e.instancePath === '/maxFileSize') return 'maxFileSize must be a number of bytes or a size such as 50MB or 512KB';
  if (e.instancePath === '/minScore') return `minScore must be a number from 0 to 1`;
  return `${where} ${e.message ?? 'is invalid'}`;
}

/**
 * A config's text parsed and checked against schema/config.schema.json. A config (and schema) that passed before
 * is read back from the user's cache folder as JSON, keyed by a digest of both: neither the YAML parser (about
 * 20 ms to load) nor ajv (about 60 ms) loads on a run whose config did not change, such as a pre-commit hook's.
 */
function parseConfig(text: string, file: string): Record<string, unknown> {
  const schemaText = fs.readFileSync(CONFIG_SCHEMA_PATH, 'utf8');
  const digest = crypto.createHash('sha256').update(schemaText).update('\0').update(text).digest('hex').slice(0, 16);
  const known = path.join(cacheDir(), `config-${digest}.json`);
  if (trustedFolder(path.dirname(known))) {
    try {
      return JSON.parse(fs.readFileSync(known, 'utf8')) as Record<string, unknown>;
    } catch {
      // not seen before (or unreadable): parse and check it
    }
  }
  let doc: Record<string, unknown>;
  try {
    doc = ((requireLazy('yaml') as typeof import('yaml')).parse(text) ?? {}) as Record<string, unknown>;
  } catch (err) {
    throw new ConfigError(`cannot read config ${file}: ${(err as Error).message.split('\n')[0]}`);
  }
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new ConfigError(`config ${file} must be a mapping`);
  if (!validator) {
    const { Ajv } = requireLazy('ajv') as typeof import('ajv');
    validator = new Ajv({ allErrors: true, strict: false }).compile(JSON.parse(schemaText));
  }
  if (!validator(doc)) {
    const errors = validator.errors ?? [];
    // The most telling error: an unknown key or a wrong type before the branches of a oneOf.
    const first = errors.find((e) => e.keyword === 'additionalProperties') ?? errors.find((e) => e.keyword !== 'oneOf' && e.keyword !== 'anyOf') ?? errors[0];
    throw new ConfigError(`config ${file}: ${first ? schemaError(first) : 'does not match schema/config.schema.json'}`);
  }
  // Only what JSON keeps as it is (YAML also has .inf and .nan, which the checks after this one refuse).
  const json = JSON.stringify(doc);
  if (isDeepStrictEqual(JSON.parse(json), doc)) writeCacheFile(known, json, /^config-[0-9a-f]{16}\.json$/);
  return doc;
}

/** Allowlisted secrets are RE2 patterns: each must compile before the scan starts (not in a worker, mid-scan). */
function checkSecretPatterns(patterns: string[], file: string): void {
  if (!patterns.length) return;
  const RE2 = requireLazy('re2') as typeof import('re2');
  patterns.forEach((p, i) => {
    try {
      new RE2(p);
    } catch (err) {
      throw new ConfigError(`config ${file}: allowlist.secrets[${i}] is not a pattern RE2 can compile (${JSON.stringify(p)}): ${(err as Error).message.split('\n')[0]}`);
    }
  });
}

export function loadConfig(file: string | undefined): ShadowscanConfig {
  const config = emptyConfig();
  if (!file) return config;
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read config ${file}: ${(err as Error).message.split('\n')[0]}`);
  }
  const doc = parseConfig(text, file);
  config.file = file;
  config.exclude = strings(doc.exclude, 'exclude');
  if (doc.includeVendored !== undefined) {
    if (typeof doc.includeVendored !== 'boolean') throw new ConfigError(`config ${file}: includeVendored must be true or false`);
    config.includeVendored = doc.includeVendored;
  }
  if (doc.maxFileSize !== undefined) {
    try {
      config.maxFileSize = parseSize(doc.maxFileSize as string | number);
    } catch (err) {
      throw new ConfigError(`config ${file}: maxFileSize: ${(err as Error).message}`);
    }
  }
  if (doc.archives !== undefined) {
    if (typeof doc.archives !== 'boolean') throw new ConfigError(`config ${file}: archives must be true or false`);
    config.archives = doc.archives;
  }
  if (doc.archiveDepth !== undefined) {
    if (!Number.isInteger(doc.archiveDepth) || (doc.archiveDepth as number) < 1) throw new ConfigError(`config ${file}: archiveDepth must be a whole number of at least 1`);
    config.archiveDepth = doc.archiveDepth as number;
  }
  if (doc.fingerprintKey !== undefined) {
    if (typeof doc.fingerprintKey !== 'string' || !doc.fingerprintKey) throw new ConfigError(`config ${file}: fingerprintKey must be a string: quote it`);
    config.fingerprintKey = doc.fingerprintKey;
  }
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
  checkSecretPatterns(config.allowlist.secrets, file);
  const rules = (doc.rules ?? {}) as Record<string, unknown>;
  const base = path.dirname(file);
  config.rules = { disable: strings(rules.disable, 'rules.disable'), paths: strings(rules.paths, 'rules.paths').map((p) => path.resolve(base, p)) };
  return config;
}

