/**
 * Word-likeness: does a value read like words, identifiers or prose (1), or like random characters (0)?
 *
 * Two small models trained offline on identifiers, string literals, comments and English prose
 * (scripts/train-wordlike.mjs, data in ./wordlike-model.ts):
 *   - a character trigram model over a case-folded alphabet (a-z, each digit, a few punctuation classes,
 *     boundary; accented Latin letters fold to their base letter), and
 *   - a 6-gram model of character classes (lower, upper, digit, separator `_-./\:`, other symbol,
 *     boundary), which is what tells `getUserName` and `MAX_RETRIES` from `aZ3kQ9mL` once letters are
 *     case-folded, and `Summer2019!` from `summer_2019`.
 * Each gives a cost in bits per character; a logistic regression fitted on held-out word-like values vs
 * random secrets maps the two costs to [0, 1]. Scoring is a few table look-ups per character, no I/O.
 *
 * Typical values: identifiers, labels and words 0.9-1; random hex, base64 and alphanumerics below 0.1;
 * passwords made of words, digits and symbols (`Summer2019!`, `Tr0ub4dor&3x`) in between.
 */
import { WORDLIKE_MODEL as MODEL } from './wordlike-model.js';

// Symbol layout, as in scripts/train-wordlike.mjs: 0 boundary, 1-26 a-z, 27-36 0-9, 37 `_` `-`, 38 `.`,
// 39 `/` `\` `:` `@`, 40 other punctuation, 41 a non-ASCII letter.
const BOUNDARY = 0;
const SYM_PUNCT = 40;
const SYM_NON_ASCII = 41;
const LATIN_FOLD_FIRST = 0xc0;
const LATIN_FOLD_END = 0x250;
// Classes: 0 boundary, 1 lower, 2 upper, 3 digit, 4 symbol.
const CLS_BOUNDARY = 0, CLS_LOWER = 1, CLS_UPPER = 2, CLS_DIGIT = 3, CLS_SYMBOL = 4, CLS_JOINER = 5;

const K = MODEL.symbolCount;
const C = MODEL.classCount;
const CHAR_CONTEXTS = K ** (MODEL.charOrder - 1);
const CLASS_CONTEXTS = C ** (MODEL.classOrder - 1);
const SCALE = MODEL.costScale;

function decode(base64: string): Uint8Array {
  return new Uint8Array(Buffer.from(base64, 'base64'));
}
const ASCII_SYMBOL = decode(MODEL.asciiSymbol);
const LATIN_FOLD = decode(MODEL.latinFold);
const CHAR_COST = decode(MODEL.charCost);
const CLASS_COST = decode(MODEL.classCost);

/** Class of each ASCII code, from its symbol: letters keep their case here (the symbols fold it). */
const ASCII_CLASS = (() => {
  const t = new Uint8Array(128);
  for (let c = 0; c < 128; c++) {
    const s = ASCII_SYMBOL[c];
    if (s === BOUNDARY) t[c] = CLS_BOUNDARY;
    else if (s <= 26) t[c] = c >= 97 ? CLS_LOWER : CLS_UPPER;
    else if (s <= 36) t[c] = CLS_DIGIT;
    else t[c] = '_-./\\:'.includes(String.fromCharCode(c)) ? CLS_JOINER : CLS_SYMBOL;
  }
  return t;
})();

function isWideSpace(code: number): boolean {
  return code === 0xa0 || (code >= 0x2000 && code <= 0x200b) || code === 0x202f || code === 0x205f || code === 0x3000 || code === 0xfeff;
}

function symbolOf(code: number): number {
  if (code < 128) return ASCII_SYMBOL[code];
  if (code >= LATIN_FOLD_FIRST && code < LATIN_FOLD_END) return LATIN_FOLD[code - LATIN_FOLD_FIRST];
  if (isWideSpace(code)) return BOUNDARY;
  if (code < LATIN_FOLD_FIRST || (code >= 0x2000 && code <= 0x206f) || (code >= 0x3000 && code <= 0x303f) || (code >= 0xff00 && code <= 0xff0f)) return SYM_PUNCT;
  return SYM_NON_ASCII;
}

function classOf(code: number, symbol: number): number {
  if (code < 128) return ASCII_CLASS[code];
  if (symbol === BOUNDARY) return CLS_BOUNDARY;
  if (symbol === SYM_PUNCT) return CLS_SYMBOL;
  const ch = String.fromCharCode(code);
  return ch !== ch.toLowerCase() ? CLS_UPPER : CLS_LOWER; // caseless scripts read as lower-case text
}

// Sums of the last scoring pass (module scope: no allocation per call).
let charCostSum = 0;
let classCostSum = 0;

/**
 * Costs of `value` under both models, in 1/SCALE bit. Runs of whitespace count as one boundary; each
 * model is padded with boundaries on the left and predicts a closing boundary.
 */
