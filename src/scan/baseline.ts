// Baselines and the ignore file: what a team has already seen and does not want reported again.
// A baseline lists known tokens by fingerprint (rule id and keyed secret hash), never by line: moving code or
// renaming a file changes nothing in it. The ignore file lists fingerprints and path globs never to report.
import fs from 'node:fs';
import path from 'node:path';
import type { Inventory, Token } from '../model/index.js';
import type { ShadowscanConfig } from './config.js';
import { keyCheck } from './redact.js';

export const BASELINE_FILE_NAME = '.shadowscan-baseline.json';
export const IGNORE_FILE_NAME = '.shadowscanignore';
const BASELINE_VERSION = 1;

/** A baseline or ignore file that cannot be used: one line for the user. */
export class BaselineError extends Error {}

/** One known token. Fields other than these three (a `note`, say) are kept as they are by `add` and `prune`. */
export interface BaselineEntry {
  ruleId: string;
  /** The token's fingerprint: HMAC-SHA-256 of the secret under the fingerprint key (64 hex). */
  id: string;
  redacted: string;
  [extra: string]: unknown;
}

/** What a baseline's tokens were found in: the working tree, or every commit (`prune` scans the same). */
export type BaselineSource = 'tree' | 'history';

export interface Baseline {
  version: 1;
  /** Tells whether the baseline was made under the same fingerprint key (ids made under another key never match). */
  keyCheck: string;
  /** Absent in baselines written before it was recorded: those were pruned against the tree. */
  source?: BaselineSource;
  tokens: BaselineEntry[];
}

export { keyCheck };

export function emptyBaseline(fingerprintKey: string): Baseline {
  return { version: BASELINE_VERSION, keyCheck: keyCheck(fingerprintKey), tokens: [] };
}

const HEX64 = /^[0-9a-f]{64}$/;

export function readBaseline(file: string): Baseline {
  let doc: unknown;
  try {
    doc = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new BaselineError(`cannot read baseline ${file}: ${e.code === 'ENOENT' ? 'no such file' : e.message.split('\n')[0]}`);
  }
  const d = doc as Partial<Baseline> | null;
  if (!d || typeof d !== 'object' || d.version !== BASELINE_VERSION || !Array.isArray(d.tokens)) {
    throw new BaselineError(`${file} is not a shadowscan baseline (expected {"version": 1, "tokens": [...]}; make one with \`shadowscan baseline create\`)`);
  }
  for (const [i, t] of d.tokens.entries()) {
    if (!t || typeof t !== 'object' || typeof t.id !== 'string' || !HEX64.test(t.id) || typeof t.ruleId !== 'string') {
      throw new BaselineError(`${file}: entry ${i + 1} needs "ruleId" and a 64-hex "id"`);
    }
    if (typeof t.redacted !== 'string') t.redacted = '';
  }
  const b: Baseline = { version: BASELINE_VERSION, keyCheck: typeof d.keyCheck === 'string' ? d.keyCheck : '', tokens: d.tokens };
  if (d.source === 'tree' || d.source === 'history') b.source = d.source;
  return b;
}

