// One assignment grammar for every syntax: finds values written next to secret-named keys and says how they were
// written. Pure: bytes in, candidates out. The scorer decides what they are worth.
//
// One RE2 pass finds the secret words (`pass`, `token`, `key`, ...); each hit is read in place: the key it belongs to
// (`DB_PASSWORD`, `cfg['password']`, `--password`, `<password>`), what follows the key (an operator, a type, a call,
// nothing), and the value in the quoting it was written with. Reading is local (a few hundred bytes around the hit),
// so a 500 KB minified line costs no more than a short one.
import RE2 from 're2';
import { isWordByte } from './chars.js';
import { classifyKey, splitWords, type KeyInfo } from './keys.js';
import { fileFamily, isCodeFamily, lineRole, type FileFamily, type LineRole } from './syntax.js';

/** How a key and its value were written. */
export type SyntaxForm =
  | 'assignment' | 'config-line' | 'xml-element' | 'xml-attribute' | 'name-value' | 'comparison' | 'call' | 'call-argument'
  | 'command-line' | 'header' | 'query' | 'sql' | 'prose' | 'env-fallback' | 'url' | 'token';

export type Quoting = 'double' | 'single' | 'backtick' | 'triple' | 'escaped' | 'entity' | 'none';

/** One value next to a secret-named key. Offsets are byte offsets of the raw value (quotes excluded). */
export interface Candidate {
  key: string;
  keyInfo: KeyInfo;
  keyStart: number;
  keyEnd: number;
  operator: string;
  /** The value with its escapes resolved: what the program would see. */
  value: string;
  start: number;
  end: number;
  quoting: Quoting;
  form: SyntaxForm;
  lineRole: LineRole;
  family: FileFamily;
  /** `Bearer`, `Basic`, ... when an authorization scheme was taken off the value. */
  scheme?: string;
  /** An unquoted value followed by more words on its line: part of a sentence rather than a setting. */
  continues?: boolean;
  /** Inside a call to a translation function (`_("Password")`, `t('password')`): text for people. */
  translated?: boolean;
  /** Why the grammar already knows the value is public or not a credential (a badge URL's token). */
  note?: string;
  /** YAML: the key this one is nested under (`encryptedData` above a Sealed Secret's values). */
  parent?: string;
  /** A user name written in the same construct (`user:pass`, `login("user", "pass")`, `ID/PW: u/p`). */
  username?: { value: string; start: number; end: number };
}

/**
 * The secret words the grammar starts from, as substrings (so `DB_PASSWORD`, `dbPassword` and `apikey` all hit).
 * Classification (`classifyKey`) then decides whether the whole key names a secret.
 */
export const GRAMMAR_KEYWORDS = [
  'pass', 'pwd', 'pw', 'psw', 'pssw', 'pasw', 'secret', 'token', 'key', 'auth', 'cred', 'salt', 'nonce', 'sid', 'bearer', 'identified',
  'securestring', 'kennwort', 'contrase', 'senha', 'parol', 'wachtwoord', 'haslo', 'jwt', 'cookie', 'login', 'signin',
  // Command-line tools whose password flag is a single letter (`mysql -pSECRET`, `sshpass -p SECRET`).
  'mysql', 'mariadb', 'sshpass', 'redis-cli', 'mongo', 'sqlcmd', 'smbclient',
];

/**
 * Short password flags of command-line tools: `attached` reads `-pVALUE` (mysql's own syntax, where `-p VALUE`
 * prompts and VALUE is the database), otherwise the next word. `%` splits smbclient's `-U user%password`.
 */
const CLI_FLAGS: Record<string, { flag: string; attached?: boolean; split?: string }> = Object.assign(Object.create(null), {
  mysql: { flag: '-p', attached: true }, mysqldump: { flag: '-p', attached: true }, mysqladmin: { flag: '-p', attached: true },
  mysqlimport: { flag: '-p', attached: true }, mariadb: { flag: '-p', attached: true }, 'mariadb-dump': { flag: '-p', attached: true },
  sshpass: { flag: '-p' }, 'redis-cli': { flag: '-a' }, mongo: { flag: '-p' }, mongosh: { flag: '-p' }, mongodump: { flag: '-p' },
  mongorestore: { flag: '-p' }, mongoexport: { flag: '-p' }, mongoimport: { flag: '-p' }, sqlcmd: { flag: '-P' }, bcp: { flag: '-P' },
  smbclient: { flag: '-U', split: '%' },
});
/**
 * Every secret word. `test` (not `exec`) walks the matches: it only moves `lastIndex`, three times faster on a
 * Buffer than building a result per match, and the keyword is found again from where the match ends.
 */
const SITE = new RE2(`(?i)(?:${GRAMMAR_KEYWORDS.join('|')})`, 'g');
const KEYWORDS_BY_LENGTH = [...GRAMMAR_KEYWORDS].sort((a, b) => b.length - a.length);

const MAX_KEY = 128;
/** Longer lines are minified code, whose template literals defeat counting quotes from the line's start. */
const MAX_COUNTED_LINE = 400;
/** How far a line is read each way from a hit: enough for any assignment, bounded for minified files. */
const LINE_REACH = 2048;
const MAX_VALUE = 1024;
/** Past this many hits in one content, the rest are not read (a generated file of a million `key:` entries). */
const MAX_SITES = 20000;

const enum Ch {
  Tab = 9, LF = 10, CR = 13, Space = 32, Bang = 33, DQuote = 34, Hash = 35, Dollar = 36, Percent = 37, Amp = 38, SQuote = 39,
  LParen = 40, RParen = 41, Star = 42, Plus = 43, Comma = 44, Dash = 45, Dot = 46, Slash = 47, Colon = 58, Semi = 59, Lt = 60,
  Eq = 61, Gt = 62, Question = 63, At = 64, LBracket = 91, Backslash = 92, RBracket = 93, Backtick = 96, LBrace = 123,
  Pipe = 124, RBrace = 125,
}

/** Characters of a key as written in configs and code: words, dashes, dots, and non-ASCII letters. */
function isKeyChar(c: number): boolean {
  return isWordByte(c) || c === Ch.Dash || c === Ch.Dot || c >= 0x80;
}
function isSpace(c: number): boolean {
  return c === Ch.Space || c === Ch.Tab;
}
/** Skips spaces, tabs and `\t` written as an escape (a string holding `#define\tpassword\t...`). */
function skipSpace(s: string, at: number): number {
  for (;;) {
    const c = s.charCodeAt(at);
    if (isSpace(c)) at++;
    else if (c === Ch.Backslash && s.charCodeAt(at + 1) === 116 /* t */) at += 2;
    else return at;
  }
}
function isQuote(c: number): boolean {
  return c === Ch.DQuote || c === Ch.SQuote || c === Ch.Backtick;
}

/** Per-content state: the text (latin1, so character index = byte offset), line bounds, line roles. */
class Source {
  readonly family: FileFamily;
  private fences: number[] | undefined;
  private latin1: string | undefined;

  constructor(readonly content: Buffer, readonly relPath: string) {
    this.family = fileFamily(relPath);
  }

  /** Made on the first site worth reading: most hits in code fail `mayAssign`, which reads the bytes. */
  get text(): string {
    return (this.latin1 ??= this.content.toString('latin1'));
  }

  /**
   * The start of the line holding `at`, or a point LINE_REACH before `at` on a longer line: a minified file is one
   * line, and every hit on it must not search back to its start.
   */
  lineStart(at: number): number {
    const s = this.text;
    const floor = Math.max(0, at - LINE_REACH);
    for (let i = at - 1; i >= floor; i--) if (s.charCodeAt(i) === Ch.LF) return i + 1;
    return floor;
  }
  /** The end of the line holding `at` (before a CR), or a point LINE_REACH after `at` on a longer line. */
  lineEnd(at: number): number {
    const s = this.text;
    const ceil = Math.min(s.length, at + LINE_REACH);
    let i = at;
    while (i < ceil && s.charCodeAt(i) !== Ch.LF) i++;
    return i > 0 && s.charCodeAt(i - 1) === Ch.CR ? i - 1 : i;
  }

