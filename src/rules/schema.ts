// Validates a parsed rule file against the JSON Schema kept in schema/rules.schema.json.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';

export const RULES_SCHEMA_PATH = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../schema/rules.schema.json');

let validator: ValidateFunction | undefined;

export function validateRuleFile(doc: unknown): string[] {
  if (!validator) {
    const schema = JSON.parse(fs.readFileSync(RULES_SCHEMA_PATH, 'utf8'));
    validator = new Ajv({ allErrors: true, strict: false }).compile(schema);
  }
  if (validator(doc)) return [];
  return (validator.errors ?? []).slice(0, 20).map((e) => {
    const where = e.instancePath || '/';
    return `${where} ${e.message ?? 'is invalid'}${e.params && 'allowedValues' in e.params ? ` (${(e.params.allowedValues as string[]).join(', ')})` : ''}`;
  });
}
