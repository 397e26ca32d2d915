// Pattern cores: read off a pattern's start, each a necessary condition for a match, so that the prefilter that
// uses them never loses one.
import { describe, expect, it } from 'vitest';
import RE2 from 're2';
import { compileRules, loadRules, patternCore } from '../../src/rules/index.js';
import { DECODE_KEYWORDS, Matcher } from '../../src/match/index.js';

describe('patternCore', () => {
  it.each([
    // A leading word boundary stays: `ion_` inside `function_name` is no start of a match.
    ['\\b(pat[A-Za-z0-9]{14}\\.[a-f0-9]{64})\\b', '\\bpat[A-Za-z0-9]{8}'],
    ['\\b(A3-[A-Z0-9]{6}-(?:[A-Z0-9]{6}-[A-Z0-9]{5}|[A-Z0-9]{11}))\\b', '\\bA3-[A-Z0-9]{6}-'],
    ['\\bAC[0-9a-f]{32}\\b(?:[\\s\\S]{0,120}?token)', '\\bAC[0-9a-f]{8}'],
    ['(?P<secret>xoxb-[0-9]{10,13}-[0-9]{10,13})', 'xoxb-[0-9]{8}'],
    ['(?:glpat-)([A-Za-z0-9_-]{20})', 'glpat-[A-Za-z0-9_-]{8}'],
    ['amzn\\.mws\\.[0-9a-f]{8}-[0-9a-f]{4}', 'amzn\\.mws\\.[0-9a-f]{8}'],
    ['(sk_live_\\d{5,})', 'sk_live_\\d{5}'],
    ['(?:ops_)(eyJ[A-Za-z0-9]{10})(?:x)', 'ops_eyJ[A-Za-z0-9]{8}'],
  ])('%s -> %s', (pattern, core) => {
    expect(patternCore(pattern)).toBe(core);
  });

  it.each([
    ['a top-level alternation', 'ghp_[A-Za-z0-9]{36}|gho_[A-Za-z0-9]{36}'],
    ['an alternation inside the leading group', '(ghp_|gho_)[A-Za-z0-9]{36}'],
    ['an optional leading group', '(?:key_)?abc[0-9]{10}'],
    ['a leading group repeated from zero', '(?:key_){0,2}abc[0-9]{10}'],
    ['inline flags', '(?i)token[0-9a-f]{32}'],
    ['a case-insensitive group', '(?i:token)[0-9a-f]{32}'],
    ['a class first', '[A-Z]{4}[0-9]{12}'],
    ['too few class characters', 'secret_[0-9]{2}'],
    ['an optional second character', 'ab?[0-9]{10}'],
    ['one literal character', 'a[0-9]{10}'],
    ['a class repeated with +, of which one character is kept', 'abc[0-9]+def'],
  ])('has none for %s', (_what, pattern) => {
    expect(patternCore(pattern)).toBeUndefined();
  });

  it('stops where the text after a repeated atom is not fixed', () => {
    expect(patternCore('(?:abc[0-9]{4}){2}def')).toBe('abc[0-9]{4}');
    expect(patternCore('abc[0-9]{3,}def')).toBe('abc[0-9]{3}');
    expect(patternCore('abc[0-9]{4}?def')).toBe('abc[0-9]{4}');
    expect(patternCore('abcd[0-9]{5}\\.[a-z]{9}')).toBe('abcd[0-9]{5}\\.[a-z]{3}');
  });

  it('matches the start of every match of the shipped rules, over their examples and random variations of them', () => {
    const { rules } = loadRules();
    let checked = 0;
    for (const rule of rules) {
      if (!rule.pattern) continue;
      const core = patternCore(rule.pattern);
      if (!core) continue;
      const full = new RE2(rule.pattern, 'g');
      const start = new RE2(`^(?:${core})`);
      for (const ex of rule.examples) {
        for (const text of [ex.text, mutate(ex.text)]) {
          full.lastIndex = 0;
          for (let m = full.exec(text); m; m = full.exec(text)) {
            if (m[0] === '') full.lastIndex++;
            // The core matches where the pattern's match starts (past a leading \b, which takes no characters).
            expect(start.test(text.slice(m.index)), `${rule.id}: ${core} at ${m.index}`).toBe(true);
            checked++;
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(500);
  });
});

describe('the prefilter with pattern cores', () => {
  it('finds exactly what the keywords alone find, in content mixing every rule example with filler', () => {
    const { rules } = loadRules();
    const set = compileRules(rules, { eager: false, extraKeywords: DECODE_KEYWORDS });
    const plain = new Matcher(set, { coresAfter: Infinity });
    const cored = new Matcher(set, { coresAfter: 0 });
    const filler = 'const pattern = "patchwork"; // path to the AC0 of ops_ and sk_live in a README\n';
    const texts: string[] = [];
    for (const r of rules) for (const ex of r.examples) texts.push(ex.text, mutate(ex.text));
    for (const r of rules) for (const ex of r.negativeExamples) texts.push(ex.text);
    let found = 0;
    // Files of a few dozen texts each, so that most hold some rules' keywords without their cores.
    for (let i = 0; i < texts.length; i += 40) {
      const content = Buffer.from(texts.slice(i, i + 40).join(`\n${filler}`));
      for (const path of ['src/config.ts', 'deploy/.env']) {
        const a = plain.match(content, path).matches.map((m) => `${m.ruleId} ${m.line}:${m.column} ${m.secret}`);
        const b = cored.match(content, path).matches.map((m) => `${m.ruleId} ${m.line}:${m.column} ${m.secret}`);
        expect(b).toEqual(a);
        found += a.length;
      }
    }
    expect(found).toBeGreaterThan(2000);
  });
});

/** A text with one character changed, kept deterministic: near-misses of a pattern exercise its core's edges. */
function mutate(text: string): string {
  if (text.length < 2) return text;
  let hash = 0;
  for (let i = 0; i < text.length; i++) hash = (hash * 31 + text.charCodeAt(i)) >>> 0;
  const at = hash % text.length;
  const c = text.charCodeAt(at);
  const swapped = c >= 48 && c <= 57 ? 'a' : c >= 97 && c <= 122 ? 'Z' : '0';
  return text.slice(0, at) + swapped + text.slice(at + 1);
}
