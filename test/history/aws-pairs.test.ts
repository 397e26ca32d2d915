// A multi-part credential keeps every part's place: AWS key pairs written the three ways people save them (the
// console's "Access key ID / Secret access key" export, the CSV download, the ~/.aws/credentials file), in a working
// tree and in a repository's history. Both lines of each pair are reported, each with its own location; the pair is
// as severe as its secret.
import crypto from 'node:crypto';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { ALICE, FixtureRepo } from '../helpers/git-fixtures.js';
import { fakeAwsAccessKeyId, fakeAwsSecretKey } from '../helpers/fake-tokens.js';

interface Occ { path: string; line: number; column: number; part?: string; commit?: string }
interface Tok { ruleId: string; severity: string; tier: string; occurrences: Occ[]; parts?: { name: string }[] }

const LAYOUTS = {
  'notes/console-export.txt': (id: string, secret: string) => `Created for the deploy user\nAccess key ID: ${id}\nSecret access key: ${secret}\n`,
  'downloads/ci_accessKeys.csv': (id: string, secret: string) => `Access key ID,Secret access key\n${id},${secret}\n`,
  'home/.aws/credentials': (id: string, secret: string) => `[default]\naws_access_key_id = ${id}\naws_secret_access_key = ${secret}\nregion = eu-west-1\n`,
};

describe('AWS key pairs in three layouts', () => {
  let repo: FixtureRepo;
  const pairs = new Map<string, { id: string; secret: string }>();

  beforeAll(() => {
    repo = FixtureRepo.init('shadowscan-aws-pairs-');
    for (const [file, write] of Object.entries(LAYOUTS)) {
      const pair = { id: fakeAwsAccessKeyId(), secret: fakeAwsSecretKey() };
      pairs.set(file, pair);
      repo.write(file, write(pair.id, pair.secret));
    }
    repo.commit('keys', ALICE, '2024-03-01T10:00:00Z');
  });

  /** Both lines of each pair, each with its own place; the pair critical. */
  function expectPairs(tokens: Tok[]): void {
    for (const [file, { id }] of pairs) {
      const lines = (LAYOUTS as Record<string, (a: string, b: string) => string>)[file](id, 'SECRET').split('\n');
      const idLine = lines.findIndex((l) => l.includes(id)) + 1;
      const secretLine = lines.findIndex((l) => l.includes('SECRET')) + 1;
      const t = tokens.find((x) => x.occurrences.some((o) => o.path === file && !o.part));
      expect(t, file).toBeDefined();
      expect(t!.ruleId).toBe('aws.access-key-id.long-term');
      expect(t!.severity).toBe('critical');
      expect(t!.tier).toBe('report');
      expect(t!.parts?.map((p) => p.name)).toEqual(['secretAccessKey']);
      const here = t!.occurrences.filter((o) => o.path === file);
      expect(here.find((o) => !o.part)?.line, file).toBe(idLine);
      expect(here.find((o) => o.part === 'secretAccessKey')?.line, file).toBe(secretLine);
      // The secret key is a part of this token, not a second one.
      expect(tokens.filter((x) => x.occurrences.some((o) => o.path === file && !o.part))).toHaveLength(1);
    }
  }

  it('scan reports both lines of each pair, each with its own location', () => {
    const r = runCli(['scan', repo.dir, '--format', 'json', '--no-baseline']);
    expect(r.code).toBe(1);
    const tokens = (JSON.parse(r.stdout) as { tokens: Tok[] }).tokens;
    expectPairs(tokens);
    const sarif = JSON.parse(runCli(['scan', repo.dir, '--format', 'sarif', '--no-baseline']).stdout) as {
      runs: { results: { ruleId: string; relatedLocations?: { physicalLocation: { region: { startLine: number } } }[] }[] }[];
    };
    const aws = sarif.runs[0].results.filter((x) => x.ruleId === 'aws.access-key-id.long-term');
    expect(aws).toHaveLength(3);
    for (const res of aws) expect(res.relatedLocations?.length).toBeGreaterThan(0);
    for (const { secret } of pairs.values()) expect(r.stdout.includes(secret)).toBe(false);
  });

  it('history reports both lines of each pair, each with its own location and commit', () => {
    const r = runCli(['history', repo.dir, '--format', 'json', '--no-baseline']);
    expect(r.code).toBe(1);
    const tokens = (JSON.parse(r.stdout) as { tokens: Tok[] }).tokens;
    expectPairs(tokens);
    for (const t of tokens) for (const o of t.occurrences) expect(o.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(path.isAbsolute(tokens[0].occurrences[0].path)).toBe(false);
  });
});

describe('Azure storage account name and key', () => {
  // A storage key is used with its account's name: env files and the CLI write them on separate lines or flags.
  const fakeAzureKey = () => `${crypto.randomBytes(64).toString('base64').replace(/^E/, 'Q')}`;
  const LAYOUTS_AZ: Record<string, (name: string, key: string) => string> = {
    '.env': (n, k) => `AZURE_STORAGE_ACCOUNT=${n}\nAZURE_STORAGE_KEY=${k}\n`,
    'scripts/upload.sh': (n, k) => `az storage blob upload \\\n  --account-name ${n} \\\n  --account-key ${k} \\\n  -c logs -f app.log\n`,
  };

  it('scan reports the key with the account name as a located part', () => {
    const repo = FixtureRepo.init('shadowscan-azure-pairs-');
    const written = new Map<string, { name: string; key: string }>();
    for (const [file, write] of Object.entries(LAYOUTS_AZ)) {
      const pair = { name: `stg${crypto.randomBytes(4).toString('hex')}`, key: fakeAzureKey() };
      written.set(file, pair);
      repo.write(file, write(pair.name, pair.key));
    }
    const r = runCli(['scan', repo.dir, '--format', 'json', '--no-baseline']);
    expect(r.code).toBe(1);
    const tokens = (JSON.parse(r.stdout) as { tokens: Tok[] }).tokens;
    for (const [file, { name }] of written) {
      const lines = LAYOUTS_AZ[file](name, 'KEY').split('\n');
      const t = tokens.find((x) => x.occurrences.some((o) => o.path === file && !o.part));
      expect(t, file).toBeDefined();
      expect(t!.ruleId).toMatch(/^azure\.storage\.account-key/);
      expect(t!.parts?.map((p) => p.name)).toEqual(['accountName']);
      const here = t!.occurrences.filter((o) => o.path === file);
      expect(here.find((o) => !o.part)?.line, file).toBe(lines.findIndex((l) => l.includes('KEY')) + 1);
      expect(here.find((o) => o.part === 'accountName')?.line, file).toBe(lines.findIndex((l) => l.includes(name)) + 1);
    }
  });
});