function scoreCosts(value: string): void {
  let charSum = 0, classSum = 0;
  let charCtx = 0, classCtx = 0; // rolling n-gram contexts; 0 = all boundaries
  let prevSymbol = BOUNDARY, prevClass = CLS_BOUNDARY;
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    const symbol = symbolOf(code);
    const cls = classOf(code, symbol);
    if (symbol !== BOUNDARY || prevSymbol !== BOUNDARY) {
      charCtx = (charCtx % CHAR_CONTEXTS) * K + symbol;
      charSum += CHAR_COST[charCtx];
      prevSymbol = symbol;
    }
    if (cls !== CLS_BOUNDARY || prevClass !== CLS_BOUNDARY) {
      classCtx = (classCtx % CLASS_CONTEXTS) * C + cls;
      classSum += CLASS_COST[classCtx];
      prevClass = cls;
    }
  }
  if (prevSymbol !== BOUNDARY) charSum += CHAR_COST[(charCtx % CHAR_CONTEXTS) * K + BOUNDARY];
  if (prevClass !== CLS_BOUNDARY) classSum += CLASS_COST[(classCtx % CLASS_CONTEXTS) * C + CLS_BOUNDARY];
  charCostSum = charSum;
  classCostSum = classSum;
}

function logit(charBits: number, classBits: number): number {
  const w = MODEL.weights;
  return w.bias + (charBits * w.char + classBits * w.class);
}

/** 1 = reads like words, identifiers or prose; 0 = reads like random characters. Deterministic. */
export function wordLikeness(value: string): number {
  scoreCosts(value);
  const n = value.length + 1;
  return 1 / (1 + Math.exp(-logit(charCostSum / SCALE / n, classCostSum / SCALE / n)));
}

export interface WordLikenessDetail {
  wordLikeness: number;
  /** The log-odds behind wordLikeness (unbounded; words ~+5 to +10, random ~-5 to -20): additive for a scorer. */
  logit: number;
  /** Character-model cost, bits per character: English words and identifiers ~2-4, random text ~6-8. */
  charBits: number;
  /** Character-class model cost, bits per character: high when case, digits and symbols alternate. */
  classBits: number;
}

/** The score with the two per-character costs behind it, for a scorer that explains itself. */
export function wordLikenessDetail(value: string): WordLikenessDetail {
  scoreCosts(value);
  const n = value.length + 1;
  const charBits = charCostSum / SCALE / n;
  const classBits = classCostSum / SCALE / n;
  const z = logit(charBits, classBits);
  return { wordLikeness: 1 / (1 + Math.exp(-z)), logit: z, charBits, classBits };
}

export interface WordPart {
  text: string;
  /** Offsets in the value: [start, end). */
  start: number;
  end: number;
  /** Character-model cost of the part scored alone: lower reads more like a word. */
  bitsPerChar: number;
}

function isLetterClass(cls: number): boolean {
  return cls === CLS_LOWER || cls === CLS_UPPER;
}

/**
 * The letter runs of `value` that read like words: runs split at camelCase humps (`getHTTPResponse` ->
 * get, HTTP, Response), at least `wordPartMinLength` letters, and costing no more than the model's
 * threshold (95% of held-out English words pass it; about 1 in 11 runs of random letters does too).
 */
export function wordParts(value: string): WordPart[] {
  const parts: WordPart[] = [];
  let start = -1;
  for (let i = 0; i <= value.length; i++) {
    const code = i < value.length ? value.charCodeAt(i) : 32;
    const cls = classOf(code, symbolOf(code));
    const letter = isLetterClass(cls);
    if (start >= 0) {
      const prev = classOf(value.charCodeAt(i - 1), symbolOf(value.charCodeAt(i - 1)));
      let hump = false;
      if (letter && cls === CLS_UPPER) {
        if (prev === CLS_LOWER) hump = true;
        else if (prev === CLS_UPPER && i + 1 < value.length) {
          const next = value.charCodeAt(i + 1);
          hump = classOf(next, symbolOf(next)) === CLS_LOWER;
        }
      }
      if (!letter || hump) {
        addPart(value, start, i, parts);
        start = letter ? i : -1;
      }
    } else if (letter) start = i;
  }
  return parts;
}

function addPart(value: string, start: number, end: number, parts: WordPart[]): void {
  if (end - start < MODEL.wordPartMinLength) return;
  let ctx = 0, sum = 0;
  for (let i = start; i <= end; i++) {
    const symbol = i < end ? symbolOf(value.charCodeAt(i)) : BOUNDARY;
    ctx = (ctx % CHAR_CONTEXTS) * K + symbol;
    sum += CHAR_COST[ctx];
  }
  const bitsPerChar = sum / SCALE / (end - start + 1);
  if (bitsPerChar <= MODEL.wordPartMaxBits) parts.push({ text: value.slice(start, end), start, end, bitsPerChar });
}
