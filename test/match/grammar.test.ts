// The assignment grammar, form by form: each case writes one realistic line with a secret made at test time and
// checks that the grammar reads exactly that secret (in the form and quoting it was written with) and that the
// matcher reports it under a generic rule (score >= DEFAULT_MIN_SCORE, no review reason). Negatives check that
// labels, references, placeholders and look-alike words are not reported. Cases the grammar does not read yet are
// marked `knownGap` and run as `it.fails`, so that fixing one turns its test red until the mark is removed.
import crypto from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { findCandidates, type Candidate, type Quoting, type SyntaxForm } from '../../src/match/grammar.js';
import { DECODE_KEYWORDS, Matcher } from '../../src/match/matcher.js';
import { DEFAULT_MIN_SCORE } from '../../src/match/thresholds.js';
import { fileFamily, pathRole, type FileFamily, type LineRole, type PathRole } from '../../src/match/syntax.js';
import { BUILTIN_RULES_DIR, loadRules } from '../../src/rules/load.js';
import { compileRules } from '../../src/rules/compile.js';

// ---------------------------------------------------------------------------------------------------------------
// Fake secrets

const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/**
 * Symbols that stay inside a value in every syntax below (no quote, separator, comment or `user:pass` character), and
 * none of base64's, so that a password reads as a password and never as a random base64 token.
 */
const SAFE_SYMBOLS = '!^*~';
/**
 * Substrings that would make a random value something else by chance: a secret word the grammar starts from (a second
 * key inside the value), or a word the scorer reads as an example or a placeholder.
 */
const ACCIDENTAL_WORDS = /pass|pw|psw|pwd|secret|token|key|auth|cred|salt|nonce|sid|bearer|jwt|login|cookie|test|demo|fake|mock|dummy|sample|example|foo|bar|lorem|todo|tbd|null|none|nil|your|xxx/i;

/** The longest run of consecutive ascending or descending characters (`abcd`, `4321`): made-up values have long ones. */
function longestSequentialRun(s: string): number {
  let best = 1;
  let up = 1;
  let down = 1;
  for (let i = 1; i < s.length; i++) {
    const d = s.charCodeAt(i) - s.charCodeAt(i - 1);
    up = d === 1 ? up + 1 : 1;
    down = d === -1 ? down + 1 : 1;
    best = Math.max(best, up, down);
  }
  return best;
}

function randomInt(below: number): number {
  return crypto.randomBytes(4).readUInt32BE(0) % below;
}

/** Random base62 from `crypto.randomBytes`, with upper case, lower case and digits, and no accidental words or runs. */
function randomBase62(length: number): string {
  for (;;) {
    const bytes = crypto.randomBytes(length * 2);
    let s = '';
    for (const b of bytes) {
      if (b >= 248) continue; // 248 = 4 * 62: keeps the alphabet uniform
      s += BASE62[b % 62];
      if (s.length === length) break;
    }
    if (s.length < length || !/[A-Z]/.test(s) || !/[a-z]/.test(s) || !/\d/.test(s)) continue;
    if (ACCIDENTAL_WORDS.test(s) || longestSequentialRun(s) >= 4) continue;
    return s;
  }
}

/** A password as people generate them: 12 to 20 base62 characters with a symbol inside. */
function fakePassword(): string {
  const body = randomBase62(12 + randomInt(9));
  const at = 3 + randomInt(body.length - 6);
  return body.slice(0, at) + SAFE_SYMBOLS[randomInt(SAFE_SYMBOLS.length)] + body.slice(at);
}

/** A generated token or key: base62, 32 characters by default (key-like classes need length to score). */
function fakeToken(length = 32): string {
  return randomBase62(length);
}

/** An MD5 digest as hex, as in an HTTP Digest `response`. */
function fakeHexDigest(): string {
  for (;;) {
    const hex = crypto.randomBytes(16).toString('hex');
    if (/\d/.test(hex) && /[a-f]/.test(hex) && longestSequentialRun(hex) < 4 && !/(.)\1\1/.test(hex)) return hex;
  }
}

/** A Basic credential: base64 of `user:password`. */
function fakeBasicCredential(): string {
  return Buffer.from(`deploy:${fakePassword()}`).toString('base64');
}

// ---------------------------------------------------------------------------------------------------------------
// The matcher over the real rules, and what it says about a line when a case fails

