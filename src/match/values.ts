// What a value looks like: its alphabet and shape, whether it points elsewhere (a variable, a template, a
// secret store), whether it is a placeholder, a word or a label. Pure string work.
import { shannonEntropy } from './entropy.js';
import { isRepetitive } from './filters.js';
import { wordLikeness } from './wordlike.js';

export type ValueShape =
  | 'hex' | 'base64' | 'uuid' | 'jwt' | 'number' | 'version' | 'date' | 'email' | 'url' | 'path' | 'ip' | 'hostname'
  | 'identifier' | 'constant' | 'dotted' | 'words' | 'sentence' | 'code' | 'hash' | 'encrypted' | 'color' | 'mixed';

export interface ValueFacts {
  length: number;
  /** Classes of characters present: lower, upper, digit, other. */
  classes: number;
  hasLower: boolean;
  hasUpper: boolean;
  hasDigit: boolean;
  hasSymbol: boolean;
  entropy: number;
  shape: ValueShape;
  /** The value is read from somewhere else: a variable, an environment lookup, a secret store, a template. */
  reference?: string;
  /** The value is a stand-in: `xxxx`, `<token>`, `your-api-key`, `changeme`, repeated or sequential characters. */
  placeholder?: string;
  /** The value calls itself an example (`dummy-pass`, `sampleKey`): a human should look, no build should fail. */
  example?: boolean;
}

