// What a key name says about the value assigned to it: a password, a token, an API key, or something about one
// (its label, its length, its URL). Pure string work on identifiers of every naming style.

import type { KeyClass } from '../model/index.js';

export type { KeyClass };

export interface KeyInfo {
  cls: KeyClass;
  /** The secret word that decided the class (`password`, `apikey`, `token`). */
  term: string;
  /** The words of the name, lower case: `DB_PASSWORD` -> ['db', 'password']. */
  words: string[];
  /** For `metadata`: the word that made it so (`label`, `length`, `url`). */
  modifier?: string;
}

/**
 * Secret words as whole words of a name, and the class each gives. Compounds without a separator (`apikey`,
 * `dbpassword`) are found by `termOf`.
 */
// Looked up by words of keys: without a prototype, `constructor` is no term.
const TERMS: Record<string, KeyClass> = Object.assign(Object.create(null), {
  password: 'password', passwords: 'password', passwd: 'password', passwrd: 'password', passwort: 'password', passw: 'password',
  pass: 'password', passphrase: 'password', passcode: 'password', pwd: 'password', pw: 'password', psw: 'password',
  pswd: 'password', pswrd: 'password', psswd: 'password', psword: 'password', psswrd: 'password', pssword: 'password',
  paswd: 'password', paswrd: 'password', pasword: 'password', passwds: 'password', kennwort: 'password', contrasena: 'password',
  senha: 'password', parol: 'password', parola: 'password', wachtwoord: 'password', haslo: 'password', mdp: 'password',
  secret: 'secret', secrets: 'secret', clientsecret: 'secret', appsecret: 'secret', secretkey: 'api-key',
  apikey: 'api-key', apikeys: 'api-key', accesskey: 'api-key', appkey: 'api-key', authkey: 'api-key', masterkey: 'api-key',
  signingkey: 'api-key', encryptionkey: 'api-key', clientkey: 'api-key', serverkey: 'api-key', licensekey: 'api-key',
  subscriptionkey: 'api-key', accountkey: 'api-key', hmackey: 'api-key', aeskey: 'api-key', consumerkey: 'api-key',
  consumersecret: 'secret', nkey: 'api-key', sharedkey: 'api-key', devkey: 'api-key', userkey: 'api-key',
  privatekey: 'private-key', privkey: 'private-key', sshkey: 'private-key',
  token: 'token', tokens: 'token', accesstoken: 'token', authtoken: 'token', apitoken: 'token', bearer: 'token',
  refreshtoken: 'token', idtoken: 'token', oauthtoken: 'token', jwt: 'token',
  credential: 'credential', credentials: 'credential', creds: 'credential', cred: 'credential',
  auth: 'auth', oauth: 'auth', authorization: 'auth', passin: 'password', passout: 'password', storepass: 'password', keypass: 'password', authentication: 'auth', authn: 'auth', userpwd: 'credential', userpass: 'credential',
  key: 'key', keys: 'key',
  salt: 'salt', nonce: 'salt', seed: 'salt', pepper: 'salt',
  sid: 'session', sessionid: 'session', sessid: 'session', cookie: 'session',
});

/** Two-word forms that read as one term: `api key`, `access token`, `secret key`, `private key`. */
const PAIRS: Record<string, string> = Object.assign(Object.create(null), {
  'api key': 'apikey', 'app key': 'appkey', 'access key': 'accesskey', 'secret key': 'secretkey', 'private key': 'privatekey',
  'auth key': 'authkey', 'master key': 'masterkey', 'signing key': 'signingkey', 'encryption key': 'encryptionkey',
  'client secret': 'clientsecret', 'app secret': 'appsecret', 'client key': 'clientkey', 'server key': 'serverkey',
  'license key': 'licensekey', 'subscription key': 'subscriptionkey', 'account key': 'accountkey', 'shared key': 'sharedkey',
  'consumer key': 'consumerkey', 'consumer secret': 'consumersecret', 'access token': 'accesstoken', 'auth token': 'authtoken',
  'api token': 'apitoken', 'refresh token': 'refreshtoken', 'id token': 'idtoken', 'session id': 'sessionid',
  'ssh key': 'sshkey', 'hmac key': 'hmackey', 'aes key': 'aeskey', 'user key': 'userkey', 'dev key': 'devkey',
});