let matcher: Matcher;

beforeAll(() => {
  const { rules, problems } = loadRules([BUILTIN_RULES_DIR]);
  expect(problems).toEqual([]);
  matcher = new Matcher(compileRules(rules, { extraKeywords: DECODE_KEYWORDS }));
});

function redact(text: string, secret: string | undefined): string {
  return secret ? text.split(secret).join('<SECRET>') : text;
}

/** The grammar's candidates and the matches on the secret's line (or every line), with the secret replaced. */
function diagnose(content: Buffer, relPath: string, secret?: string): string {
  const text = content.toString('utf8');
  const lines = text.split('\n');
  const at = secret ? text.indexOf(secret) : -1;
  const lineNumbers = at >= 0 ? [text.slice(0, at).split('\n').length] : lines.map((_l, i) => i + 1);
  const out: string[] = [`file ${relPath}:`, ...lines.map((l) => `  | ${redact(l, secret)}`)];
  for (const n of lineNumbers) {
    const explained = matcher.explain(content, relPath, n);
    for (const e of explained.candidates) {
      const c = e.candidate;
      const verdict = e.dropped ? `dropped (${e.dropped})` : `score ${e.score}${e.review ? `, review: ${e.review}` : ''}`;
      const evidence = e.evidence.map((x) => `${x.weight > 0 ? '+' : ''}${x.weight} ${x.reason || '(form)'}`).join('; ');
      out.push(
        `  line ${n}: candidate key=${c.key} cls=${c.keyInfo.cls} op=${JSON.stringify(c.operator)} form=${c.form} quoting=${c.quoting} ` +
          `role=${c.lineRole} value=${JSON.stringify(redact(c.value, secret))}${c.scheme ? ` scheme=${c.scheme}` : ''} ` +
          `rule=${e.ruleId ?? '-'} -> ${verdict}${evidence ? ` [${evidence}]` : ''}`,
      );
    }
    for (const m of explained.matches) {
      out.push(`  line ${n}: match ${m.ruleId} secret=${JSON.stringify(redact(m.secret, secret))} score=${m.score}${m.review ? ` review=${m.review}` : ''}`);
    }
    if (!explained.candidates.length && !explained.matches.length) out.push(`  line ${n}: no candidates, no matches`);
  }
  return out.join('\n');
}

// ---------------------------------------------------------------------------------------------------------------
// Positive cases: one table per family of forms

interface FormCase {
  /** The form, as the test's name. */
  name: string;
  relPath: string;
  secret: () => string;
  text: (secret: string) => string;
  /** The generic rule that must report it. */
  rule: string;
  form?: SyntaxForm;
  quoting?: Quoting;
  scheme?: string;
  username?: string;
  /** Why the grammar does not read this form yet: the test runs as `it.fails`. */
  knownGap?: string;
}

function expectReported(c: FormCase): void {
  const secret = c.secret();
  const content = Buffer.from(c.text(secret));
  const why = () => diagnose(content, c.relPath, secret);
  const candidate: Candidate | undefined = findCandidates(content, c.relPath).find((x) => x.value === secret);
  if (!candidate) throw new Error(`no candidate holds exactly the secret\n${why()}`);
  if (c.form) expect(candidate.form, why()).toBe(c.form);
  if (c.quoting) expect(candidate.quoting, why()).toBe(c.quoting);
  if (c.scheme) expect(candidate.scheme, why()).toBe(c.scheme);
  if (c.username) expect(candidate.username?.value, why()).toBe(c.username);
  const match = matcher.match(content, c.relPath).matches.find((m) => m.secret === secret);
  if (!match) throw new Error(`the matcher reports no match with the secret\n${why()}`);
  if (match.score < DEFAULT_MIN_SCORE || match.review) {
    throw new Error(`not reported: score ${match.score}${match.review ? `, review: ${match.review}` : ''}\n${why()}`);
  }
  expect(match.ruleId, why()).toBe(c.rule);
}

function formTests(cases: FormCase[]): void {
  for (const c of cases) {
    if (c.knownGap) it.fails(`${c.name} (known gap: ${c.knownGap})`, () => expectReported(c));
    else it(c.name, () => expectReported(c));
  }
}

