// An organisation made at test time: 20 repositories under one folder (working trees in nested folders, bare
// mirrors), sharing some fake tokens, plus one broken repository. Fixed authors and dates; random tokens.
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { tempDir } from '../helpers/cli.js';
import { fakeAwsAccessKeyId, fakeGithubPat, fakeSlackBotToken, fakeStripeLiveKey } from '../helpers/fake-tokens.js';
import { ALICE, BOB, FixtureRepo, fakeGenericSecret, gitEnv } from '../helpers/git-fixtures.js';

export const KEY = 'org-test-key';
export const ENV = { SHADOWSCAN_FINGERPRINT_KEY: KEY };
export const fp = (secret: string) => crypto.createHmac('sha256', KEY).update(secret, 'utf8').digest('hex');

export interface OrgFixture {
  root: string;
  /** Every repository name (path under root, `/`-separated), the broken one included. */
  names: string[];
  repos: Record<string, FixtureRepo>;
  tokens: {
    /** In 7 repositories, still in each HEAD. */
    aws: string;
    /** In 3 repositories; deleted from one of them (still active in the other two). */
    pat: string;
    /** Added and removed again in team-b/svc-09 (and its bare mirror): history only. */
    slack: string;
    stripe: string;
    /** One per library, lib-13 to lib-16 (lib-13 also in its mirror). */
    generic: string[];
  };
}

const day = (n: number) => new Date(Date.UTC(2024, 0, 1 + n, 10)).toISOString().replace(/\.\d{3}Z$/, 'Z');

export function buildOrg(): OrgFixture {
  const root = tempDir('shadowscan-org-');
  const tokens = {
    aws: fakeAwsAccessKeyId(),
    pat: fakeGithubPat(),
    slack: fakeSlackBotToken(),
    stripe: fakeStripeLiveKey(),
    generic: [0, 1, 2, 3].map(() => fakeGenericSecret()),
  };
  const repos: Record<string, FixtureRepo> = {};
  const make = (name: string, i: number, extra: (r: FixtureRepo) => void) => {
    const dir = path.join(root, name);
    fs.mkdirSync(dir, { recursive: true });
    const r = new FixtureRepo(dir);
    r.git(['init', '-q', '-b', 'main']);
    r.write('README.md', `# ${name}\n`);
    r.write('src/main.py', `def main():\n    return ${i}\n`);
    r.commit('initial', ALICE, day(i));
    extra(r);
    r.write('src/main.py', `def main():\n    return ${i + 1}\n`);
    r.commit('work', BOB, day(i + 40));
    repos[name] = r;
  };
  for (let i = 0; i < 12; i++) {
    const name = `${i < 6 ? 'team-a' : 'team-b'}/svc-${String(i).padStart(2, '0')}`;
    make(name, i, (r) => {
      if (i <= 6) {
        r.write('config/aws.env', `AWS_ACCESS_KEY_ID=${tokens.aws}\nAWS_REGION=eu-west-1\n`);
        r.commit('aws config', ALICE, day(i + 10));
      }
      if (i === 7 || i === 8) {
        r.write('deploy/ci.sh', `#!/bin/sh\nexport GITHUB_TOKEN=${tokens.pat}\n`);
        r.commit('ci', BOB, day(i + 20));
      }
      if (i === 9) {
        r.write('bot/settings.py', `SLACK_BOT_TOKEN = "${tokens.slack}"\n`);
        r.commit('bot', ALICE, day(30));
        r.remove('bot/settings.py');
        r.commit('remove the bot token', ALICE, day(31));
      }
      if (i === 10) {
        r.write('billing/keys.py', `STRIPE_KEY = "${tokens.stripe}"\n`);
        r.commit('billing', BOB, day(32));
      }
    });
  }
  for (let i = 12; i < 17; i++) {
    make(`libs/lib-${i}`, i, (r) => {
      if (i === 12) {
        r.write('scripts/release.sh', `export GITHUB_TOKEN=${tokens.pat}\n`);
        r.commit('release', ALICE, day(35));
        r.remove('scripts/release.sh');
        r.commit('no token in the repo', ALICE, day(36));
      } else {
        r.write('lib/settings.py', `API_TOKEN = "${tokens.generic[i - 13]}"\n`);
        r.commit('settings', BOB, day(i + 20));
      }
    });
  }
  const mirror = (from: string, name: string) => {
    const r = spawnSync('git', ['clone', '-q', '--bare', repos[from].dir, path.join(root, name)], { env: gitEnv() });
    if (r.status !== 0) throw new Error(`git clone failed: ${r.stderr}`);
    repos[name] = new FixtureRepo(path.join(root, name));
  };
  mirror('libs/lib-13', 'mirrors/lib-13.git');
  mirror('team-b/svc-09', 'mirrors/svc-09.git');
  mirror('team-b/svc-11', 'mirrors/svc-11.git');
  // Looks like a working tree, is not one: its scan fails and the others go on.
  fs.mkdirSync(path.join(root, 'broken', '.git'), { recursive: true });
  fs.writeFileSync(path.join(root, 'broken', '.git', 'HEAD'), 'not a ref\n');
  // Not repositories: searched through, not scanned.
  fs.mkdirSync(path.join(root, 'docs', 'notes'), { recursive: true });
  fs.writeFileSync(path.join(root, 'docs', 'notes', 'readme.txt'), 'nothing here\n');
  const names = [...Object.keys(repos), 'broken'].sort();
  return { root, names, repos, tokens };
}

/** An inventory without what differs from run to run (timings), for comparing runs. */
export function comparable(inv: Record<string, any>): Record<string, any> {
  const copy = JSON.parse(JSON.stringify(inv));
  delete copy.scan.startedAt;
  delete copy.scan.durationMs;
  delete copy.scan.org.shard;
  delete copy.scan.org.datastore;
  delete copy.scan.org.blobsRead;
  delete copy.scan.org.blobsReused;
  for (const r of copy.scan.org.repositories) {
    delete r.scannedAt;
    delete r.durationMs;
    delete r.blobs;
    delete r.reused;
  }
  return copy;
}
