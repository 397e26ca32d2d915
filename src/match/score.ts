// A score for every candidate: hand-set log-odds weights over named features, so that every score can say why.
// 0 to 1; the scan layer draws the line between the report and review tiers (minScore).
import type { Confidence, Rule } from '../model/index.js';
import type { Candidate } from './grammar.js';
import type { LineRole } from './syntax.js';
import type { PemBlock } from './pem.js';
import type { KeyClass } from './keys.js';
import { splitWords } from './keys.js';
import type { PathRole } from './syntax.js';
import { isCodeFamily } from './syntax.js';
import { describeValue, isHashedPassword, isWeakPassword, PROVIDER_EXAMPLE, type ValueFacts } from './values.js';
import { wordLikenessDetail } from './wordlike.js';

export interface Scored {
  score: number;
  /** The features that decided, in words, strongest first. */
  reasons: string[];
  /** Why the candidate belongs in review whatever its score. */
  review?: string;
}

/** Why a candidate is no candidate at all (a reference, a placeholder): nothing to report or review. */
export interface Dropped {
  drop: string;
}

/** One feature's pull on the score, in log-odds, with the words that explain it. */
export interface Evidence {
  weight: number;
  reason: string;
  /** Features that measure one thing (how random the value is) share a cap, so they are not counted four times. */
  group?: 'random';
}

/** The most that randomness (character mix, entropy, shape, reading) adds, however many features show it. */
const RANDOM_CAP = 2.0;

import { KEEP_SCORE } from './thresholds.js';

export { DEFAULT_MIN_SCORE, KEEP_SCORE } from './thresholds.js';

const KEY_WEIGHT: Record<KeyClass, [number, string]> = {
  password: [2.0, 'the key names a password'],
  secret: [2.0, 'the key names a secret'],
  'api-key': [2.0, 'the key names an API key'],
  'private-key': [1.6, 'the key names a private key'],
  token: [1.6, 'the key names a token'],
  credential: [1.6, 'the key names a credential'],
  auth: [1.0, 'the key names authentication'],
  key: [0.4, 'the key is a bare "key"'],
  salt: [0.4, 'the key names a salt or nonce'],
  session: [0.4, 'the key names a session id'],
  metadata: [-3.0, 'the key names something about a secret'],
  hash: [0.0, 'the key names a hash'],
};

const PATH_WEIGHT: Record<PathRole, [number, string]> = {
  test: [-0.8, 'in a test or fixture file'],
  example: [-1.5, 'in an example or template file'],
  docs: [-0.3, 'in documentation'],
  vendored: [-0.8, 'in vendored code'],
  source: [0, ''],
};

const SHAPE_WEIGHT: Partial<Record<ValueFacts['shape'], [number, string]>> = {
  hex: [0.8, 'a long hex value'],
  color: [-5, 'a colour'],
  base64: [1.0, 'a random-looking base64 value'],
  jwt: [1.5, 'a JSON web token'],
  uuid: [-0.4, 'a UUID (often an identifier)'],
  number: [-2.5, 'a number'],
  version: [-4, 'a version'],
  date: [-4, 'a date or time'],
  ip: [-4, 'an IP address'],
  email: [-3.5, 'an e-mail address'],
  hostname: [-3.5, 'a host name'],
  url: [-2.5, 'a URL'],
  path: [-3.5, 'a file path'],
  sentence: [-3.0, 'a sentence'],
  words: [-1.8, 'words with spaces'],
  code: [-3.5, 'code, not a literal'],
  identifier: [-1.2, 'an identifier'],
  constant: [-2.2, 'a constant name'],
  dotted: [-2.2, 'a dotted name'],
};

const logistic = (x: number) => 1 / (1 + Math.exp(-x));

/** Secret words inside a value that names itself: `smtp_password`, `csrf_token`, `api-key-header`. */
const SELF_NAMING = /^(?:pass|password|passwd|pwd|secret|token|key|apikey|auth|credential|credentials|jwt|bearer)$/;

