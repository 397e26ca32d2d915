// Finding contexts compile the rules; a thread keeps one per rule set and settings (a pre-commit hook made two).
import { describe, expect, it } from 'vitest';
import { BUILTIN_RULES_DIR, loadRules } from '../../src/rules/load.js';
import { FindingContext } from '../../src/scan/findings.js';

describe('FindingContext.shared', () => {
  it('returns one context per rule set and settings', () => {
    const rules = loadRules([BUILTIN_RULES_DIR]).rules;
    const options = { rules, fingerprintKey: 'k', showSecrets: false, allowSecrets: [], stopwords: [] };
    const a = FindingContext.shared(options);
    // Compared by identity (the objects hold lazily compiled patterns a deep diff must not touch).
    expect(FindingContext.shared({ ...options }) === a).toBe(true);
    expect(FindingContext.shared({ ...options, fingerprintKey: 'other' }) === a).toBe(false);
    expect(FindingContext.shared({ ...options, rules: [...rules] }) === a).toBe(false);
  });
});
