// Compiles validated rules into RE2 objects and a keyword prefilter shared by all rules.
import RE2 from 're2';
import picomatch from 'picomatch';
import type { Rule, Severity } from '../model/index.js';
import { hasTopLevelAlternation, patternCore } from './core.js';

export interface CompiledPart {
  name: string;
  readonly regex: RE2;
  within: number;
  required: boolean;
  severity?: Severity;
}

export interface CompiledRule {
  rule: Rule;
  /**
   * Global, with indices (`d`) so group offsets are byte offsets into a Buffer; `m` so ^/$ anchor lines.
   * Compiled on first use: most rules never see their keyword in a given scan.
   */
  readonly regex: RE2;
  /** True when the pattern names its secret group `secret`; otherwise the first group that took part is the secret. */
  namedSecret: boolean;
  /**
   * The pattern began with `\b` before a word character. RE2 cannot use its fast literal-prefix search
   * behind an assertion (measured: 560 MB/s with it, 1,960 MB/s without), so the `\b` is removed from the
   * compiled pattern and checked by the matcher instead: a match preceded by a word byte is rejected.
   */
  leadingWordBoundary: boolean;
  /**
   * The pattern starts with three or more literal characters (`ghp_`, `pat`, `AKIA`): RE2 then searches at
   * memchr speed (about 2 GB/s), so one pass over the content beats many small windows.
   */
  literalPrefix: boolean;
  pathFilter?: (relPath: string) => boolean;
  parts: CompiledPart[];
}

export interface PatternCores {
  /** The keywords' patterns (same indices as `keywords`), then one pattern per core. */
  set: InstanceType<typeof RE2.Set>;
  /** Rule index -> the Set index of its core, or -1: a rule with a core runs only where it occurs. */
  coreOf: Int32Array;
  /** Rule index -> its core, for `rules check`. */
  cores: (string | undefined)[];
}

export interface CompiledRuleSet {
  rules: CompiledRule[];
  /** One literal per distinct keyword (lower-cased unless matched case-sensitively); a Set match says which occur. */
  keywords: string[];
  /** Per keyword: matched case-sensitively. */
  keywordCaseSensitive: boolean[];
  keywordSet: InstanceType<typeof RE2.Set> | undefined;
  /**
   * The keyword Set with the rules' pattern cores after the keywords (see src/rules/core.ts), built on first call;
   * undefined when no rule has a core. A matcher turns to it once it has read enough to repay the compile.
   */
  patternCores(): PatternCores | undefined;
  /** keyword index -> indices into `rules`. */
  rulesByKeyword: number[][];
  /** rule index -> its keyword indices (for windowed rules, which look for where the keywords occur). */
  keywordsByRule: number[][];
  /** Rules with no keywords, limited by `paths` alone (a Rails config/master.key holds nothing but hex). */
  pathOnlyRules: number[];
  /** The names of providers whose rules are fed by the grammar, to find the rules a candidate's context names. */
  providerNames: ProviderNames;
  /** PEM block label -> the rule reporting clear and encrypted blocks with it. */
  rulesByPemLabel: Map<string, { clear?: number; encrypted?: number }>;
  /** Key class -> index of the grammar-fed rule that reports candidates of that class. */
  rulesByKeyClass: Map<string, number>;
  /** Lower-cased ids -> rule, for lookups by reporters and the checker. */
  byId: Map<string, CompiledRule>;
}

