#!/usr/bin/env node
// Builds a labelled set of word-like values and secrets, and prints ROC AUC, operating points, speed and
// load time for the word-likeness measures.
//   node scripts/eval-wordlike.mjs [--bucket eval|dev] [--seed 1] [--fresh] [--per-category 1500]
//                                  [--bpe-dir /work/wordlike-scratch/node_modules] [--dump set.tsv]
//
// Negatives (word-like; only units in the held-out hash bucket, see scripts/train-wordlike.mjs, so none is a
// training unit): string literals assigned to keys in node_modules and Python code, identifiers by style,
// dotted paths and i18n keys, CSS classes, English words and 1-3 word phrases from prose, file names,
// localized UI messages (TypeScript's translated diagnostics) and hand-written labels, self-describing
// placeholder values (smtp_password, your-api-key-here) and enum-like values (refresh_token). Values that
// look like data (hex, base64-like, no vowels) are not taken from code: they are not word-like, and some
// are real test vectors. Common weak passwords (password, changeme, letmein) are a separate category.
// Positives: random secrets (hex, base64, base62, alphanumerics, printable with symbols; 8-64 chars),
// human-style passwords from templates (Summer2019!, Tr0ub4dor&3x, RedisPass1!, blue-Tiger-42), and the
// `secret` of every positive example in rules/*.yaml.
// Randomness is an AES-CTR stream from --seed (reproducible); --fresh uses crypto.randomBytes instead.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import {
  REPO, allUnits, bucketOf, isBlobToken, listNodeModulesFiles, listPythonFiles, isMinified,
  randInt, randomSecret, randomString, seededBytes, NODE_MODULES,
} from './train-wordlike.mjs';

// ---------------------------------------------------------------------------------------------------------
// Hand-written lists (short, illustrative; each item is split into eval/dev buckets by hash like the rest).

const UI_LABELS = [
  'Password', 'Kennwort', 'Passwort', 'Passwort vergessen?', 'Mot de passe', 'Mot de passe oublié ?', 'Contraseña',
  'Contraseña incorrecta', 'Senha', 'Wachtwoord', 'Lösenord', 'Hasło', 'Parola', 'Пароль', 'パスワード', '密码',
  'Enter your password', 'Confirm password', 'Show password', 'Hide password', 'Forgot your password?',
  'Current password', 'New password', 'Repeat password', 'Password is required', 'Invalid password',
  'Passwords do not match', 'API key', 'Secret key', 'Access token', 'Your access token', 'Token expired',
  'Refresh token', 'Client secret', 'Generate new token', 'Copy API key', 'Revoke token', 'Sign in', 'Log in',
  'Username', 'Benutzername', "Nom d'utilisateur", 'Anmelden', 'Connexion', 'Iniciar sesión', 'Remember me',
  'Enter your API key', 'Paste your token here', 'Secret', 'Geheimnis', 'Clé secrète', 'Clave secreta',
  'Zugangsschlüssel', 'Jeton d’accès', 'Token de acceso', 'Schlüssel', 'Verschlüsselung', 'Chiave segreta',
];
const ENUM_VALUES = [
  'refresh_token', 'access_token', 'id_token', 'authorization_code', 'client_credentials', 'password',
  'bearer', 'Bearer', 'basic', 'token', 'implicit', 'device_code', 'urn:ietf:params:oauth:grant-type:jwt-bearer',
  'secret', 'apiKey', 'api_key', 'oauth2', 'openIdConnect', 'httpOnly', 'sameSite', 'strict', 'none',
  'session_token', 'csrf_token', 'csrfToken', 'xsrf-token', 'X-CSRF-Token', 'Authorization', 'x-api-key',
  'secretKeyRef', 'secretName', 'passwordPolicy', 'tokenType', 'userSettings', 'credentials', 'keyring',
];
const SECRET_WORDS = ['password', 'pass', 'pwd', 'passwd', 'secret', 'token', 'key', 'api_key', 'apikey',
  'access_token', 'secret_key', 'passphrase', 'credentials', 'auth_token', 'private_key', 'client_secret'];