const REFERENCE_WHOLE: [RegExp, string][] = [
  [/^\$\{?[A-Za-z_][A-Za-z0-9_]*\}?$/, 'a variable'],
  [/^\$\{[^}]*\}$/, 'a variable'],
  [/^(?:\$\{|#\{|\{\{)/, 'an interpolation'],
  [/^\$\([^)]*\)$/, 'a command substitution'],
  [/^%[A-Za-z_][A-Za-z0-9_]*%$/, 'a variable'],
  [/^%env\([^)]*\)%$/, 'a variable'],
  [/^%\([\w.]+\)s?$/, 'a template'],
  [/^\{\{.*\}\}$/s, 'a template'],
  [/^\{\{|\}\}$/, 'a template'],
  [/^<%.*%>$/s, 'a template'],
  [/^#\{.*\}$/, 'a template'],
  [/^@[A-Za-z_][\w.]*@$/, 'a template'],
  [/^__[A-Z][A-Z0-9_]*__$/, 'a template'],
  [/^\[\[.*\]\]$/, 'a template'],
  [/^\{[A-Za-z_][\w.]*\}$/, 'a template'],
  [/^(?:process\.env|import\.meta\.env|os\.environ|os\.getenv|getenv|ENV\[|ENV\.fetch|System\.getenv|Environment\.GetEnvironmentVariable|env\(|env\.|Deno\.env)/, 'an environment lookup'],
  [/^(?:secrets|vars|inputs|env|steps|needs|github)\.[\w.-]+$/, 'a CI variable'],
  [/^(?:vault:|ssm:|arn:aws:secretsmanager:|arn:aws:ssm:|ref\+|op:\/\/|akv:|azurekeyvault|keyvault:|gcp-secret:|sm:\/\/|secretsmanager:|!Ref|!Sub|!GetAtt|!Secret|\$\{\{)/i, 'a secret store reference'],
  [/^(?:ENC\(|ENC\[|enc:|encrypted:|\$ANSIBLE_VAULT|AQICAH|vault:v\d:|-----BEGIN PGP MESSAGE)/, 'an encrypted value'],
];
const TEMPLATE_INSIDE = /\$\{[^}]*\}|\{\{[^}]*\}\}|<%[^%]*%>|%\(\w+\)s|(?:^|[^%])%[sd](?:$|\W)|\{\d+\}|\{\}|#\{[^}]*\}/;

/**
 * Words that stand in for a value, as whole words only: a random token may hold `tbd` or `n/a` by chance
 * (`…xitEWhTbdgo…`), so the word must not run on into letters of its own case (`placeholderKey` still counts).
 */
const PLACEHOLDER_WORDS =
  /placeholder|changeme|change[_-]me|change[_-]?this|replace[_-]?me|replace[_-]?with|fill[_-]?me|fixme|todo|tbd|redacted|removed|censored|obfuscated|not[_-]?set|notset|undefined|n\/a/gi;
const PLACEHOLDER_WORD = {
  test(v: string): boolean {
    PLACEHOLDER_WORDS.lastIndex = 0;
    for (let m = PLACEHOLDER_WORDS.exec(v); m; m = PLACEHOLDER_WORDS.exec(v)) {
      const before = v[m.index - 1] ?? '';
      const after = v[m.index + m[0].length] ?? '';
      const last = m[0][m[0].length - 1];
      if (/[A-Za-z]/.test(before)) continue;
      // `placeholderKey` and `TODO_x` end a word; `TBDGO` and `todogo` run on.
      if (last >= 'a' && last <= 'z' ? /[a-z]/.test(after) : /[A-Z]/.test(after)) continue;
      return true;
    }
    return false;
  },
};

const PLACEHOLDER: [{ test(v: string): boolean }, string][] = [
  [/-----|^[A-Z]+-{3,}$/, 'PEM armor'],
  [/x{4,}|X{4,}|\*{3,}|\.{3,}|#{4,}|_{4,}|…|•{3,}/, 'masked or elided'],
  [/^<[^<>]+>$|^\[[^[\]]+\]$|^\{[^{}]+\}$|^\([A-Za-z _-]+\)$/, 'a placeholder in brackets'],
  [/\b(?:your|my|enter|insert|replace|put|add|paste|fill)[_ -]?(?:own[_ -]?|real[_ -]?|actual[_ -]?)?(?:api[_ -]?|access[_ -]?|secret[_ -]?|app[_ -]?|auth[_ -]?|client[_ -]?|db[_ -]?|database[_ -]?|account[_ -]?|private[_ -]?)?(?:key|token|secret|pass|password|pwd|id|credentials?)\b/i, 'a placeholder'],
  [/^(?:your|my)[_-]/i, 'a placeholder'],
  [PLACEHOLDER_WORD, 'a placeholder'],
  [/^(?:unset|none|null|nil|empty)$/i, 'a placeholder'],
  [/^(?:example|sample|test|demo|fake|mock|dummy|foo|bar|baz|qux|abc|xyz|lorem|ipsum|string|value|key|hidden)$/i, 'a placeholder'],
  // The example UUIDs of RFC 4122 and of countless API docs.
  [/^(?:550e8400-e29b-41d4-a716-446655440000|123e4567-e89b-12d3-a456-426614174000|a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11)$/i, 'a documented example UUID'],
  // `-pSECRET`, `token: TOKEN`: a secret's name in capitals stands in for it.
  [/^(?:SECRET|PASSWORD|PASSWD|PASS|PWD|TOKEN|KEY|API_?KEY|ACCESS_?KEY|SECRET_?KEY|CREDENTIALS?)$/, 'a placeholder'],
];
/** A made-up value that still names itself one: kept for review, not reported (`dummy-pass`, `sampleHerokuKey`). */
const EXAMPLE_WORD = /example|sample|dummy|fake|demo|mock|(?:^|[^a-z])test(?:[^a-z]|$)|^test|foobar|lorem/i;

const NUMBER = /^[+-]?(?:\d+(?:\.\d+)?(?:e[+-]?\d+)?|0x[0-9a-f]{1,16})$/i;
const VERSION = /^[~^<>=v]*\d+(?:\.[\dx*]+)+(?:[-+][\w.]+)?$/i;
const DATE = /^(?:\d{4}[-/.]\d\d[-/.]\d\d|\d\d[-/.]\d\d[-/.]\d{4})(?:[T ]\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d:?\d\d)?)?$|^\d\d:\d\d(?::\d\d)?$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const EMAIL = /^[\w.+-]+@[\w-]+(?:\.[\w-]+)+$/;
const URL = /^[a-z][a-z0-9+.-]*:\/\/\S+$/i;
const PATH = /^(?:\.{0,2}\/|~\/|[A-Za-z]:[\\/]|\\\\)[^\s]*$|^[\w.-]+(?:\/[\w.-]+){2,}$|^[\w.-]+\.(?:pem|key|crt|cer|json|ya?ml|txt|env|conf|cfg|ini|xml|p12|pfx|jks|keystore|js|ts|py|rb|php|go|java|html?|png|svg|jpg|gif|db|sqlite|log|lock|sh)$/i;
const IP = /^\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?$/;
const HOSTNAME = /^(?:[a-z0-9-]+\.)+(?:com|org|net|io|dev|local|internal|cloud|app|co|uk|de|ai|svc|cluster|localhost)(?::\d+)?$/i;
const JWT = /^eyJ[\w-]{8,}\.eyJ[\w-]{8,}\.[\w-]{8,}$/;
const HEX = /^(?:0x)?[0-9a-f]+$/i;
const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;
const IDENTIFIER = /^[a-z][a-z0-9]*(?:[A-Z][a-z0-9]*)+$|^[a-z][a-z0-9]*(?:[_-][a-z0-9]+)+$|^[A-Z][a-z0-9]+(?:[A-Z][a-z0-9]+)+$/;
const CONSTANT = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$/;
const DOTTED = /^[A-Za-z_$][\w$-]*(?:\.[A-Za-z_$][\w$-]*)+$/;
const CODE = /\)\.|\(['"`]|['"`]\)|\(\)$|=>|->|::|&&|\|\||\w\s*===?\s*[\w"'(]|!==?|^[);,\]}.&*]|\($|^(?:new |function|return |await |this\.|self\.)|\w\(.*\)$|\w\[\w*$|\w\[['"]|^\w+\(/;
const HASHED = /^(?:\$(?:2[abxy]?|1|5|6|y|gy|7|argon2i?d?|pbkdf2[\w-]*|scrypt|sha\d+|md5|apr1)\$|\{(?:SSHA|SHA|SMD5|MD5|CRYPT|SSHA256|SSHA512|PBKDF2[\w-]*|bcrypt)\}|pbkdf2_sha\d+\$|sha\d+\$|md5\$|bcrypt\$|argon2\$|scrypt:|sha1:)/i;

/** Facts about a value, computed once per candidate. */
export function describeValue(v: string): ValueFacts {
  let lower = false;
  let upper = false;
  let digit = false;
  let symbol = false;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c >= 97 && c <= 122) lower = true;
    else if (c >= 65 && c <= 90) upper = true;
    else if (c >= 48 && c <= 57) digit = true;
    else if (c >= 0x80 && /\p{L}/u.test(v[i])) {
      // `Lösenord`, `Пароль`: letters of other alphabets are letters, not symbols.
      if (v[i] === v[i].toLowerCase()) lower = true;
      else upper = true;
    } else symbol = true;
  }
  const facts: ValueFacts = {
    length: v.length,
    classes: +lower + +upper + +digit + +symbol,
    hasLower: lower,
    hasUpper: upper,
    hasDigit: digit,
    hasSymbol: symbol,
    entropy: shannonEntropy(v),
    shape: shapeOf(v, lower, upper, digit),
  };
  for (const [re, why] of REFERENCE_WHOLE) {
    if (re.test(v)) {
      facts.reference = why;
      break;
    }
  }
  if (!facts.reference && TEMPLATE_INSIDE.test(v)) facts.reference = 'a template';
  if (!facts.reference) {
    for (const [re, why] of PLACEHOLDER) {
      if (re.test(v)) {
        facts.placeholder = why;
        break;
      }
    }
    if (!facts.placeholder && isRepetitive(v)) facts.placeholder = 'repeated or sequential characters';
    if (!facts.placeholder && EXAMPLE_WORD.test(v)) facts.example = true;
  }
  return facts;
}

function shapeOf(v: string, lower: boolean, upper: boolean, digit: boolean): ValueShape {
  if (HASHED.test(v)) return 'hash';
  if (/^(?:ENC\(|ENC\[|\$ANSIBLE_VAULT|vault:v\d:)/.test(v)) return 'encrypted';
  if (JWT.test(v)) return 'jwt';
  if (/^#(?:[0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})$/i.test(v)) return 'color';
  if (UUID.test(v)) return 'uuid';
  if (NUMBER.test(v)) return 'number';
  if (DATE.test(v)) return 'date';
  if (VERSION.test(v)) return 'version';
  if (IP.test(v)) return 'ip';
  if (EMAIL.test(v)) return 'email';
  if (URL.test(v)) return 'url';
  if (PATH.test(v)) return 'path';
  if (/\s/.test(v.trim())) return v.trim().split(/\s+/).length >= 3 ? 'sentence' : 'words';
  if (CODE.test(v)) return 'code';
  if (HOSTNAME.test(v)) return 'hostname';
  if (v.length >= 16 && HEX.test(v) && digit) return 'hex';
  if (CONSTANT.test(v)) return 'constant';
  if (DOTTED.test(v) && !digit) return 'dotted';
  if (IDENTIFIER.test(v) && wordLikeness(v) >= 0.5) return 'identifier';
  // Random base64 of 16 characters or more nearly always holds a digit; `Access-Control-Allow-Origin` does not.
  if (v.length >= 16 && BASE64.test(v) && digit && (lower || upper)) return 'base64';
  return 'mixed';
}

/**
 * For a value in a provider's own format: a template, a reference or a stand-in (`xxxx`, `<token>`, repeated
 * characters). Words like `example` inside it do not make it one (`ExamplePas123` is a password someone typed):
 * the scorer sends those to review.
 */
export function isProviderPlaceholder(v: string): boolean {
  // The provider's format gives the value its structure (braces, armor lines, an encrypted blob are its own): only
  // templates, masks, "your key" phrases and repeated or sequential characters stand in for one.
  if (TEMPLATE_INSIDE.test(v) || /^\$\{|\{\{|\}\}|<%|%>/.test(v)) return true;
  if (/x{4,}|X{4,}|\*{3,}|\.{3,}|#{4,}|…|•{3,}/.test(v)) return true;
  if (/^<[^<>]+>$/.test(v) || PLACEHOLDER[3][0].test(v) || PLACEHOLDER[4][0].test(v)) return true;
  if (/(?:placeholder|changeme|change[_-]me|replace[_-]?me|redacted)/i.test(v)) return true;
  // Documentation's sample keys end in EXAMPLE (`AKIAIOSFODNN7EXAMPLE`, `npm_...EXAMPLE`).
  if (/EXAMPLE|example/.test(v)) return true;
  return isRepetitive(v);
}

/** Documentation's own sample values inside a provider token: `AKIAIOSFODNN7EXAMPLE`, `sk_test_sample...`. */
export const PROVIDER_EXAMPLE = /example|sample|dummy|fake/i;

/** A JSON web token: its header is base64url of a JSON object naming its algorithm (`alg`). */
export function isJwt(token: string): boolean {
  const dot = token.indexOf('.');
  if (dot < 10) return false;
  try {
    const header = JSON.parse(Buffer.from(token.slice(0, dot), 'base64url').toString('utf8')) as unknown;
    return typeof header === 'object' && header !== null && typeof (header as { alg?: unknown }).alg === 'string';
  } catch {
    return false;
  }
}

/** Exactly the passwords of documentation, tutorials and default installs: real, but an example. */
const WEAK_PASSWORDS = new Set([
  'password', 'passw0rd', 'p@ssw0rd', 'p@ssword', 'pa$$word', 'pa55word', 'pass', 'pass123', 'password1', 'password123',
  'changeme', 'changeit', 'secret', 'secret123', '123456', '1234', '12345', '1234567', '12345678', '123456789', '1234567890',
  'qwerty', 'qwerty123', 'letmein', 'admin', 'administrator', 'root', 'toor', 'test', 'test123', 'testing', 'guest',
  'demo', 'hunter2', 'foobar', 'example', 'sample', 'default', 'welcome', 'welcome1', 'mypassword', 'yourpassword',
  'mysecret', 'yoursecret', 'pwd', 'none', 'null', 'abc123', 'abcd1234', 'iloveyou', 'monkey', 'dragon', 'master',
  'trustno1', 'superuser', 'postgres', 'mysql', 'oracle', 'sa', 'user', 'username', 'login', 'token', 'apikey', 'api_key',
  'secretkey', 'secret_key', 'mytoken', 'yourtoken', 'xxx', 'tiger', 'scott', 'manager', 'system', 'public',
]);

export function isWeakPassword(v: string): boolean {
  return WEAK_PASSWORDS.has(v.toLowerCase());
}

export function isHashedPassword(v: string): boolean {
  return HASHED.test(v);
}