/** Suffixes of an unseparated word that still name a secret (`dbpassword`, `mysqlpwd`, `githubtoken`). */
const SUFFIX_TERMS = [
  'password', 'passwd', 'passphrase', 'secret', 'apikey', 'accesskey', 'secretkey', 'privatekey', 'token', 'credentials',
  'userpwd', 'userpass', 'pwd', 'pass', 'authkey', 'appkey', 'masterkey',
];
/** What may come before `pass` or `pwd` in one word (`dbpass`, `mysqlrootpwd`, `proxyuserpwd`): one or two of these. */
const SHORT_TERM_HEAD =
  /^(?:(?:db|user|root|admin|smtp|mail|ftp|sftp|ssh|mysql|pg|redis|sql|app|api|my|default|master|sys|system|web|wifi|bind|ldap|proxy|auth|key|store|trust|vnc|rdp|sa|svc|service|login|site|server|client|x|new|old|enc)){1,2}$/;
/** Words ending in a suffix term that are not secrets. */
const NOT_SECRET_WORDS = new Set([
  'bypass', 'compass', 'trespass', 'overpass', 'underpass', 'surpass', 'encompass', 'impass', 'morpass', 'airpass',
  'subpass', 'multipass', 'renderpass', 'firstpass', 'secondpass', 'onepass', 'twopass', 'singlepass', 'highpass',
  'lowpass', 'bandpass', 'allpass', 'tokenpass', 'cwd', 'getcwd', 'nwd',
  'passport', 'passenger', 'passengers', 'passive', 'passage', 'passages', 'passthrough', 'passthru', 'passing', 'passed',
  'passes', 'passable', 'passer', 'passion', 'keyword', 'keywords', 'keyboard', 'keyframe', 'keyframes', 'keystroke',
  'keystore', 'keychain', 'keyring', 'keypair', 'keypad', 'keycode', 'keyup', 'keydown', 'keypress', 'keyof', 'keyed',
  'keying', 'keyset', 'keyspace', 'keymap', 'keyval', 'keyvalue', 'monkey', 'donkey', 'turkey', 'hockey', 'jockey',
  'whiskey', 'lackey', 'tokenize', 'tokenizer', 'tokenized', 'tokenizing', 'tokenization', 'tokenizers', 'detokenize',
  'authority', 'authorities', 'author', 'authors', 'authored', 'authoring', 'authorship', 'authentic', 'authenticity',
  'authorize', 'authorized', 'authorizer', 'authorizes', 'authorizing', 'unauthorized', 'unauthenticated', 'authenticated',
  'authenticate', 'authenticator', 'secretary', 'secretariat', 'secretion', 'secreted', 'credit', 'credits', 'credential_id',
  'sidebar', 'side', 'sides', 'sider', 'inside', 'outside', 'aside', 'beside', 'residence', 'consider', 'considered',
  'president', 'resident', 'sidecar', 'sidenav', 'subside', 'seeds', 'seeded', 'seeding', 'seedling', 'salty', 'salts',
  'saltstack', 'pwa', 'pwm', 'pwr', 'pwn', 'pwned', 'pws', 'noncer', 'nonces', 'cookies', 'cookiejar',
]);

/**
 * Words that make a secret-named key hold something about the secret rather than the secret: its label,
 * its length, its URL, its type, whether it is required. Checked after the secret word (`passwordLabel`,
 * `token_url`, `api_key_header`) and, for a few, before it (`min_password`, `show_password`, `forgot_password`).
 */
