// Validates a parsed rule file against the JSON Schema kept in schema/rules.schema.json.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import type { ValidateFunction } from 'ajv';

// Loaded on first use: scans served from the rules cache never pay for it.
const requireLazy = createRequire(import.meta.url);

export const RULES_SCHEMA_PATH = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../schema/rules.schema.json');

let validator: ValidateFunction | undefined;

export function validateRuleFile(doc: unknown): string[] {
  if (!validator) {
    const schema = JSON.parse(fs.readFileSync(RULES_SCHEMA_PATH, 'utf8'));
    const { Ajv } = requireLazy('ajv') as typeof import('ajv');
    validator = new Ajv({ allErrors: true, strict: false }).compile(schema);
  }
  if (validator(doc)) return [];
  return (validator.errors ?? []).slice(0, 20).map((e) => {
    const where = e.instancePath || '/';
    return `${where} ${e.message ?? 'is invalid'}${e.params && 'allowedValues' in e.params ? ` (${(e.params.allowedValues as string[]).join(', ')})` : ''}`;
  });
}