const LEET: Record<string, string> = { '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't', '@': 'a', $: 's' };

/** Whether a value reads as words once leetspeak digits are read as letters. */
function readsAsLeetspeak(v: string): boolean {
  const plain = v.replace(/[013457@$]/g, (c) => LEET[c]);
  return plain !== v && wordLikenessDetail(plain).logit >= 3 && wordLikenessDetail(v).logit < 2;
}

/** Whether a base64 value decodes to printable text that reads like words. */
function decodesToWords(v: string): boolean {
  const bytes = Buffer.from(v.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  if (bytes.length < 8) return false;
  for (const b of bytes) if (b < 0x20 || b > 0x7e) return false;
  return wordLikenessDetail(bytes.toString('latin1')).logit >= 2;
}

/** Key classes whose values a person chooses and remembers: short, made of words, still real. */
const HUMAN_CHOSEN = new Set<KeyClass>(['password', 'credential', 'auth']);

function lengthEvidence(n: number, cls: KeyClass): Evidence | undefined {
  if (n <= 4) return { weight: -2.5, reason: `a very short value (${n} characters)` };
  if (n > 300) return { weight: -0.8, reason: `a very long value (${n} characters)` };
  if (HUMAN_CHOSEN.has(cls)) {
    if (n === 5) return { weight: -1.5, reason: 'a short value (5 characters)' };
    if (n <= 7) return { weight: -0.6, reason: `a short value (${n} characters)` };
    if (n <= 11) return undefined;
    return { weight: n <= 19 ? 0.3 : 0.6, reason: `${n} characters long` };
  }
  // Generated tokens and keys are long: 16 characters and up for nearly every provider.
  if (n < 10) return { weight: -2.0, reason: `short for a key or token (${n} characters)` };
  if (n < 16) return { weight: -0.6, reason: `short for a key or token (${n} characters)` };
  return { weight: n < 32 ? 0.6 : 1.0, reason: `${n} characters long` };
}

/**
 * How the value reads, from the character n-gram model's log-odds (words and identifiers about +3 to +10, random
 * text -3 to -12). A password may be words with digits and symbols (`RedisPass1!`); a token never is.
 */
function readingEvidence(v: string, facts: ValueFacts, cls: KeyClass): Evidence | undefined {
  if (facts.shape === 'hex' || facts.shape === 'jwt' || facts.shape === 'uuid' || v.length < 4) return undefined;
  const logit = Math.max(-10, Math.min(10, wordLikenessDetail(v).logit));
  if (logit >= 2) {
    // Letters and separators only (`adb:runCommand`, `my-app.name`): words, whatever the separators.
    const lettersOnly = !facts.hasDigit && (!facts.hasSymbol || /^[\p{L}:._\-/ ]+$/u.test(v));
    if (HUMAN_CHOSEN.has(cls)) {
      return lettersOnly
        ? { weight: -2.6, reason: 'the value reads as a word' }
        : { weight: -Math.min(1.2, 0.25 * logit), reason: 'the value reads like words with digits or symbols' };
    }
    return { weight: -Math.min(5, 0.8 * logit), reason: lettersOnly ? 'the value reads as a word' : 'the value reads like words' };
  }
  if (logit <= -2) return { weight: Math.min(1.2, -0.15 * logit), reason: 'the value reads as random', group: 'random' };
  return undefined;
}

/**
 * The evidence for one candidate of the grammar (or of a generic regex rule, given as a candidate). Returns the
 * features and their weights; `scoreCandidate` turns them into a score.
 */
export function candidateEvidence(c: Candidate, role: PathRole, providerVeto?: string, providerAccepts?: string): Evidence[] | Dropped {
  const v = c.value;
  if (v.length < 3) return { drop: 'too short' };
  if (c.translated) return { drop: 'translated text' };
  const facts = describeValue(v);
  if (facts.reference) return { drop: `the value is ${facts.reference}` };
  if (facts.placeholder) return { drop: `the value is a placeholder (${facts.placeholder})` };
  // Encrypted to be committed: Sealed Secrets, SOPS, Ansible Vault. Only the cluster or the key holder can read them.
  if (/^(?:ENC\[AES256_GCM|\$ANSIBLE_VAULT)/.test(v) || (c.parent && /^(?:encryptedData|encrypted_data|sops)$/i.test(c.parent))) {
    return { drop: 'encrypted to be committed (Sealed Secrets, SOPS, Ansible Vault)' };
  }
  // Tokens and keys are never text with spaces (a scheme like `Bearer` was taken off already).
  if (!HUMAN_CHOSEN.has(c.keyInfo.cls) && /\s|%20/.test(v.trim())) return { drop: 'text with spaces, not a token or key' };
  const ev: Evidence[] = [];
  const [kw, kr] = KEY_WEIGHT[c.keyInfo.cls];
  if (kw) ev.push({ weight: kw, reason: c.keyInfo.cls === 'metadata' ? `${kr} (${c.keyInfo.modifier})` : kr });
  // "pass" in a comment or prose is as often the English word ("in one pass: ...").
  if (c.keyInfo.term === 'pass' && (c.lineRole === 'comment' || c.lineRole === 'documentation')) ev.push({ weight: -1.2, reason: '"pass" in prose' });
  const len = lengthEvidence(v.length, c.keyInfo.cls);
  if (len) ev.push(len);
  const reading = readingEvidence(v, facts, c.keyInfo.cls);
  if (reading) ev.push(reading);
  // Mixed characters say random only in a value that does not read as words (`?NoLineTerminatorHere` has three kinds).
  if (!reading || reading.weight > -1.5) {
    if (facts.classes === 1) ev.push({ weight: -1.0, reason: 'one kind of character' });
    else if (facts.classes === 3) ev.push({ weight: 0.7, reason: 'three kinds of character', group: 'random' });
    else if (facts.classes === 4) ev.push({ weight: 1.0, reason: 'letters, digits and symbols', group: 'random' });
    const shape = SHAPE_WEIGHT[facts.shape];
    if (shape) ev.push({ weight: shape[0], reason: `the value is ${shape[1]}`, group: shape[0] > 0 ? 'random' : undefined });
  }
  // Base64 of readable words is a sample or a label (`dGhlIHNhbXBsZSBub25jZQ==`, "the sample nonce"), not key
  // material; a Basic credential decodes to `user:password` and is left alone.
  if (facts.shape === 'base64' && c.scheme?.toLowerCase() !== 'basic' && decodesToWords(v)) ev.push({ weight: -2.5, reason: 'the value is base64 of readable words' });
  if (v.length >= 16 && facts.entropy >= 3.6 && (reading?.weight ?? 0) >= 0) ev.push({ weight: 0.5, reason: 'high entropy', group: 'random' });
  else if (v.length >= 8 && facts.entropy < 2.3) ev.push({ weight: -1.0, reason: 'low entropy' });
  if (namesItself(v, facts)) ev.push({ weight: -2.2, reason: 'the value names itself' });
  if (c.quoting === 'none' && isCodeFamily(c.family) && c.form !== 'command-line' && c.form !== 'query') {
    // In code an unquoted value is a name or an expression, not a literal; in a comment it may be a note or old code.
    const random = (facts.shape === 'base64' || facts.shape === 'hex' || facts.shape === 'jwt') && facts.entropy >= 3.2 && v.length >= 16;
    if (c.lineRole === 'comment') ev.push({ weight: -1.5, reason: 'unquoted in a code comment' });
    else if (!random) return { drop: 'an unquoted name or expression in code' };
    else ev.push({ weight: -0.5, reason: 'unquoted in code' });
  }
  if (c.continues) ev.push({ weight: -2.0, reason: 'part of a sentence' });
  // Code in a string in code (`'o.credentials=e.crossOrigin==="x"'`): a member access is no literal.
  if (isCodeFamily(c.family) && facts.shape !== 'dotted' && /^[a-z_$][\w$]*\.[A-Za-z_$][\w$]*(?:[^\w$]|$)/.test(v)) ev.push({ weight: -3.0, reason: 'a member access' });
  // `key value` with nothing between: strong for a password in a config line, weak for a bare "key" in prose.
  if (c.operator === ' ' && (c.keyInfo.cls === 'key' || c.keyInfo.cls === 'salt' || c.keyInfo.cls === 'session')) ev.push({ weight: -1.5, reason: 'a bare word next to "key"' });
  // SQL's own words after PASSWORD: `PASSWORD EXPIRE`, `PASSWORD REQUIRE CURRENT`.
  if (c.form === 'sql' && /^[A-Z_]+$/.test(v)) return { drop: 'an SQL keyword' };
  const [pw, pr] = PATH_WEIGHT[role];
  if (pw) ev.push({ weight: pw, reason: pr });
  if (c.family === 'config' || c.family === 'yaml' || c.family === 'json' || c.family === 'build' || c.family === 'shell') ev.push({ weight: 0.3, reason: 'in a settings file' });
  const form = FORM_WEIGHT[c.form];
  if (form) ev.push({ weight: form[0], reason: form[1] });
  const line = LINE_WEIGHT[c.lineRole];
  if (line) ev.push({ weight: line[0], reason: line[1] });
  if (c.username) ev.push({ weight: 0.4, reason: 'a user name beside it' });
  if (providerVeto) ev.push({ weight: -4.5, reason: providerVeto });
  if (providerAccepts) ev.push({ weight: 1.5, reason: providerAccepts });
  if (!HUMAN_CHOSEN.has(c.keyInfo.cls)) {
    // A made-up token: `abcdef` or `123456` inside it (a person's password may well hold `123`), or a sentence in
    // leetspeak (`Th3reAr3N0T7He5ecRet5`): samples, not generated keys.
    if (longestSequentialRun(v) >= 6 || sequentialShare(v) >= 0.4) return { drop: 'a made-up sequence inside a token' };
    if (/[a-z]/i.test(v) && /[013457@$]/.test(v) && readsAsLeetspeak(v)) ev.push({ weight: -3.0, reason: 'the value is words in leetspeak' });
  }
  return capGroup(ev);
}

/** Scales the positive weights of the `random` group down to RANDOM_CAP in total. */
function capGroup(ev: Evidence[]): Evidence[] {
  const total = ev.reduce((n, e) => n + (e.group === 'random' && e.weight > 0 ? e.weight : 0), 0);
  if (total <= RANDOM_CAP) return ev;
  const k = RANDOM_CAP / total;
  return ev.map((e) => (e.group === 'random' && e.weight > 0 ? { ...e, weight: Math.round(e.weight * k * 100) / 100 } : e));
}

const FORM_WEIGHT: Partial<Record<Candidate['form'], [number, string]>> = {
  'config-line': [0.2, ''],
  'xml-element': [0.2, ''],
  'name-value': [0.3, ''],
  comparison: [-0.2, 'compared, not assigned'],
  'call-argument': [-0.2, ''],
  'command-line': [0.2, ''],
  header: [0.6, 'an authorization header'],
  query: [-0.3, 'in a query string'],
  sql: [0.3, ''],
  prose: [-5.5, 'a word after the key in prose, no separator'],
  'env-fallback': [0.3, 'the fallback of an environment lookup'],
};

const LINE_WEIGHT: Partial<Record<Candidate['lineRole'], [number, string]>> = {
  comment: [-0.4, 'in a comment'],
  documentation: [-0.5, 'in prose documentation'],
  'test-assertion': [-0.2, 'in a test assertion'],
  log: [-0.2, 'in a log line'],
};

/** `smtp_password`, `csrf_token`, `salesforcepassword`: a value made of words, one of them a secret's name. */
function namesItself(v: string, facts: ValueFacts): boolean {
  if (!(facts.shape === 'identifier' || facts.shape === 'constant' || facts.shape === 'dotted' || /^[\w.-]+$/.test(v))) return false;
  return splitWords(v).some((w) => SELF_NAMING.test(w) || /(?:password|passwd|secret|token|apikey)$/.test(w));
}

/** Why a candidate goes to review whatever its score, from its key and value. */
export function reviewReason(c: Candidate, facts: ValueFacts = describeValue(c.value)): string | undefined {
  if (facts.example) return 'the value calls itself an example';
  if (c.note) return c.note;
  const literal = c.quoting !== 'none' || !isCodeFamily(c.family);
  if (literal && (c.keyInfo.cls === 'password' || c.keyInfo.cls === 'credential') && namesItself(c.value, facts)) return 'the value names itself: a weak or example password';
  if (c.keyInfo.cls === 'hash' || isHashedPassword(c.value)) return 'a password hash';
  if (/^(?:ENC\(|ENC\[|\$ANSIBLE_VAULT|vault:v\d:)/.test(c.value)) return 'an encrypted value';
  if (c.keyInfo.cls === 'salt') return 'a salt or nonce, not a credential on its own';
  if ((c.keyInfo.cls === 'password' || c.keyInfo.cls === 'credential' || c.keyInfo.cls === 'secret') && isWeakPassword(c.value)) return 'a weak or example password';
  return undefined;
}

/** Log-odds to a score, and the strongest features, in the direction of the outcome, as reasons. */
export function combine(evidence: Evidence[], bias = 0): Scored {
  const total = evidence.reduce((a, e) => a + e.weight, bias);
  const score = Math.round(logistic(total) * 1000) / 1000;
  const sign = total >= 0 ? 1 : -1;
  const reasons = evidence
    .filter((e) => e.reason && Math.sign(e.weight) === sign && Math.abs(e.weight) >= 0.3)
    .sort((a, b) => Math.abs(b.weight) - Math.abs(a.weight))
    .slice(0, 3)
    .map((e) => e.reason);
  return { score, reasons };
}

export function scoreCandidate(c: Candidate, role: PathRole, providerVeto?: string, providerAccepts?: string): Scored | Dropped {
  const ev = candidateEvidence(c, role, providerVeto, providerAccepts);
  if ('drop' in ev) return ev;
  const scored = combine(ev, BIAS);
  const review = reviewReason(c);
  if (review) {
    scored.review = review;
    // Weak, example and hashed passwords stay in the inventory for review even when their features alone would not
    // keep them (`password123`, `irc_pass`, a bcrypt hash): the leak is real, only the risk is smaller.
    const floor = (HUMAN_CHOSEN.has(c.keyInfo.cls) && scored.score >= 0.05) || (c.keyInfo.cls === 'hash' && isHashedPassword(c.value));
    if (floor && scored.score < KEEP_SCORE) scored.score = KEEP_SCORE;
  }
  return scored;
}

const CONFIDENCE_LOGIT = { high: 3.5, medium: 2.2, low: 1.2 };

/**
 * A provider rule's match: its format is the evidence, so the score starts from the rule's confidence (a verified
 * checksum raises it); tests, examples and comments lower it a little, documentation examples go to review.
 */
export function scoreProviderMatch(
  rule: Rule, secret: string, confidence: Confidence, checksumValid: boolean | undefined, role: PathRole, line: LineRole,
): Scored {
  const ev: Evidence[] = [{ weight: CONFIDENCE_LOGIT[confidence], reason: `in ${rule.provider}'s ${confidence === 'high' ? 'own ' : ''}format` }];
  // `0123456789abcdef`, `654321` inside a token: a made-up sample (a random token has such a run about once in 10^7).
  if (longestSequentialRun(secret) >= 6) ev.push({ weight: -6.0, reason: 'a made-up sequence inside it' });
  if (checksumValid === true) ev.push({ weight: 2.0, reason: 'its checksum is valid' });
  else if (checksumValid === false) ev.push({ weight: -2.0, reason: 'its checksum fails' });
  const [pw, pr] = PATH_WEIGHT[role];
  if (pw) ev.push({ weight: pw / 2, reason: pr });
  const lw = LINE_WEIGHT[line];
  if (lw) ev.push({ weight: lw[0] / 2, reason: lw[1] });
  const scored = combine(ev);
  if (PROVIDER_EXAMPLE.test(secret)) scored.review = 'the value calls itself an example';
  if (rule.kind === 'password-hash') scored.review = 'a password hash';
  else if (rule.kind === 'private-key' && /encrypted/.test(rule.id)) scored.review = 'an encrypted key: useless without its passphrase';
  return scored;
}

/**
 * A private-key block: a valid key structure is as strong as evidence gets; a body that is not one (random base64,
 * a truncated key) is still reported, a step lower; a placeholder body is not a key at all. Encrypted keys go to review.
 */
export function scorePemBlock(b: PemBlock, rule: Rule, role: PathRole, line: LineRole): Scored | undefined {
  if (b.placeholder) return undefined;
  const ev: Evidence[] = [
    b.der ? { weight: 4.0, reason: `a ${b.label} with a valid key structure` } : { weight: 2.2, reason: `a ${b.label} block (its body is not a recognised key structure)` },
  ];
  const [pw, pr] = PATH_WEIGHT[role];
  if (pw) ev.push({ weight: pw / 2, reason: pr });
  const lw = LINE_WEIGHT[line];
  if (lw && line !== 'log') ev.push({ weight: lw[0] / 2, reason: lw[1] });
  const scored = combine(ev);
  if (b.encrypted) scored.review = 'an encrypted key: useless without its passphrase';
  void rule;
  return scored;
}

/** The longest run of consecutive ascending or descending characters (`abcdef`, `4321`). */
export function longestSequentialRun(s: string): number {
  let best = 1;
  let up = 1;
  let down = 1;
  for (let i = 1; i < s.length; i++) {
    const d = s.charCodeAt(i) - s.charCodeAt(i - 1);
    const alnum = /[A-Za-z0-9]/.test(s[i]) && /[A-Za-z0-9]/.test(s[i - 1]);
    up = d === 1 && alnum ? up + 1 : 1;
    down = d === -1 && alnum ? down + 1 : 1;
    best = Math.max(best, up, down);
  }
  return best;
}

/** The share of a value's characters in ascending or descending runs of four or more (`abcd1234-5678`). */
export function sequentialShare(s: string): number {
  if (s.length < 8) return 0;
  let inRuns = 0;
  let run = 1;
  let dir = 0;
  const flush = () => {
    if (run >= 4) inRuns += run;
  };
  for (let i = 1; i < s.length; i++) {
    const d = s.charCodeAt(i) - s.charCodeAt(i - 1);
    const alnum = /[A-Za-z0-9]/.test(s[i]) && /[A-Za-z0-9]/.test(s[i - 1]);
    if (alnum && (d === 1 || d === -1) && (run === 1 || d === dir)) {
      run++;
      dir = d;
    } else {
      flush();
      run = 1;
      dir = 0;
    }
  }
  flush();
  return inRuns / s.length;
}

/** Calibrates typical candidates: a strong key and an ordinary 8-character value sit near 0.85. */
const BIAS = -0.3;