const PREFIXES = ['smtp', 'db', 'mysql', 'postgres', 'redis', 'email', 'mail', 'aws', 'github', 'stripe', 'api', 'app',
  'admin', 'root', 'jwt', 'session', 'client', 'oauth', 'my', 'your', 'test', 'dev', 'prod', 'staging', 'slack',
  'ldap', 'ftp', 'mongo', 'rabbitmq', 'keystore', 'truststore', 'user', 'service', 'backend', 'default'];
export const WEAK_PASSWORDS = ['password', 'changeme', 'admin', 'letmein', 'qwerty', 'welcome', 'secret', 'default',
  'root', 'toor', 'guest', 'master', 'dragon', 'monkey', 'football', 'baseball', 'iloveyou', 'sunshine', 'princess',
  'shadow', 'superman', 'batman', 'trustno1', 'password1', 'Password1', 'passw0rd', 'p@ssw0rd', 'P@ssw0rd',
  'abc123', '123456', '12345678', 'qwerty123', 'admin123', 'administrator', 'changeit', 'test', 'test123', 'demo',
  'pass', 'pass123', 'hunter2', 'secret123', 'mysecret', 'supersecret', 'letmein123', 'welcome1', 'qazwsx',
  'asdfgh', 'zxcvbnm', 'starwars', 'whatever', 'freedom', 'michael', 'jennifer', 'computer', 'internet', 'postgres',
  'mysql', 'oracle', 'redis', 'raspberry', 'alpine', 'ubuntu', 'vagrant', 'docker', 'example', 'sample'];
const PASSWORD_WORDS = ['summer', 'winter', 'spring', 'autumn', 'monday', 'friday', 'january', 'october', 'dragon',
  'monkey', 'tiger', 'falcon', 'shadow', 'master', 'hunter', 'ranger', 'soccer', 'hockey', 'guitar', 'coffee', 'pepper',
  'cookie', 'banana', 'orange', 'cherry', 'purple', 'silver', 'golden', 'rocket', 'thunder', 'storm', 'ocean',
  'forest', 'river', 'mountain', 'sunset', 'redis', 'mysql', 'postgres', 'oracle', 'server', 'admin', 'secure',
  'secret', 'welcome', 'london', 'paris', 'berlin', 'boston', 'texas', 'chelsea', 'arsenal', 'yankees', 'lakers',
  'charlie', 'jessica', 'michael', 'thomas', 'daniel', 'andrew', 'ashley', 'jordan', 'hannah', 'maggie', 'buster',
  'troubador', 'company', 'office', 'network', 'cloud', 'deploy', 'backup', 'jenkins', 'docker', 'kafka', 'mongo',
  'horse', 'battery', 'staple', 'correct', 'blue', 'green', 'happy', 'lucky', 'magic', 'power', 'super', 'star'];
const SYMBOLS = '!@#$%&*?.-_+=';
const LEET = { a: ['4', '@'], e: ['3'], i: ['1', '!'], o: ['0'], s: ['5', '$'], t: ['7'], l: ['1'], g: ['9'], b: ['8'] };

// ---------------------------------------------------------------------------------------------------------
// Labelled set.