describe('grammar: operators of build files and code', () => {
  formTests([
    { name: 'Makefile ::=', relPath: 'Makefile', secret: fakePassword, text: (s) => `DB_PASSWORD ::= ${s}\n`, rule: 'generic.password', quoting: 'none' },
    { name: 'Makefile :::=', relPath: 'Makefile', secret: fakePassword, text: (s) => `DB_PASSWORD :::= ${s}\n`, rule: 'generic.password', quoting: 'none' },
    { name: 'Makefile ?=', relPath: 'Makefile', secret: fakePassword, text: (s) => `REGISTRY_PASSWORD ?= ${s}\n`, rule: 'generic.password', quoting: 'none' },
    { name: 'Makefile +=', relPath: 'build/rules.mk', secret: fakePassword, text: (s) => `MYSQL_PASSWORD += ${s}\n`, rule: 'generic.password', quoting: 'none' },
    {
      name: 'PHP .=', relPath: 'lib/db.php', secret: fakePassword,
      text: (s) => `<?php\n$db_password = '';\n$db_password .= '${s}';\n`, rule: 'generic.password', quoting: 'single',
    },
    {
      name: 'PHP array =>', relPath: 'config/database.php', secret: fakePassword,
      text: (s) => `<?php\nreturn [\n    'host' => 'db.internal',\n    'password' => '${s}',\n];\n`, rule: 'generic.password', quoting: 'single',
    },
    { name: 'Go := with a quoted value', relPath: 'cmd/main.go', secret: fakePassword, text: (s) => `\tdbPassword := "${s}"\n`, rule: 'generic.password', quoting: 'double', form: 'assignment' },
    { name: 'Go typed const', relPath: 'internal/db/conn.go', secret: fakePassword, text: (s) => `const dbPassword string = "${s}"\n`, rule: 'generic.password', quoting: 'double' },
    {
      name: 'a typed declaration in a README code block', relPath: 'README.md', secret: fakePassword,
      text: (s) => `# Connect\n\n\`\`\`kotlin\nval dbPassword: String = "${s}"\n\`\`\`\n`, rule: 'generic.password', quoting: 'double',
    },
    { name: 'a typed default argument in a text file', relPath: 'notes/snippet', secret: fakePassword, text: (s) => `def connect(db_password: str = "${s}"):\n`, rule: 'generic.password', quoting: 'double' },
    {
      name: 'Go multi-assign, the secret second', relPath: 'cmd/seed.go', secret: fakePassword,
      text: (s) => `\tdbUser, dbPassword := "admin", "${s}"\n`, rule: 'generic.password', quoting: 'double',
    },
    {
      name: 'Go multi-assign, the secret first', relPath: 'cmd/seed.go', secret: fakePassword,
      text: (s) => `\tdbPassword, dbUser := "${s}", "admin"\n`, rule: 'generic.password', quoting: 'double',
    },
  ]);
});

describe('grammar: XML', () => {
  formTests([
    {
      name: 'element with its value on its own line', relPath: 'config.xml', secret: fakePassword,
      text: (s) => `<datasource>\n  <password>\n     ${s}\n  </password>\n</datasource>\n`, rule: 'generic.password', form: 'xml-element',
    },
    {
      name: 'attribute', relPath: 'conf/server.xml', secret: fakePassword,
      text: (s) => `<Server>\n  <db host="db.internal" password="${s}"/>\n</Server>\n`, rule: 'generic.password', form: 'xml-attribute', quoting: 'double',
    },
    {
      name: '<add key="DbPassword" value="..."/>', relPath: 'web.config', secret: fakePassword,
      text: (s) => `<appSettings>\n  <add key="DbPassword" value="${s}" />\n</appSettings>\n`, rule: 'generic.password', form: 'name-value',
    },
    {
      name: '<entry key="password">...</entry>', relPath: 'config.xml', secret: fakePassword,
      text: (s) => `<properties>\n  <entry key="password">${s}</entry>\n</properties>\n`, rule: 'generic.password', form: 'name-value',
    },
  ]);
});