/** Lower case without separators: `ABUSEIPDB_API_KEY`, `abuseipdb-key` and `AbuseIPDB` all hold `abuseipdb`. */
export function foldName(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/**
 * `foldName` of `text`, with the offsets in it where a word starts or ends: at separators, at a lower-to-upper
 * change (`mailgunKey`), at the last capital of an acronym (`IPDBKey`) and between letters and digits.
 */
export function foldWords(text: string): { folded: string; bounds: Set<number> } {
  let folded = '';
  const bounds = new Set<number>([0]);
  let prev = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    const upper = ch >= 65 && ch <= 90;
    const lower = ch >= 97 && ch <= 122;
    const digit = ch >= 48 && ch <= 57;
    if (!upper && !lower && !digit) {
      bounds.add(folded.length);
      prev = 0;
      continue;
    }
    if (prev) {
      const next = text.charCodeAt(i + 1);
      const prevLower = prev >= 97 && prev <= 122;
      const prevUpper = prev >= 65 && prev <= 90;
      const prevDigit = prev >= 48 && prev <= 57;
      if ((upper && prevLower) || (upper && prevUpper && next >= 97 && next <= 122) || digit !== prevDigit) bounds.add(folded.length);
    }
    folded += upper ? String.fromCharCode(ch + 32) : text[i];
    prev = ch;
  }
  bounds.add(folded.length);
  return { folded, bounds };
}

/**
 * The names of the providers whose rules take grammar candidates, in one RE2.Set: which of them a candidate's key
 * or nearby lines mention, in one pass over a few hundred bytes. Values must match the rule's format (`value`).
 */
export class ProviderNames {
  private readonly set: InstanceType<typeof RE2.Set> | undefined;
  /** Set index -> folded name, and -> rule indices. */
  private readonly names: string[];
  private readonly rulesOf: number[][] = [];
  private readonly values = new Map<number, RE2>();

  constructor(private readonly compiled: CompiledRule[], namedRules: number[]) {
    const byName = new Map<string, number[]>();
    for (const i of namedRules) {
      for (const n of compiled[i].rule.candidates!.names!) {
        const f = foldName(n);
        if (f.length < 4) continue;
        const list = byName.get(f) ?? [];
        if (!list.includes(i)) list.push(i);
        byName.set(f, list);
      }
    }
    this.names = [...byName.keys()];
    this.rulesOf = this.names.map((n) => byName.get(n)!);
    this.set = this.names.length ? new RE2.Set(this.names.map(escapeLiteral), { anchor: 'unanchored' }) : undefined;
  }

  get size(): number {
    return this.rulesOf.length;
  }

  /**
   * Rules whose provider `text` names. The text is folded first, and a name must start and end where words do
   * (`MITE_API_KEY` names Mite; `SUBMITEAPI_TOKEN` does not).
   */
  named(text: string): number[] {
    if (!this.set) return [];
    // Most texts name no provider: one cheap fold and one Set pass decide that before word bounds are worked out.
    const quick = foldName(text);
    if (quick.length < 4) return [];
    const hits = this.set.match(quick);
    if (!hits.length) return [];
    const { folded, bounds } = foldWords(text);
    const out: number[] = [];
    for (const k of hits) {
      const name = this.names[k];
      let at = folded.indexOf(name);
      while (at !== -1 && !(bounds.has(at) && bounds.has(at + name.length))) at = folded.indexOf(name, at + 1);
      if (at === -1) continue;
      for (const r of this.rulesOf[k]) if (!out.includes(r)) out.push(r);
    }
    return out;
  }

  /** Whether the whole value is in rule `r`'s format. */
  accepts(r: number, value: string): boolean {
    const src = this.compiled[r].rule.candidates?.value;
    if (!src) return true;
    let re = this.values.get(r);
    if (!re) {
      re = new RE2(`^(?:${src})$`);
      this.values.set(r, re);
    }
    return re.test(value);
  }
}

export class RuleCompileError extends Error {
  constructor(readonly ruleId: string, message: string) {
    super(`${ruleId}: ${message}`);
  }
}

export function escapeLiteral(s: string): string {
  return s.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');
}

