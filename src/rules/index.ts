export { loadRules, BUILTIN_RULES_DIR, RuleLoadError, type LoadedRules } from './load.js';
export { compileRules, compileRule, escapeLiteral, RuleCompileError, type CompiledRule, type CompiledRuleSet, type CompiledPart } from './compile.js';
export { validateRuleFile, RULES_SCHEMA_PATH } from './schema.js';