describe('grammar: text escaped inside a string', () => {
  formTests([
    {
      name: 'JSON in a string (\\")', relPath: 'src/client.js', secret: fakePassword,
      text: (s) => `const body = "{\\"user\\":\\"ops\\",\\"password\\":\\"${s}\\"}";\n`, rule: 'generic.password', quoting: 'escaped',
    },
    {
      name: 'an env file in a string, \\n written as an escape', relPath: 'deploy/render.py', secret: fakePassword,
      text: (s) => `ENV_FILE = "DB_HOST=db.internal\\nDB_PASSWORD=${s}\\nDEBUG=false\\n"\n`, rule: 'generic.password',
    },
    {
      name: 'an env file in a JSON string, \\n written as an escape', relPath: 'deploy/task.json', secret: fakePassword,
      text: (s) => `{\n  "envFile": "DB_HOST=db.internal\\nDB_PASSWORD=${s}\\nDEBUG=false"\n}\n`, rule: 'generic.password',
    },
    {
      name: 'JSON in a string in a string (\\\\\\")', relPath: 'src/fixtures.js', secret: fakePassword,
      text: (s) => `const wrapped = "{\\"body\\":\\"{\\\\\\"password\\\\\\":\\\\\\"${s}\\\\\\"}\\"}";\n`, rule: 'generic.password', quoting: 'escaped',
    },
  ]);
});

describe('grammar: comparisons and assertions', () => {
  formTests([
    {
      name: 'if (api_key == "...")', relPath: 'src/server.js', secret: () => fakeToken(),
      text: (s) => `if (api_key == "${s}") {\n  next();\n}\n`, rule: 'generic.api-key', form: 'comparison', quoting: 'double',
    },
    {
      name: "assert cfg['password'] == '...'", relPath: 'scripts/check_config.py', secret: fakePassword,
      text: (s) => `assert cfg['password'] == '${s}'\n`, rule: 'generic.password', form: 'comparison', quoting: 'single',
    },
    {
      name: 'reversed "..." == password', relPath: 'src/Login.java', secret: fakePassword,
      text: (s) => `if ("${s}" == password) {\n  return true;\n}\n`, rule: 'generic.password', form: 'comparison', quoting: 'double',
    },
    {
      name: 'Java password.equals("...")', relPath: 'src/main/java/Auth.java', secret: fakePassword,
      text: (s) => `if (password.equals("${s}")) {\n  grant();\n}\n`, rule: 'generic.password', form: 'comparison', quoting: 'double',
    },
  ]);
});

describe('grammar: setters and constructors with positional secrets', () => {
  formTests([
    {
      name: 'client.SetKey("...")', relPath: 'src/Client.cs', secret: () => fakeToken(),
      text: (s) => `client.SetKey("${s}");\n`, rule: 'generic.key', form: 'call', quoting: 'double',
    },
    {
      name: 'new NetworkCredential("user", "...")', relPath: 'src/Mailer.cs', secret: fakePassword,
      text: (s) => `smtp.Credentials = new NetworkCredential("mailer", "${s}");\n`, rule: 'generic.credential', username: 'mailer', form: 'call',
    },
    {
      name: "Ruby API_TOKEN = '...'.freeze", relPath: 'config/initializers/client.rb', secret: () => fakeToken(),
      text: (s) => `API_TOKEN = '${s}'.freeze\n`, rule: 'generic.token', quoting: 'single',
    },
    {
      name: 'Java char[] password = "...".toCharArray()', relPath: 'src/main/java/Db.java', secret: fakePassword,
      text: (s) => `char[] password = "${s}".toCharArray();\n`, rule: 'generic.password', quoting: 'double',
    },
    {
      name: "Ruby set(:auth0, :secret, '...')", relPath: 'config/deploy.rb', secret: () => fakeToken(),
      text: (s) => `set(:auth0, :secret, '${s}')\n`, rule: 'generic.secret', quoting: 'single',
    },
    {
      // Not wp-config.php: there the WordPress rule reports DB_PASSWORD, as it should.
      name: "PHP define('DB_PASSWORD', '...')", relPath: 'includes/settings.php', secret: fakePassword,
      text: (s) => `<?php\ndefine('DB_PASSWORD', '${s}');\n`, rule: 'generic.password', form: 'call-argument', quoting: 'single',
    },
    {
      name: 'curl_easy_setopt(h, CURLOPT_USERPWD, "user:...")', relPath: 'src/fetch.c', secret: fakePassword,
      text: (s) => `curl_easy_setopt(h, CURLOPT_USERPWD, "backup:${s}");\n`, rule: 'generic.credential', username: 'backup',
    },
    {
      name: 'curl_easy_setopt(h, CURLOPT_PROXYUSERPWD, "user:...") (a compound name in capitals)', relPath: 'src/fetch.c', secret: fakePassword,
      text: (s) => `curl_easy_setopt(h, CURLOPT_PROXYUSERPWD, "squid:${s}");\n`, rule: 'generic.credential', username: 'squid',
    },
    {
      name: "conn.login('user@x.org', '...')", relPath: 'tools/mail.py', secret: fakePassword,
      text: (s) => `conn = imaplib.IMAP4_SSL('imap.x.org')\nconn.login('reports@x.org', '${s}')\n`, rule: 'generic.credential', username: 'reports@x.org',
    },
  ]);
});