const LEADING_BOUNDARY = /^\\b(?=(?:\((?:\?P?<secret>|\?:)?)?[A-Za-z0-9_](?![?*]|\{0))/;

const LITERAL_PREFIX = /^(?:\((?:\?P?<secret>|\?:)?)?[A-Za-z0-9_-]{3}/;

/** A leading `\b` binds only the first branch of a top-level `a|b`: there it must stay in the pattern. */
function stripsLeadingBoundary(src: string): boolean {
  return LEADING_BOUNDARY.test(src) && !hasTopLevelAlternation(src);
}

function compilePattern(rule: Rule): RE2 {
  const pattern = rule.pattern;
  if (pattern === undefined) throw new RuleCompileError(rule.id, 'a rule fed by the grammar has no pattern to run');
  try {
    return new RE2(stripsLeadingBoundary(pattern) ? pattern.slice(2) : pattern, 'gdm');
  } catch (err) {
    throw new RuleCompileError(rule.id, `pattern does not compile with RE2: ${(err as Error).message}`);
  }
}

/** Compiles a rule; `eager` compiles its pattern now (to report errors), otherwise on first use. */
export function compileRule(rule: Rule, eager = true): CompiledRule {
  const pattern = rule.pattern ?? '';
  const sources = +Boolean(rule.pattern) + +Boolean(rule.candidates) + +Boolean(rule.pem);
  if (sources !== 1) throw new RuleCompileError(rule.id, 'a rule has exactly one of pattern, candidates and pem');
  let regex: RE2 | undefined = eager && rule.pattern ? compilePattern(rule) : undefined;
  const hasNamed = /\(\?P?<secret>/.test(pattern);
  if (rule.pattern && !hasNamed && !/\((?!\?)/.test(pattern.replace(/\\\\|\\\(/g, ''))) {
    throw new RuleCompileError(rule.id, 'pattern has no capture group for the secret');
  }
  // Parts compile on first use too (a pre-commit hook builds every rule and runs few of them).
  const parts = (rule.parts ?? []).map((p): CompiledPart => {
    const compilePart = () => {
      try {
        return new RE2(p.pattern, 'gdm');
      } catch (err) {
        throw new RuleCompileError(rule.id, `part ${p.name} does not compile with RE2: ${(err as Error).message}`);
      }
    };
    let partRegex: RE2 | undefined = eager ? compilePart() : undefined;
    return {
      name: p.name,
      get regex() {
        return (partRegex ??= compilePart());
      },
      within: p.within ?? 5,
      required: p.required ?? true,
      severity: p.severity,
    };
  });
  if (eager && rule.candidates?.value) {
    try {
      new RE2(rule.candidates.value);
    } catch (err) {
      throw new RuleCompileError(rule.id, `candidates.value does not compile with RE2: ${(err as Error).message}`);
    }
  }
  // Globs compile on first use as patterns do: a pre-commit hook checks few files against few rules.
  let include: ((p: string) => boolean) | undefined;
  let exclude: ((p: string) => boolean) | undefined;
  const matches = (m: (p: string) => boolean, p: string) => m(p) || m(`/${p}`);
  const pathFilter =
    rule.paths?.length || rule.excludePaths?.length
      ? (p: string) => {
          if (rule.paths?.length && !matches((include ??= picomatch(rule.paths, { dot: true })), p)) return false;
          return !(rule.excludePaths?.length && matches((exclude ??= picomatch(rule.excludePaths, { dot: true })), p));
        }
      : undefined;
  return {
    rule,
    get regex() {
      return (regex ??= compilePattern(rule));
    },
    namedSecret: hasNamed,
    leadingWordBoundary: stripsLeadingBoundary(pattern),
    literalPrefix: LITERAL_PREFIX.test(stripsLeadingBoundary(pattern) ? pattern.slice(2) : pattern),
    pathFilter,
    parts,
  };
}

/**
 * `extraKeywords` join the prefilter without rules of their own: callers learn from the same single pass
 * whether other literals occur (the matcher uses it to decide whether decoding is worth a look).
 */
export function compileRules(rules: Rule[], options: { eager?: boolean; extraKeywords?: string[] } = {}): CompiledRuleSet {
  const compiled = rules.map((r) => compileRule(r, options.eager ?? true));
  // Keyed by case mode and text: the same literal may be wanted exactly by one rule and in any case by another.
  const keywordIndex = new Map<string, number>();
  const rulesByKeyword: number[][] = [];
  const keywordCaseSensitive: boolean[] = [];
  const keyOf = (kw: string, sensitive: boolean) => (sensitive ? `=${kw}` : `~${kw.toLowerCase()}`);
  const indexOf = (kw: string, sensitive: boolean): number => {
    const key = keyOf(kw, sensitive);
    let k = keywordIndex.get(key);
    if (k === undefined) {
      k = keywordIndex.size;
      keywordIndex.set(key, k);
      rulesByKeyword.push([]);
      keywordCaseSensitive.push(sensitive);
    }
    return k;
  };
  for (const kw of options.extraKeywords ?? []) indexOf(kw, false);
  const keywordsByRule: number[][] = compiled.map(() => []);
  compiled.forEach((c, i) => {
    if (c.rule.candidates || c.rule.pem) return; // fed by the grammar or the PEM finder, which have their own keywords
    const sensitive = c.rule.keywordCase === 'sensitive';
    for (const kw of new Set(c.rule.keywords)) {
      const k = indexOf(kw, sensitive);
      if (rulesByKeyword[k].includes(i)) continue;
      rulesByKeyword[k].push(i);
      keywordsByRule[i].push(k);
    }
  });
  const keywords = [...keywordIndex.keys()].map((k) => k.slice(1));
  // RE2.Set over literals builds one DFA: one pass over the content answers "which keywords occur".
  const keywordPatterns = keywords.map((k, i) => (keywordCaseSensitive[i] ? escapeLiteral(k) : `(?i:${escapeLiteral(k)})`));
  const keywordSet = keywords.length ? new RE2.Set(keywordPatterns, { anchor: 'unanchored' }) : undefined;
  let cores: PatternCores | null | undefined;
  const patternCores = (): PatternCores | undefined => {
    if (cores === undefined) {
      // Rules without keywords run on their paths alone; the grammar's and the PEM finder's have no pattern.
      const ruleCores = compiled.map((c, i) => (keywordsByRule[i].length && c.rule.pattern ? patternCore(c.rule.pattern) : undefined));
      const coreOf = new Int32Array(compiled.length).fill(-1);
      const patterns = [...keywordPatterns];
      ruleCores.forEach((core, i) => {
        if (core === undefined) return;
        coreOf[i] = patterns.length;
        patterns.push(core);
      });
      cores = patterns.length > keywordPatterns.length ? { set: new RE2.Set(patterns, { anchor: 'unanchored' }), coreOf, cores: ruleCores } : null;
    }
    return cores ?? undefined;
  };
  const pathOnlyRules = compiled.flatMap((c, i) => (c.rule.keywords.length === 0 && !c.rule.candidates && !c.rule.pem ? [i] : []));
  // PEM label -> the rules that report blocks with it, by encryption ('*' for labels no rule names).
  const rulesByPemLabel = new Map<string, { clear?: number; encrypted?: number }>();
  compiled.forEach((c, i) => {
    for (const label of c.rule.pem?.labels ?? []) {
      const entry = rulesByPemLabel.get(label) ?? {};
      if (c.rule.pem!.encrypted !== true) entry.clear ??= i;
      if (c.rule.pem!.encrypted !== false) entry.encrypted ??= i;
      rulesByPemLabel.set(label, entry);
    }
  });
  // Key class -> the generic grammar-fed rule that reports it (the first rule to claim a class wins); provider rules
  // fed by the grammar (with `names`) are found by their names instead.
  const rulesByKeyClass = new Map<string, number>();
  const namedRules: number[] = [];
  compiled.forEach((c, i) => {
    if (c.rule.candidates?.names) namedRules.push(i);
    else for (const k of c.rule.candidates?.keyClasses ?? []) if (!rulesByKeyClass.has(k)) rulesByKeyClass.set(k, i);
  });
  const names = new ProviderNames(compiled, namedRules);
  return { rules: compiled, keywords, keywordCaseSensitive, keywordSet, patternCores, rulesByKeyword, keywordsByRule, pathOnlyRules, rulesByKeyClass, rulesByPemLabel, providerNames: names, byId: new Map(compiled.map((c) => [c.rule.id, c])) };
}