function sortEntries(entries: BaselineEntry[]): BaselineEntry[] {
  const byId = new Map<string, BaselineEntry>();
  for (const e of entries) if (!byId.has(e.id)) byId.set(e.id, e);
  return [...byId.values()].sort((a, b) => (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** Sorted, one entry per line, keys in a fixed order, no dates: the same tokens always give the same bytes. */
export function serializeBaseline(b: Baseline): string {
  const lines = sortEntries(b.tokens).map((t) => {
    const { ruleId, id, redacted, ...extra } = t;
    const ordered: Record<string, unknown> = { ruleId, id, redacted };
    for (const k of Object.keys(extra).sort()) ordered[k] = extra[k];
    return `    ${JSON.stringify(ordered)}`;
  });
  return [
    '{',
    `  "version": ${BASELINE_VERSION},`,
    `  "keyCheck": ${JSON.stringify(b.keyCheck)},`,
    ...(b.source ? [`  "source": ${JSON.stringify(b.source)},`] : []),
    lines.length ? `  "tokens": [\n${lines.join(',\n')}\n  ]` : '  "tokens": []',
    '}',
    '',
  ].join('\n');
}

export function writeBaseline(file: string, b: Baseline): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, serializeBaseline(b));
  fs.renameSync(tmp, file);
}

export function entryOf(t: Token): BaselineEntry {
  return { ruleId: t.ruleId, id: t.id, redacted: t.redacted };
}

/** A baseline holding every token of the inventory, found in `source`. */
export function baselineFromInventory(inv: Inventory, fingerprintKey: string, source?: BaselineSource): Baseline {
  return { ...emptyBaseline(fingerprintKey), ...(source ? { source } : {}), tokens: sortEntries(inv.tokens.map(entryOf)) };
}

/** Adds the given tokens to a baseline (known entries keep their extra fields). Returns how many were new. */
export function addToBaseline(b: Baseline, tokens: Token[]): number {
  const known = new Set(b.tokens.map((t) => t.id));
  const fresh = tokens.filter((t) => !known.has(t.id));
  b.tokens = sortEntries([...b.tokens, ...fresh.map(entryOf)]);
  return new Set(fresh.map((t) => t.id)).size;
}

/** Drops the entries the inventory no longer has. */
export function pruneBaseline(b: Baseline, inv: Inventory): { kept: BaselineEntry[]; dropped: BaselineEntry[] } {
  const found = new Set(inv.tokens.map((t) => t.id));
  const kept = b.tokens.filter((t) => found.has(t.id));
  const dropped = b.tokens.filter((t) => !found.has(t.id));
  b.tokens = sortEntries(kept);
  return { kept, dropped };
}

/**
 * Splits tokens into new ones and known ones. A token is known when its fingerprint is in the baseline: the keyed
 * hash identifies the secret, so a rule refinement that describes a known token under another rule id does not
 * make it new.
 */
export function partitionTokens(tokens: Token[], b: Baseline): { fresh: Token[]; known: Token[] } {
  const ids = new Set(b.tokens.map((t) => t.id));
  const fresh: Token[] = [];
  const known: Token[] = [];
  for (const t of tokens) (ids.has(t.id) ? known : fresh).push(t);
  return { fresh, known };
}

export function keyMismatchWarning(file: string, b: Baseline, fingerprintKey: string): string | undefined {
  if (!b.keyCheck || b.keyCheck === keyCheck(fingerprintKey) || !b.tokens.length) return undefined;
  return `baseline ${file} was made with another fingerprint key (SHADOWSCAN_FINGERPRINT_KEY or fingerprintKey): none of its entries can match; recreate it with this key`;
}

/** The inventory without the baseline's tokens; scan.baseline says how many were left out. */
export function applyBaseline(inv: Inventory, b: Baseline, file: string, fingerprintKey: string): Inventory {
  const { fresh, known } = partitionTokens(inv.tokens, b);
  const warning = keyMismatchWarning(file, b, fingerprintKey);
  return {
    ...inv,
    scan: { ...inv.scan, warnings: warning ? [...inv.scan.warnings, warning] : inv.scan.warnings, baseline: { file, known: known.length } },
    tokens: fresh,
  };
}

export interface IgnoreFile {
  /** Token ids or prefixes of at least 6 hex digits. */
  fingerprints: string[];
  /** Path patterns in gitignore syntax, relative to the folder of the ignore file (see compileExcludes). */
  paths: string[];
}

const FINGERPRINT_LINE = /^[0-9a-fA-F]{6,64}$/;

/**
 * `.shadowscanignore`: one entry a line; `#` starts a comment (at the start of a line, or after a space).
 * A line of 6 to 64 hex digits is a fingerprint (a token id or its prefix); any other line is a path pattern in
 * gitignore syntax (`*.pem` at any depth, `/docs` or `docs/api` from the ignore file's folder, `!keep.pem` brings
 * one back). To ignore a path that looks like hex, write it as `/abcdef` (or `./abcdef`).
 */
export function parseIgnoreFile(text: string): IgnoreFile {
  const out: IgnoreFile = { fingerprints: [], paths: [] };
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/(^|\s)#.*$/, '').trim();
    if (!line) continue;
    if (FINGERPRINT_LINE.test(line)) out.fingerprints.push(line.toLowerCase());
    else out.paths.push(line);
  }
  return out;
}

/** Reads the ignore file in `root`, if there is one. */
export function readIgnoreFile(root: string): { file: string; ignore: IgnoreFile } | undefined {
  const file = path.join(root, IGNORE_FILE_NAME);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
    throw new BaselineError(`cannot read ${file}: ${(err as Error).message.split('\n')[0]}`);
  }
  return { file, ignore: parseIgnoreFile(text) };
}

/** The ignore file goes through the config's allowlist: its paths are never scanned, its fingerprints never reported. */
export function addIgnoreToConfig(config: ShadowscanConfig, ignore: IgnoreFile): ShadowscanConfig {
  return {
    ...config,
    allowlist: {
      ...config.allowlist,
      paths: [...config.allowlist.paths, ...ignore.paths],
      fingerprints: [...config.allowlist.fingerprints, ...ignore.fingerprints],
    },
  };
}