describe('grammar: command lines', () => {
  formTests([
    {
      name: 'mysql -u root -p...', relPath: 'scripts/backup.sh', secret: fakeToken,
      text: (s) => `mysql -u root -p${s} app < schema.sql\n`, rule: 'mysql.cli-password', form: 'command-line',
      // The grammar reads the attached flag; the mysql.cli-password provider rule, more specific, reports it.
    },
    {
      name: 'sshpass -p ... ssh host', relPath: 'scripts/sync.sh', secret: fakePassword,
      text: (s) => `sshpass -p ${s} ssh deploy@files.internal 'ls'\n`, rule: 'generic.password', form: 'command-line',
    },
    {
      name: 'redis-cli -a ...', relPath: 'ops/flush.sh', secret: fakeToken,
      text: (s) => `redis-cli -h cache.internal -a ${s} FLUSHALL\n`, rule: 'generic.password', form: 'command-line',
    },
    {
      name: '--password=...', relPath: 'scripts/backup.sh', secret: fakePassword,
      text: (s) => `mysqldump --user=backup --password=${s} app > dump.sql\n`, rule: 'generic.password', form: 'command-line',
    },
    {
      name: '--password ...', relPath: 'scripts/push.sh', secret: fakePassword,
      text: (s) => `docker login --username ci --password ${s} registry.internal\n`, rule: 'generic.password', form: 'command-line',
    },
    {
      name: '--secret ...', relPath: 'scripts/register.sh', secret: () => fakeToken(),
      text: (s) => `./agent register --name build-7 --secret ${s}\n`, rule: 'generic.secret', form: 'command-line',
    },
    {
      name: '-Djavax.net.ssl.trustStorePassword=...', relPath: 'bin/run.sh', secret: fakePassword,
      text: (s) => `java -Djavax.net.ssl.trustStore=/etc/app/trust.jks -Djavax.net.ssl.trustStorePassword=${s} -jar app.jar\n`,
      rule: 'generic.password', form: 'command-line',
    },
    {
      name: 'heroku config:set X_SECRET=...', relPath: 'scripts/release.sh', secret: () => fakeToken(),
      text: (s) => `heroku config:set SESSION_SECRET=${s} --app shop-prod\n`, rule: 'generic.secret',
    },
    {
      name: 'a trailing \\ continuation', relPath: 'scripts/push.sh', secret: fakePassword,
      text: (s) => `docker login \\\n  --username ci \\\n  --password ${s} \\\n  registry.internal\n`, rule: 'generic.password', form: 'command-line',
    },
    {
      name: 'openssl -passin pass:...', relPath: 'scripts/certs.sh', secret: fakePassword,
      text: (s) => `openssl pkcs12 -in client.p12 -passin pass:${s} -nodes -out client.pem\n`, rule: 'generic.password', form: 'command-line',
    },
  ]);
});

describe('grammar: unquoted values mid-line', () => {
  formTests([
    {
      name: 'password=..., user=admin in .properties', relPath: 'src/main/resources/db.properties', secret: fakePassword,
      text: (s) => `password=${s}, user=admin\n`, rule: 'generic.password', quoting: 'none',
    },
    {
      name: 'password=..., user=admin in .txt', relPath: 'ops/accounts.txt', secret: fakePassword,
      text: (s) => `staging db: password=${s}, user=admin\n`, rule: 'generic.password', quoting: 'none',
    },
  ]);
});

