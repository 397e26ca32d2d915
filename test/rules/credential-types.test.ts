// Credential types in the forms they are written in: each fake value is made at test time with the provider's shape,
// written in at least two syntaxes, and must be reported by the real matcher under the right rule.
import crypto from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RawMatch } from '../../src/model/index.js';
import { BUILTIN_RULES_DIR, loadRules } from '../../src/rules/load.js';
import { compileRules } from '../../src/rules/compile.js';
import { DECODE_KEYWORDS, Matcher } from '../../src/match/matcher.js';
import { longestSequentialRun } from '../../src/match/score.js';
import { isProviderPlaceholder, PROVIDER_EXAMPLE } from '../../src/match/values.js';
import { randomFrom } from '../helpers/fake-tokens.js';

const DIGITS = '0123456789';
const HEX = '0123456789abcdef';
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const ALNUM = `${UPPER}abcdefghijklmnopqrstuvwxyz${DIGITS}`;

/** A random value may, rarely, spell a word or a run (`test`, `abcdef`) that the engine drops as made-up: draw again. */
function plausible(v: string): boolean {
  return !isProviderPlaceholder(v) && !PROVIDER_EXAMPLE.test(v) && !/test/i.test(v) && longestSequentialRun(v) < 5;
}

function fake(make: () => string): string {
  for (;;) {
    const v = make();
    if (plausible(v)) return v;
  }
}

const rnd = (alphabet: string, n: number) => fake(() => randomFrom(alphabet, n));

// NATS nkey seeds: base32 (no padding) of the seed prefix byte with the key type folded in, 32 random bytes and a
// CRC-16/XMODEM, little-endian: what `nsc` and `nk -gen` write.
const NKEY_TYPE = { user: 20 << 3, account: 0, operator: 14 << 3 } as const;

