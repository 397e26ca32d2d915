// A fake provider's rule file, written at test time, and the CLI run asynchronously (the fake servers live in the
// test's own process: a synchronous spawn would block them).
import fs from 'node:fs';
import path from 'node:path';
import { tempDir } from '../helpers/cli.js';
import { randomFrom } from '../helpers/fake-tokens.js';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A token of the fake provider: `fkp_` and 32 random characters. */
export const fakeProviderToken = () => `fkp_${randomFrom(ALNUM, 32)}`;

/** The fake provider's rules (fakeprov.yaml): verify against api.fakeprov.example, revoke in batches of 2. */
export function fakeProviderRules(dir = tempDir('shadowscan-rules-'), host = 'api.fakeprov.example'): string {
  const example = fakeProviderToken();
  fs.writeFileSync(
    path.join(dir, 'fakeprov.yaml'),
    `provider: FakeProv
rules:
  - id: fakeprov.key
    name: FakeProv API key
    kind: api-key
    pattern: '\\b(fkp_[A-Za-z0-9]{32})\\b'
    keywords: [ fkp_ ]
    keywordCase: sensitive
    confidence: high
    severity: high
    privilege: write
    privilegeReason: Acts as its owner.
    rotate: https://${host}/docs/rotate
    verify:
      request:
        method: GET
        url: https://${host}/v1/me
        headers: { Authorization: 'Bearer {{secret}}' }
      live: [ { status: 200 } ]
      invalid: [ { status: 401 } ]
      identity: [ { json: user.name, label: user } ]
      scopes: { header: X-Scopes, split: ',' }
      privilegeFromScopes:
        - { privilege: admin, anyOf: [ admin ] }
        - { privilege: write, anyOf: [ write ] }
      docs: [ https://${host}/docs/me ]
    revoke:
      request:
        method: POST
        url: https://${host}/v1/revoke
        json: { keys: '{{secrets}}' }
      batch: 2
      success: [ { status: 202 } ]
      docs: [ https://${host}/docs/revoke ]
    examples:
      - text: FAKEPROV_KEY=${example}
        secret: ${example}
    negativeExamples: [ 'FAKEPROV_KEY=fkp_short' ]
`,
  );
  return dir;
}

export { runCliAsync } from '../helpers/cli.js';

/** Every file under a folder, read as text: to look for a secret in whatever a run wrote. */
export function allText(dir: string): string {
  let out = '';
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) out += fs.readFileSync(path.join(e.parentPath ?? (e as unknown as { path: string }).path, e.name)).toString('latin1');
  }
  return out;
}