describe('grammar: key names and credential statements', () => {
  formTests([
    { name: 'bare key', relPath: 'app/config.py', secret: () => fakeToken(), text: (s) => `key = "${s}"\n`, rule: 'generic.key', quoting: 'double' },
    { name: '*_KEY', relPath: '.env', secret: () => fakeToken(), text: (s) => `MAILER_KEY=${s}\n`, rule: 'generic.key' },
    { name: '*_PW', relPath: '.env', secret: fakePassword, text: (s) => `SMTP_PW=${s}\n`, rule: 'generic.password' },
    { name: 'pw', relPath: 'tools/sync.py', secret: fakePassword, text: (s) => `pw = "${s}"\n`, rule: 'generic.password', quoting: 'double' },
    { name: 'nkey', relPath: 'nats/server.yaml', secret: () => fakeToken(), text: (s) => `authorization:\n  users:\n    - nkey: ${s}\n`, rule: 'generic.api-key' },
    { name: '*_SID', relPath: '.env', secret: () => fakeToken(), text: (s) => `ADMIN_SID=${s}\n`, rule: 'generic.token' },
    { name: 'consumer_key', relPath: 'bots/feed.py', secret: () => fakeToken(), text: (s) => `consumer_key = "${s}"\n`, rule: 'generic.api-key' },
    {
      name: "SQL CREATE USER ... IDENTIFIED BY '...'", relPath: 'db/users.sql', secret: fakePassword,
      text: (s) => `CREATE USER 'app'@'%' IDENTIFIED BY '${s}';\n`, rule: 'generic.password', form: 'sql', quoting: 'single',
    },
    {
      name: "SQL ALTER USER ... IDENTIFIED WITH mysql_native_password BY '...'", relPath: 'db/users.sql', secret: fakePassword,
      text: (s) => `ALTER USER 'app'@'localhost' IDENTIFIED WITH mysql_native_password BY '${s}';\n`, rule: 'generic.password', form: 'sql', quoting: 'single',
    },
    {
      name: "PowerShell ConvertTo-SecureString '...' -AsPlainText -Force", relPath: 'deploy.ps1', secret: fakePassword,
      text: (s) => `$SecurePassword = ConvertTo-SecureString '${s}' -AsPlainText -Force\n`, rule: 'generic.password', quoting: 'single',
    },
    {
      name: 'PowerShell ConvertTo-SecureString -String "..."', relPath: 'deploy.ps1', secret: fakePassword,
      text: (s) => `$cred = ConvertTo-SecureString -String "${s}" -AsPlainText -Force\n`, rule: 'generic.password', quoting: 'double',
    },
  ]);
});

describe('grammar: Authorization headers', () => {
  formTests([
    {
      name: 'YAML Authorization: then - Bearer ... on the next line', relPath: 'api/requests.yaml', secret: () => fakeToken(),
      text: (s) => `request:\n  headers:\n    Authorization:\n      - Bearer ${s}\n`, rule: 'generic.token', scheme: 'Bearer',
    },
    {
      name: 'Postman "key": "Authorization", then "value": "Basic ..."', relPath: 'api/shop.postman_collection.json', secret: fakeBasicCredential,
      text: (s) => `{\n  "header": [\n    {\n      "key": "Authorization",\n      "value": "Basic ${s}",\n      "type": "text"\n    }\n  ]\n}\n`,
      rule: 'generic.credential', scheme: 'Basic',
    },
    {
      name: 'Authorization: ApiKey ...', relPath: 'scripts/health.sh', secret: () => fakeToken(),
      text: (s) => `curl -H "Authorization: ApiKey ${s}" https://search.internal:9200/_cluster/health\n`, rule: 'generic.api-key', scheme: 'ApiKey',
    },
    {
      name: 'Authorization: Token ...', relPath: 'clients/ci.py', secret: () => fakeToken(40),
      text: (s) => `headers = {"Authorization": "Token ${s}"}\n`, rule: 'generic.token', scheme: 'Token',
    },
    {
      name: 'Authorization: Digest username="u", response="..."', relPath: 'captures/login.http', secret: fakeHexDigest,
      text: (s) => `GET /admin HTTP/1.1\nAuthorization: Digest username="admin", realm="ops", nonce="dcd98b7102dd2f0e", uri="/admin", response="${s}"\n`,
      rule: 'generic.credential', scheme: 'Digest',
    },
    {
      name: 'Authorization: OAuth oauth_token="...", ...', relPath: 'captures/timeline.http', secret: () => fakeToken(40),
      text: (s) => `GET /1.1/statuses HTTP/1.1\nAuthorization: OAuth oauth_token="${s}", oauth_version="1.0"\n`,
      rule: 'generic.token', scheme: 'OAuth',
    },
  ]);
});