function crc16(buf: Buffer): number {
  let crc = 0;
  for (const b of buf) {
    crc ^= b << 8;
    for (let i = 0; i < 8; i++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

function base32(buf: Buffer): string {
  const A = `${UPPER}234567`;
  let bits = 0;
  let value = 0;
  let out = '';
  for (const b of buf) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += A[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += A[(value << (5 - bits)) & 31];
  return out;
}

function fakeNkeySeed(type: keyof typeof NKEY_TYPE): string {
  return fake(() => {
    const prefix = NKEY_TYPE[type];
    const body = Buffer.concat([Buffer.from([(18 << 3) | (prefix >> 5), (prefix & 31) << 3]), crypto.randomBytes(32)]);
    const crc = crc16(body);
    return base32(Buffer.concat([body, Buffer.from([crc & 0xff, crc >> 8])]));
  });
}

type Jwk = Record<string, string>;

/** A freshly generated key as a JWK (its private members are random and belong to nothing). */
function fakeJwk(make: () => crypto.KeyObject, secretMembers: string[]): Jwk {
  for (;;) {
    const jwk = make().export({ format: 'jwk' }) as Jwk;
    if (secretMembers.every((m) => plausible(jwk[m]))) return jwk;
  }
}

const rsaJwk = () => fakeJwk(() => crypto.generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey, ['d', 'p', 'q']);
const ecJwk = () => fakeJwk(() => crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey, ['d']);
const okpJwk = () => fakeJwk(() => crypto.generateKeyPairSync('ed25519').privateKey, ['d']);
const octJwk = () => fakeJwk(() => crypto.generateKeySync('hmac', { length: 256 }), ['k']);

/** A JavaScript/TypeScript object literal: unquoted keys, single quotes. */
function jsObject(obj: Jwk, indent?: string): string {
  const members = Object.entries(obj).map(([k, v]) => `${k}: '${v}'`);
  return indent === undefined ? `{ ${members.join(', ')} }` : `{\n${members.map((m) => `${indent}${m},`).join('\n')}\n}`;
}

function pick(jwk: Jwk, members: string[]): Jwk {
  return Object.fromEntries(members.filter((m) => jwk[m] !== undefined).map((m) => [m, jwk[m]]));
}

function fakeStorageAccountKey(): string {
  // The public Azurite key starts with Eby8 and is never reported.
  return fake(() => crypto.randomBytes(64).toString('base64')).replace(/^Eb/, 'Qb');
}

function fakeJfrogReferenceToken(): string {
  // base64 of "reftkn:01:<expiry>:<random>", 48 bytes: 64 characters starting cmVmdGtuOjAx.
  const expiry = String(1_760_000_000 + crypto.randomInt(100_000_000));
  return fake(() => Buffer.from(`reftkn:01:${expiry}:${randomFrom(ALNUM, 27)}`).toString('base64'));
}

let matcher: Matcher;

beforeAll(() => {
  const { rules, problems } = loadRules([BUILTIN_RULES_DIR]);
  expect(problems).toEqual([]);
  matcher = new Matcher(compileRules(rules, { extraKeywords: DECODE_KEYWORDS }));
});

const matchesOf = (text: string, relPath: string): RawMatch[] => matcher.match(Buffer.from(text), relPath).matches;
const isReported = (m: RawMatch) => m.score >= 0.5 && !m.review;

/** The match of `secret` in `text` read as `relPath`: under `ruleId`, reported by default (score >= 0.5, no review). */
function expectReported(text: string, relPath: string, ruleId: string, secret: string): RawMatch {
  const all = matchesOf(text, relPath);
  const m = all.find((x) => x.secret === secret);
  const seen = all.map((x) => `${x.ruleId} ${x.secret.slice(0, 24)}… (${x.score}${x.review ? `, ${x.review}` : ''})`);
  expect(m, `${ruleId} in ${relPath}; matches: ${seen.join(', ') || 'none'}`).toBeDefined();
  expect(m!.ruleId, relPath).toBe(ruleId);
  expect(m!.score, relPath).toBeGreaterThanOrEqual(0.5);
  expect(m!.review, relPath).toBeUndefined();
  return m!;
}

describe('credential types: NATS nkey seeds', () => {
  it('finds user, account and operator seeds in a .creds file, an env file, server config and code', () => {
    const user = fakeNkeySeed('user');
    const account = fakeNkeySeed('account');
    const operator = fakeNkeySeed('operator');
    expect(user).toMatch(/^SU[A-Z2-7]{56}$/);
    expect(account).toMatch(/^SA[A-Z2-7]{56}$/);
    expect(operator).toMatch(/^SO[A-Z2-7]{56}$/);
    const jwt = `eyJ0eXAiOiJKV1QiLCJhbGciOiJlZDI1NTE5LW5rZXkifQ.${Buffer.from(JSON.stringify({ jti: rnd(UPPER, 52) })).toString('base64url')}.${rnd(ALNUM, 86)}`;
    const creds = [
      '-----BEGIN NATS USER JWT-----', jwt, '------END NATS USER JWT------', '',
      '************************* IMPORTANT *************************',
      'NKEY Seed printed below can be used to sign and prove identity.',
      'NKEYs are sensitive and should be treated as secrets.', '',
      '-----BEGIN USER NKEY SEED-----', user, '------END USER NKEY SEED------', '',
      '*************************************************************', '',
    ].join('\n');
    expectReported(creds, 'deploy/nats/orders.creds', 'nats.nkey-seed', user);
    expectReported(`NATS_ACCOUNT_SEED=${account}\n`, '.env', 'nats.nkey-seed', account);
    expectReported(`operator {\n  signing_key: "${operator}"\n}\n`, 'nats/server.conf', 'nats.nkey-seed', operator);
    expectReported(`kp, err := nkeys.FromSeed([]byte("${user}"))\n`, 'cmd/agent/main.go', 'nats.nkey-seed', user);
  });
});

describe('credential types: JSON Web Keys', () => {
  it('reports d of RSA, EC and OKP private keys in JSON', () => {
    const rsa = rsaJwk();
    expectReported(JSON.stringify({ ...rsa, kid: 'sig-2025', use: 'sig' }, null, 2), 'keys/signing.jwk', 'jwk.private-key', rsa.d);
    const ec = ecJwk();
    expectReported(JSON.stringify({ keys: [{ ...ec, alg: 'ES256' }] }), 'config/jwks.private.json', 'jwk.private-key', ec.d);
    const okp = okpJwk();
    expectReported(`{"d":"${okp.d}","crv":"Ed25519","x":"${okp.x}","kty":"OKP"}`, 'keys/ed25519.json', 'jwk.private-key', okp.d);
  });

  it('reports d in JavaScript and TypeScript object literals (unquoted keys, single quotes)', () => {
    const rsa = rsaJwk();
    expectReported(`export const signingKey = ${jsObject(pick(rsa, ['kty', 'n', 'e', 'd']))};\n`, 'src/auth/keys.mjs', 'jwk.private-key', rsa.d);
    const ec = ecJwk();
    expectReported(`const privateJwk: JWK = ${jsObject(pick(ec, ['kty', 'crv', 'x', 'y', 'd']), '  ')};\n`, 'src/auth/signer.ts', 'jwk.private-key', ec.d);
    const okp = okpJwk();
    expectReported(`const key = await importJWK(${jsObject(pick(okp, ['crv', 'd', 'x', 'kty']))}, 'EdDSA');\n`, 'lib/sign.js', 'jwk.private-key', okp.d);
  });

  it('reports an RSA prime (p, q) when the JWK has no d: either prime rebuilds the key', () => {
    const rsa = rsaJwk();
    expectReported(JSON.stringify(pick(rsa, ['kty', 'n', 'e', 'p', 'q']), null, 2), 'keys/partial.json', 'jwk.private-key', rsa.p);
    expectReported(`module.exports = ${jsObject(pick(rsa, ['kty', 'n', 'e', 'q', 'p']))};\n`, 'config/key.js', 'jwk.private-key', rsa.q);
  });

  it('reports k of a symmetric (oct) key in JSON and in an object literal', () => {
    const oct = octJwk();
    expectReported(JSON.stringify({ kty: 'oct', kid: 'hs256-main', alg: 'HS256', use: 'sig', key_ops: ['sign', 'verify'], k: oct.k }, null, 2), 'config/keys/hmac.json', 'jwk.symmetric-key', oct.k);
    expectReported(`const secret = await importJWK(${jsObject({ kty: 'oct', k: oct.k, alg: 'HS256' })}, 'HS256');\n`, 'lib/session.mjs', 'jwk.symmetric-key', oct.k);
    expectReported(`export const cek = ${jsObject({ k: oct.k, kty: 'oct' }, '  ')};\n`, 'src/crypto/cek.ts', 'jwk.symmetric-key', oct.k);
  });

  it('does not report a public JWK (no d, p, q or k) in JSON or in code', () => {
    const rsa = rsaJwk();
    const ec = ecJwk();
    const jwks = { keys: [{ ...pick(rsa, ['kty', 'n', 'e']), kid: 'sig-2025', use: 'sig', alg: 'RS256' }, { ...pick(ec, ['kty', 'crv', 'x', 'y']), kid: 'es-1' }] };
    expect(matchesOf(JSON.stringify(jwks, null, 2), 'public/.well-known/jwks.json').filter(isReported)).toEqual([]);
    expect(matchesOf(`export const jwks = { keys: [${jsObject(pick(rsa, ['kty', 'n', 'e']))}, ${jsObject(pick(ec, ['kty', 'crv', 'x', 'y']))}] };\n`, 'src/jwks.js').filter(isReported)).toEqual([]);
  });
});

describe('credential types: prefixed tokens', () => {
  it('Slack app-level tokens (xapp-1-)', () => {
    const token = `xapp-1-A${rnd(`${UPPER}${DIGITS}`, 10)}-${rnd(DIGITS, 13)}-${rnd(HEX, 64)}`;
    expectReported(`SLACK_APP_TOKEN=${token}\n`, '.env', 'slack.app-token', token);
    expectReported(`handler = SocketModeHandler(app, "${token}")\n`, 'bot/app.py', 'slack.app-token', token);
    expectReported(`const app = new App({ appToken: '${token}', socketMode: true });\n`, 'src/bot.js', 'slack.app-token', token);
  });

  it('Twitch stream keys in OBS settings, an RTMP URL and an env file', () => {
    const key = `live_${rnd(DIGITS, 9)}_${rnd(ALNUM, 30)}`;
    const obs = JSON.stringify({ settings: { bwtest: false, key, server: 'rtmp://live.twitch.tv/app', service: 'Twitch' }, type: 'rtmp_common' });
    expectReported(obs, 'obs-studio/basic/profiles/Main/service.json', 'twitch.stream-key', key);
    expectReported(`ffmpeg -re -i gameplay.mp4 -c:v libx264 -preset veryfast -f flv rtmp://live.twitch.tv/app/${key}\n`, 'scripts/stream.sh', 'twitch.stream-key', key);
    expectReported(`TWITCH_STREAM_KEY=${key}\n`, '.env', 'twitch.stream-key', key);
  });

  it('JFrog reference tokens and API keys', () => {
    const ref = fakeJfrogReferenceToken();
    expect(ref).toMatch(/^cmVmdGtuOjAxOj[A-Za-z0-9]{50}$/);
    expectReported(`//acme.jfrog.io/artifactory/api/npm/npm/:_authToken=${ref}\n`, '.npmrc', 'jfrog.reference-token', ref);
    expectReported(`env:\n  JF_ACCESS_TOKEN: "${ref}"\n`, '.github/workflows/release.yml', 'jfrog.reference-token', ref);
    const apiKey = `AKCp${rnd(ALNUM, 69)}`;
    expectReported(`artifactory_password=${apiKey}\n`, 'gradle.properties', 'jfrog.api-key', apiKey);
    expectReported(`curl -H "X-JFrog-Art-Api: ${apiKey}" -T app.jar https://acme.jfrog.io/artifactory/libs-release/app.jar\n`, 'scripts/publish.sh', 'jfrog.api-key', apiKey);
  });

  it('HashiCorp Vault service and batch tokens', () => {
    const hvs = `hvs.${rnd(ALNUM, 24)}`;
    const hvb = `hvb.${rnd(`${ALNUM}-_`, 120)}`;
    expectReported(`export VAULT_TOKEN=${hvs}\n`, '.envrc', 'vault.token.service', hvs);
    expectReported(`client = hvac.Client(url="https://vault.acme.io:8200", token="${hvs}")\n`, 'tools/fetch_secrets.py', 'vault.token.service', hvs);
    expectReported(`vault:\n  token: "${hvb}"\n`, 'ci/vault.yml', 'vault.token.batch', hvb);
    expectReported(`curl -H "X-Vault-Token: ${hvb}" https://vault.acme.io/v1/secret/data/app\n`, 'scripts/read.sh', 'vault.token.batch', hvb);
  });

  it('HashiCorp Vault unseal keys in init output, JSON and the unseal command', () => {
    const key = fake(() => crypto.randomBytes(33).toString('base64'));
    expectReported(`Unseal Key 1: ${key}\n\nInitial Root Token: hvs.${rnd(ALNUM, 24)}\n`, 'notes/vault-init.txt', 'vault.unseal-key', key);
    expectReported(JSON.stringify({ unseal_keys_b64: [key], unseal_threshold: 1 }, null, 2), 'vault/init.json', 'vault.unseal-key', key);
    expectReported(`vault operator unseal ${key}\n`, 'scripts/unseal.sh', 'vault.unseal-key', key);
  });

  it('New Relic user keys (NRAK-) and Pixie API keys (px-api-)', () => {
    const nrak = `NRAK-${rnd(`${UPPER}${DIGITS}`, 27)}`;
    expectReported(`NEW_RELIC_API_KEY=${nrak}\n`, '.env', 'newrelic.user-key', nrak);
    expectReported(`curl https://api.newrelic.com/graphql -H 'API-Key: ${nrak}' -d @query.json\n`, 'scripts/nerdgraph.sh', 'newrelic.user-key', nrak);
    const px = `px-api-${fake(() => crypto.randomUUID())}`;
    expectReported(`export PX_API_KEY=${px}\n`, 'scripts/px-env.sh', 'newrelic.pixie.api-key', px);
    expectReported(`client = pxapi.Client(token="${px}", server_url="work.withpixie.ai")\n`, 'tools/pixie_query.py', 'newrelic.pixie.api-key', px);
  });
});

describe('credential types: keys named by their setting', () => {
  it('Azure storage account keys in connection strings, XML and PHP arrays', () => {
    const key = fakeStorageAccountKey();
    const conn = `DefaultEndpointsProtocol=https;AccountName=x;AccountKey=${key};EndpointSuffix=core.windows.net`;
    expectReported(`AZURE_STORAGE_CONNECTION_STRING="${conn}"\n`, '.env', 'azure.storage.account-key', key);
    expectReported(`<appSettings>\n  <add key="StorageConnectionString" value="${conn}" />\n</appSettings>\n`, 'src/Web.config', 'azure.storage.account-key', key);
    expectReported(`<StorageAccount>\n  <AccountName>mediastore7</AccountName>\n  <AccountKey>${key}</AccountKey>\n</StorageAccount>\n`, 'deploy/ServiceConfiguration.Cloud.cscfg', 'azure.storage.account-key.named', key);
    const php = `'azure' => [\n    'driver' => 'azure',\n    'account_name' => 'mediastore7',\n    'account_key' => '${key}',\n    'container' => 'uploads',\n],\n`;
    expectReported(php, 'config/filesystems.php', 'azure.storage.account-key.named', key);
  });

  it('Cisco Meraki API keys, named in the key or its parent', () => {
    const key = rnd(HEX, 40);
    expectReported(`MERAKI_DASHBOARD_API_KEY=${key}\n`, '.env', 'meraki.api-key', key);
    expectReported(`curl -L -H 'X-Cisco-Meraki-API-Key: ${key}' https://api.meraki.com/api/v1/organizations\n`, 'scripts/list-orgs.sh', 'meraki.api-key', key);
    expectReported(`meraki:\n  api_key: "${key}"\n  org_id: "${rnd(DIGITS, 6)}"\n`, 'group_vars/all.yml', 'meraki.api-key', key);
  });

  it('ClickHouse Cloud key secrets (4b1d...) with their key id as a part', () => {
    const keyId = rnd(ALNUM, 20);
    const secret = `4b1d${rnd(ALNUM, 38)}`;
    const forms: [string, string][] = [
      [`CLICKHOUSE_KEY_ID=${keyId}\nCLICKHOUSE_KEY_SECRET=${secret}\n`, '.env'],
      [`curl --user ${keyId}:${secret} https://api.clickhouse.cloud/v1/organizations\n`, 'scripts/ch-orgs.sh'],
      [`provider "clickhouse" {\n  organization_id = var.organization_id\n  token_key       = "${keyId}"\n  token_secret    = "${secret}"\n}\n`, 'infra/clickhouse.tf'],
    ];
    for (const [text, path] of forms) {
      const m = expectReported(text, path, 'clickhouse.cloud.api-key-secret', secret);
      expect(m.parts?.keyId, path).toBe(keyId);
      expect(m.severity, path).toBe('critical');
    }
  });
});

describe('credential types: Twilio account SID and auth token', () => {
  it('reports the auth token once, with the account SID as its part rather than a finding of its own', () => {
    const sid = `AC${rnd(HEX, 32)}`;
    const token = rnd(HEX, 32);
    const forms: [string, string][] = [
      [`TWILIO_ACCOUNT_SID=${sid}\nTWILIO_AUTH_TOKEN=${token}\n`, '.env'],
      [`const client = require('twilio')('${sid}', '${token}');\n`, 'src/sms.js'],
      [`account_sid = "${sid}"\nauth_token = "${token}"\nclient = Client(account_sid, auth_token)\n`, 'app/sms.py'],
    ];
    for (const [text, path] of forms) {
      const m = expectReported(text, path, 'twilio.auth-token.with-sid', token);
      expect(m.parts, path).toEqual({ accountSid: sid });
      expect(matchesOf(text, path).filter((x) => x.secret === sid), path).toEqual([]);
    }
  });

  it('raises a Twilio-named auth token to critical once its SID is found with it', () => {
    const sid = `AC${rnd(HEX, 32)}`;
    const token = rnd(HEX, 32);
    const m = expectReported(`$twilioAuthToken = '${token}';\n$twilioAccountSid = '${sid}';\n`, 'config/twilio.php', 'twilio.auth-token', token);
    expect(m.parts).toEqual({ accountSid: sid });
    expect(m.severity).toBe('critical');
    const alone = expectReported(`TWILIO_AUTH_TOKEN=${token}\n`, '.env', 'twilio.auth-token', token);
    expect(alone.parts).toBeUndefined();
    expect(alone.severity).toBeUndefined();
  });
});