  /** A line of uuencoded data (`M` and 60 characters from space to backquote): any word in it is chance. */
  isUuencoded(at: number): boolean {
    // Such a line is 61 characters: look no further than that each way (a minified line is thousands long, and a
    // file has thousands of sites on it).
    const s = this.text;
    let ls = at;
    while (ls > 0 && at - ls <= 61 && s.charCodeAt(ls - 1) !== Ch.LF) ls--;
    if (at - ls > 61 || s.charCodeAt(ls) !== 77 /* M */) return false;
    let le = at;
    while (le < s.length && le - ls <= 62 && s.charCodeAt(le) !== Ch.LF) le++;
    if (le > 0 && s.charCodeAt(le - 1) === Ch.CR) le--;
    if (le - ls !== 61) return false;
    let punctuation = 0;
    for (let i = ls; i < le; i++) {
      const c = this.text.charCodeAt(i);
      if (c < 0x20 || c > 0x60) return false;
      if (!isWordByte(c)) punctuation++;
    }
    // Encoded bytes spread over the whole alphabet, punctuation included; `MYSQL_USER=ROOT;...` does not.
    return punctuation >= 15;
  }

  /** Markdown fenced code: lines between ``` fences are code, not prose. */
  private inFence(at: number): boolean {
    if (this.family !== 'docs') return false;
    if (!this.fences) {
      this.fences = [];
      const re = /^[ \t]*(?:```|~~~)/gm;
      for (let m = re.exec(this.text); m; m = re.exec(this.text)) this.fences.push(m.index);
    }
    let n = 0;
    for (const f of this.fences) if (f < at) n++;
    return n % 2 === 1;
  }

  roleOf(at: number): LineRole {
    const ls = this.lineStart(at);
    const le = this.lineEnd(at);
    // A minified line: the role of a window around the hit is what matters.
    const from = le - ls > 2000 ? Math.max(ls, at - 200) : ls;
    const to = le - ls > 2000 ? Math.min(le, at + 200) : le;
    return lineRole(this.text.slice(from, to), this.family, this.inFence(at));
  }
}

interface QuotedValue {
  value: string;
  start: number;
  end: number;
  /** Offset just past the closing quote. */
  next: number;
  quoting: Quoting;
}

/** The quote sequence at `at`: `"`, `'`, `` ` ``, `"""`, `'''`, `\"` (a string inside a string), `&quot;`. */
function quoteAt(s: string, at: number): string | undefined {
  const c = s.charCodeAt(at);
  if (c === Ch.DQuote || c === Ch.SQuote) {
    if (s.startsWith(c === Ch.DQuote ? '"""' : "'''", at)) return s.slice(at, at + 3);
    return s[at];
  }
  if (c === Ch.Backtick) return '`';
  if (c === Ch.Backslash) {
    let i = at;
    while (s.charCodeAt(i) === Ch.Backslash && i - at < 8) i++;
    const q = s.charCodeAt(i);
    if (q === Ch.DQuote || q === Ch.SQuote) return s.slice(at, i + 1);
    return undefined;
  }
  if (c === Ch.Amp && (s.startsWith('&quot;', at) || s.startsWith('&#34;', at) || s.startsWith('&apos;', at) || s.startsWith('&#39;', at))) {
    return s.slice(at, s.indexOf(';', at) + 1);
  }
  return undefined;
}

function quotingOf(q: string): Quoting {
  if (q.length === 3 && (q === '"""' || q === "'''")) return 'triple';
  if (q.startsWith('&')) return 'entity';
  if (q.startsWith('\\')) return 'escaped';
  return q === '"' ? 'double' : q === "'" ? 'single' : 'backtick';
}

/** Resolves the escapes a program would resolve: `\"`, `\\`, `\n`, `\x41`, `\u0041`. */
function unescape(raw: string): string {
  if (!raw.includes('\\')) return raw;
  return raw.replace(/\\(?:u\{?([0-9a-fA-F]{4,6})\}?|x([0-9a-fA-F]{2})|([0-7]{1,3})|(.))/g, (_m, u: string, x: string, o: string, c: string) => {
    if (u) return String.fromCodePoint(parseInt(u, 16));
    if (x) return String.fromCharCode(parseInt(x, 16));
    if (o) return String.fromCharCode(parseInt(o, 8));
    return c === 'n' ? '\n' : c === 't' ? '\t' : c === 'r' ? '\r' : c === '0' ? '\0' : c;
  });
}

/** Reads a quoted value starting at its opening quote sequence. Single-line unless the quoting allows lines. */
function readQuoted(s: string, at: number, q: string): QuotedValue | undefined {
  const start = at + q.length;
  const multiline = q.length === 3 || q === '`';
  const limit = Math.min(s.length, start + (multiline ? 8192 : MAX_VALUE + 1));
  let i = start;
  for (; i < limit; i++) {
    const c = s.charCodeAt(i);
    if (c === Ch.LF && !multiline) return undefined;
    if (q.length === 1 || q === '"""' || q === "'''") {
      if (c === Ch.Backslash && q !== "'" ) {
        i++; // an escape: skip what it escapes (single quotes escape nothing in shell and PHP but \' itself)
        continue;
      }
      if (c === Ch.Backslash && q === "'" && s.charCodeAt(i + 1) === Ch.SQuote) {
        i++;
        continue;
      }
      if (s.startsWith(q, i)) break;
    } else if (s.startsWith(q, i)) {
      // A nested quote (`\"`): the same number of backslashes closes it; one more escapes it.
      if (i > start && s.charCodeAt(i - 1) === Ch.Backslash) continue;
      break;
    }
  }
  if (i >= limit) return undefined;
  const raw = s.slice(start, i);
  let value: string;
  if (q.startsWith('&')) value = raw;
  else if (q.length > 1 && q.startsWith('\\')) {
    // Inside a string inside a string: one level of escaping belongs to the outer string.
    const depth = q.length - 1;
    value = unescape(raw.split('\\'.repeat(depth * 2)).join('\\').replace(new RegExp(`\\\\{${depth}}(["'])`, 'g'), '$1'));
  } else value = q === "'" && !raw.includes("\\'") ? raw : unescape(raw);
  return { value, start, end: i, next: i + q.length, quoting: quotingOf(q) };
}

/** Stops an unquoted value: whitespace, quotes, separators; `\n` written as an escape inside a string. */
function unquotedEnd(s: string, at: number, limitEnd: number, lineOriented: boolean, inString: string | undefined, markup = false): number {
  let i = at;
  const limit = Math.min(limitEnd, at + MAX_VALUE);
  for (; i < limit; i++) {
    const c = s.charCodeAt(i);
    if (c <= Ch.Space || c === Ch.DQuote || c === Ch.SQuote || c === Ch.Backtick || c === Ch.Semi || c === Ch.Comma) break;
    if (c === Ch.Backslash && (inString || /[nrt"']/.test(s[i + 1] ?? ''))) break;
    if (inString && s.startsWith(inString, i)) break;
    if (!lineOriented && (c === Ch.RParen || c === Ch.RBracket || c === Ch.RBrace || c === Ch.Lt || c === Ch.Gt || c === Ch.Pipe || c === Ch.Amp)) break;
    if (lineOriented && (c === Ch.Lt || c === Ch.Amp) && inString) break;
    if (c === Ch.Lt && markup) break;
  }
  return i;
}

/** Methods that return the literal they are called on, or its bytes: the literal is still the value. */
const KEEPS_LITERAL = /^\.(?:freeze|strip|trim|encode|getBytes|toCharArray|as_bytes|to_string|to_owned|into|to_s|dup|bytes)\b/;
const TRANSLATE_CALL = /(?:\b_|\b__|\bt|\bi18n|\bgettext|\btrans|\btr|\btranslate|\bintl\.formatMessage|\$t|\bl10n|\bNSLocalizedString|\bgetString)\(\s*$/;
const TYPE_ANNOTATION = /^:\s*[\w<>[\]&?|.*, ]{1,40}?\s*(?==[^=>])/;
const GO_TYPE = /^\s+(?:string|str|String|&str|&'static str|\[\]byte|\[\]rune|char\s*\*|const char\s*\*)\s*(?==|:=)/;
const WRAPPER = /^(?:new\s+)?(?:String|str|bytes|\[\]byte|Buffer\.from|SecureString|Text|Secret|SecretStr|Password|Some|Ok|Optional\.of|N|b|u|r|rb|br|f|@|\$|L|E)(?=["'`(])/;
const SCHEME = /^(Bearer|Basic|Token|token|bearer|basic|ApiKey|Api-Key|APIKey|apikey|Key|key|Digest|OAuth|NTLM|Negotiate|SSWS|GenieKey|Splunk|Bot|JWT|Zoho-oauthtoken|sso-key|AWS4-HMAC-SHA256)\s+(?=\S)/;
const ENV_CALL = /^(?:os\.(?:getenv|environ\.get)|getenv|env|ENV\.fetch|ENV\[|process\.env\.\w+\s*(?:\|\||\?\?)|System\.getenv|Environment\.GetEnvironmentVariable|os\.Getenv|os\.LookupEnv|config|Config::get|settings\.get|get_env|env_var|dotenv\.get)\s*\(?/;
/** Name fields whose value names the key of a sibling value field (`{"key": "Authorization", "value": "..."}`). */
const NAME_FIELD_BEFORE = /(?:["']?\b(?:key|name|Name|Key|KEY|NAME|header|field|param|parameter|variable|setting|property|label)["']?\s*(?::|=|=>)\s*|\b(?:variable|secret|resource)\s+|-\s+name:\s*)$/;
const VALUE_FIELD = /["']?\b(value|Value|VALUE|val|default|defaultValue|secret|content)["']?\s*(?:=>|:|=)\s*/g;
/** A user name beside a password in a two-key form: `ID/PW`, `user/pass`. */
const USER_WORD = /^(?:id|user|username|user_?name|login|account|name|uid|usr|userid)$/i;
/** Functions whose arguments are a user name and a password (`login("u", "p")`, `new NetworkCredential("u", "p")`). */
const CREDENTIAL_CALL = /(?:login|log_in|signin|sign_in|logon|authenticate|auth|credentials?|networkcredential|passwordauthentication|usernamepasswordcredentials|basicauth|httpbasicauth|httpdigestauth|userpwd|connect)$/i;

export interface GrammarOptions {
  /** Stop reading after this many sites (a safety bound for generated files). */
  maxSites?: number;
}

/** Every candidate in the content. */
export function findCandidates(content: Buffer, relPath: string, options: GrammarOptions = {}): Candidate[] {
  const src = new Source(content, relPath);
  if (src.family === 'style') return []; // style sheets name colours and fonts, not credentials
  const out: Candidate[] = [];
  const seenKeys = new Set<number>();
  const max = options.maxSites ?? MAX_SITES;
  let sites = 0;
  // Code, JSON and XML: only keys followed by what can start an assignment, a call, a comparison or an element.
  const strict = isCodeFamily(src.family) || src.family === 'json' || src.family === 'xml';
  SITE.lastIndex = 0;
  while (SITE.test(content)) {
    const end = SITE.lastIndex;
    const hit = end - keywordLengthBefore(content, end);
    if (strict && !mayAssign(content, end)) continue;
    if (++sites > max) break;
    readSite(src, hit, end, seenKeys, out);
  }
  return dedupe(out);
}

/** The length of the grammar keyword a match ended with (the longest that fits), from the bytes. */
function keywordLengthBefore(b: Buffer, end: number): number {
  for (const k of KEYWORD_BYTES_BY_LENGTH) {
    if (end < k.length) continue;
    let i = 0;
    for (; i < k.length; i++) {
      let c = b[end - k.length + i];
      if (c >= 65 && c <= 90) c += 32;
      if (c !== k[i]) break;
    }
    if (i === k.length) return k.length;
  }
  return 1;
}
const KEYWORD_BYTES_BY_LENGTH = KEYWORDS_BY_LENGTH.map((k) => Buffer.from(k.toLowerCase(), 'latin1'));

/**
 * Whether what follows a secret word in code can start an assignment, a comparison, a call or an element: the rest
 * of the key, up to three closing quotes or brackets, spaces, then `=`, `:`, `(`, `,`, `<`, `>`, `!`, `)`, `-`, a
 * quote, a backslash, SQL's BY, or a type before `=` (Go's `password string = "..."`). About half the hits on
 * real code fail it, and each hit is otherwise a read. Reads the bytes: no string is made for a hit that fails.
 */
function mayAssign(b: Buffer, end: number): boolean {
  let i = end;
  const limit = Math.min(b.length, end + MAX_KEY);
  while (i < limit && isKeyChar(b[i])) i++;
  for (let q = 0; q < 3; q++) {
    const c = b[i];
    if (c === Ch.Backslash && isQuote(b[i + 1])) i += 2;
    else if (isQuote(c) || c === Ch.RBracket) i++;
    else break;
  }
  while (isSpace(b[i])) i++;
  const c = b[i];
  if (c === Ch.Eq || c === Ch.Colon || c === Ch.LParen || c === Ch.Comma || c === Ch.Lt || c === Ch.Gt || c === Ch.Bang || c === Ch.RParen || c === Ch.Dash) return true;
  if (isQuote(c) || c === Ch.Backslash) return true;
  // `.=`, `+=`, `?=`, `||=`, `??=`, `*=`
  const isOpChar = (x: number) => x === Ch.Dot || x === Ch.Plus || x === Ch.Question || x === Ch.Pipe || x === Ch.Star;
  if (isOpChar(c) && (b[i + 1] === Ch.Eq || (isOpChar(b[i + 1]) && b[i + 2] === Ch.Eq))) return true;
  if (isWordByte(c)) {
    // `password is`, `IDENTIFIED BY`, `... WITH`, or a type: `password string = "..."`.
    let j = i;
    while (j < limit && (isWordByte(b[j]) || b[j] === Ch.LBracket || b[j] === Ch.RBracket || b[j] === Ch.Star || b[j] === Ch.Amp)) j++;
    if (j - i <= 4) {
      const word = b.toString('latin1', i, j).toLowerCase();
      if (word === 'is' || word === 'by' || word === 'with') return true;
    }
    while (isSpace(b[j])) j++;
    return b[j] === Ch.Eq || (b[j] === Ch.Colon && b[j + 1] === Ch.Eq);
  }
  return false;
}

/** One value once: the first reading of a span wins (a key read twice through two of its words). */
function dedupe(cands: Candidate[]): Candidate[] {
  const seen = new Set<string>();
  const out: Candidate[] = [];
  for (const c of cands) {
    const k = `${c.start}:${c.end}`;
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(c);
  }
  return out;
}

/** Reads the key around a hit and whatever it is assigned. */
function readSite(src: Source, hit: number, hitEnd: number, seenKeys: Set<number>, out: Candidate[]): void {
  const s = src.text;
  if (src.isUuencoded(hit)) return;
  let ks = hit;
  const floor = Math.max(0, hit - MAX_KEY);
  while (ks > floor && isKeyChar(s.charCodeAt(ks - 1))) ks--;
  // `\tpassword` in a string: the `t` belongs to the escape, not the key.
  if (ks < hit && s.charCodeAt(ks - 1) === Ch.Backslash && /[tnr]/.test(s[ks])) ks++;
  let ke = hitEnd;
  const ceil = Math.min(s.length, hitEnd + MAX_KEY);
  while (ke < ceil && isKeyChar(s.charCodeAt(ke))) ke++;
  // A sentence's full stop or a range's dash is not part of the key.
  while (ke > hitEnd && (s.charCodeAt(ke - 1) === Ch.Dot || s.charCodeAt(ke - 1) === Ch.Dash)) ke--;
  if (seenKeys.has(ks)) return;
  seenKeys.add(ks);
  // Java's `password.equals("x")`: the key ends before the method, which the operator reader takes as a comparison.
  const method = /\.(?:equals|equalsIgnoreCase|Equals|contentEquals)$/.exec(s.slice(ks, ke));
  if (method) ke -= method[0].length;
  let keyText = s.slice(ks, ke);
  // `$password`, `@password`, `:password` (a Ruby symbol), `--password`, `-Dapp.password`.
  const before = ks > 0 ? s.charCodeAt(ks - 1) : Ch.LF;
  let dashes = 0;
  while (keyText.charCodeAt(dashes) === Ch.Dash) dashes++;
  let name = keyText.slice(dashes);
  if (dashes === 1 && /^D[a-z]/.test(name)) name = name.slice(1); // -Djavax.net.ssl.trustStorePassword
  const segments = name.split('.').filter(Boolean);
  if (!segments.length) return;
  let info = classifyKey(segments[segments.length - 1]);
  if (info && info.cls === 'key' && segments.length > 1) info = classifyKey(segments.slice(-2).join('_')) ?? info;
  // Prose names a key with the word before it: "API key: ...", "Release GPG key: ...", "Secret key ...".
  if (info && (info.cls === 'key' || info.cls === 'token' || info.cls === 'secret') && segments.length === 1 && !isCodeFamily(src.family)) {
    const before = /([A-Za-z][\w-]*) $/.exec(s.slice(Math.max(0, ks - 40), ks));
    if (before) info = classifyKey(`${before[1]}_${segments[0]}`) ?? info;
  }
  // A command-line tool (`sshpass -p ...`) is read by its flags even when its name sounds like a key.
  const special = !info || CLI_FLAGS[keyText.toLowerCase()] ? specialSite(src, hit, hitEnd, ks, ke) : undefined;
  if (special) {
    out.push(...special);
    return;
  }
  if (!info) return;
  if (info.cls === 'metadata' && !/^(?:key|name)$/i.test(keyText)) {
    // A key that names a secret's label or length: still worth reading when it is the name of a name/value pair.
  }
  const ctx: SiteContext = { src, ks, ke, keyText, name: segments[segments.length - 1], info, dashes, before };
  const cand = readAssignment(ctx);
  if (cand) out.push(...cand);
}

interface SiteContext {
  src: Source;
  ks: number;
  ke: number;
  keyText: string;
  name: string;
  info: KeyInfo;
  dashes: number;
  before: number;
}

function make(ctx: SiteContext, p: Partial<Candidate> & Pick<Candidate, 'value' | 'start' | 'end' | 'quoting' | 'form' | 'operator'>): Candidate {
  // The text is read as latin1 (one character per byte); the value is what the bytes say in UTF-8.
  if (/[\x80-\xff]/.test(p.value)) p = { ...p, value: Buffer.from(p.value, 'latin1').toString('utf8') };
  const c: Candidate = {
    key: ctx.keyText,
    keyInfo: ctx.info,
    keyStart: ctx.ks,
    keyEnd: ctx.ke,
    lineRole: ctx.src.roleOf(p.start),
    family: ctx.src.family,
    ...p,
  };
  if (ctx.src.family === 'yaml') {
    const parent = yamlParent(ctx.src, ctx.ks);
    if (parent) c.parent = parent;
  }
  return c;
}

/** The key a YAML line is nested under: the nearest line above with less indentation (at most 50 lines up). */
function yamlParent(src: Source, at: number): string | undefined {
  const s = src.text;
  let ls = src.lineStart(at);
  let indent = 0;
  while (isSpace(s.charCodeAt(ls + indent))) indent++;
  for (let n = 0; n < 50 && ls > 0; n++) {
    ls = src.lineStart(ls - 1);
    let i = 0;
    while (isSpace(s.charCodeAt(ls + i))) i++;
    const c = s.charCodeAt(ls + i);
    if (c === Ch.LF || c === Ch.CR || c === Ch.Hash || i >= indent) continue;
    const m = /^(?:-\s+)?([\w.-]+)\s*:/.exec(s.slice(ls + i, ls + i + 120));
    return m ? m[1] : undefined;
  }
  return undefined;
}

/** Reads `key <operator> value` and its variants from a key's position. */
function readAssignment(ctx: SiteContext): Candidate[] | undefined {
  const { src, ks, ke } = ctx;
  const s = src.text;
  const lineStart = src.lineStart(ks);
  const lineEnd = src.lineEnd(ks);
  // The key's own quotes: `"password":`, `['password']`, `\"password\":`, `&quot;password&quot;`.
  let keyQuote: string | undefined;
  for (const q of ['"', "'", '`']) {
    if (s.charCodeAt(ks - 1) !== q.charCodeAt(0)) continue;
    let b = ks - 1;
    while (b > lineStart && s.charCodeAt(b - 1) === Ch.Backslash) b--;
    keyQuote = s.slice(b, ks);
  }
  if (!keyQuote && s.endsWith('&quot;', ks) && ks >= 6) keyQuote = '&quot;';
  const keyQuoteStart = keyQuote ? ks - keyQuote.length : ks;
  let r = ke;
  let inString: string | undefined;
  // A key inside a string literal (`"Server=db;Password=..."`, `"HOST=x\nPASSWORD=..."`): the string's quote ends
  // the value. In code only: in prose and config a quote is just a character.
  if (!keyQuote && isCodeFamily(src.family) && lineEnd - lineStart <= MAX_COUNTED_LINE) inString = enclosingQuote(s, lineStart, ks);
  if (keyQuote) {
    if (s.startsWith(keyQuote, r)) r += keyQuote.length;
    else inString = keyQuote; // `"password=abc"`: the key starts a string that holds an assignment
  }
  const leftText = s.slice(Math.max(lineStart, keyQuoteStart - 200), keyQuoteStart);
  // XML: `<password>value</password>`; `</password>` closes and holds nothing.
  if (!keyQuote && ctx.before === Ch.Lt) return readXmlElement(ctx, lineEnd);
  if (!keyQuote && ctx.before === Ch.Slash && s.charCodeAt(ks - 2) === Ch.Lt) return undefined;
  // A name field whose value is this key: `{"key": "Authorization", "value": "..."}`, `<add key="DbPassword" value="..."/>`.
  if (NAME_FIELD_BEFORE.test(leftText) && (keyQuote || /(?:-\s+name:\s*|\bname:\s*)$/.test(leftText))) {
    const nv = readNameValue(ctx, keyQuote ? r : ke);
    if (nv) return [nv];
  }
  // `$cfg['db']['password']`, `password[]`: close the index.
  while (s.charCodeAt(r) === Ch.RBracket) r++;
  let t = skipSpace(s, r);
  // Types between the key and the operator: `password: string = "..."`, Go's `password string = "..."`.
  const restOfLine = s.slice(t, Math.min(lineEnd, t + 240));
  if (isCodeFamily(src.family)) {
    const annotation = TYPE_ANNOTATION.exec(restOfLine);
    const goType = annotation ? undefined : GO_TYPE.exec(s.slice(r, Math.min(lineEnd, r + 60)));
    if (annotation) t += annotation[0].length;
    else if (goType) t = r + goType[0].length;
    while (isSpace(s.charCodeAt(t))) t++;
  } else if (src.family === 'text' || src.family === 'docs') {
    // A typed declaration in a snippet (a README's Kotlin block, a pasted `def f(pw: str = "...")`): only with a quoted
    // value after the `=`, so that prose (`Password: see = below`) stays prose.
    const annotation = /^:\s*[\w.<>[\]?]{1,40}\s*(?==\s*["'`])/.exec(restOfLine);
    if (annotation) t += annotation[0].length;
  }
  // Several names, several values: `user_pw, admin_pw := "a", "b"`.
  let listIndex = 0;
  const tuple = /^(?:\s*,\s*[\w.$]+)+\s*(?=:=|=[^=>])/.exec(s.slice(t, Math.min(lineEnd, t + 200)));
  if (tuple && !keyQuote && isCodeFamily(src.family)) t += tuple[0].length;
  if (!keyQuote && isCodeFamily(src.family) && /,\s*$/.test(s.slice(Math.max(lineStart, ks - 8), ks)) && /^\s*(?::=|=[^=])/.test(s.slice(t, t + 3))) {
    const leftTuple = /(?:[\w.$]+\s*,\s*)+$/.exec(s.slice(Math.max(lineStart, ks - 200), ks));
    if (leftTuple) listIndex = leftTuple[0].split(',').length - 1;
  }
  const op = readOperator(s, t, lineEnd, ctx, keyQuote, inString);
  if (!op) return readReversed(ctx, lineStart) ?? undefined;
  const v = skipSpace(s, op.next);
  const form = formOf(ctx, op.op, leftText, keyQuote, Boolean(quoteAt(s, v)));
  if (op.op === '(' || op.op === ',') return readCall(ctx, v, op.op, form, lineEnd);
  // Value on the next line: YAML's `Authorization:` then `- Bearer ...`; code's `password =` then `"..."`. In
  // .env, INI and the like, `KEY=` at the end of a line is an empty value.
  if (v >= lineEnd || (s.charCodeAt(v) === Ch.Hash && src.family === 'yaml')) {
    const nextLine = (op.op === ':' && (src.family === 'yaml' || src.family === 'json')) || (op.op === '=' && isCodeFamily(src.family));
    return nextLine ? readNextLineValue(ctx, lineEnd, op.op, form) : undefined;
  }
  const vals = readValue(ctx, v, lineEnd, inString, op.op, form, listIndex);
  return vals ? [vals] : undefined;
}

/** `quotedNext`: the value after the operator starts with a quote (`SET password "x"`, `#define password "x"`). */
function formOf(ctx: SiteContext, op: string, leftText: string, keyQuote: string | undefined, quotedNext = false): SyntaxForm {
  const { src } = ctx;
  if (op === '==' || op === '!=' || op === '===' || op === '!==' || op === '.equals(') return 'comparison';
  if (op === '(') return 'call';
  if (op === ',') return 'call-argument';
  if (ctx.dashes > 0 || /(?:^|\s)-D$/.test(leftText)) return 'command-line';
  // `?token=` and `&token=` in a URL (a `?` after a name in code is a conditional).
  if (!keyQuote && /(?:[a-z][a-z0-9+.-]*:\/\/|\/)[^\s"'<>`]*[?&]$/i.test(leftText)) return 'query';
  if (op === ' is ' || op === ' ') {
    if (/^(?:PASSWORD|IDENTIFIED)/.test(ctx.keyText) || src.family === 'sql') return 'sql';
    // `password secret` is the syntax of .netrc, .esmtprc and their kind; in prose it is a sentence more often than not.
    // In code, `password "x"` is a call without parentheses (Groovy, Ruby, Perl DSLs) or a `#define`; in a comment,
    // words next to each other are prose ("if you pass `x`").
    if (op === ' ' && isCodeFamily(src.family) && src.roleOf(ctx.ke) === 'code' && ctx.info.term !== 'pass') return 'assignment';
    if (op === ' ' && (src.family === 'config' || (quotedNext && !isCodeFamily(src.family) && ctx.info.term !== 'pass'))) return 'config-line';
    return 'prose';
  }
  if (src.family === 'xml' && op === '=' && /<[\w:.-]+(?:\s+[\w:.-]+\s*=\s*(?:"[^"]*"|'[^']*'))*\s+$/.test(leftText)) return 'xml-attribute';
  if (/^(?:authorization|proxy-authorization|x-[\w-]*(?:key|token|secret|auth)[\w-]*|api-key|apikey)$/i.test(ctx.keyText) && op === ':') return 'header';
  if (src.family === 'config' || src.family === 'yaml' || src.family === 'build' || src.family === 'text' || src.family === 'docs') return 'config-line';
  return 'assignment';
}

interface Operator {
  op: string;
  next: number;
}

/** The operator after a key, if there is one; `' '` for `key value` where that form is allowed. */
function readOperator(s: string, t: number, lineEnd: number, ctx: SiteContext, keyQuote: string | undefined, inString: string | undefined): Operator | undefined {
  const c = s.charCodeAt(t);
  for (const op of [':::=', '::=', ':=', ':-', '?=', '+=', '.=', '||=', '??=', '=>', '===', '!==', '==', '!=', '<-']) {
    if (s.startsWith(op, t)) return { op, next: t + op.length };
  }
  const eq = /^\.(?:equals|equalsIgnoreCase|Equals|contentEquals)\(/.exec(s.slice(t, t + 24));
  if (eq) return { op: '.equals(', next: t + eq[0].length };
  if (c === Ch.Eq) return { op: '=', next: t + 1 };
  if (c === Ch.Colon) {
    if (s.charCodeAt(t + 1) === Ch.Colon) return undefined; // Ruby/C++ scope
    if (s.startsWith('//', t + 1)) return undefined; // a URL scheme
    return { op: ':', next: t + 1 };
  }
  if (c === Ch.LParen) return { op: '(', next: t + 1 };
  if (c === Ch.Comma && (keyQuote || ctx.before === Ch.Colon || /^[A-Z][A-Z0-9_]+$/.test(ctx.keyText))) {
    // `("password", "...")`, `set :password, '...'`, `setopt(h, CURLOPT_PASSWORD, "...")`: a key passed as an
    // argument, its value the next one. Only in an argument list: after `(`, `,` or a command word, not after `:`.
    const qs = ctx.ks - (keyQuote?.length ?? (ctx.before === Ch.Colon ? 1 : 0));
    const left = s.slice(Math.max(0, qs - 40), qs).trimEnd();
    // The first argument of a call, or a named option after another argument (`setopt(h, CURLOPT_PASSWORD, ...)`);
    // a quoted word after a comma is more often an item of a list.
    const constant = !keyQuote && ctx.before !== Ch.Colon;
    if (/(?:\(|\b(?:set|put|add|define|setenv|putenv|config|setting|option)\s*)$/i.test(left) || (constant && left.endsWith(','))) return { op: ',', next: t + 1 };
    // `set(:auth0, :secret, '...')`: a symbol after another symbol names a setting.
    if (ctx.before === Ch.Colon && /[(,]\s*:\w+\s*,$/.test(left)) return { op: ',', next: t + 1 };
    return undefined;
  }
  if (c === Ch.Dash && s.charCodeAt(t + 1) === Ch.Gt && s.charCodeAt(t + 2) !== Ch.Gt) return { op: '->', next: t + 2 };
  // No operator: `password value` in config files and prose, `--password value` on command lines, SQL's `PASSWORD 'x'`.
  if (t > ctx.ke && t < lineEnd && !inString?.startsWith('&')) {
    if (s.startsWith('is ', t) && !isCodeFamily(ctx.src.family)) return { op: ' is ', next: t + 3 };
    const fam = ctx.src.family;
    const nextIsQuote = isQuote(c) || c === Ch.Backslash;
    if (ctx.dashes > 0) return { op: ' ', next: t };
    if (isCodeFamily(fam) || fam === 'json' || fam === 'xml') {
      // Code: only a literal directly after the key (`#define PASSWORD "x"`, Ruby's `password 'x'`, SQL in strings).
      return nextIsQuote ? { op: ' ', next: t } : undefined;
    }
    return { op: ' ', next: t };
  }
  return undefined;
}

/** Reads the value at `v` in whatever quoting it has; `listIndex` picks from `a, b, c` when several names were assigned. */
function readValue(
  ctx: SiteContext, v: number, lineEnd: number, inString: string | undefined, op: string, form: SyntaxForm, listIndex = 0,
): Candidate | undefined {
  const { src } = ctx;
  const s = src.text;
  let at = v;
  let translated = false;
  // `getenv("X", "fallback")` and `process.env.X || "fallback"`: the fallback is the literal.
  const env = ENV_CALL.exec(s.slice(at, Math.min(lineEnd, at + 80)));
  if (env) {
    const fb = readEnvFallback(s, at, lineEnd);
    if (!fb) return undefined;
    return make(ctx, { ...fb, operator: op, form: 'env-fallback' });
  }
  const wrap = WRAPPER.exec(s.slice(at, at + 40));
  if (wrap) {
    at += wrap[0].length;
    if (s.charCodeAt(at) === Ch.LParen) at++;
  }
  // `_("Password")`, `t('login.password')`: text for people.
  const tr = /^(?:_|__|t|i18n|gettext|trans|tr|translate|\$t|l10n|NSLocalizedString|getString)\(\s*/.exec(s.slice(at, at + 30));
  if (tr) {
    at += tr[0].length;
    translated = true;
  }
  for (let i = 0; i < listIndex; i++) {
    // Skip `listIndex` values of `"a", "b", ...`.
    const q = quoteAt(s, at);
    if (!q) return undefined;
    const skipped = readQuoted(s, at, q);
    if (!skipped) return undefined;
    at = skipped.next;
    while (isSpace(s.charCodeAt(at))) at++;
    if (s.charCodeAt(at) !== Ch.Comma) return undefined;
    at++;
    while (isSpace(s.charCodeAt(at))) at++;
  }
  // `Authorization: Bearer x` unquoted: the scheme is a word of its own, read before the value.
  let scheme: string | undefined;
  const sch = SCHEME.exec(s.slice(at, at + 40));
  if (sch && (ctx.info.cls === 'auth' || /authorization/i.test(ctx.keyText) || form === 'header')) {
    scheme = sch[1];
    at += sch[0].length;
    if (/^(?:Digest|OAuth)$/i.test(scheme)) {
      // `Digest username="u", realm="r", response="..."`; `OAuth oauth_token="...", ...`: one parameter is the secret.
      const m = /\b(oauth_token|response|oauth_signature)\s*=\s*"([^"\s]+)"/.exec(s.slice(at, lineEnd));
      if (!m) return undefined;
      const start = at + m.index + m[0].indexOf('"') + 1;
      return withScheme(make(ctx, { value: m[2], start, end: start + m[2].length, quoting: 'double', operator: op, form }), scheme);
    }
  }
  const q = quoteAt(s, at);
  let cand: Candidate | undefined;
  if (q && !(inString && q === inString)) {
    const qv = readQuoted(s, at, q);
    if (!qv) return undefined;
    cand = make(ctx, { value: qv.value, start: qv.start, end: qv.end, quoting: qv.quoting, operator: op, form, translated });
    // A literal continued by an operator is an expression: `"abc" + x`, `'a' . $b`; its first part is a prefix, not a value.
    const after = s.slice(qv.next, Math.min(lineEnd, qv.next + 4)).trimStart();
    // Methods that hand the literal back unchanged (`'...'.freeze`, `"...".encode()`, `"...".toCharArray()`) do not.
    const tail = s.slice(qv.next, Math.min(lineEnd, qv.next + 24)).trimStart();
    if (/^(?:\+|\.\s*\$|\|\||&&|\?|\.\w)/.test(after) && !KEEPS_LITERAL.test(tail) && isCodeFamily(src.family)) return undefined;
  } else {
    const c = s.charCodeAt(at);
    if (c === Ch.LBrace || c === Ch.LBracket || (c === Ch.LParen && op !== '(')) return undefined; // a structure
    const lineOriented = !isCodeFamily(src.family) || form === 'command-line' || form === 'query';
    let end = unquotedEnd(s, at, lineEnd, lineOriented, inString, src.family === 'xml');
    // `${NAME:-default}`: the default ends at the brace.
    if (op === ':-') {
      const brace = s.indexOf('}', at);
      if (brace !== -1 && brace < end) end = brace;
    }
    if (end <= at) return undefined;
    let raw = s.slice(at, end);
    // `key=value;` in code is a statement end; a trailing `\` continues a shell line.
    raw = raw.replace(/\\$/, '');
    if (!raw) return undefined;
    const rest = s.slice(at + raw.length, Math.min(lineEnd, at + raw.length + 200));
    const continues = /^[ \t]+[A-Za-z]{2,}(?:[ \t]+[A-Za-z]{2,})/.test(rest) && !/^[ \t]+(?:#|\/\/|;|--|\\$)/.test(rest);
    // A value inside a string (`"KEY=value\n..."`) is a literal, quoted by the string around it.
    cand = make(ctx, { value: raw, start: at, end: at + raw.length, quoting: inString ? quotingOf(inString) : 'none', operator: op, form, continues });
  }
  if (scheme) cand = withScheme(cand, scheme);
  if (form === 'query' && /badge|\.svg\b|shields\.io/i.test(s.slice(Math.max(src.lineStart(at), at - 300), at))) {
    cand.note = 'a token in a badge URL: shown publicly by design';
  }
  return refine(cand, ctx);
}

/**
 * The quote of the string literal that `at` sits in on its line, if any: quotes are counted from the line's start
 * (escaped ones skipped; a quote of the other kind inside a string is a character).
 */
function enclosingQuote(s: string, lineStart: number, at: number): string | undefined {
  // On a line longer than we read (minified code, a source map) the count would start mid-line: no answer.
  if (lineStart > 0 && s.charCodeAt(lineStart - 1) !== Ch.LF) return undefined;
  let open: number | undefined;
  for (let i = lineStart; i < at; i++) {
    const c = s.charCodeAt(i);
    if (c === Ch.Backslash) {
      i++;
      continue;
    }
    if (c === Ch.DQuote || c === Ch.SQuote || c === Ch.Backtick) {
      if (open === undefined) open = c;
      else if (open === c) open = undefined;
    }
  }
  return open === undefined ? undefined : String.fromCharCode(open);
}

/** The key class an authorization scheme says its value is: a bearer token, a user:password pair, an API key. */
function schemeClass(scheme: string, fallback: KeyInfo['cls']): KeyInfo['cls'] {
  const sch = scheme.toLowerCase();
  if (/^(?:bearer|token|jwt|oauth|bot|zoho-oauthtoken|ssws)$/.test(sch)) return 'token';
  if (sch === 'basic') return 'credential';
  if (/key|genie|splunk/.test(sch)) return 'api-key';
  return fallback;
}

function withScheme(c: Candidate, scheme: string): Candidate {
  return { ...c, scheme, keyInfo: { ...c.keyInfo, cls: schemeClass(scheme, c.keyInfo.cls) }, form: c.form === 'assignment' || c.form === 'config-line' ? 'header' : c.form };
}

/** Authorization schemes, `pass:` prefixes and `user:password` pairs inside a value. */
function refine(c: Candidate, ctx: SiteContext): Candidate | undefined {
  const scheme = SCHEME.exec(c.value);
  if (scheme && !c.scheme && (c.keyInfo.cls === 'auth' || c.keyInfo.cls === 'token' || c.keyInfo.cls === 'api-key' || c.keyInfo.cls === 'credential' || c.form === 'header' || /authorization/i.test(c.key))) {
    const cut = scheme[0].length;
    const rawCut = c.quoting === 'none' || c.value === ctx.src.text.slice(c.start, c.end) ? cut : cut;
    c = { ...withScheme(c, scheme[1]), value: c.value.slice(cut), start: c.start + rawCut };
    if (/^(?:Digest|OAuth)$/i.test(c.scheme ?? '')) {
      // `Digest username="u", response="..."`, `OAuth oauth_token="...", oauth_signature="..."`: the response or signature is the secret.
      const m = /\b(response|oauth_signature|oauth_token)="([^"]+)"/.exec(c.value);
      if (!m) return undefined;
      const off = c.value.indexOf(m[2], m.index);
      c = { ...c, value: m[2], start: c.start + off, end: c.start + off + m[2].length };
    }
  }
  // OpenSSL pass phrase arguments: `pass:secret`; `env:VAR` and `file:path` point elsewhere.
  if (/^pass:/.test(c.value)) c = { ...c, value: c.value.slice(5), start: c.start + 5 };
  else if (/^(?:env|file|fd):/.test(c.value) && c.form === 'command-line') return undefined;
  // `user:password` where the key names both (`userpwd`, `credentials`, `-u`), or `ID/PW: user/password`.
  const pairKey = /(?:userpwd|userpass|credentials?|creds|basic_?auth|auth)$/i.test(ctx.name) || c.scheme === 'Basic';
  const slashPair = ctx.before === Ch.Slash && USER_WORD.test(wordBefore(ctx.src.text, ctx.ks - 1));
  const sep = slashPair ? '/' : pairKey ? ':' : undefined;
  if (sep && c.quoting !== 'entity') {
    const i = c.value.indexOf(sep);
    if (i > 0 && i < c.value.length - 1 && !/\s/.test(c.value.slice(0, i)) && c.value.indexOf(sep, i + 1) === -1 && !c.value.startsWith('http')) {
      const rawI = ctx.src.text.indexOf(sep, c.start);
      if (rawI !== -1 && rawI < c.end) {
        c = { ...c, username: { value: c.value.slice(0, i), start: c.start, end: rawI }, value: c.value.slice(i + 1), start: rawI + 1 };
      }
    }
  }
  if (!c.value || c.end <= c.start) return undefined;
  return c;
}

function wordBefore(s: string, at: number): string {
  let i = at;
  while (i > 0 && isWordByte(s.charCodeAt(i - 1))) i--;
  return s.slice(i, at);
}

/** The words of a command line from `at`: quoted words whole (their quotes off), up to `;`, `|`, `&`, `<`, `>`. */
function shellWords(s: string, at: number, lineEnd: number): { text: string; start: number }[] {
  const words: { text: string; start: number }[] = [];
  let i = at;
  while (i < lineEnd && words.length < 40) {
    while (i < lineEnd && isSpace(s.charCodeAt(i))) i++;
    const c = s.charCodeAt(i);
    if (i >= lineEnd || c === Ch.Semi || c === Ch.Pipe || c === Ch.Amp || c === Ch.Lt || c === Ch.Gt) break;
    if (c === Ch.DQuote || c === Ch.SQuote) {
      const close = s.indexOf(s[i], i + 1);
      if (close === -1 || close > lineEnd) break;
      words.push({ text: s.slice(i + 1, close), start: i + 1 });
      i = close + 1;
      continue;
    }
    const start = i;
    while (i < lineEnd && !isSpace(s.charCodeAt(i)) && !';|&<>"\'`'.includes(s[i])) i++;
    words.push({ text: s.slice(start, i), start });
  }
  return words;
}

/** `getenv("X", "fallback")`, `os.environ.get('X', 'fallback')`, `process.env.X || 'fallback'`, `ENV.fetch('X') { 'fallback' }`. */
function readEnvFallback(s: string, at: number, lineEnd: number): Pick<Candidate, 'value' | 'start' | 'end' | 'quoting'> | undefined {
  const line = s.slice(at, lineEnd);
  // The second literal of the call, or a literal after `||`, `??`, `or`, `?:`.
  const m = /^[^"'`]*?(["'`])(?:\\.|(?!\1).)*\1\s*(?:\)\s*)?(?:,|\|\||\?\?|\bor\b|\?:|\)\s*\{)\s*(["'`])/.exec(line) ??
    /^[\w.[\]'"()]*?\s*(?:\|\||\?\?|\bor\b|\?:)\s*(["'`])()/.exec(line);
  if (!m) return undefined;
  const qAt = at + m[0].length - 1;
  const q = quoteAt(s, qAt);
  if (!q) return undefined;
  const qv = readQuoted(s, qAt, q);
  return qv ? { value: qv.value, start: qv.start, end: qv.end, quoting: qv.quoting } : undefined;
}

/** `setPassword("x")`, `password("x")`, `new NetworkCredential("user", "x")`, `set(:secret, 'x')`, `("password", "x")`. */
function readCall(ctx: SiteContext, v: number, op: string, form: SyntaxForm, lineEnd: number): Candidate[] | undefined {
  const s = ctx.src.text;
  const args: QuotedValue[] = [];
  let at = v;
  for (let n = 0; n < 6 && at < lineEnd; n++) {
    while (isSpace(s.charCodeAt(at))) at++;
    const q = quoteAt(s, at);
    if (q) {
      const qv = readQuoted(s, at, q);
      if (!qv) break;
      args.push(qv);
      at = qv.next;
    } else {
      // A non-literal argument: skip to the next comma at this depth.
      let depth = 0;
      for (; at < lineEnd; at++) {
        const c = s.charCodeAt(at);
        if (c === Ch.LParen || c === Ch.LBracket || c === Ch.LBrace) depth++;
        else if (c === Ch.RParen || c === Ch.RBracket || c === Ch.RBrace) {
          if (depth === 0) break;
          depth--;
        } else if (c === Ch.Comma && depth === 0) break;
      }
      args.push({ value: '', start: -1, end: -1, next: at, quoting: 'none' });
    }
    while (isSpace(s.charCodeAt(at))) at++;
    if (s.charCodeAt(at) !== Ch.Comma) break;
    at++;
  }
  if (!args.length) return undefined;
  if (op === ',') {
    let first = args[0];
    if (first.start < 0) {
      // `define("TOKEN", getenv("T") ? getenv("T") : "fallback")`: the literal an expression falls back to.
      const expr = s.slice(v, first.next);
      const fb = /(?:\?\?|\|\||\bor\b|\?:|:)\s*((["'`])(?:\\.|(?!\2).)*\2)\s*$/.exec(expr);
      if (!fb) return undefined;
      const qAt = v + fb.index + fb[0].indexOf(fb[1]);
      const q = quoteAt(s, qAt);
      const qv = q ? readQuoted(s, qAt, q) : undefined;
      if (!qv) return undefined;
      first = qv;
      form = 'env-fallback';
    }
    const c = refine(make(ctx, { value: first.value, start: first.start, end: first.end, quoting: first.quoting, operator: op, form }), ctx);
    return c ? [c] : undefined;
  }
  if (!args.some((a) => a.start >= 0)) return undefined;
  // A credential call with a user name and a password: the second literal is the secret.
  if (CREDENTIAL_CALL.test(ctx.name) && args.length >= 2 && args[0].start >= 0 && args[1].start >= 0) {
    const [u, p] = args;
    return [make(ctx, { value: p.value, start: p.start, end: p.end, quoting: p.quoting, operator: op, form, username: { value: u.value, start: u.start, end: u.end } })];
  }
  // `password("x")`, `setToken("x")`, `SetKey("x")`: the first literal; a translation call's argument is a label.
  const a = args[0];
  if (a.start < 0) return undefined;
  const translated = TRANSLATE_CALL.test(s.slice(Math.max(0, ctx.ks - 20), ctx.ks) + '(');
  const c = refine(make(ctx, { value: a.value, start: a.start, end: a.end, quoting: a.quoting, operator: op, form, translated }), ctx);
  return c ? [c] : undefined;
}

/** `"..." == password`: the literal before a comparison with a secret-named variable. */
function readReversed(ctx: SiteContext, lineStart: number): Candidate[] | undefined {
  const s = ctx.src.text;
  const left = s.slice(Math.max(lineStart, ctx.ks - 300), ctx.ks);
  const m = /(["'])((?:\\.|(?!\1)[^\\])*)\1\s*(?:===?|!==?)\s*(?:[\w.$]+\.)?$/.exec(left);
  if (!m) return undefined;
  const start = ctx.ks - left.length + m.index + 1;
  return [make(ctx, { value: unescape(m[2]), start, end: start + m[2].length, quoting: m[1] === '"' ? 'double' : 'single', operator: '==', form: 'comparison' })];
}

/** `Authorization:` then `  - Bearer ...`; `password =` then `  "..."`; `<password>` then the value on its own line. */
function readNextLineValue(ctx: SiteContext, lineEnd: number, op: string, form: SyntaxForm): Candidate[] | undefined {
  const s = ctx.src.text;
  let at = lineEnd;
  for (let n = 0; n < 2; n++) {
    if (at >= s.length) return undefined;
    if (s.charCodeAt(at) === Ch.CR) at++;
    if (s.charCodeAt(at) !== Ch.LF) return undefined; // a long line cut short, not its end
    at++;
    const le = ctx.src.lineEnd(at);
    let v = at;
    while (isSpace(s.charCodeAt(v))) v++;
    if (v >= le) continue; // a blank line
    const keyIndent = ctx.ks - ctx.src.lineStart(ctx.ks);
    if (ctx.src.family === 'yaml' && v - at <= keyIndent) return undefined; // not nested under the key
    if (s.startsWith('- ', v)) v += 2;
    if (s.startsWith('|', v) || s.startsWith('>', v)) return undefined; // block scalars (keys are read by the PEM finder)
    // The next line is another key: nothing was assigned.
    if (/^[\w.-]+\s*[:=]/.test(s.slice(v, Math.min(le, v + 80))) && !SCHEME.test(s.slice(v, v + 30))) return undefined;
    const c = readValue(ctx, v, le, undefined, op, form);
    return c ? [c] : undefined;
  }
  return undefined;
}

/** `<password>value</password>`, with the value on the same line or its own; `<password value="..."/>`. */
function readXmlElement(ctx: SiteContext, lineEnd: number): Candidate[] | undefined {
  const s = ctx.src.text;
  const tagEnd = s.indexOf('>', ctx.ke);
  if (tagEnd === -1 || tagEnd - ctx.ke > 600) return undefined;
  const attrs = s.slice(ctx.ke, tagEnd);
  if (attrs.endsWith('/')) {
    const m = /\bvalue\s*=\s*(["'])([^"'<>]*)\1/i.exec(attrs);
    if (!m) return undefined;
    const start = ctx.ke + m.index + m[0].indexOf(m[1]) + 1;
    return [make(ctx, { value: m[2], start, end: start + m[2].length, quoting: m[1] === '"' ? 'double' : 'single', operator: '>', form: 'xml-element' })];
  }
  const close = s.indexOf('<', tagEnd + 1);
  if (close === -1 || close - tagEnd > 4096) return undefined;
  let from = tagEnd + 1;
  let to = close;
  if (s.startsWith('<![CDATA[', close)) {
    const cdEnd = s.indexOf(']]>', close);
    if (cdEnd === -1 || cdEnd - close > 4096) return undefined;
    from = close + 9;
    to = cdEnd;
  } else if (!s.startsWith('</', close)) return undefined; // nested elements, not a value
  while (from < to && s.charCodeAt(from) <= Ch.Space) from++;
  while (to > from && s.charCodeAt(to - 1) <= Ch.Space) to--;
  if (to <= from) return undefined;
  const raw = s.slice(from, to);
  if (raw.includes('\n')) return undefined; // a paragraph of text
  void lineEnd;
  return [make(ctx, { value: decodeEntities(raw), start: from, end: to, quoting: 'none', operator: '>', form: 'xml-element' })];
}

function decodeEntities(t: string): string {
  if (!t.includes('&')) return t;
  return t.replace(/&(?:quot|#34);/g, '"').replace(/&(?:apos|#39);/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/** The value field beside a name field: `"key": "Authorization", "value": "Bearer ..."`, `<add key="DbPassword" value="..."/>`. */
function readNameValue(ctx: SiteContext, from: number): Candidate | undefined {
  const s = ctx.src.text;
  const limit = Math.min(s.length, from + 600);
  // Within the same object, element or list item: at most three lines on.
  let lines = 0;
  let end = from;
  for (; end < limit; end++) {
    const c = s.charCodeAt(end);
    if (c === Ch.LF && ++lines > 3) break;
    if (c === Ch.RBrace || (c === Ch.Gt && s.charCodeAt(end - 1) === Ch.Slash)) break;
  }
  const region = s.slice(from, end);
  VALUE_FIELD.lastIndex = 0;
  const m = VALUE_FIELD.exec(region);
  if (!m) {
    // `<entry key="password">value</entry>`: the element's text.
    if (ctx.src.family === 'xml') {
      const gt = region.indexOf('>');
      const lt = region.indexOf('</', gt);
      if (gt !== -1 && lt > gt + 1 && !region.slice(gt + 1, lt).includes('<')) {
        const raw = region.slice(gt + 1, lt).trim();
        if (!raw || raw.includes('\n')) return undefined;
        const start = from + region.indexOf(raw, gt + 1);
        return make(ctx, { value: decodeEntities(raw), start, end: start + raw.length, quoting: 'none', operator: '>', form: 'name-value' });
      }
    }
    return undefined;
  }
  const v = from + m.index + m[0].length;
  const le = ctx.src.lineEnd(v);
  const c = readValue(ctx, v, le, undefined, m[0].includes('=') && !m[0].includes('=>') ? '=' : ':', 'name-value');
  return c ? { ...c, form: c.form === 'header' ? 'header' : 'name-value' } : undefined;
}

/** Words that start a credential without a secret-named key: SQL's IDENTIFIED BY, PowerShell's ConvertTo-SecureString. */
function specialSite(src: Source, hit: number, hitEnd: number, ks: number, ke: number): Candidate[] | undefined {
  const s = src.text;
  const word = s.slice(hit, hitEnd).toLowerCase();
  const tool = s.slice(ks, ke).toLowerCase();
  // Most words without a key class (`author`, `keyboard`) are none of these: nothing to build for them.
  if (word !== 'identified' && word !== 'login' && word !== 'signin' && word !== 'auth' && word !== 'securestring' && !CLI_FLAGS[tool]) return undefined;
  const lineEnd = src.lineEnd(hit);
  const info: KeyInfo = { cls: 'password', term: word, words: splitWords(s.slice(ks, ke)) };
  const ctx: SiteContext = { src, ks, ke, keyText: s.slice(ks, ke), name: s.slice(ks, ke), info, dashes: 0, before: ks > 0 ? s.charCodeAt(ks - 1) : Ch.LF };
  if (word === 'identified') {
    // IDENTIFIED BY 'x', IDENTIFIED WITH mysql_native_password BY 'x', IDENTIFIED BY PASSWORD? (a hash: skipped).
    // Only in a statement about users: "identified by its name" in prose, or ASN.1's IDENTIFIED BY, is not SQL.
    const stmt = s.slice(src.lineStart(hit), lineEnd);
    if (!/\b(?:create|alter|grant)\s+(?:user|role|login|schema)\b|\bset\s+password\b/i.test(stmt)) return undefined;
    const m = /^\s+(?:WITH\s+[\w'"]+\s+)?(?:BY|AS)\s+(?!PASSWORD\b)/i.exec(s.slice(ke, Math.min(lineEnd, ke + 80)));
    if (!m) return undefined;
    const c = readValue(ctx, ke + m[0].length, lineEnd, undefined, ' ', 'sql');
    return c ? [{ ...c, form: 'sql' }] : undefined;
  }
  if (word === 'login' || word === 'signin' || word === 'auth') {
    // `conn.login('user', 'password')`, `authenticate("user", "password")`: a credential call without a secret-named key.
    const name = s.slice(ks, ke).split('.').pop() ?? '';
    if (!CREDENTIAL_CALL.test(name) || s.charCodeAt(skipSpace(s, ke)) !== Ch.LParen) return undefined;
    const c = readCall({ ...ctx, name, info: { cls: 'credential', term: word, words: splitWords(name) } }, skipSpace(s, ke) + 1, '(', 'call', lineEnd);
    return c?.filter((x) => x.username);
  }
  const cli = CLI_FLAGS[tool];
  if (cli && (ks === 0 || /[\s;|&(`"'$/]/.test(s[ks - 1]))) {
    const words = shellWords(s, ke, lineEnd);
    for (let i = 0; i < words.length; i++) {
      const w = words[i];
      let value: { text: string; start: number } | undefined;
      if (cli.attached) {
        if (w.text.startsWith(cli.flag) && w.text.length > cli.flag.length && !w.text.startsWith('--')) value = { text: w.text.slice(cli.flag.length), start: w.start + cli.flag.length };
      } else if (w.text === cli.flag && words[i + 1]) value = { text: words[i + 1].text, start: words[i + 1].start };
      else if (w.text.startsWith(cli.flag) && w.text.length > cli.flag.length && !cli.split) value = { text: w.text.slice(cli.flag.length), start: w.start + cli.flag.length };
      if (!value) continue;
      if (cli.split) {
        const at = value.text.indexOf(cli.split);
        if (at === -1) return undefined;
        value = { text: value.text.slice(at + 1), start: value.start + at + 1 };
      }
      const c = make({ ...ctx, info: { cls: 'password', term: tool, words: [tool, 'password'] } }, { value: value.text, start: value.start, end: value.start + value.text.length, quoting: 'none', operator: ' ', form: 'command-line' });
      return [c];
    }
    return undefined;
  }
  if (word === 'securestring') {
    // ConvertTo-SecureString 'x' -AsPlainText -Force; ConvertTo-SecureString -String "x"; flags in any order.
    if (!/convertto-securestring$/i.test(s.slice(Math.max(0, ks - 10), ke))) return undefined;
    let at = ke;
    for (let n = 0; n < 6 && at < lineEnd; n++) {
      while (isSpace(s.charCodeAt(at))) at++;
      const flag = /^-(?:AsPlainText|Force|String|Key|SecureKey)\b:?/i.exec(s.slice(at, at + 20));
      if (flag) {
        at += flag[0].length;
        continue;
      }
      const c = readValue(ctx, at, lineEnd, undefined, ' ', 'command-line');
      return c && !c.value.startsWith('$') && !c.value.startsWith('-') ? [c] : undefined;
    }
  }
  return undefined;
}
