// Precision on real third-party code: the project's own dependencies, which npm ci always installs.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli } from '../helpers/cli.js';

describe('precision on node_modules', () => {
  it('reports at most 3 tokens per 100 MB of real packages (report tier)', () => {
    const dir = path.join(ROOT, 'node_modules');
    if (!fs.existsSync(dir)) return;
    const r = runCli(['scan', dir, '--include-vendored', '--format', 'json', '--quiet']);
    const inv = JSON.parse(r.stdout) as { scan: { bytes: number }; tokens: { ruleId: string; tier: string; occurrences: { path: string }[] }[] };
    const reported = inv.tokens.filter((t) => t.tier === 'report');
    const per100MB = reported.length / (inv.scan.bytes / (100 * 1024 * 1024));
    expect(inv.scan.bytes).toBeGreaterThan(50 * 1024 * 1024);
    expect(per100MB, reported.map((t) => `${t.ruleId} ${t.occurrences[0].path}`).join('\n')).toBeLessThanOrEqual(3);
  }, 240_000);
});
