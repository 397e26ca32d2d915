#!/usr/bin/env node
// Trains the word-likeness model and writes src/match/wordlike-model.ts (about 30 s).
//   node scripts/train-wordlike.mjs [--out src/match/wordlike-model.ts] [--man-mb 12]
//
// The model: a character trigram model over a case-folded 42-symbol alphabet (boundary, a-z, each digit,
// four punctuation classes, non-ASCII letter; accented Latin letters fold to their base letter), plus a
// 6-gram model of character classes (boundary, lower, upper, digit, separator `_-./\:`, other symbol) that
// carries case and letter/digit/symbol transitions; both interpolated Kneser-Ney (D = 0.75). Costs are
// stored as quantized -log2 probabilities (1/16 bit), so scoring is table look-ups only
// (src/match/wordlike.ts). The two per-character costs are combined by a logistic regression fitted on the
// development bucket (word-like values vs random secrets).
// Tried on the development bucket and not kept: a 4-gram or 5-gram character model (+0.001 AUC on human
// passwords, -0.002 on random, and a sparse table), folding all digits into one symbol (much worse: random
// hex then reads like numbers), a separate letter-case model (no weight once the class model is in),
// inserting word boundaries at camelCase humps (no gain), the value's length as a feature (it would learn
// that secrets are long, which is the scorer's business).
//
// Training text (not committed; read from this machine, no network). Sizes as of the committed model:
//   - code: identifiers, short string literals (<= 120 chars) and comments of the 3,962 JS/TS files in
//     node_modules (every package except shadowscan itself, which links back to this repo, and
//     @secretlint, whose rules carry secret patterns and fake secrets), and of the 636 Python standard
//     library files under /usr/lib/python3.*/ (docstrings and comments count as prose).
//   - English prose: the 441 README/markdown files in node_modules (code blocks, links, HTML dropped), and
//     English man pages under /usr/share/man/man[1-8] (roff stripped; pages taken in path-hash order up
//     to --man-mb MB of roff: 2,568 pages).
//   Filters: minified files (average line > 250 chars), *.min.js, test/fixture/vector directories; tokens
//   that look like data are dropped (hex runs of 12+, base64-like runs with many case/digit switches, 6+
//   letters without a vowel, 4+ letter/digit alternations, 6+ digit runs, anything over 64 characters);
//   a string literal holding such a token, or code/markup, is dropped whole. Every unit (identifier,
//   literal, prose line) is deduplicated, so a common identifier counts once; identifiers weigh 3,
//   literals 2, prose lines 1 (code is short next to prose, and identifiers should shape the model).
//   Split: each unit goes to a bucket by FNV-1a hash of its own text: buckets 0-1 (20%) are held out for
//   scripts/eval-wordlike.mjs, bucket 2 (10%) is the development set (used here to fit the [0, 1]
//   mapping), buckets 3-9 (70%) train the model: 280,979 distinct units, 10.8 M characters (man pages
//   3.6 M, code comments 3.1 M, Python docstrings/comments 1.8 M, markdown 0.7 M, identifiers 0.9 M,
//   literals 0.8 M; per-source counts are also written into the generated header). So no evaluation value
//   is ever a training unit. (A word inside a training sentence can still equal an evaluation word: a
//   model of words has to see words.)
//
// Reproducible: inputs are listed and sorted, sampling is by hash, the calibration set uses a seeded
// generator, and the output is byte-identical across runs on the same inputs. A different set of
// node_modules or man pages gives a slightly different model; the header of the output says what it saw.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import crypto from 'node:crypto';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// node_modules of this checkout (in a git worktree it may be a link to the main checkout's).
export const NODE_MODULES = (() => {
  try {
    return fs.realpathSync(path.join(REPO, 'node_modules'));
  } catch {
    return path.join(REPO, 'node_modules');
  }
})();
const SKIP_PACKAGES = new Set(['shadowscan', '@secretlint', '.bin', '.cache', '.vite', '.vitest']);

// ---------------------------------------------------------------------------------------------------------
// Alphabet. Kept in step with src/match/wordlike.ts through the generated SYMBOL_OF_ASCII table.

export const BOUNDARY = 0;
export const SYMBOL_COUNT = 42;
const SYM_JOINER = 37; // _ -
const SYM_DOT = 38; // .
const SYM_PATH = 39; // / \ : @
const SYM_PUNCT = 40; // any other ASCII punctuation
export const SYM_NON_ASCII = 41; // a letter outside ASCII (umlauts, accents, other scripts)

