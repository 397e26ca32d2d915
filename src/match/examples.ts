// Runs each rule's examples through the real matcher: positives must capture their secret, negatives must not match.
import RE2 from 're2';
import type { Rule } from '../model/index.js';
import { compileRules, RuleCompileError } from '../rules/index.js';
import { DECODE_KEYWORDS, Matcher } from './matcher.js';
import { DEFAULT_MIN_SCORE } from './score.js';
import type { RawMatch } from '../model/index.js';

/** Reported by default: at or above the minimum score, with no reason to hold it for review. */
const reported = (m: RawMatch) => m.score >= DEFAULT_MIN_SCORE && !m.review;

export interface ExampleFailure {
  ruleId: string;
  message: string;
}

function examplePath(rule: Rule, given?: string): string {
  if (given) return given;
  // A rule limited to some paths is exercised on a path it accepts: its first glob with wildcards filled.
  const glob = rule.paths?.[0];
  return glob ? glob.replace(/^\*\*\//, '').replace(/\*\*\//g, '').replace(/\*/g, 'x') : 'snippet';
}

/** Neutral lines around an example, enough to make the matcher use windows (it reads small content whole). */
const FILLER = 'lorem ipsum dolor sit amet\n'.repeat(200);

/** Whether the (one) rule's pattern matches the text as written. */
function matchesAsWritten(matcher: Matcher, text: string): boolean {
  const { regex } = matcher.ruleSet.rules[0];
  regex.lastIndex = 0;
  return regex.test(text);
}

export function checkRuleExamples(rules: Rule[]): ExampleFailure[] {
  const failures: ExampleFailure[] = [];
  for (const rule of rules) {
    let matcher: Matcher;
    try {
      // Pattern cores from the first byte, as a long scan uses them: an example the core misses fails here.
      matcher = new Matcher(compileRules([rule], { extraKeywords: DECODE_KEYWORDS }), { coresAfter: 0 });
    } catch (err) {
      failures.push({ ruleId: rule.id, message: err instanceof RuleCompileError ? err.message.slice(rule.id.length + 2) : String(err) });
      continue;
    }
    // Rules whose every match is held for review (hashes, salts) prove only that they find it.
    const reviewOnly = rule.kind === 'password-hash' || (rule.kind === 'private-key' && /encrypted/.test(rule.id)) || rule.candidates?.keyClasses.every((k) => k === 'salt' || k === 'hash');
    rule.examples.forEach((ex, i) => {
      const found = matcher.match(Buffer.from(ex.text), examplePath(rule, ex.path)).matches;
      const matches = reviewOnly ? found : found.filter(reported);
      const core = matcher.ruleSet.patternCores()?.cores[0];
      // (An example found only once decoded holds neither as written.)
      if (core !== undefined && matchesAsWritten(matcher, ex.text) && !new RE2(core).test(ex.text)) {
        // Not expected (a core is read off the pattern's start), but a custom rule's odd pattern must fail loudly.
        failures.push({ ruleId: rule.id, message: `example ${i + 1} does not contain the pattern's core ${core} (the prefilter would skip it)` });
        return;
      }
      if (!matches.some((m) => m.secret === ex.secret)) {
        const got = found.map((m) => `${m.secret.slice(0, 40)} (${m.score}${m.review ? `, ${m.review}` : ''}: ${m.reasons.join('; ')})`).join(', ');
        failures.push({
          ruleId: rule.id,
          message: `example ${i + 1} did not capture its secret${got ? ` (captured: ${got})` : ' (no match)'}`,
        });
        return;
      }
      // A windowed rule reads only the lines near its keywords in large content: prove the window holds.
      const padded = rule.window === undefined ? matches : matcher.match(Buffer.from(`${FILLER}${ex.text}\n${FILLER}`), examplePath(rule, ex.path)).matches.filter((m) => reviewOnly || reported(m));
      if (!padded.some((m) => m.secret === ex.secret)) {
        failures.push({ ruleId: rule.id, message: `example ${i + 1} is not found within its window of ${rule.window} line(s) around a keyword` });
        return;
      }
      for (const [name, value] of Object.entries(ex.parts ?? {})) {
        const m = matches.find((x) => x.secret === ex.secret);
        if (m?.parts?.[name] !== value) failures.push({ ruleId: rule.id, message: `example ${i + 1}: part ${name} not found` });
      }
    });
    rule.negativeExamples.forEach((neg, i) => {
      const matches = matcher.match(Buffer.from(neg.text), examplePath(rule, neg.path)).matches.filter(reported);
      if (matches.length) {
        failures.push({ ruleId: rule.id, message: `negative example ${i + 1} matched: ${matches[0].secret.slice(0, 40)} (${matches[0].score}: ${matches[0].reasons.join('; ')})` });
      }
    });
  }
  return failures;
}