// ---------------------------------------------------------------------------------------------------------------
// Negatives: labels, references, placeholders, look-alike words, and values that are not secrets

interface NegativeCase {
  name: string;
  relPath: string;
  text: () => string;
  knownGap?: string;
}

function expectNotReported(c: NegativeCase): void {
  const content = Buffer.from(c.text());
  const reported = matcher.match(content, c.relPath).matches.filter((m) => m.score >= DEFAULT_MIN_SCORE && !m.review);
  expect(reported.map((m) => `${m.ruleId} ${m.secret} ${m.score}`), diagnose(content, c.relPath)).toEqual([]);
}

const NEGATIVES: NegativeCase[] = [
  { name: 'a translated label: "LABEL_PASSWORD": "Kennwort"', relPath: 'locales/de.json', text: () => `{\n  "LABEL_PASSWORD": "Kennwort",\n  "LABEL_USER": "Benutzer"\n}\n` },
  { name: 'a value that names itself: EMAIL_PASSWORD=smtp_password', relPath: '.env', text: () => 'EMAIL_PASSWORD=smtp_password\n' },
  { name: 'an environment lookup: password = os.environ["DB_PASSWORD"]', relPath: 'app/settings.py', text: () => 'password = os.environ["DB_PASSWORD"]\n' },
  { name: 'a variable: password: ${DB_PASSWORD}', relPath: 'docker-compose.yml', text: () => 'services:\n  db:\n    environment:\n      password: ${DB_PASSWORD}\n' },
  { name: 'a token type: token_type = "Bearer"', relPath: 'app/auth.py', text: () => 'token_type = "Bearer"\n' },
  { name: 'a map key: key: "userSettings"', relPath: 'src/store.js', text: () => 'const slot = { key: "userSettings", version: 2 };\n' },
  { name: 'a call: password = getPassword()', relPath: 'app/db.py', text: () => 'password = getPassword()\n' },
  { name: 'a placeholder: password: "<your-password>"', relPath: 'config/app.yml', text: () => 'database:\n  password: "<your-password>"\n' },
  { name: 'a tokenizer: tokenizer = "bert"', relPath: 'nlp/model.py', text: () => 'tokenizer = "bert"\n' },
  // The value is random on purpose: `passport` must be ruled out by its key, not by its value.
  { name: 'a passport: passport = "..."', relPath: 'app/travel.py', text: () => `passport = "${fakeToken(10)}"\n` },
  {
    name: 'translation calls: _("Password")', relPath: 'accounts/forms.py',
    text: () => 'password = forms.CharField(label=_("Password"), widget=forms.PasswordInput)\nconfirm = _("Password")\nhelp = _("Password must be at least 12 characters")\n',
  },
  { name: 'a placeholder attribute: placeholder="Enter your password"', relPath: 'templates/login.html', text: () => '<input type="password" name="password" placeholder="Enter your password">\n' },
  { name: 'a date: db_password: 2024-03-01', relPath: 'ops/state.yaml', text: () => 'db_password: 2024-03-01\n' },
  { name: 'a version: auth_token: 2.3.1, api_key: v1.14.0', relPath: 'deploy/values.yaml', text: () => 'auth_token: 2.3.1\napi_key: v1.14.0\n' },
  { name: 'a URL: token: https://...', relPath: 'config/oauth.yml', text: () => 'token: https://auth.internal/oauth/token\nsecret: https://vault.internal/v1/secret/data/app\n' },
  { name: 'a file path: secret: /run/secrets/..., ssl_key = "/etc/ssl/..."', relPath: 'config/app.yml', text: () => 'secret: /run/secrets/db_password\nssl_key = "/etc/ssl/private/server.key"\n' },
];

describe('grammar: negatives', () => {
  for (const c of NEGATIVES) {
    if (c.knownGap) it.fails(`${c.name} (known gap: ${c.knownGap})`, () => expectNotReported(c));
    else it(c.name, () => expectNotReported(c));
  }
});

// ---------------------------------------------------------------------------------------------------------------
// Line roles, file families and path roles

