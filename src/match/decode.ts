// Encoded content: base64 blocks (Kubernetes Secret data, Basic auth, base64 JSON key files), percent-encoding
// in URLs and \uXXXX escapes in JSON. Each span found is decoded and matched in place of the encoded text.
import RE2 from 're2';
import type { RawMatch } from '../model/index.js';
import type { IndexedMatch } from './indices.js';
import { isWordByte } from './chars.js';

export type Encoding = NonNullable<RawMatch['decoded']>;

/**
 * Literals whose presence makes decoding worth a pass over the file. They join the rules' keywords in the
 * one prefilter pass, so files without them pay nothing for decoding.
 */
export const DECODE_TRIGGERS: Record<Encoding, string[]> = {
  base64: [], // the base64 contexts' own triggers, below
  percent: ['%2f', '%2b', '%3d', '%40', '%3a', '%5f', '%2d'],
  'unicode-escape': ['\\u00'],
};

export interface EncodedSpan {
  start: number;
  end: number;
  encoding: Encoding;
  decoded: Buffer;
}

const MAX_ENCODED = 64 * 1024;
const B64 = '[A-Za-z0-9+/_-]';
/**
 * Base64 is everywhere (hashes, images, source maps), so only values in places where credentials are
 * base64-encoded are decoded: Kubernetes Secret data, Basic auth, Docker and npm `auth`, `base64:`/`| base64`,
 * and blobs that decode to JSON or PEM.
 */
interface Base64Context {
  /** Group 1 is the encoded value. */
  re: RE2;
  /** The match starts at a word boundary: the `\b` is checked per hit so that the pattern can start with a literal. */
  leadingBoundary?: boolean;
  /** A cheap check that the context can occur at all, before the pattern reads the file. */
  possible?: (content: Buffer) => boolean;
  /** The DECODE_TRIGGERS.base64 literals whose presence enables it. */
  triggers: string[];
}

const BASE64_CONTEXTS: Base64Context[] = [
  // Kubernetes Secret data, only in files that declare `kind: Secret`.
  { re: new RE2(`(?m)^[ \\t]+[\\w.-]+:[ \\t]+["']?(${B64}{8,}={0,2})["']?[ \\t]*$`, 'gd'), triggers: ['kind: secret'] },
  // A literal start lets RE2 skip ahead at memchr speed (201 -> 119 ms of base64 decoding on node_modules, with the next).
  { re: new RE2(`(?i)basic[ \\t]+(${B64}{8,}={0,2})`, 'gd'), leadingBoundary: true, triggers: ['basic '] },
  { re: new RE2(`(?i)base64[:,][ \\t]*(${B64}{12,}={0,2})`, 'gd'), triggers: ['base64'] },
  // `... | base64`: the word alone is in every encoder, the pipe before it is rare.
  { re: new RE2(`(${B64}{12,}={0,2})["']?[ \\t]*\\|[ \\t]*base64`, 'gd'), possible: pipedBase64, triggers: ['base64'] },
  // Blobs that decode to JSON, a JWT or PEM; `zxlk` is base64 of a JWT (`eyJ...` encoded again).
  { re: new RE2(`\\b((?:ewog|ewoi|eyJ0eXBl|LS0tLS1CRUdJT|ZXlK)${B64}{12,}={0,2})`, 'gd'), triggers: ['ewog', 'ewoi', 'eyj0exbl', 'ls0tls1crudjt', 'zxlk'] },
  // Docker's and npm's `auth`, one pattern per form: each starts with its literal, which RE2 skips to, and runs only
  // where its own trigger occurs (on node_modules one pattern for both took 60 ms, the two take 28 ms).
  { re: new RE2(`(?i)"auth"[ \\t]*:[ \\t]*"(${B64}{8,}={0,2})`, 'gd'), triggers: ['"auth"'] },
  { re: new RE2(`(?i)_auth[ \\t]*=[ \\t]*(${B64}{8,}={0,2})`, 'gd'), triggers: ['_auth'] },
];
/** Trigger -> the contexts it enables. */
const BASE64_CONTEXTS_BY_TRIGGER = new Map<string, Base64Context[]>();
for (const c of BASE64_CONTEXTS) for (const t of c.triggers) BASE64_CONTEXTS_BY_TRIGGER.set(t, [...(BASE64_CONTEXTS_BY_TRIGGER.get(t) ?? []), c]);
DECODE_TRIGGERS.base64.push(...BASE64_CONTEXTS_BY_TRIGGER.keys());

const HEX = (() => {
  const t = new Uint8Array(256);
  for (const c of '0123456789abcdefABCDEF') t[c.charCodeAt(0)] = 1;
  return t;
})();
/** Bytes that end a run of encoded text (RE2's `\s`, quotes): what `[^\s"']` leaves out. */
const RUN_END = (() => {
  const t = new Uint8Array(256);
  for (const c of ' \t\n\r\f"\'') t[c.charCodeAt(0)] = 1;
  return t;
})();
/** Percent-encoded runs also end at `<`, `>` and a backquote (markup and Markdown around a URL). */
const PERCENT_RUN_END = (() => {
  const t = RUN_END.slice();
  for (const c of '<>`') t[c.charCodeAt(0)] = 1;
  return t;
})();

/** Whether `\\uXXXX` starts at `at`. */
function unicodeEscapeAt(b: Buffer, at: number): boolean {
  return b[at] === 0x5c && b[at + 1] === 0x75 && HEX[b[at + 2]] === 1 && HEX[b[at + 3]] === 1 && HEX[b[at + 4]] === 1 && HEX[b[at + 5]] === 1;
}

