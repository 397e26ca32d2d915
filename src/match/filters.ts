// Precision filters: values that look like secrets to a regex but are placeholders, references or code.

const PLACEHOLDER_WORDS =
  /(?:x{4,}|\*{3,}|\.{3,}|#{4,}|_{4,}|placeholder|changeme|change[_-]me|your[_-]?(?:api|access|secret|app|auth|own|private|client|real|db|database)?[_-]?(?:key|token|secret|pass|password|id)?(?:[_-]?here)?\b|example|redacted|insert[_-]?(?:your|key|token)|replace[_-]?(?:me|with)|fill[_-]?me|put[_-]?your|<[a-z _-]+>)/i;

const EMPTY_WORDS = /^(?:none|null|nil|undefined|empty|n\/a|tbd|todo)$/i;

const TEMPLATE_MARKERS = /(?:\$\{|\{\{|\}\}|<%|%>|\$\(|%\(|%[sd]\b)/;
/** Rarer template syntax (Ruby `#{}`, Jinja `{% %}`, `[[ ]]`): also characters of random salts, so only for values of generic rules. */
const LOOSE_TEMPLATE_MARKERS = /(?:\{%|%\}|#\{|\[\[|\]\])/;

/**
 * Placeholders and templates: `xxxx`, `<token>`, `${VAR}`, `{{ .Values.x }}`, `%s`, `changeme`.
 * `loose` (generic rules) also counts rarer template syntax.
 */
export function isPlaceholder(secret: string, loose = true): boolean {
  if (TEMPLATE_MARKERS.test(secret) || (loose && LOOSE_TEMPLATE_MARKERS.test(secret))) return true;
  if (PLACEHOLDER_WORDS.test(secret) || EMPTY_WORDS.test(secret)) return true;
  return isRepetitive(secret);
}

/** Repeated or sequential characters: `aaaaaaaa`, `12345678`, `abcdefgh`, `abcabcabc`. */
export function isRepetitive(s: string): boolean {
  if (s.length < 6) return false;
  const distinct = new Set(s).size;
  if (distinct <= 2 || (s.length >= 12 && distinct <= 3)) return true;
  let seq = 1;
  let best = 1;
  for (let i = 1; i < s.length; i++) {
    const d = s.charCodeAt(i) - s.charCodeAt(i - 1);
    seq = d === 1 || d === -1 ? seq + 1 : 1;
    if (seq > best) best = seq;
  }
  if (best >= Math.max(6, s.length * 0.6)) return true;
  // A short unit repeated: abcabcabcabc.
  for (let unit = 1; unit <= 4; unit++) {
    if (s.length >= unit * 4 && s.slice(unit) === s.slice(0, s.length - unit)) return true;
  }
  return false;
}

const REFERENCE =
  /^(?:process\.env|import\.meta\.env|os\.environ|os\.getenv|getenv|env\(|env\[|ENV\[|System\.getenv|Environment\.|secrets\.|vars\.|\$[A-Za-z_{(]|%[A-Za-z_]+%|@Value|config\.|settings\.|self\.|this\.|params\.|args\.|options\.|opts\.|props\.|req\.|request\.|vault:|ssm:|arn:aws:secretsmanager|ref\+|!Ref|!Sub|!GetAtt|\{\{)/;

const COMMON_VALUES = new Set([
  'password', 'passwd', 'secret', 'token', 'apikey', 'api_key', 'true', 'false', 'null', 'none', 'nil', 'undefined',
  'string', 'required', 'optional', 'empty', 'default', 'hidden', 'masked', 'unset', 'disabled', 'enabled', 'bearer',
  'basic', 'private', 'public', 'boolean', 'number', 'object', 'function', 'secret_key', 'access_token', 'auth_token',
  'pass', 'pwd', 'passw0rd', 'pa$$word', 'p@ssw0rd', 'p@$$w0rd', 'p@ssword', 'changeit', 'hunter2', 'letmein', 'mypassword',
  'yourpassword', 'mysecret', 'yoursecret', 'mytoken', 'yourtoken',
]);

/**
 * For generic rules only: the value is read from somewhere else (environment, secret store, another
 * variable), is a path or a plain word, or is code rather than a literal.
 */
export function isNonLiteralValue(value: string): boolean {
  if (REFERENCE.test(value)) return true;
  const lower = value.toLowerCase();
  if (COMMON_VALUES.has(lower)) return true;
  if (/^(?:\.{0,2}\/|~\/|[A-Za-z]:\\)/.test(value)) return true; // a file path
  if (/\.(?:pem|key|crt|cer|json|ya?ml|txt|env|conf|cfg|ini|xml|p12|pfx|jks|js|ts|py|rb|php|go|java|html?|png|svg)$/i.test(value)) return true;
  if (/^[A-Za-z_][A-Za-z0-9_]*\(/.test(value)) return true; // a function call
  if (/^[A-Za-z_$][\w$]*(?:[?!]?\.[A-Za-z_$][\w$]*)+$/.test(value) && !/\d/.test(value)) return true; // a.b?.c member access
  if (/^[A-Z][A-Z0-9_]+$/.test(value) && value.includes('_')) return true; // ANOTHER_CONSTANT
  return false;
}

/** Versions and ranges (`^7.1.2`, `>=1.0.0`, `v2.3`): lock files and manifests are full of them. */
const VERSION = /^[~^<>=v]*\d+(?:\.[\dx*]+)+(?:[-+][\w.]+)?$/i;
/** Code rather than a literal: a call, a member access, an operator between quotes. */
const CODE_FRAGMENT = /\)\.|\(['"`]|['"`]\)|\(\)|=>|&&|\|\||^-{1,2}[a-z]|^[);,\]}.]|\($/i;
const SOURCE_FILE = /\.(?:[cm]?[jt]sx?|py|rb|go|java|kt|kts|scala|cs|php|c|cc|cpp|h|hpp|rs|swift|m|mm|dart|lua|pl|pm|r|ex|exs|erl|clj|groovy|vue|svelte|d\.ts|map)$/i;

export function isSourceFile(relPath: string): boolean {
  return SOURCE_FILE.test(relPath);
}

/**
 * For generic rules: does a value assigned to a secret-named key look like a credential? Tokens and keys
 * carry a digit; in source code (where unquoted words are identifiers and quoted words are labels, enum
 * values and type names), a password needs a digit or a symbol too.
 */
export function isCredentialLike(value: string, kind: string, relPath: string): boolean {
  if (VERSION.test(value) || CODE_FRAGMENT.test(value)) return false;
  const hasDigit = /\d/.test(value);
  // A token's value that names itself ("libsecret-1-0", "csrf_token_2") is a name, not a token.
  if (kind !== 'password' && kind !== 'connection-string' && kind !== 'credentials') {
    return hasDigit && value.length >= 8 && !/secret|token/i.test(value);
  }
  if (isSourceFile(relPath)) return hasDigit || /[^A-Za-z0-9_.-]/.test(value);
  return true;
}

/** RFC 2606 documentation hosts: credentials in URLs on them are examples. */
const DOCUMENTATION_HOST = /@(?:[\w-]+\.)*example\.(?:com|org|net)\b|@[\w.-]+\.(?:example|invalid)\b/i;

/** Whether the host of a `user:password@host` match is a documentation host (a user name may be an e-mail address). */
export function mentionsDocumentationHost(matchText: string): boolean {
  const at = matchText.lastIndexOf('@');
  return DOCUMENTATION_HOST.test(at === -1 ? matchText : matchText.slice(at));
}

/** Files whose content is hashes and versions, not secrets: generic rules skip them. */
export function isLockFile(relPath: string): boolean {
  return /(?:^|\/)(?:\.?package-lock\.json|npm-shrinkwrap\.json|yarn\.lock|pnpm-lock\.yaml|bun\.lockb?|Cargo\.lock|go\.sum|poetry\.lock|Pipfile\.lock|Gemfile\.lock|composer\.lock|packages\.lock\.json|flake\.lock|uv\.lock|pdm\.lock|mix\.lock|pubspec\.lock|Podfile\.lock|gradle\.lockfile)$/.test(relPath);
}

export const ALLOW_MARKERS = ['shadowscan:allow', 'gitleaks:allow', 'pragma: allowlist secret'];

/** A comment on the line before a match that allows it (detect-secrets' form). */
export const ALLOW_NEXT_LINE_MARKER = 'pragma: allowlist nextline secret';