export const SYMBOL_OF_ASCII = (() => {
  const t = new Uint8Array(128).fill(SYM_PUNCT);
  for (let c = 0; c < 128; c++) {
    const ch = String.fromCharCode(c);
    if (c <= 32 || c === 127) t[c] = BOUNDARY;
    else if (ch >= 'a' && ch <= 'z') t[c] = 1 + c - 97;
    else if (ch >= 'A' && ch <= 'Z') t[c] = 1 + c - 65;
    else if (ch >= '0' && ch <= '9') t[c] = 27 + c - 48;
    else if (ch === '_' || ch === '-') t[c] = SYM_JOINER;
    else if (ch === '.') t[c] = SYM_DOT;
    else if ('/\\:@'.includes(ch)) t[c] = SYM_PATH;
  }
  return t;
})();

/** Character classes for the class model. */
export const CLS_BOUNDARY = 0, CLS_LOWER = 1, CLS_UPPER = 2, CLS_DIGIT = 3, CLS_SYMBOL = 4, CLS_JOINER = 5;
export const CLASS_COUNT = 6;

/**
 * Latin letters with diacritics (U+00C0-U+024F) read as their base letter, so "Passwort vergessen" and
 * "Contraseña" are scored like the English-trained words they resemble.
 */
export const LATIN_FOLD_FIRST = 0xc0;
export const LATIN_FOLD = (() => {
  const extra = { æ: 'a', ð: 'd', ø: 'o', þ: 't', ß: 's', đ: 'd', ħ: 'h', ı: 'i', ł: 'l', ŀ: 'l', ŋ: 'n', œ: 'o', ŧ: 't', ſ: 's' };
  const t = new Uint8Array(0x250 - LATIN_FOLD_FIRST);
  for (let c = LATIN_FOLD_FIRST; c < 0x250; c++) {
    const ch = String.fromCharCode(c);
    const base = (extra[ch.toLowerCase()] ?? ch.normalize('NFD')[0]).toLowerCase();
    if (ch === '×' || ch === '÷') t[c - LATIN_FOLD_FIRST] = SYM_PUNCT;
    else if (base >= 'a' && base <= 'z') t[c - LATIN_FOLD_FIRST] = 1 + base.charCodeAt(0) - 97;
    else t[c - LATIN_FOLD_FIRST] = SYM_NON_ASCII;
  }
  return t;
})();

export function symbolOf(code) {
  if (code < 128) return SYMBOL_OF_ASCII[code];
  if (code >= LATIN_FOLD_FIRST && code < 0x250) return LATIN_FOLD[code - LATIN_FOLD_FIRST];
  if (isWideSpace(code)) return BOUNDARY;
  if (code < LATIN_FOLD_FIRST || (code >= 0x2000 && code <= 0x206f) || (code >= 0x3000 && code <= 0x303f) || (code >= 0xff00 && code <= 0xff0f)) return SYM_PUNCT;
  return SYM_NON_ASCII;
}
/** Non-ASCII spaces: no-break, the U+2000 block, ideographic. */
export function isWideSpace(code) {
  return code === 0xa0 || (code >= 0x2000 && code <= 0x200b) || code === 0x202f || code === 0x205f || code === 0x3000 || code === 0xfeff;
}
export function classOf(code) {
  if (code >= 97 && code <= 122) return CLS_LOWER;
  if (code >= 65 && code <= 90) return CLS_UPPER;
  if (code >= 48 && code <= 57) return CLS_DIGIT;
  if (code <= 32 || code === 127) return CLS_BOUNDARY;
  if (code >= 128) {
    const sym = symbolOf(code);
    if (sym === BOUNDARY) return CLS_BOUNDARY;
    if (sym === SYM_PUNCT) return CLS_SYMBOL;
    const ch = String.fromCharCode(code);
    return ch !== ch.toLowerCase() ? CLS_UPPER : CLS_LOWER; // caseless scripts read as lower-case text
  }
  // Separators of identifiers, paths and versions apart from other punctuation, which passwords favour.
  return '_-./\\:'.includes(String.fromCharCode(code)) ? CLS_JOINER : CLS_SYMBOL;
}

// ---------------------------------------------------------------------------------------------------------
// Split by hash.

