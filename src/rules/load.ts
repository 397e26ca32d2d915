// Reads rule files (YAML) from disk and validates them against schema/rules.schema.json.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import type { NegativeExample, Rule } from '../model/index.js';
import { validateRuleFile } from './schema.js';

/** The rules/ directory shipped with the package. */
export const BUILTIN_RULES_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../rules');

export class RuleLoadError extends Error {
  constructor(message: string, readonly problems: string[] = []) {
    super(message);
  }
}

export interface LoadedRules {
  rules: Rule[];
  files: string[];
  /** Problems found while loading (schema errors, duplicate ids). Empty when all is well. */
  problems: string[];
}

function listRuleFiles(dir: string): string[] {
  const stat = fs.statSync(dir, { throwIfNoEntry: false });
  if (!stat) throw new RuleLoadError(`rules path does not exist: ${dir}`);
  if (stat.isFile()) return [dir];
  return fs
    .readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => path.join(dir, f));
}

interface RuleFileDoc {
  provider: string;
  rules: Array<Omit<Rule, 'provider' | 'source' | 'negativeExamples'> & { provider?: string; negativeExamples: Array<string | NegativeExample> }>;
}

/** Loads every rule file under the given directories (or files). Validation problems are collected, not thrown. */
export function loadRules(paths: string[] = [BUILTIN_RULES_DIR], options: { validate?: boolean } = {}): LoadedRules {
  const validate = options.validate ?? true;
  const rules: Rule[] = [];
  const files: string[] = [];
  const problems: string[] = [];
  const seen = new Map<string, string>();
  for (const p of paths) {
    for (const file of listRuleFiles(p)) {
      const rel = path.basename(file);
      files.push(file);
      let doc: unknown;
      try {
        doc = YAML.parse(fs.readFileSync(file, 'utf8'));
      } catch (err) {
        problems.push(`${rel}: not valid YAML: ${(err as Error).message.split('\n')[0]}`);
        continue;
      }
      if (validate) {
        const errors = validateRuleFile(doc);
        if (errors.length) {
          problems.push(...errors.map((e) => `${rel}: ${e}`));
          continue;
        }
      }
      const fileDoc = doc as RuleFileDoc;
      for (const r of fileDoc.rules ?? []) {
        if (seen.has(r.id)) {
          problems.push(`${rel}: duplicate rule id ${r.id} (also in ${seen.get(r.id)})`);
          continue;
        }
        seen.set(r.id, rel);
        rules.push({
          ...r,
          provider: r.provider ?? fileDoc.provider,
          negativeExamples: (r.negativeExamples ?? []).map((n) => (typeof n === 'string' ? { text: n } : n)),
          source: rel,
        } as Rule);
      }
    }
  }
  return { rules, files, problems };
}