/**
 * Runs of text holding \\uXXXX escapes: each a maximal run of escapes and characters other than spaces, quotes and
 * backslashes, with at least one escape. Found from the escapes (memchr-speed `indexOf`), not by a regular expression
 * over the whole file, which took 100 ms on node_modules for runs a few bytes long.
 */
export function unicodeEscapeRuns(b: Buffer, visit: (start: number, end: number) => void): void {
  let from = 0;
  for (;;) {
    let at = b.indexOf('\\u', from);
    while (at !== -1 && !unicodeEscapeAt(b, at)) at = b.indexOf('\\u', at + 1);
    if (at === -1) return;
    let start = at;
    for (;;) {
      const c = b[start - 1];
      if (start > 0 && c !== 0x5c && RUN_END[c] !== 1) start--;
      else if (start > 0 && c === 0x5c && unicodeEscapeAt(b, start - 1)) start--;
      else break;
    }
    let end = at;
    for (;;) {
      if (unicodeEscapeAt(b, end)) end += 6;
      else if (end < b.length && b[end] !== 0x5c && RUN_END[b[end]] !== 1) end++;
      else break;
    }
    if (end - start <= MAX_ENCODED) visit(start, end);
    from = end;
  }
}

/** Runs of percent-encoded text: maximal runs of characters other than spaces, quotes, `<`, `>` and a backquote, with a `%XX` in them. */
export function percentRuns(b: Buffer, visit: (start: number, end: number) => void): void {
  let from = 0;
  for (;;) {
    let at = b.indexOf(0x25, from);
    while (at !== -1 && !(HEX[b[at + 1]] === 1 && HEX[b[at + 2]] === 1)) at = b.indexOf(0x25, at + 1);
    if (at === -1) return;
    let start = at;
    while (start > 0 && PERCENT_RUN_END[b[start - 1]] !== 1) start--;
    let end = at + 3;
    while (end < b.length && PERCENT_RUN_END[b[end]] !== 1) end++;
    if (end - start <= MAX_ENCODED) visit(start, end);
    from = end;
  }
}

/** Printable text (tabs and newlines allowed): what a decoded secret or config looks like, unlike a hash. */
function isText(b: Buffer): boolean {
  if (b.length < 6) return false;
  let printable = 0;
  for (const c of b) if ((c >= 0x20 && c < 0x7f) || c === 0x0a || c === 0x0d || c === 0x09) printable++;
  return printable >= b.length * 0.97;
}

/**
 * `visit` gets group 1's span (the whole match's without a group). `leadingBoundary`: a match must start at a word
 * boundary, the `\b` left out of the pattern; past one that does not, the search goes on from the next byte.
 */
function runs(re: RE2, content: Buffer, visit: (start: number, end: number) => void, leadingBoundary = false): void {
  re.lastIndex = 0;
  for (;;) {
    const m = re.exec(content) as IndexedMatch | null;
    if (!m) break;
    const at = m.indices?.[0][0] ?? m.index;
    if (leadingBoundary && at > 0 && isWordByte(content[at - 1]) && isWordByte(content[at])) {
      re.lastIndex = at + 1;
      continue;
    }
    const g = m.indices?.[1] ?? [m.index, m.index + m[0].length];
    const [start, end] = g;
    if (end === start) {
      re.lastIndex = end + 1;
      continue;
    }
    if (end - start <= MAX_ENCODED) visit(start, end);
  }
}

/** Whether some `base64` in the content follows a `|` (spaces and tabs between). */
function pipedBase64(content: Buffer): boolean {
  for (let at = content.indexOf('base64'); at !== -1; at = content.indexOf('base64', at + 6)) {
    let i = at - 1;
    while (i >= 0 && (content[i] === 32 || content[i] === 9)) i--;
    if (i >= 0 && content[i] === 124) return true;
  }
  return false;
}

function decodeBase64(text: string): Buffer | undefined {
  const std = text.replace(/-/g, '+').replace(/_/g, '/');
  if (std.length % 4 === 1) return undefined;
  const out = Buffer.from(std, 'base64');
  return isText(out) ? out : undefined;
}

function decodePercent(text: string): Buffer {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '%' && /^[0-9A-Fa-f]{2}$/.test(text.slice(i + 1, i + 3))) {
      bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(text.charCodeAt(i) & 0xff);
  }
  return Buffer.from(bytes);
}

function decodeUnicode(text: string): Buffer {
  return Buffer.from(text.replace(/\\u([0-9A-Fa-f]{4})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))), 'utf8');
}

/** `triggers`: the lower-cased trigger literals that occur in the content. */
export function findEncodedSpans(content: Buffer, encodings: Set<Encoding>, triggers: Set<string> = new Set()): EncodedSpan[] {
  const spans: EncodedSpan[] = [];
  if (encodings.has('base64')) {
    const contexts = new Set<Base64Context>();
    for (const t of triggers) for (const c of BASE64_CONTEXTS_BY_TRIGGER.get(t) ?? []) contexts.add(c);
    const seen = new Set<number>();
    for (const context of contexts) {
      if (context.possible && !context.possible(content)) continue;
      runs(context.re, content, (start, end) => {
        if (seen.has(start)) return;
        seen.add(start);
        const decoded = decodeBase64(content.toString('latin1', start, end));
        if (decoded) spans.push({ start, end, encoding: 'base64', decoded });
      }, context.leadingBoundary);
    }
  }
  if (encodings.has('percent')) {
    percentRuns(content, (start, end) => {
      spans.push({ start, end, encoding: 'percent', decoded: decodePercent(content.toString('latin1', start, end)) });
    });
  }
  if (encodings.has('unicode-escape')) {
    unicodeEscapeRuns(content, (start, end) => {
      spans.push({ start, end, encoding: 'unicode-escape', decoded: decodeUnicode(content.toString('utf8', start, end)) });
    });
  }
  return spans;
}
