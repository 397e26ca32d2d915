// A rule pattern's core: the start every match of the pattern begins with, as a short pattern of its own.
// Keywords say a rule may match (`pat` occurs somewhere); the core says much more (`pat` and 8 letters or digits).
// Cores join the keyword prefilter's RE2.Set, so that one pass over the content also tells which rules' cores
// occur, and a rule runs only where its keyword and its core both do. On node_modules, rules reading whole files
// read 390 MB instead of 1,040 MB (413 -> 217 ms), for no more time in the Set.

/**
 * Class characters kept in a core (`[a-f0-9]{64}` becomes `[a-f0-9]{8}`): enough to be rare. Each one more adds DFA
 * states: on node_modules the Set with cores cost nothing more than the keywords alone at 8, about 90 ms more at 12
 * and 100 ms more at 16, while rule patterns saved no more than 10 ms past 8.
 */
const MAX_CLASS_WIDTH = 8;
/** Fewer class characters than this and the core says little more than the keyword: no core. */
const MIN_CLASS_WIDTH = 3;

const META = new Set([...'\\^$.|?*+()[]{}']);

/**
 * The index of the first character of `src` from `from` on, outside escapes and character classes, for which `at`
 * holds, given the group depth around it (an opening `(` counts in its own group); -1 if none.
 */
function findOutsideClasses(src: string, from: number, at: (c: string, depth: number) => boolean): number {
  let depth = 0;
  for (let i = from; i < src.length; i++) {
    const c = src[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (c === '[') {
      const end = classEnd(src, i);
      if (end < 0) return -1;
      i = end - 1;
      continue;
    }
    if (c === '(') depth++;
    if (at(c, depth)) return i;
    if (c === ')') depth--;
  }
  return -1;
}

/** `a|b` at the top level of `src` (outside groups and classes). */
export function hasTopLevelAlternation(src: string): boolean {
  return findOutsideClasses(src, 0, (c, depth) => c === '|' && depth === 0) >= 0;
}

/** Index of the `)` closing the group opened at `open`, or -1. */
function groupEnd(src: string, open: number): number {
  return findOutsideClasses(src, open, (c, depth) => c === ')' && depth === 1);
}

/** Where the character class starting at `at` ends (the index after its `]`), or -1. */
function classEnd(src: string, at: number): number {
  let j = at + 1;
  if (src[j] === '^') j++;
  if (src[j] === ']') j++;
  for (; j < src.length && src[j] !== ']'; j++) if (src[j] === '\\') j++;
  return j < src.length ? j + 1 : -1;
}

/**
 * The core of a rule pattern: a pattern that matches the start of every match of `src`, or undefined where none
 * is worth having. It is read off the pattern's leading sequence: literal characters, character classes and `\d`,
 * `\w`, `\s`, each at most with a fixed count, in and out of plain or capturing groups that always take part. It
 * stops at the first thing it cannot follow (an alternation, an optional part, an assertion, a flag, a range of
 * counts, which keeps its least count); a pattern with a top-level alternation has none. A core starts with a
 * literal character (after the pattern's leading `\b`, which it keeps: `ion_` in `function_name` starts no match)
 * and holds at least MIN_CLASS_WIDTH class characters.
 */
export function patternCore(src: string): string | undefined {
  if (hasTopLevelAlternation(src)) return undefined;
  const boundary = src.startsWith('\\b');
  let i = boundary ? 2 : 0;
  /** The groups entered, by the index of their `)`, and whether a quantifier follows it. */
  const open: { end: number; repeated: boolean }[] = [];
  const atoms: string[] = [];
  let classWidth = 0;
  let literalWidth = 0;
  let firstIsLiteral: boolean | undefined;
  while (i < src.length && classWidth < MAX_CLASS_WIDTH) {
    let atom: string;
    let literal = false;
    const c = src[i];
    if (c === '\\') {
      const e = src[i + 1];
      if (e === undefined) break;
      if (e === 'd' || e === 'w' || e === 's') atom = `\\${e}`;
      else if (/[^A-Za-z0-9]/.test(e)) {
        atom = `\\${e}`;
        literal = true;
      } else break; // \b, \x41, \pL, \Q...: not followed
      i += 2;
    } else if (c === '[') {
      const end = classEnd(src, i);
      if (end < 0) return undefined;
      atom = src.slice(i, end);
      i = end;
    } else if (!META.has(c)) {
      atom = c;
      literal = true;
      i++;
    } else if (c === '(') {
      // A plain or capturing group that always takes part and holds no alternation of its own is followed into.
      const opener = /^\((?:\?:|\?P?<[A-Za-z_][A-Za-z0-9_]*>)?/.exec(src.slice(i))![0];
      if (opener === '(' && src[i + 1] === '?') break; // flags, a group with flags
      const end = groupEnd(src, i);
      if (end < 0) return undefined;
      const after = src[end + 1];
      if (after === '?' || after === '*' || src.startsWith('{0', end + 1)) break;
      if (hasTopLevelAlternation(src.slice(i + opener.length, end))) break;
      open.push({ end, repeated: after === '+' || after === '{' });
      i += opener.length;
      continue;
    } else if (c === ')' && open.length && open[open.length - 1].end === i && !open[open.length - 1].repeated) {
      open.pop();
      i++;
      continue;
    } else break; // `.`, `^`, `$`, the end of a repeated group: the core ends here
    firstIsLiteral ??= literal;
    const q = src[i];
    if (q === '?' || q === '*') break; // optional: not part of every match
    let count = 1;
    let more = false; // the atom may repeat past `count`: what follows in the pattern is not next in the text
    if (q === '+') {
      more = true;
      i++;
    } else if (q === '{') {
      const m = /^\{(\d+)(,\d*)?\}/.exec(src.slice(i));
      if (!m) break;
      count = Number(m[1]);
      more = m[2] !== undefined;
      i += m[0].length;
      if (count === 0) break;
    }
    if (src[i] === '?' || src[i] === '+') more = true; // lazy or possessive marker: stop after this atom
    const take = literal ? count : Math.min(count, MAX_CLASS_WIDTH - classWidth);
    atoms.push(take === 1 ? atom : `${atom}{${take}}`);
    if (literal) literalWidth += take;
    else classWidth += take;
    if (more || take < count) break;
  }
  if (!firstIsLiteral || literalWidth < 2 || classWidth < MIN_CLASS_WIDTH) return undefined;
  return (boundary ? '\\b' : '') + atoms.join('');
}