const METADATA_AFTER = new Set([
  'name', 'names', 'label', 'labels', 'lbl', 'placeholder', 'hint', 'hints', 'text', 'txt', 'title', 'message', 'messages',
  'msg', 'prompt', 'field', 'fields', 'type', 'types', 'format', 'length', 'len', 'size', 'min', 'max', 'minlength',
  'maxlength', 'regex', 'regexp', 'pattern', 'policy', 'policies', 'rule', 'rules', 'url', 'urls', 'uri', 'path', 'paths',
  'file', 'filename', 'files', 'dir', 'directory', 'folder', 'endpoint', 'endpoints', 'header', 'headers', 'param', 'params',
  'parameter', 'parameters', 'env', 'envvar', 'var', 'variable', 'column', 'col', 'input', 'inputs', 'error', 'errors',
  'err', 'required', 'enabled', 'enable', 'disabled', 'expire', 'expires', 'expiry', 'expiration', 'expired', 'ttl',
  'timeout', 'lifetime', 'count', 'counter', 'index', 'idx', 'prefix', 'suffix', 'location', 'source', 'store',
  'storage', 'provider', 'providers', 'manager', 'service', 'handler', 'helper', 'util', 'utils', 'class', 'component',
  'view', 'validator', 'validation', 'validate', 'strength', 'changed', 'visible', 'visibility', 'show', 'hidden',
  'toggle', 'icon', 'button', 'btn', 'link', 'mode', 'method', 'methods', 'scheme', 'version', 'status', 'state',
  'request', 'response', 'callback', 'event', 'events', 'listener', 'loader', 'parser', 'lexer', 'kind', 'cache',
  'bytes', 'bits', 'algorithm', 'algorithms', 'alg', 'cipher', 'mask', 'char', 'chars', 'check', 'checker', 'verify',
  'verifier', 'exists', 'used', 'usage', 'list', 'lists', 'map', 'set', 'array', 'schema', 'spec', 'key', 'keys',
  'column', 'table', 'attr', 'attribute', 'attributes', 'property', 'properties', 'option', 'options', 'config',
  'configuration', 'settings', 'setting', 'description', 'desc', 'doc', 'docs', 'help', 'tooltip', 'info', 'reset',
  'forgot', 'recovery', 'rotation', 'refresh', 'generator', 'factory', 'builder', 'service', 'client', 'ref',
  'reference', 'selector', 'locator', 'element', 'el', 'ctrl', 'control', 'form', 'dialog', 'modal', 'page', 'screen',
  'route', 'id', 'ids', 'uuid', 'arn', 'hash', 'hashed', 'digest', 'encrypted', 'enc', 'crypt', 'sha', 'md5', 'bcrypt',
  'fingerprint', 'checksum', 'duration', 'age', 'time', 'date', 'at', 'on', 'length', 'position', 'pos', 'offset',
  'start', 'end', 'line', 'lines', 'level', 'weight', 'score', 'owner', 'user', 'username', 'login', 'email', 'identity',
  'account', 'issuer', 'audience', 'scope', 'scopes', 'claims', 'claim', 'payload', 'store', 'vault', 'ssm', 'arn',
  'secretsmanager', 'template', 'example', 'sample', 'test', 'dummy', 'mock', 'fake', 'stub', 'placeholder', 'class',
]);
/** Words directly before the secret word that make the name one of a function or a flag about it, or a label. */
const METADATA_BEFORE = new Set([
  'label', 'lbl', 'text', 'txt', 'title', 'msg', 'message', 'placeholder', 'hint', 'caption', 'tooltip', 'prompt', 'str',
  'i18n', 'l10n', 'desc', 'description', 'error', 'err', 'field', 'input', 'button', 'btn', 'icon', 'header', 'column',
  'min', 'max', 'show', 'hide', 'toggle', 'forgot', 'reset', 'is', 'has', 'no', 'needs', 'need', 'require', 'requires',
  'validate', 'check', 'verify', 'strong', 'weak', 'invalid', 'valid', 'wrong', 'bad', 'missing', 'empty',
  'num', 'count', 'get', 'fetch', 'load', 'read', 'parse', 'generate', 'gen', 'create', 'make', 'build',
  'on', 'handle', 'use', 'with', 'allow', 'enable', 'disable', 'skip', 'ignore', 'mask', 'unmask', 'hash', 'encrypt',
  'decrypt', 'encode', 'decode', 'peek', 'sort',
]);
/** Verbs that, before a two-word term, say what a credential may do (`READ_ACCESS_TOKEN`, `write_api_key`). */
const ACCESS_VERBS = new Set(['read', 'write']);
const TWO_WORD_TERMS = new Set(Object.values(PAIRS));