export function fnv1a(s) {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
/** 'eval' (20%), 'dev' (10%) or 'train' (70%), by the unit's own text. */
export function bucketOf(text) {
  const b = fnv1a(text) % 10;
  return b < 2 ? 'eval' : b === 2 ? 'dev' : 'train';
}

// ---------------------------------------------------------------------------------------------------------
// Data filters: what is a blob, not words.

const VOWEL = /[aeiouyAEIOUY]/;
/** A token (no whitespace) that looks like encoded data rather than words or an identifier. */
export function isBlobToken(tok) {
  if (tok.length > 64) return true;
  if (tok.length >= 12 && /^[0-9a-fA-F]+$/.test(tok) && /\d/.test(tok) && /[a-fA-F]/.test(tok)) return true;
  if (/[b-df-hj-np-tv-xzB-DF-HJ-NP-TV-XZ]{6,}/.test(tok)) return true; // 6+ letters without a vowel
  if (/\d{6,}/.test(tok)) return true; // ids, timestamps, phone numbers, digits of keys
  let switches = 0, letterDigit = 0, prev = -1;
  for (let i = 0; i < tok.length; i++) {
    const c = tok.charCodeAt(i);
    const cls = c >= 97 && c <= 122 ? 1 : c >= 65 && c <= 90 ? 2 : c >= 48 && c <= 57 ? 3 : 0;
    if (cls && prev > 0 && cls !== prev) {
      // lower->upper inside a camelCase name is one switch per word; random text switches all the time
      switches++;
      if (cls === 3 || prev === 3) letterDigit++;
    }
    prev = cls || prev;
  }
  if (letterDigit >= 4) return true;
  if (tok.length >= 12 && switches / tok.length > 0.3) return true;
  if (tok.length >= 16 && /^[A-Za-z0-9+/=]+$/.test(tok) && /\d/.test(tok) && /[A-Z]/.test(tok) && /[a-z]/.test(tok) && !/[a-z]{4}/.test(tok)) return true;
  return false;
}

const URL = /\b(?:https?|ftp|file|git|ssh):\/\/\S+|\bwww\.\S+|\S+@\S+\.\w+/g;

/** A line of prose: URLs, e-mail addresses and blob tokens removed, whitespace collapsed. */
export function cleanProse(line) {
  const toks = line.replace(URL, ' ').split(/\s+/).filter((t) => t && !isBlobToken(t));
  const out = toks.join(' ');
  return /[A-Za-z]{2}/.test(out) ? out : '';
}

// ---------------------------------------------------------------------------------------------------------
// Sources. Each yields units { kind, text, source } where kind is 'identifier', 'string', 'prose'.

function* walk(dir, accept, skipDir) {
  let entries;
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isSymbolicLink()) continue; // shadowscan -> .. and bin links
    if (e.isDirectory()) {
      if (!skipDir(e.name, p)) yield* walk(p, accept, skipDir);
    } else if (e.isFile() && accept(e.name, p)) yield p;
  }
}

const TEST_DIRS = new Set(['test', 'tests', '__tests__', 'fixtures', '__fixtures__', 'testdata', 'vectors', 'spec', '__snapshots__', 'idle_test']);

export function listNodeModulesFiles(exts) {
  const files = [...walk(NODE_MODULES, (name) => exts.some((x) => name.endsWith(x)) && !name.endsWith('.min.js'), (name, p) => {
    if (TEST_DIRS.has(name)) return true;
    const rel = path.relative(NODE_MODULES, p);
    return SKIP_PACKAGES.has(rel.split(path.sep)[0]) || SKIP_PACKAGES.has(name);
  })];
  return files;
}

export function isMinified(text) {
  const lines = text.split('\n').length;
  return text.length / lines > 250;
}

