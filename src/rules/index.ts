export { loadRules, BUILTIN_RULES_DIR, RuleLoadError, type LoadedRules } from './load.js';
export { compileRules, compileRule, escapeLiteral, RuleCompileError, type CompiledRule, type CompiledRuleSet, type CompiledPart, type PatternCores } from './compile.js';
export { patternCore } from './core.js';
export { validateRuleFile, RULES_SCHEMA_PATH } from './schema.js';