/** Before `key`: a key into a map, a table or a cache, not a secret key; `public_key` is public. */
const KEY_NOT_SECRET_BEFORE = new Set([
  'primary', 'foreign', 'unique', 'partition', 'sort', 'cache', 'hot', 'map', 'lookup', 'index', 'object', 'dict', 'field',
  'column', 'redis', 'storage', 'store', 'hotkey', 'shortcut', 'public', 'pub', 'publishable', 'row', 'group', 'route',
  'i18n', 'translation', 'locale', 'message', 'msg', 'label', 'react', 'item', 'list', 'node', 'child', 'entry', 'query',
  'idempotency', 'dedup', 'dedupe', 'composite', 'range', 'hash', 'shard', 'bucket', 'cursor', 'next', 'prev', 'last',
  'first', 'next', 'modifier', 'meta', 'alt', 'ctrl', 'shift', 'enter', 'escape', 'esc', 'tab', 'space', 'arrow', 'up', 'down',
  'socket', 'websocket', 'gpg', 'pgp', 'release', 'merge', 'export', 'import', 'sort', 'group', 'order', 'join', 'match',
]);
/** Before `token`: a token of a parser, a page or a sync protocol, not a credential. */
const TOKEN_NOT_SECRET_BEFORE = new Set([
  'csrf', 'xsrf', 'lexer', 'parser', 'next', 'prev', 'page', 'pagination', 'continuation', 'cancellation', 'cancel', 'sync',
  'resume', 'start', 'end', 'eof', 'string', 'number', 'punctuation', 'operator', 'keyword', 'identifier', 'comment',
  'whitespace', 'design', 'color', 'spacing', 'font', 'theme', 'style', 'css', 'form', 'anti', 'antiforgery', 'request',
  'verification', 'notification', 'push', 'device', 'fcm', 'apns', 'registration', 'invite', 'invitation',
]);
/** `hash`-like words after a password name: the value is a hash, which goes to review. */
const HASH_WORDS = new Set(['hash', 'hashed', 'digest', 'crypt', 'bcrypt', 'sha', 'sha1', 'sha256', 'sha512', 'md5', 'encrypted', 'enc']);
/** `key` alone is weak evidence; with one of these before it it is a secret key. */
const KEY_QUALIFIERS = new Set([
  'api', 'app', 'access', 'secret', 'private', 'auth', 'master', 'signing', 'encryption', 'client', 'server', 'license',
  'subscription', 'account', 'shared', 'consumer', 'ssh', 'hmac', 'aes', 'user', 'dev', 'service', 'storage', 'crypto',
  'cipher', 'wallet', 'jwt', 'session', 'cookie', 'csrf', 'webhook', 'stripe', 'google', 'maps', 'recaptcha', 'license',
]);

/** Splits an identifier into lower-case words: camelCase, snake_case, kebab-case, dotted, digits apart. */
export function splitWords(name: string): string[] {
  const out: string[] = [];
  let cur = '';
  const flush = () => {
    if (cur) out.push(cur.toLowerCase());
    cur = '';
  };
  for (let i = 0; i < name.length; i++) {
    const c = name[i];
    const code = name.charCodeAt(i);
    const isUpper = code >= 65 && code <= 90;
    const isLower = code >= 97 && code <= 122;
    const isDigit = code >= 48 && code <= 57;
    if (!isUpper && !isLower && !isDigit) {
      flush();
      continue;
    }
    if (cur) {
      const p = name.charCodeAt(i - 1);
      const prevLower = p >= 97 && p <= 122;
      const prevUpper = p >= 65 && p <= 90;
      const prevDigit = p >= 48 && p <= 57;
      const nextLower = i + 1 < name.length && name.charCodeAt(i + 1) >= 97 && name.charCodeAt(i + 1) <= 122;
      // aB -> a|B; ABc -> A|Bc; a1 -> a|1 (but keep digits after a word's letters for 'sha256' style)
      if ((isUpper && (prevLower || prevDigit)) || (isUpper && prevUpper && nextLower) || (isDigit && !prevDigit && cur.length > 3) || (!isDigit && prevDigit && cur.length > 0 && /^\d+$/.test(cur))) flush();
    }
    cur += c;
  }
  flush();
  return out;
}

/** The secret term a single word names, if any: a whole term, or an unseparated compound ending in one. */
function termOf(word: string): string | undefined {
  if (TERMS[word] !== undefined) return NOT_SECRET_WORDS.has(word) ? undefined : word;
  // Misspelt and abbreviated passwords: `passworsd`, `pasword1`, `psswrd`.
  if (/^(?:passw|pasw|pssw|passwo)[a-z]{0,5}$/.test(word) && !NOT_SECRET_WORDS.has(word)) return 'password';
  if (NOT_SECRET_WORDS.has(word) || word.length > 40) return undefined;
  for (const suffix of SUFFIX_TERMS) {
    if (word.length > suffix.length && word.endsWith(suffix)) {
      const head = word.slice(0, -suffix.length);
      // `dbpassword`, `mysqlpwd`, `githubtoken`; not `onepass` or a word that merely ends in the letters.
      if ((suffix === 'pass' || suffix === 'pwd' || suffix === 'userpwd' || suffix === 'userpass') && !SHORT_TERM_HEAD.test(head)) continue;
      return suffix;
    }
  }
  for (const prefix of ['password', 'passwd', 'secret', 'token', 'apikey', 'privatekey', 'accesskey', 'secretkey']) {
    if (word.length > prefix.length && word.startsWith(prefix)) {
      const rest = word.slice(prefix.length);
      if (METADATA_AFTER.has(rest) || HASH_WORDS.has(rest)) return undefined; // `passwordhash`, `tokentype`: metadata, seen by the caller
      if (/^(?:s|\d+|[a-z])$/.test(rest)) return prefix;
    }
  }
  return undefined;
}