const JS_LEX = /(\/\/[^\n]*)|(\/\*[\s\S]*?\*\/)|('(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|`(?:[^`\\$\n]|\\.|\$(?!\{))*`)|([A-Za-z_$][\w$]*)|[^'"`/A-Za-z_$]+|[\s\S]/gy;
const PY_LEX = /(#[^\n]*)|("""[\s\S]*?"""|'''[\s\S]*?''')|([rbufRBUF]{0,2}(?:'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"))|([A-Za-z_]\w*)|[^'"#A-Za-z_]+|[\s\S]/gy;

function unescapeLiteral(s) {
  return s.replace(/\\[nrt]/g, ' ').replace(/\\(.)/g, '$1');
}

/** Units from one JS/TS or Python file. */
export function* codeUnits(text, lang) {
  const lex = lang === 'py' ? PY_LEX : JS_LEX;
  lex.lastIndex = 0;
  let m;
  while ((m = lex.exec(text))) {
    if (lang === 'py') {
      if (m[1]) yield* proseUnits(m[1].slice(1));
      else if (m[2]) yield* proseUnits(m[2].slice(3, -3));
      else if (m[3]) yield* stringUnit(m[3].replace(/^[rbufRBUF]+/, '').slice(1, -1));
      else if (m[4]) yield* identifierUnit(m[4]);
    } else {
      if (m[1]) yield* proseUnits(m[1].replace(/^\/\/+/, ''));
      else if (m[2]) yield* proseUnits(m[2].slice(2, -2).replace(/^\s*\*+/gm, ' '));
      else if (m[3]) yield* stringUnit(m[3].slice(1, -1));
      else if (m[4]) yield* identifierUnit(m[4]);
    }
  }
}

function* identifierUnit(id) {
  if (id.length >= 2 && !isBlobToken(id)) yield { kind: 'identifier', text: id };
}

function* stringUnit(raw) {
  const s = unescapeLiteral(raw).trim();
  if (!s || s.length > 120 || !/[A-Za-z]/.test(s)) return;
  if (s.split(/\s+/).some(isBlobToken)) return; // a literal holding data is dropped whole
  if (/[{}();<>]|=>/.test(s) && s.includes(' ')) return; // code, CSS or markup in a string
  yield { kind: 'string', text: s };
}

function* proseUnits(block) {
  for (const line of block.split('\n')) {
    const text = cleanProse(line.replace(/[*#>|`]+/g, ' ').trim());
    if (text.length >= 3) yield { kind: 'prose', text };
  }
}

/** Markdown without code blocks, link targets, HTML tags and table rules. */
export function* markdownUnits(md) {
  const noCode = md.replace(/```[\s\S]*?```|~~~[\s\S]*?~~~/g, '\n').replace(/<!--[\s\S]*?-->/g, '\n');
  const text = noCode
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/<[^>\n]+>/g, ' ')
    .replace(/`[^`\n]*`/g, ' ')
    .replace(/^\s*[-|: ]{3,}$/gm, ' ');
  yield* proseUnits(text);
}

/** Man page roff source to prose lines. */
export function* manUnits(roff) {
  for (let line of roff.split('\n')) {
    if (/^['.]\s*\\"/.test(line) || /^\.\s*(?:de|ds|nr|if|ie|el|so|tr|ta|ti|in|ft|ps|vs|ll|ne|sp|br|fi|nf|TH|Dd|Dt|Os)\b/.test(line)) continue;
    if (line.startsWith('.') || line.startsWith("'")) line = line.replace(/^['.]\s*\S+\s*/, '').replace(/"/g, ' ');
    line = line
      .replace(/\\f(?:\[[^\]]*\]|\(..|.)/g, '')
      .replace(/\\\*(?:\[[^\]]*\]|\(..|.)/g, '')
      .replace(/\\\((?:..)/g, ' ')
      .replace(/\\\[[^\]]*\]/g, ' ')
      .replace(/\\s[-+]?\d/g, '')
      .replace(/\\[-e]/g, (x) => (x === '\\-' ? '-' : '\\'))
      .replace(/\\[&|^%:!cdu)]/g, '')
      .replace(/\\(.)/g, '$1');
    yield* proseUnits(line);
  }
}

export function listManPages() {
  const files = [];
  for (let s = 1; s <= 8; s++) {
    const dir = `/usr/share/man/man${s}`;
    if (!fs.existsSync(dir)) continue;
    for (const f of fs.readdirSync(dir).sort()) {
      const p = path.join(dir, f);
      if (f.endsWith('.gz') && fs.lstatSync(p).isFile()) files.push(p);
    }
  }
  return files;
}

export function listPythonFiles() {
  const roots = fs.existsSync('/usr/lib') ? fs.readdirSync('/usr/lib').filter((d) => /^python3\.\d+$/.test(d)).sort() : [];
  const files = [];
  for (const r of roots) {
    files.push(...walk(path.join('/usr/lib', r), (name) => name.endsWith('.py'), (name) => TEST_DIRS.has(name) || name === 'site-packages' || name === 'dist-packages' || name === '__pycache__'));
  }
  return files;
}

/**
 * Every unit of every source, tagged with its source family. Deterministic order. `manBytes` caps the man
 * page text (the man1 section alone unpacks to hundreds of MB): pages are taken in path-hash order.
 */
export function* allUnits({ manBytes = 12e6, log = () => {} } = {}) {
  let n = 0;
  for (const f of listNodeModulesFiles(['.js', '.mjs', '.cjs', '.ts', '.mts', '.cts'])) {
    const text = fs.readFileSync(f, 'utf8');
    if (text.length > 20e6 || isMinified(text)) continue;
    n++;
    for (const u of codeUnits(text, 'js')) yield { ...u, source: 'npm-code' };
  }
  log(`npm code files: ${n}`);
  n = 0;
  for (const f of listNodeModulesFiles(['.md', '.markdown'])) {
    n++;
    for (const u of markdownUnits(fs.readFileSync(f, 'utf8'))) yield { ...u, source: 'npm-markdown' };
  }
  log(`npm markdown files: ${n}`);
  n = 0;
  for (const f of listPythonFiles()) {
    n++;
    for (const u of codeUnits(fs.readFileSync(f, 'utf8'), 'py')) yield { ...u, source: 'python' };
  }
  log(`python files: ${n}`);
  const pages = listManPages().sort((a, b) => fnv1a(a) - fnv1a(b) || (a < b ? -1 : 1));
  let bytes = 0;
  n = 0;
  for (const f of pages) {
    if (bytes >= manBytes) break;
    let roff;
    try {
      roff = zlib.gunzipSync(fs.readFileSync(f)).toString('utf8');
    } catch {
      continue;
    }
    if (/^\.so\s/m.test(roff.slice(0, 200)) && roff.length < 200) continue; // a link to another page
    bytes += roff.length;
    n++;
    for (const u of manUnits(roff)) yield { ...u, source: 'man' };
  }
  log(`man pages: ${n} (${(bytes / 1e6).toFixed(1)} MB roff)`);
}

/** Distinct units per bucket: { train: Map(text -> kind), dev, eval } with source counts. */
export function collectUnits(opts = {}) {
  const buckets = { train: new Map(), dev: new Map(), eval: new Map() };
  for (const u of allUnits(opts)) {
    const b = buckets[bucketOf(u.text)];
    if (!b.has(u.text)) b.set(u.text, u);
  }
  return buckets;
}

// ---------------------------------------------------------------------------------------------------------
// Seeded randomness (for calibration positives here and the evaluation set): AES-256-CTR keystream.

export function seededBytes(seed) {
  const key = crypto.createHash('sha256').update(String(seed)).digest();
  const cipher = crypto.createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
  let buf = Buffer.alloc(0), pos = 0;
  return (n) => {
    if (pos + n > buf.length) {
      buf = Buffer.concat([buf.subarray(pos), cipher.update(Buffer.alloc(Math.max(4096, n)))]);
      pos = 0;
    }
    const out = buf.subarray(pos, pos + n);
    pos += n;
    return out;
  };
}

/** Uniform integer in [0, n) from a byte source (rejection sampling, no modulo bias). */
export function randInt(bytes, n) {
  if (n <= 1) return 0;
  const limit = Math.floor(0x100000000 / n) * n;
  for (;;) {
    const x = bytes(4).readUInt32BE(0);
    if (x < limit) return x % n;
  }
}

export function randomString(bytes, alphabet, len) {
  let s = '';
  for (let i = 0; i < len; i++) s += alphabet[randInt(bytes, alphabet.length)];
  return s;
}

export const ALPHABETS = {
  hex: '0123456789abcdef',
  HEX: '0123456789ABCDEF',
  base64: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/',
  base64url: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_',
  base62: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789',
  alnumLower: 'abcdefghijklmnopqrstuvwxyz0123456789',
  alnumUpper: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789',
  letters: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz',
  printable: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#$%&()*+,-./:;<=>?@[]^_{|}~',
};

/** A random secret: one of the alphabets above, 8-64 characters; base64 with its padding. */
export function randomSecret(bytes) {
  const names = Object.keys(ALPHABETS);
  const name = names[randInt(bytes, names.length)];
  const len = 8 + randInt(bytes, 57);
  if (name === 'base64') {
    const raw = bytes(Math.max(6, Math.round((len * 3) / 4)));
    return { alphabet: name, value: Buffer.from(raw).toString('base64') };
  }
  return { alphabet: name, value: randomString(bytes, ALPHABETS[name], len) };
}

// ---------------------------------------------------------------------------------------------------------
// Emission: the symbol and class streams the models see. src/match/wordlike.ts does the same in one loop:
// whitespace runs collapse into one boundary, leading whitespace is dropped, and the sequence is padded
// with boundaries on the left and ends with one boundary (unless it already ends in one).

/** Symbols of `text` after collapsing, without padding. */
export function symbolStream(text) {
  const out = [];
  let prev = BOUNDARY;
  for (let i = 0; i < text.length; i++) {
    const s = symbolOf(text.charCodeAt(i));
    if (s === BOUNDARY && prev === BOUNDARY) continue;
    out.push(s);
    prev = s;
  }
  if (prev !== BOUNDARY) out.push(BOUNDARY);
  return out;
}
export function classStream(text) {
  const out = [];
  let prev = CLS_BOUNDARY;
  for (let i = 0; i < text.length; i++) {
    const c = classOf(text.charCodeAt(i));
    if (c === CLS_BOUNDARY && prev === CLS_BOUNDARY) continue;
    out.push(c);
    prev = c;
  }
  if (prev !== CLS_BOUNDARY) out.push(CLS_BOUNDARY);
  return out;
}
// ---------------------------------------------------------------------------------------------------------
// Models.

export const CHAR_ORDER = 3;
export const CLASS_ORDER = 6;
export const COST_SCALE = 16; // costs are stored in 1/16 bit, capped at 255 (15.9 bits)
const DISCOUNT = 0.75;
/** Units of code are short and few next to prose lines: weigh them up so identifiers shape the model. */
export const KIND_WEIGHT = { identifier: 3, string: 2, prose: 1 };

/** Weighted n-gram counts over an alphabet of size A, as a dense Float64Array of A^order. */
function countNgrams(seqs, order, A) {
  const counts = new Float64Array(A ** order);
  const mod = A ** (order - 1);
  for (const [seq, w] of seqs) {
    let h = 0; // left padding with boundaries (symbol 0) is implicit: h starts at 0
    for (const s of seq) {
      h = (h % mod) * A + s;
      counts[h] += w;
    }
  }
  return counts;
}

/**
 * Interpolated Kneser-Ney: P_n(s | h) = max(c(h s) - D, 0) / c(h) + D N1+(h .) / c(h) P_{n-1}(s | h'),
 * with continuation counts for the lower orders and a uniform floor. Returns -log2 P as a dense table.
 */
export function kneserNey(counts, order, A, D = DISCOUNT) {
  const levels = [];
  levels[order] = counts;
  for (let n = order - 1; n >= 1; n--) {
    // continuation count of an n-gram: how many distinct symbols precede it
    const up = levels[n + 1], cur = new Float64Array(A ** n), size = A ** n;
    for (let k = 0; k < up.length; k++) if (up[k] > 0) cur[k % size] += 1;
    levels[n] = cur;
  }
  let lower = null;
  for (let n = 1; n <= order; n++) {
    const cnt = levels[n], p = new Float64Array(A ** n), ctxs = A ** (n - 1), lowerCtxs = A ** Math.max(0, n - 2);
    for (let h = 0; h < ctxs; h++) {
      let tot = 0, types = 0;
      for (let s = 0; s < A; s++) {
        tot += cnt[h * A + s];
        if (cnt[h * A + s] > 0) types++;
      }
      for (let s = 0; s < A; s++) {
        const back = n === 1 ? 1 / A : lower[(h % lowerCtxs) * A + s];
        p[h * A + s] = tot > 0 ? Math.max(cnt[h * A + s] - D, 0) / tot + ((D * types) / tot) * back : back;
      }
    }
    lower = p;
  }
  return lower;
}

export function quantizeCosts(probs) {
  const out = new Uint8Array(probs.length);
  for (let i = 0; i < probs.length; i++) out[i] = Math.min(255, Math.round(-Math.log2(probs[i]) * COST_SCALE));
  return out;
}

/** Trains the two tables from weighted units [{ kind, text }]. */
export function trainTables(units) {
  const weighted = units.map((u) => [u.text, KIND_WEIGHT[u.kind]]);
  const charCounts = countNgrams(weighted.map(([t, w]) => [symbolStream(t), w]), CHAR_ORDER, SYMBOL_COUNT);
  const classCounts = countNgrams(weighted.map(([t, w]) => [classStream(t), w]), CLASS_ORDER, CLASS_COUNT);
  return {
    charCost: quantizeCosts(kneserNey(charCounts, CHAR_ORDER, SYMBOL_COUNT)),
    classCost: quantizeCosts(kneserNey(classCounts, CLASS_ORDER, CLASS_COUNT)),
  };
}

/** Per-character costs in bits [char, class] under the quantized tables: the reference scorer. */
export function features(tables, text) {
  const n = text.length + 1;
  let charSum = 0, classSum = 0, h = 0;
  const charMod = SYMBOL_COUNT ** (CHAR_ORDER - 1), classMod = CLASS_COUNT ** (CLASS_ORDER - 1);
  for (const s of symbolStream(text)) {
    h = (h % charMod) * SYMBOL_COUNT + s;
    charSum += tables.charCost[h];
  }
  h = 0;
  for (const c of classStream(text)) {
    h = (h % classMod) * CLASS_COUNT + c;
    classSum += tables.classCost[h];
  }
  return [charSum / COST_SCALE / n, classSum / COST_SCALE / n];
}

/**
 * Class-balanced logistic regression with a small L2 penalty (Newton's method, deterministic): y = 1 for
 * word-like. Returns raw-feature weights [w_char, w_class] and the bias.
 */
export function fitLogistic(rows, lambda = 1e-3) {
  const d = rows[0].x.length;
  const mu = new Array(d).fill(0), sd = new Array(d).fill(0);
  for (const r of rows) r.x.forEach((v, k) => (mu[k] += v / rows.length));
  for (const r of rows) r.x.forEach((v, k) => (sd[k] += (v - mu[k]) ** 2 / rows.length));
  for (let k = 0; k < d; k++) sd[k] = Math.sqrt(sd[k]) || 1;
  const X = rows.map((r) => [...r.x.map((v, k) => (v - mu[k]) / sd[k]), 1]);
  const pos = rows.filter((r) => r.y).length, neg = rows.length - pos;
  const sw = rows.map((r) => (r.y ? 0.5 / pos : 0.5 / neg));
  let w = new Array(d + 1).fill(0);
  for (let it = 0; it < 50; it++) {
    const g = new Array(d + 1).fill(0), H = Array.from({ length: d + 1 }, () => new Array(d + 1).fill(0));
    X.forEach((x, i) => {
      const p = 1 / (1 + Math.exp(-x.reduce((a, v, k) => a + v * w[k], 0)));
      for (let a = 0; a <= d; a++) {
        g[a] += sw[i] * (p - rows[i].y) * x[a];
        for (let b = 0; b <= d; b++) H[a][b] += sw[i] * p * (1 - p) * x[a] * x[b];
      }
    });
    for (let k = 0; k < d; k++) {
      g[k] += lambda * w[k];
      H[k][k] += lambda;
    }
    const step = solve(H, g);
    w = w.map((v, k) => v - step[k]);
    if (Math.max(...step.map(Math.abs)) < 1e-10) break;
  }
  const weights = w.slice(0, d).map((v, k) => v / sd[k]);
  const bias = w[d] - weights.reduce((a, v, k) => a + v * mu[k], 0);
  return { weights, bias };
}

function solve(A, b) {
  const n = b.length, M = A.map((row, i) => [...row, b[i]]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(M[r][c]) > Math.abs(M[p][c])) p = r;
    [M[c], M[p]] = [M[p], M[c]];
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = M[r][c] / M[c][c];
      for (let k = c; k <= n; k++) M[r][k] -= f * M[c][k];
    }
  }
  return M.map((row, i) => row[n] / row[i]);
}

// ---------------------------------------------------------------------------------------------------------
// Word parts: letter runs split at camelCase humps, scored alone by the character model.

/** Letter runs of `text` split at lower->upper and UPPER->Upper-lower humps: [start, end) pairs. */
export function letterRuns(text) {
  const runs = [];
  let start = -1;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? classOf(text.charCodeAt(i)) : CLS_BOUNDARY;
    const letter = c === CLS_LOWER || c === CLS_UPPER;
    if (start >= 0) {
      const prev = classOf(text.charCodeAt(i - 1));
      const hump = letter && ((prev === CLS_LOWER && c === CLS_UPPER) ||
        (prev === CLS_UPPER && c === CLS_UPPER && i + 1 < text.length && classOf(text.charCodeAt(i + 1)) === CLS_LOWER));
      if (!letter || hump) {
        runs.push([start, i]);
        start = letter ? i : -1;
      }
    } else if (letter) start = i;
  }
  return runs;
}

/** Bits per character of a run scored alone (boundary on both sides), by the character model. */
export function runBits(tables, text, start, end) {
  let h = 0, sum = 0;
  const mod = SYMBOL_COUNT ** (CHAR_ORDER - 1);
  for (let i = start; i <= end; i++) {
    const s = i < end ? symbolOf(text.charCodeAt(i)) : BOUNDARY;
    h = (h % mod) * SYMBOL_COUNT + s;
    sum += tables.charCost[h];
  }
  return sum / COST_SCALE / (end - start + 1);
}
export const WORD_PART_MIN_LENGTH = 3;

// ---------------------------------------------------------------------------------------------------------

function quantile(sorted, q) {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.floor(q * (sorted.length - 1))))];
}

async function main() {
  const args = process.argv.slice(2);
  const opt = (name, def) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : def; };
  const out = path.resolve(REPO, opt('--out', 'src/match/wordlike-model.ts'));
  const manBytes = Number(opt('--man-mb', 12)) * 1e6;
  const t0 = Date.now();
  const log = (s) => console.log(s);

  const buckets = collectUnits({ manBytes, log });
  const train = [...buckets.train.values()].sort((a, b) => (a.text < b.text ? -1 : a.text > b.text ? 1 : 0));
  const bySource = {};
  for (const u of train) {
    const k = `${u.source} ${u.kind}`;
    bySource[k] ??= { units: 0, chars: 0 };
    bySource[k].units++;
    bySource[k].chars += u.text.length;
  }
  const totalChars = train.reduce((a, u) => a + u.text.length, 0);
  log(`training units: ${train.length} (${(totalChars / 1e6).toFixed(1)} M chars); held out: ${buckets.eval.size} eval, ${buckets.dev.size} dev`);
  for (const [k, v] of Object.entries(bySource).sort()) log(`  ${k.padEnd(24)} ${String(v.units).padStart(7)} units ${(v.chars / 1e6).toFixed(2).padStart(6)} M chars`);

  const tables = trainTables(train);

  // Calibration on the development bucket: word-like values vs random secrets (not human passwords: the
  // measure is about reading like words, and passwords made of words are meant to land in between).
  const { buildLabelledSet, auc } = await import('./eval-wordlike.mjs');
  const dev = await buildLabelledSet({ bucket: 'dev', seed: 'calibration' });
  const isWordLike = (x) => x.label === 0 && x.category !== 'weak-password';
  const rows = dev.filter((x) => isWordLike(x) || x.category.startsWith('random:')).map((x) => ({ x: features(tables, x.value), y: isWordLike(x) ? 1 : 0 }));
  const fit = fitLogistic(rows);
  const round = (x) => Number(x.toPrecision(8));
  // The reference uses the rounded weights that are written out, so the shipped scorer can match it exactly.
  const weights = fit.weights.map(round), bias = round(fit.bias);
  const score = (v) => {
    const f = features(tables, v);
    return 1 / (1 + Math.exp(-(bias + f.reduce((a, x, k) => a + x * weights[k], 0))));
  };
  const negScores = dev.filter(isWordLike).map((x) => -score(x.value));
  const devAucRandom = auc(dev.filter((x) => x.category.startsWith('random:')).map((x) => -score(x.value)), negScores);
  const devAucHuman = auc(dev.filter((x) => x.category === 'human-password').map((x) => -score(x.value)), negScores);
  log(`weights char ${weights[0].toFixed(4)} class ${weights[1].toFixed(4)} bias ${bias.toFixed(4)}; dev AUC random ${devAucRandom.toFixed(4)} human ${devAucHuman.toFixed(4)}`);

  // Word parts: a letter run reads as a word when it costs no more than 95% of held-out words of that size.
  const wordBits = dev.filter((x) => x.category === 'word' && x.value.length >= WORD_PART_MIN_LENGTH).map((x) => runBits(tables, x.value.toLowerCase(), 0, x.value.length)).sort((a, b) => a - b);
  const wordPartMaxBits = Math.round(quantile(wordBits, 0.95) * 100) / 100;
  const randomRunBits = dev.filter((x) => x.category === 'random:letters').flatMap((x) => letterRuns(x.value).filter(([s, e]) => e - s >= WORD_PART_MIN_LENGTH).map(([s, e]) => runBits(tables, x.value, s, e)));
  const randomRunsPassing = randomRunBits.filter((b) => b <= wordPartMaxBits).length / randomRunBits.length;
  log(`word part threshold ${wordPartMaxBits} bits/char (random letter runs of 3+ passing: ${(randomRunsPassing * 100).toFixed(1)}%)`);

  const b64 = (u8) => Buffer.from(u8).toString('base64');
  const sourceLines = Object.entries(bySource).sort().map(([k, v]) => `//   ${k.padEnd(24)} ${String(v.units).padStart(7)} units ${(v.chars / 1e6).toFixed(2).padStart(6)} M chars`);
  const module = `// Generated by scripts/train-wordlike.mjs: do not edit. Regenerate with
//   node scripts/train-wordlike.mjs
// (reads node_modules, the Python standard library and man pages; see the script's header).
// Training units: ${train.length} distinct (${(totalChars / 1e6).toFixed(1)} M chars), weighted identifier ${KIND_WEIGHT.identifier} : string ${KIND_WEIGHT.string} : prose ${KIND_WEIGHT.prose}:
${sourceLines.join('\n')}
// Calibration (dev bucket, ${rows.length} values): AUC vs random ${devAucRandom.toFixed(4)}, vs human-style passwords ${devAucHuman.toFixed(4)}.
//
// Tables hold -log2 probabilities in 1/${COST_SCALE} bit (capped at 255), base64-encoded:
//   charCost  [${SYMBOL_COUNT}^${CHAR_ORDER}]  character ${CHAR_ORDER}-gram over the case-folded alphabet, index ((a*${SYMBOL_COUNT})+b)*${SYMBOL_COUNT}+next
//   classCost [${CLASS_COUNT}^${CLASS_ORDER}]  character-class ${CLASS_ORDER}-gram (boundary, lower, upper, digit, symbol)
// asciiSymbol maps ASCII codes to symbols; latinFold maps U+00C0-U+024F to symbols (diacritics dropped).
export const WORDLIKE_MODEL = {
  symbolCount: ${SYMBOL_COUNT},
  classCount: ${CLASS_COUNT},
  charOrder: ${CHAR_ORDER},
  classOrder: ${CLASS_ORDER},
  costScale: ${COST_SCALE},
  /** wordLikeness = 1 / (1 + exp(-(bias + char * charBitsPerChar + class * classBitsPerChar))) */
  weights: { bias: ${round(bias)}, char: ${round(weights[0])}, class: ${round(weights[1])} },
  wordPartMinLength: ${WORD_PART_MIN_LENGTH},
  wordPartMaxBits: ${wordPartMaxBits},
  asciiSymbol: '${b64(SYMBOL_OF_ASCII)}',
  latinFold: '${b64(LATIN_FOLD)}',
  classCost: '${b64(tables.classCost)}',
  charCost:
    '${b64(tables.charCost)}',
} as const;
`;
  fs.writeFileSync(out, module);
  log(`wrote ${path.relative(REPO, out)} (${(module.length / 1024).toFixed(0)} KB) in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

  // The shipped scorer must agree with the reference above.
  if (fs.existsSync(path.join(REPO, 'src/match/wordlike.ts')) && path.resolve(REPO, 'src/match/wordlike-model.ts') === out) {
    const { loadWordlike } = await import('./eval-wordlike.mjs');
    const { module: wl } = await loadWordlike();
    let worst = 0;
    for (const x of dev) worst = Math.max(worst, Math.abs(wl.wordLikeness(x.value) - score(x.value)));
    log(`src/match/wordlike.ts vs reference on ${dev.length} dev values: max difference ${worst.toExponential(2)}`);
    if (worst > 1e-9) process.exitCode = 1;
  }
}

// Not awaited at top level: the two scripts import each other, and a pending top-level await would
// deadlock that cycle.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
