// Compiles validated rules into RE2 objects and a keyword prefilter shared by all rules.
import RE2 from 're2';
import picomatch from 'picomatch';
import type { Rule } from '../model/index.js';

export interface CompiledPart {
  name: string;
  regex: RE2;
  within: number;
  required: boolean;
}

export interface CompiledRule {
  rule: Rule;
  /** Global, with indices (`d`) so group offsets are byte offsets into a Buffer; `m` so ^/$ anchor lines. */
  regex: RE2;
  /** True when the pattern names its secret group `secret`; otherwise the first group that took part is the secret. */
  namedSecret: boolean;
  pathFilter?: (relPath: string) => boolean;
  parts: CompiledPart[];
}

export interface CompiledRuleSet {
  rules: CompiledRule[];
  /** One literal per distinct keyword (lower-cased); a Set match says which occur. */
  keywords: string[];
  keywordSet: InstanceType<typeof RE2.Set> | undefined;
  /** keyword index -> indices into `rules`. */
  rulesByKeyword: number[][];
  /** Lower-cased ids -> rule, for lookups by reporters and the checker. */
  byId: Map<string, CompiledRule>;
}

export class RuleCompileError extends Error {
  constructor(readonly ruleId: string, message: string) {
    super(`${ruleId}: ${message}`);
  }
}

function escapeLiteral(s: string): string {
  return s.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');
}

export function compileRule(rule: Rule): CompiledRule {
  let regex: RE2;
  try {
    regex = new RE2(rule.pattern, 'gdm');
  } catch (err) {
    throw new RuleCompileError(rule.id, `pattern does not compile with RE2: ${(err as Error).message}`);
  }
  const hasNamed = /\(\?P?<secret>/.test(rule.pattern);
  if (!hasNamed && !/\((?!\?)/.test(rule.pattern.replace(/\\\\|\\\(/g, ''))) {
    throw new RuleCompileError(rule.id, 'pattern has no capture group for the secret');
  }
  const parts = (rule.parts ?? []).map((p) => {
    try {
      return { name: p.name, regex: new RE2(p.pattern, 'gdm'), within: p.within ?? 5, required: p.required ?? true };
    } catch (err) {
      throw new RuleCompileError(rule.id, `part ${p.name} does not compile with RE2: ${(err as Error).message}`);
    }
  });
  const pathFilter = rule.paths?.length ? picomatch(rule.paths, { dot: true, basename: false }) : undefined;
  return {
    rule,
    regex,
    namedSecret: hasNamed,
    pathFilter: pathFilter ? (p: string) => pathFilter(p) || pathFilter(`/${p}`) : undefined,
    parts,
  };
}

export function compileRules(rules: Rule[]): CompiledRuleSet {
  const compiled = rules.map(compileRule);
  const keywordIndex = new Map<string, number>();
  const rulesByKeyword: number[][] = [];
  compiled.forEach((c, i) => {
    for (const kw of new Set(c.rule.keywords.map((k) => k.toLowerCase()))) {
      let k = keywordIndex.get(kw);
      if (k === undefined) {
        k = keywordIndex.size;
        keywordIndex.set(kw, k);
        rulesByKeyword.push([]);
      }
      rulesByKeyword[k].push(i);
    }
  });
  const keywords = [...keywordIndex.keys()];
  // RE2.Set over literals builds one DFA: one pass over the content answers "which keywords occur".
  const keywordSet = keywords.length ? new RE2.Set(keywords.map(escapeLiteral), 'i', { anchor: 'unanchored' }) : undefined;
  return { rules: compiled, keywords, keywordSet, rulesByKeyword, byId: new Map(compiled.map((c) => [c.rule.id, c])) };
}