/**
 * Classifies a key name. Returns undefined when it names no secret at all (`keyboard`, `bypass`, `author`).
 * The last secret word decides (`password_reset_token` holds a token); words after it can make it metadata
 * (`token_url`, `passwordLabel`) or a hash (`password_hash`).
 */
export function classifyKey(name: string): KeyInfo | undefined {
  // The same names come back on every line of a file (`key`, `token`, `password`): remember the answers.
  const known = CLASSIFIED.get(name);
  if (known !== undefined || CLASSIFIED.has(name)) return known;
  const info = classify(name);
  if (CLASSIFIED.size >= 50000) CLASSIFIED.clear();
  CLASSIFIED.set(name, info);
  return info;
}

const CLASSIFIED = new Map<string, KeyInfo | undefined>();

function classify(name: string): KeyInfo | undefined {
  if (name.length > 120) return undefined;
  const raw = splitWords(name);
  if (!raw.length || raw.length > 12) return undefined;
  // Join two-word terms (`api key`, `access token`) into one word.
  const words: string[] = [];
  for (let i = 0; i < raw.length; i++) {
    const pair = i + 1 < raw.length ? PAIRS[`${raw[i]} ${raw[i + 1]}`] : undefined;
    if (pair) {
      words.push(pair);
      i++;
    } else words.push(raw[i]);
  }
  let at = -1;
  let term: string | undefined;
  for (let i = words.length - 1; i >= 0; i--) {
    const t = termOf(words[i]);
    if (t) {
      at = i;
      term = t;
      break;
    }
  }
  if (!term) {
    // `passwordHash`, `tokenType` as one word: the prefix check in termOf declined them; see whether a term starts the word.
    for (let i = words.length - 1; i >= 0; i--) {
      for (const prefix of ['password', 'passwd', 'secret', 'token', 'apikey']) {
        const w = words[i];
        if (w.startsWith(prefix) && w.length > prefix.length) {
          const rest = w.slice(prefix.length);
          if (HASH_WORDS.has(rest)) return { cls: 'hash', term: prefix, words: raw, modifier: rest };
          if (METADATA_AFTER.has(rest)) return { cls: 'metadata', term: prefix, words: raw, modifier: rest };
        }
      }
    }
    return undefined;
  }
  let cls = TERMS[term] ?? (term === 'pwd' || term === 'pass' ? 'password' : 'secret');
  const before = at > 0 ? words[at - 1] : undefined;
  if (cls === 'key' && before) {
    if (KEY_QUALIFIERS.has(before)) cls = 'api-key';
    else if (KEY_NOT_SECRET_BEFORE.has(before)) return { cls: 'metadata', term, words: raw, modifier: before };
  }
  if (cls === 'token' && before && TOKEN_NOT_SECRET_BEFORE.has(before)) return { cls: 'metadata', term, words: raw, modifier: before };
  for (let i = at + 1; i < words.length; i++) {
    const w = words[i];
    if (/^\d+$/.test(w)) continue;
    if (HASH_WORDS.has(w) && (cls === 'password' || cls === 'secret' || cls === 'token')) return { cls: 'hash', term, words: raw, modifier: w };
    if (METADATA_AFTER.has(w)) return { cls: 'metadata', term, words: raw, modifier: w };
  }
  // `readToken`, `getPassword` name functions; `READ_ACCESS_TOKEN` names a read-only token (a two-word term after a
  // verb that says what the credential may do).
  if (before && METADATA_BEFORE.has(before) && !(ACCESS_VERBS.has(before) && TWO_WORD_TERMS.has(term))) {
    return { cls: 'metadata', term, words: raw, modifier: before };
  }
  return { cls, term, words: raw };
}