describe('grammar: line roles', () => {
  const cases: { name: string; relPath: string; text: (s: string) => string; role: LineRole }[] = [
    { name: 'code', relPath: 'app/settings.py', text: (s) => `password = "${s}"\n`, role: 'code' },
    { name: 'a comment', relPath: 'app/settings.py', text: (s) => `# password = "${s}"\n`, role: 'comment' },
    { name: 'a test assertion', relPath: 'scripts/check_config.py', text: (s) => `assert cfg["password"] == "${s}"\n`, role: 'test-assertion' },
    { name: 'a log line', relPath: 'logs/app.log', text: (s) => `2024-05-17 10:22:31 INFO connecting with password=${s}\n`, role: 'log' },
    { name: 'prose in a .md file', relPath: 'README.md', text: (s) => `# Setup\n\nThe staging password: ${s}\n`, role: 'documentation' },
    { name: 'a fenced block in a .md file', relPath: 'README.md', text: (s) => `# Setup\n\n\`\`\`sh\nexport DB_PASSWORD=${s}\n\`\`\`\n`, role: 'code' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const secret = fakePassword();
      const content = Buffer.from(c.text(secret));
      const candidate = findCandidates(content, c.relPath).find((x) => x.value === secret);
      expect(candidate, diagnose(content, c.relPath, secret)).toBeDefined();
      expect(candidate?.lineRole).toBe(c.role);
    });
  }
});

describe('syntax: fileFamily and pathRole', () => {
  /** [path, family, role, known gap] */
  const paths: [string, FileFamily, PathRole, string?][] = [
    ['src/app.py', 'code-script', 'source'],
    ['Makefile', 'build', 'source'],
    ['Dockerfile.prod', 'build', 'source'],
    ['web.config', 'xml', 'source'],
    ['.env.local', 'config', 'source'],
    ['src/main/resources/application.properties', 'config', 'source'],
    ['k8s/secret.yaml', 'yaml', 'source'],
    ['db/schema.sql', 'sql', 'source'],
    ['deploy.ps1', 'code-script', 'source'],
    ['cmd/server/main.go', 'code-go', 'source'],
    ['docs/setup.md', 'docs', 'docs'],
    ['notes.txt', 'docs', 'docs'],
    ['test/fixtures/creds.json', 'json', 'test'],
    ['internal/auth/auth_test.go', 'code-go', 'test'],
    ['src/test/java/LoginTest.java', 'code-c', 'test'],
    ['examples/deploy.sh', 'shell', 'example'],
    ['settings.py.example', 'code-script', 'example'],
    ['node_modules/left-pad/index.js', 'code-c', 'vendored'],
    ['styles/main.css', 'style', 'source'],
  ];
  for (const [relPath, family, role, knownGap] of paths) {
    const check = () => {
      expect(fileFamily(relPath)).toBe(family);
      expect(pathRole(relPath)).toBe(role);
    };
    if (knownGap) it.fails(`${relPath} is ${family}, ${role} (known gap: ${knownGap})`, check);
    else it(`${relPath} is ${family}, ${role}`, check);
  }
});

describe('grammar: uuencoded data', () => {
  // A uuencoded line: `M`, then 60 characters from space to backquote, punctuation throughout.
  const uuLine = (word: string) => {
    const alphabet = '!"#$%&()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]^_`';
    const punctuation = '!#$%&()*+,-./:;<=>?@[]^`';
    let body = word.toUpperCase() + '=';
    // Every other character punctuation: encoded bytes spread over the whole alphabet, as the check expects.
    while (body.length < 60) body += (body.length % 2 ? punctuation : alphabet)[crypto.randomInt(body.length % 2 ? punctuation.length : alphabet.length)];
    return `M${body.slice(0, 60)}`;
  };

  it('a secret word inside a uuencoded line is chance, with LF or CRLF line ends and on the first line', () => {
    for (const eol of ['\n', '\r\n']) {
      const lines = ['begin 644 blob.bin', uuLine('password'), uuLine('token'), 'end'];
      expect(findCandidates(Buffer.from(lines.join(eol) + eol), 'data/blob.uu')).toEqual([]);
      expect(findCandidates(Buffer.from(uuLine('secret') + eol), 'data/blob.uu')).toEqual([]);
    }
  });

  it('a 61-character line that starts with M but reads as config is read', () => {
    const value = fakeToken(40);
    const line = `MYSQL_PASSWORD=${value}`.padEnd(61, 'z').slice(0, 61);
    expect(line).toHaveLength(61);
    expect(findCandidates(Buffer.from(`${line}\n`), '.env').map((c) => c.key)).toEqual(['MYSQL_PASSWORD']);
  });
});