function pick(bytes, arr) {
  return arr[randInt(bytes, arr.length)];
}
function shuffled(bytes, arr) {
  const a = arr.slice();
  for (let i = a.length - 1; i > 0; i--) {
    const j = randInt(bytes, i + 1);
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}
const cap = (w) => w[0].toUpperCase() + w.slice(1);

function leet(bytes, word, rate) {
  let out = '';
  for (const ch of word) {
    const subs = LEET[ch.toLowerCase()];
    out += subs && randInt(bytes, 100) < rate ? pick(bytes, subs) : ch;
  }
  return out;
}

/** One human-style password from a template. `words` mixes PASSWORD_WORDS and words from held-out prose. */
export function humanPassword(bytes, words) {
  const w = () => pick(bytes, words);
  const sym = () => pick(bytes, SYMBOLS);
  const digits = (n) => randomString(bytes, '0123456789', n);
  const year = () => String(1970 + randInt(bytes, 60));
  switch (randInt(bytes, 11)) {
    case 0: return cap(w()) + year() + sym(); // Summer2019!
    case 1: return w() + digits(1 + randInt(bytes, 4)); // monkey123
    case 2: return cap(leet(bytes, w(), 70)) + sym() + digits(1) + randomString(bytes, 'abcdefghijklmnopqrstuvwxyz', randInt(bytes, 3)); // Tr0ub4dor&3x
    case 3: return cap(w()) + pick(bytes, ['Pass', 'Pwd', 'Secret', 'Key', cap(w())]) + digits(1 + randInt(bytes, 2)) + (randInt(bytes, 2) ? sym() : ''); // RedisPass1!
    case 4: return w() + sym() + w() + (randInt(bytes, 2) ? digits(1 + randInt(bytes, 2)) : ''); // horse#battery9
    case 5: return cap(w()) + sym() + digits(2 + randInt(bytes, 3)); // Welcome@123
    case 6: { // dipPr10Gg!: a word with random capitals and digits pushed in
      let s = '';
      for (const ch of w() + w().slice(0, 3)) {
        s += randInt(bytes, 3) === 0 ? ch.toUpperCase() : ch;
        if (randInt(bytes, 5) === 0) s += digits(1 + randInt(bytes, 2));
      }
      return s + sym();
    }
    case 7: return pick(bytes, ['qwerty', 'Qwerty', 'asdf', 'Asdf', '1qaz2wsx', 'Qazwsx', 'zxcvbn', 'qwer', 'Qwer']) + digits(2 + randInt(bytes, 3)) + (randInt(bytes, 2) ? sym() : '');
    case 8: { // passphrase with a number: blue-Tiger-42
      const sep = pick(bytes, ['-', '.', '_', '']);
      const n = 2 + randInt(bytes, 2);
      const parts = [];
      for (let i = 0; i < n; i++) parts.push(randInt(bytes, 2) ? cap(w()) : w());
      return parts.join(sep) + sep + digits(1 + randInt(bytes, 2));
    }
    case 9: return leet(bytes, w() + w(), 60) + (randInt(bytes, 2) ? sym() : digits(1)); // m0nk3yb4n4n4!
    default: return sym() + cap(w()) + digits(1 + randInt(bytes, 3)) + w().slice(0, 2 + randInt(bytes, 3)); // !Falcon42ri
  }
}

/** Secrets of the positive examples of rules/*.yaml. */
export async function ruleExampleSecrets() {
  const { parse } = await import('yaml');
  const dir = path.join(REPO, 'rules');
  const out = new Set();
  for (const f of fs.readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort()) {
    const doc = parse(fs.readFileSync(path.join(dir, f), 'utf8'));
    for (const r of doc?.rules ?? []) for (const ex of r.examples ?? []) if (typeof ex.secret === 'string' && ex.secret) out.add(ex.secret);
  }
  return [...out].sort();
}

const KEY_VALUE = /(?:^|[\s,{(\[;])["']?([A-Za-z_$][\w$.-]*)["']?\s*(?::|=(?!=))\s*(['"])((?:(?!\2)[^\\\n])*)\2/gm;

/** Values assigned to keys in code (`key: "value"`, `KEY = 'value'`), as [key, value]. */
export function* keyValues(text) {
  KEY_VALUE.lastIndex = 0;
  let m;
  while ((m = KEY_VALUE.exec(text))) yield [m[1], m[3]];
}

function isWordLikeCandidate(value) {
  const v = value.trim();
  return v === value && v.length >= 2 && v.length <= 64 && /[A-Za-z\u00c0-\uffff]/.test(v) && !v.split(/\s+/).some(isBlobToken);
}

function identifierStyle(id) {
  if (/^[a-z][a-z0-9]*(?:[A-Z][a-z0-9]*)+$/.test(id)) return 'camelCase';
  if (/^[A-Z][a-z0-9]+(?:[A-Z][a-z0-9]*)+$/.test(id)) return 'PascalCase';
  if (/^_?[a-z][a-z0-9]*(?:_[a-z0-9]+)+$/.test(id)) return 'snake_case';
  if (/^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$/.test(id)) return 'CONSTANT_CASE';
  if (/^[a-z][a-z0-9]*(?:-[a-z0-9]+)+$/.test(id)) return 'kebab-case';
  if (/^[a-z]+$/.test(id)) return 'lowercase';
  return null;
}

/**
 * The labelled set for one bucket ('eval' or 'dev'): [{ value, label (1 secret, 0 word-like), category }].
 * Weak passwords carry label 0 and category 'weak-password' and are kept out of the AUC negatives.
 */
export async function buildLabelledSet({ bucket = 'eval', seed = 1, fresh = false, perCategory = 1500, log = () => {} } = {}) {
  const bytes = fresh ? (n) => crypto.randomBytes(n) : seededBytes(`wordlike-eval-${bucket}-${seed}`);
  const inBucket = (t) => bucketOf(t) === bucket;
  const pools = new Map(); // category -> Set
  const add = (cat, v) => {
    if (!pools.has(cat)) pools.set(cat, new Set());
    pools.get(cat).add(v);
  };

  // Units from the same sources as training, held-out bucket only.
  const proseWords = new Set();
  for (const u of allUnits()) {
    if (!inBucket(u.text)) continue;
    if (u.kind === 'identifier') {
      const style = identifierStyle(u.text);
      if (style) add(`identifier:${style}`, u.text);
    } else if (u.kind === 'string') {
      const s = u.text;
      if (/^[A-Za-z_][\w-]*(?:\.[A-Za-z_][\w-]*)+$/.test(s) && !/\.(?:[cm]?[jt]sx?|json|md|py|d\.ts)$/.test(s)) add('dotted-path', s);
      else if (/^[a-z][a-z0-9]*(?:-[a-z0-9]+)+(?: [a-z][a-z0-9]*(?:-[a-z0-9]+)*)*$/.test(s)) add('css-class', s);
    } else if (u.kind === 'prose') {
      const words = u.text.split(' ').filter((w) => /^[A-Za-z][a-z]{1,14}$/.test(w));
      for (const w of words) if (w.length >= 3) proseWords.add(w);
      if (words.length >= 3) {
        const k = 1 + randInt(bytes, 3), i = randInt(bytes, Math.max(1, words.length - k));
        const phrase = words.slice(i, i + k).join(' ');
        if (k > 1) add('phrase', phrase);
      }
    }
  }
  for (const w of proseWords) if (inBucket(w)) add('word', w);

  // Values assigned to keys in code.
  const codeFiles = [...listNodeModulesFiles(['.js', '.mjs', '.cjs', '.ts']), ...listPythonFiles()];
  for (const f of codeFiles) {
    const text = fs.readFileSync(f, 'utf8');
    if (text.length > 20e6 || isMinified(text)) continue;
    for (const [key, value] of keyValues(text)) {
      if (!inBucket(value) || !isWordLikeCandidate(value)) continue;
      add(/pass|secret|token|key|auth|cred/i.test(key) ? 'code-value:secret-named-key' : 'code-value', value);
    }
  }
  for (const f of listNodeModulesFiles(['.js', '.ts', '.json', '.md', '.d.ts', '.map'])) {
    const name = path.basename(f);
    if (inBucket(name)) add('file-name', name);
  }

  // Localized messages: TypeScript's translated diagnostics (short ones, or their first words).
  const tsLib = path.join(NODE_MODULES, 'typescript/lib');
  for (const lang of fs.existsSync(tsLib) ? fs.readdirSync(tsLib).sort() : []) {
    const file = path.join(tsLib, lang, 'diagnosticMessages.generated.json');
    if (!fs.existsSync(file)) continue;
    const latin = ['cs', 'de', 'es', 'fr', 'it', 'pl', 'pt-br', 'tr'].includes(lang);
    for (const msg of Object.values(JSON.parse(fs.readFileSync(file, 'utf8')))) {
      const words = String(msg).replace(/\{\d+\}|[„“”"'«»]/g, ' ').split(/\s+/).filter((w) => /\p{L}/u.test(w));
      const k = 1 + randInt(bytes, 4);
      const label = words.slice(0, k).join(' ').replace(/[.:,;]$/, '');
      if (label.length >= 2 && inBucket(label)) add(latin ? 'i18n' : 'i18n:non-latin', label);
    }
  }
  for (const l of UI_LABELS) if (inBucket(l)) add('i18n', l);

  // Self-describing placeholders and enum values.
  for (const p of PREFIXES) {
    for (const s of SECRET_WORDS) {
      const parts = [...p.split('_'), ...s.split('_')];
      const styles = [parts.join('_'), parts.join('_').toUpperCase(), parts.join('-'), parts[0] + parts.slice(1).map(cap).join(''),
        `your-${parts.slice(1).join('-')}-here`, `<${parts.join('-')}>`, `${parts.join('_').toUpperCase()}_HERE`, `replace-with-${parts.join('-')}`];
      for (const v of styles) if (inBucket(v)) add('self-describing', v);
    }
  }
  for (const v of ENUM_VALUES) if (inBucket(v)) add('enum-value', v);
  for (const v of WEAK_PASSWORDS) add('weak-password', v); // a fixed list; shown apart, not split

  const out = [];
  for (const [cat, set] of [...pools].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    const values = shuffled(bytes, [...set].sort()).slice(0, perCategory);
    for (const value of values) out.push({ value, label: 0, category: cat });
  }

  // Positives.
  const nRandom = perCategory * 3;
  for (let i = 0; i < nRandom; i++) {
    const { alphabet, value } = randomSecret(bytes);
    out.push({ value, label: 1, category: `random:${alphabet}` });
  }
  const words = [...PASSWORD_WORDS, ...shuffled(bytes, [...proseWords].filter((w) => /^[a-z]{3,9}$/.test(w)).sort()).slice(0, PASSWORD_WORDS.length)];
  for (let i = 0; i < perCategory * 2; i++) out.push({ value: humanPassword(bytes, words), label: 1, category: 'human-password' });
  // Rule examples are test data only: the dev set (which fits the [0, 1] mapping) leaves them out.
  if (bucket === 'eval') for (const s of await ruleExampleSecrets()) out.push({ value: s, label: 1, category: 'rule-example' });
  log(`${bucket} set: ${out.filter((x) => x.label === 0).length} word-like, ${out.filter((x) => x.label === 1).length} secrets`);
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Metrics.

/** ROC AUC of `score` (higher = more secret-like) for positives vs negatives; ties count half. */
export function auc(pos, neg) {
  const all = [...pos.map((s) => [s, 1]), ...neg.map((s) => [s, 0])].sort((a, b) => a[0] - b[0]);
  let rankSum = 0;
  for (let i = 0; i < all.length;) {
    let j = i;
    while (j < all.length && all[j][0] === all[i][0]) j++;
    const avgRank = (i + j + 1) / 2;
    for (let k = i; k < j; k++) if (all[k][1]) rankSum += avgRank;
    i = j;
  }
  return (rankSum - (pos.length * (pos.length + 1)) / 2) / (pos.length * neg.length);
}

/** Threshold on a secret-score giving at least `tpr` of positives, and the false-positive rate there. */
export function fprAtTpr(pos, neg, tpr) {
  const sorted = pos.slice().sort((a, b) => b - a);
  const t = sorted[Math.min(sorted.length - 1, Math.ceil(tpr * sorted.length) - 1)];
  return { threshold: t, fpr: neg.filter((s) => s >= t).length / neg.length };
}
/**
 * The lowest threshold t that flags (score >= t) at most `fpr` of negatives, and the share of positives it
 * flags. Ties stay together, so a coarse score (BPE chars/token) may flag well under `fpr`.
 */
export function tprAtFpr(pos, neg, fpr) {
  const sorted = neg.slice().sort((a, b) => b - a);
  const allowed = Math.floor(fpr * sorted.length);
  let t = Infinity;
  for (let i = 0; i < sorted.length; i++) {
    if (i > 0 && sorted[i] === sorted[i - 1]) continue;
    let j = i;
    while (j < sorted.length && sorted[j] === sorted[i]) j++;
    if (j > allowed) break; // flagging this value would pass the budget
    t = sorted[i];
    i = j - 1;
  }
  return { threshold: t, tpr: pos.filter((s) => s >= t).length / pos.length };
}

// ---------------------------------------------------------------------------------------------------------
// Measures.

/** Compiles src/match/wordlike*.ts with TypeScript's transpiler into a temp folder and imports it. */
export async function loadWordlike() {
  const ts = (await import('typescript')).default;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wordlike-'));
  for (const name of ['wordlike.ts', 'wordlike-model.ts']) {
    const src = fs.readFileSync(path.join(REPO, 'src/match', name), 'utf8');
    const js = ts.transpileModule(src, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
    fs.writeFileSync(path.join(dir, name.replace(/\.ts$/, '.js')), js);
  }
  const file = path.join(dir, 'wordlike.js');
  return { module: await import(pathToFileURL(file).href), file };
}

export function shannon(s) {
  const counts = new Map();
  for (const ch of s) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let h = 0;
  const n = [...s].length;
  for (const c of counts.values()) h -= (c / n) * Math.log2(c / n);
  return h;
}
export function charClassCount(s) {
  return (/[a-z]/.test(s) ? 1 : 0) + (/[A-Z]/.test(s) ? 1 : 0) + (/\d/.test(s) ? 1 : 0) + (/[^A-Za-z0-9]/.test(s) ? 1 : 0);
}

async function loadBpe(dir) {
  const entry = path.join(dir, 'gpt-tokenizer/esm/encoding/cl100k_base.js');
  if (!fs.existsSync(entry)) return null;
  const m = await import(pathToFileURL(entry).href);
  return { encode: m.encode, entry };
}

function duKb(dir) {
  return execFileSync('du', ['-sk', dir], { encoding: 'utf8' }).split('\t')[0];
}

function coldLoadMs(importStatement, runs = 9) {
  // A trivial file module first: the loader's own warm-up (~2-3 ms) is paid by any CLI, not by this module.
  const trivial = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'wordlike-load-')), 'trivial.mjs');
  fs.writeFileSync(trivial, 'export default 1;\n');
  const times = [];
  for (let i = 0; i < runs; i++) {
    const code = `await import(${JSON.stringify(pathToFileURL(trivial).href)});const t=performance.now();${importStatement};console.log(performance.now()-t)`;
    times.push(Number(execFileSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8' }).trim()));
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

/** Best of `rounds` passes; each pass sees values rotated by a new offset, so no measure can serve a cache. */
function microsPerValue(fn, values, rounds = 5) {
  for (const v of values) fn(`${v}~`); // warm up the JIT on other strings
  let best = Infinity;
  for (let r = 0; r < rounds; r++) {
    const pass = values.map((v) => v.slice(r + 1) + v.slice(0, r + 1));
    const t = process.hrtime.bigint();
    let sink = 0;
    for (const v of pass) sink += fn(v);
    const us = Number(process.hrtime.bigint() - t) / 1e3 / values.length;
    if (sink === -1) console.log(); // keep the loop alive
    best = Math.min(best, us);
  }
  return best;
}

// ---------------------------------------------------------------------------------------------------------

async function main() {
  const args = process.argv.slice(2);
  const opt = (name, def) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : def; };
  const bucket = opt('--bucket', 'eval');
  const set = await buildLabelledSet({
    bucket, seed: opt('--seed', '1'), fresh: args.includes('--fresh'), perCategory: Number(opt('--per-category', 1500)), log: console.log,
  });
  const dump = opt('--dump', null);
  const { module: wl, file: wlFile } = await loadWordlike();
  const bpe = await loadBpe(opt('--bpe-dir', '/work/wordlike-scratch/node_modules'));

  // Each measure as a secret-score: higher = more random / secret-like.
  const measures = [
    ['word-likeness (n-gram, shipped)', (v) => 1 - wl.wordLikeness(v)],
    ['  char trigram alone (bits/char)', (v) => wl.wordLikenessDetail(v).charBits],
    ['  class n-gram alone (bits/char)', (v) => wl.wordLikenessDetail(v).classBits],
    ...(bpe ? [['BPE chars/token (cl100k)', (v) => -v.length / bpe.encode(v).length]] : []),
    ['Shannon entropy (bits/char)', shannon],
    ['Shannon entropy x length', (v) => shannon(v) * v.length],
    ['char classes (1-4)', charClassCount],
  ];
  const scores = measures.map(([, fn]) => set.map((x) => fn(x.value)));
  if (dump) fs.writeFileSync(dump, set.map((x, i) => [x.label, x.category, JSON.stringify(x.value), ...scores.map((s) => s[i].toFixed(4))].join('\t')).join('\n') + '\n');

  const idx = (pred) => set.map((x, i) => (pred(x) ? i : -1)).filter((i) => i >= 0);
  const isWordLike = (x) => x.label === 0 && x.category !== 'weak-password';
  const negIdx = idx(isWordLike);
  const mid = (x) => x.value.length >= 8 && x.value.length <= 16;
  // [label, positives, negatives]: the 8-16 column compares like lengths only, since random secrets are
  // longer than most word-like values and length alone separates them with AUC ~0.88.
  const groups = [
    ['(a) random secrets', idx((x) => x.category.startsWith('random:')), negIdx],
    ['(a) random, 8-16 chars', idx((x) => x.category.startsWith('random:') && mid(x)), idx((x) => isWordLike(x) && mid(x))],
    ['(a) rule examples', idx((x) => x.category === 'rule-example'), negIdx],
    ['(b) human passwords', idx((x) => x.category === 'human-password'), negIdx],
    ['(b) human, 8-16 chars', idx((x) => x.category === 'human-password' && mid(x)), idx((x) => isWordLike(x) && mid(x))],
  ];
  const pad = (s, n) => String(s).padEnd(n);
  console.log(`\nROC AUC vs ${negIdx.length} word-like values (${bucket} bucket; ${idx((x) => isWordLike(x) && mid(x)).length} of them 8-16 chars)`);
  console.log(pad('measure', 34) + groups.map(([g, ii]) => pad(`${g} n=${ii.length}`, 30)).join(''));
  measures.forEach(([name], m) => {
    const s = scores[m];
    console.log(pad(name, 34) + groups.map(([, ii, nn]) => pad(auc(ii.map((i) => s[i]), nn.map((i) => s[i])).toFixed(4), 30)).join(''));
  });

  console.log('\nOperating points: true-positive rate at 1% and 5% false positives (share of word-like values flagged)');
  measures.forEach(([name], m) => {
    const s = scores[m];
    const parts = groups.filter(([g]) => !g.includes('chars')).map(([g, ii, nn]) => {
      const pos = ii.map((i) => s[i]), neg = nn.map((i) => s[i]);
      const b = tprAtFpr(pos, neg, 0.05), c = tprAtFpr(pos, neg, 0.01);
      return `${g}: ${(c.tpr * 100).toFixed(1)}% / ${(b.tpr * 100).toFixed(1)}%`;
    });
    console.log(`  ${pad(name.trim(), 34)} ${parts.join('   ')}`);
  });

  console.log('\nword-likeness thresholds: share of each group below t');
  console.log(`  ${pad('t', 6)}${pad('word-like', 12)}${pad('(6+ chars)', 12)}${pad('weak pw', 10)}${pad('random', 10)}${pad('rule ex.', 10)}${pad('human pw', 10)}`);
  const negIdx6 = idx((x) => isWordLike(x) && x.value.length >= 6);
  const wlOf = (i) => 1 - scores[0][i];
  const below = (ii, t) => `${((ii.filter((i) => wlOf(i) < t).length / ii.length) * 100).toFixed(1)}%`;
  const weakIdx = idx((x) => x.category === 'weak-password');
  for (const t of [0.02, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.97]) {
    console.log(`  ${pad(t, 6)}${pad(below(negIdx, t), 12)}${pad(below(negIdx6, t), 12)}${pad(below(weakIdx, t), 10)}${pad(below(groups[0][1], t), 10)}${pad(below(groups[2][1], t), 10)}${pad(below(groups[3][1], t), 10)}`);
  }

  console.log('\nword-likeness by category: mean, and share below 0.5 / 0.25 / above 0.75');
  const byCat = new Map();
  set.forEach((x, i) => {
    if (!byCat.has(x.category)) byCat.set(x.category, []);
    byCat.get(x.category).push(1 - scores[0][i]);
  });
  for (const [cat, v] of [...byCat].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    const share = (f) => ((v.filter(f).length / v.length) * 100).toFixed(0).padStart(3) + '%';
    console.log(`  ${pad(cat, 32)} n=${pad(v.length, 5)} mean=${(v.reduce((a, b) => a + b, 0) / v.length).toFixed(3)}  <0.5 ${share((x) => x < 0.5)}  <0.25 ${share((x) => x < 0.25)}  >0.75 ${share((x) => x > 0.75)}`);
  }

  // Speed: 8-40 character values of every kind.
  const speedValues = set.map((x) => x.value).filter((v) => v.length >= 8 && v.length <= 40);
  const twenty = set.map((x) => x.value).filter((v) => v.length === 20);
  const wlBytes = ['wordlike.ts', 'wordlike-model.ts'].map((f) => fs.statSync(path.join(REPO, 'src/match', f)).size);
  console.log(`\nspeed on ${speedValues.length} values of 8-40 chars (best of 5, µs/value)`);
  console.log(`  word-likeness              ${microsPerValue(wl.wordLikeness, speedValues).toFixed(3)}   (20-char values: ${microsPerValue(wl.wordLikeness, twenty).toFixed(3)})`);
  if (bpe) console.log(`  BPE chars/token (cl100k)   ${microsPerValue((v) => bpe.encode(v).length, speedValues).toFixed(3)}`);
  console.log(`  Shannon entropy            ${microsPerValue(shannon, speedValues).toFixed(3)}`);
  console.log('\ncold load in a fresh node process, after a trivial file import (median of 9, ms)');
  console.log(`  word-likeness module       ${coldLoadMs(`const m=await import(${JSON.stringify(pathToFileURL(wlFile).href)});m.wordLikeness('warmUp')`).toFixed(1)}`);
  if (bpe) console.log(`  gpt-tokenizer cl100k_base  ${coldLoadMs(`const m=await import(${JSON.stringify(pathToFileURL(bpe.entry).href)});m.encode('warmUp')`).toFixed(1)}`);
  console.log(`\nsize: src/match/wordlike.ts ${(wlBytes[0] / 1024).toFixed(1)} KB, src/match/wordlike-model.ts ${(wlBytes[1] / 1024).toFixed(1)} KB`);
  if (bpe) console.log(`      gpt-tokenizer on disk: ${duKb(path.dirname(path.dirname(path.dirname(bpe.entry))))} KB`);
}

// Not awaited at top level: the two scripts import each other, and a pending top-level await would
// deadlock that cycle.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
