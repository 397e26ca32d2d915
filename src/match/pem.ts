// Private-key blocks in the forms they are written in: plain PEM and armor, the same block behind a prefix on
// every line (logs, comments, indentation), escaped inside a string, split over concatenated string literals,
// flattened onto one line, and a whole PEM base64-encoded. Pure: bytes in, blocks out.
//
// Linear time: markers are found with Buffer.indexOf; a BEGIN is parsed only when the nearest END after it comes
// before the next BEGIN and within MAX_REGION bytes, so parsed regions never overlap; base64 blobs are walked
// once each.

export type PemForm =
  /** BEGIN at the start of its line, body on the lines below */
  | 'plain'
  /** every line carries a prefix: log stamp, comment marker, indentation, `KEY="` on the first line */
  | 'prefixed'
  /** on one line with escaped line breaks: `\n`, `\r\n`, `\\n`, `&#10;` */
  | 'escaped'
  /** split over string literals joined by `+`, `,`, `&` or implicit concatenation */
  | 'concatenated'
  /** on one line with spaces (or nothing) between the parts, as environment variables often hold it */
  | 'inline'
  /** the whole PEM base64-encoded; start/end are the encoded blob */
  | 'base64';

export interface PemBlock {
  /** Byte offset of the first byte of `-----BEGIN` (or of the encoded blob). */
  start: number;
  /** Byte offset just past the END marker's dashes (or the encoded blob's end). */
  end: number;
  /** 'RSA PRIVATE KEY', 'PRIVATE KEY', 'OPENSSH PRIVATE KEY', 'PGP PRIVATE KEY BLOCK', 'SSH2 ENCRYPTED PRIVATE KEY', ... */
  label: string;
  /** The base64 body with every wrapper, header and checksum line removed, joined without whitespace. */
  body: string;
  form: PemForm;
  /**
   * The body decodes as base64 and its bytes look like the label's structure: a DER SEQUENCE with a consistent
   * length whose first element is an INTEGER (PKCS#1, PKCS#8, SEC1, DSA) or a SEQUENCE (encrypted PKCS#8);
   * ciphertext whose length is a multiple of 8 under `Proc-Type: 4,ENCRYPTED`; the `openssh-key-v1\0` magic;
   * the SSH2 magic 0x3f6ff9eb; a PGP secret-key packet (tag 5) first.
   */
  der: boolean;
  /**
   * Proc-Type 4,ENCRYPTED; ENCRYPTED PRIVATE KEY; an OpenSSH or SSH2 cipher other than "none"; a PGP primary
   * secret key whose S2K usage octet is not 0 (v3-v6 packets with the common algorithms; otherwise false).
   */
  encrypted: boolean;
  /** Fewer than 60 base64 characters, or text such as `...`, `xxxx`, `<your key here>`, or repeated characters. */
  placeholder: boolean;
}

/** Literals whose presence makes findPemBlocks worth calling (keyword prefilter), lower-case. */
export const PEM_TRIGGERS: string[] = [];

/** The three forms findPemBlocks looks for, each a search of its own through the content. */
export type PemSearch = 'armored' | 'ssh2' | 'encoded';
/** Lower-case trigger -> the form it announces: a file naming only `-----BEGIN ` is not searched for the others. */
export const PEM_TRIGGER_SEARCH = new Map<string, PemSearch>();
const ALL_SEARCHES: ReadonlySet<PemSearch> = new Set(['armored', 'ssh2', 'encoded']);

/** BEGIN to END: the largest real keys (RSA 16384, PGP with several subkeys) stay below this. */
const MAX_REGION = 64 * 1024;
/** A base64-encoded PEM (or JSON key file holding one). */
const MAX_ENCODED = 128 * 1024;
/** Longer text before BEGIN on its line is not a prefix the body lines repeat. */
const MAX_PREFIX = 256;
const MIN_KEY_CHARS = 60;
/** More non-base64 lines than this (and than body lines) between the markers: prose or code, not a key. */
const MAX_JUNK_LINES = 3;
/** Shortest wrapped line of a base64 blob that is continued on the next line. */
const MIN_WRAP = 40;

const PEM_BEGIN = '-----BEGIN ';
const PEM_END = '-----END ';
const SSH2_BEGIN = '---- BEGIN ';
const SSH2_END = '---- END ';

const B64 = new Uint8Array(256);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=') B64[c.charCodeAt(0)] = 1;
/** Without the padding character: a blob never continues past '=' (as in `KEY=LS0t...`). */
const B64_DATA = B64.slice();
B64_DATA[0x3d] = 0;

/**
 * The part of base64("-----BEGIN ") that depends only on the marker, for each of the three alignments of the
 * marker in the encoded bytes ('LS0tLS1CRUdJTi' when the PEM starts the blob).
 */
function alignedBase64(marker: string, lead: number): string {
  const zeros = Buffer.from('\x00'.repeat(lead) + marker + '\x00\x00', 'latin1').toString('base64');
  const ones = Buffer.from('\xff'.repeat(lead) + marker + '\xff\xff', 'latin1').toString('base64');
  let s = 0;
  while (zeros[s] !== ones[s]) s++;
  let e = s;
  while (e < zeros.length && zeros[e] === ones[e]) e++;
  return zeros.slice(s, e);
}
const ENCODED_BEGIN = [0, 1, 2].map((lead) => alignedBase64(PEM_BEGIN, lead));
PEM_TRIGGER_SEARCH.set(PEM_BEGIN.toLowerCase(), 'armored');
PEM_TRIGGER_SEARCH.set(SSH2_BEGIN.toLowerCase(), 'ssh2');
for (const t of ENCODED_BEGIN) PEM_TRIGGER_SEARCH.set(t.toLowerCase(), 'encoded');
PEM_TRIGGERS.push(...PEM_TRIGGER_SEARCH.keys());

/** `searches`: the forms to look for (the matcher passes those whose trigger occurs); all by default. */
export function findPemBlocks(content: Buffer, searches: ReadonlySet<PemSearch> = ALL_SEARCHES): PemBlock[] {
  return find(content, searches);
}

function find(content: Buffer, searches: ReadonlySet<PemSearch>): PemBlock[] {
  const blocks: PemBlock[] = [];
  if (searches.has('armored')) blocks.push(...findArmored(content, PEM_BEGIN, PEM_END));
  if (searches.has('ssh2')) blocks.push(...findArmored(content, SSH2_BEGIN, SSH2_END));
  if (searches.has('encoded')) blocks.push(...findEncoded(content));
  return blocks.sort((a, b) => a.start - b.start);
}

/** Inside a decoded base64 blob: the armored forms, not base64 again. */
const DECODED_SEARCHES: ReadonlySet<PemSearch> = new Set(['armored', 'ssh2']);

function positions(content: Buffer, needle: string): number[] {
  const out: number[] = [];
  for (let i = content.indexOf(needle, 0, 'latin1'); i !== -1; i = content.indexOf(needle, i + needle.length, 'latin1')) out.push(i);
  return out;
}

interface Marker {
  label: string;
  /** Just past the closing dashes. */
  end: number;
}

/** `RSA PRIVATE KEY-----` or `SSH2 ENCRYPTED PRIVATE KEY ----` from `at` on; undefined when it is not a marker. */
function readMarker(content: Buffer, at: number): Marker | undefined {
  let i = at;
  const limit = Math.min(content.length, at + 64);
  while (i < limit) {
    const c = content[i];
    if ((c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x20) i++;
    else break;
  }
  const label = content.toString('latin1', at, i).trim();
  let dashes = 0;
  while (i < content.length && content[i] === 0x2d && dashes < 5) {
    i++;
    dashes++;
  }
  return label && dashes >= 3 ? { label, end: i } : undefined;
}

function isPrivateLabel(label: string): boolean {
  return label.includes('PRIVATE KEY') || label.includes('SECRET KEY');
}

function findArmored(content: Buffer, beginNeedle: string, endNeedle: string): PemBlock[] {
  const begins = positions(content, beginNeedle);
  if (begins.length === 0) return [];
  const ends = positions(content, endNeedle);
  const blocks: PemBlock[] = [];
  let e = 0;
  for (let i = 0; i < begins.length; i++) {
    const start = begins[i];
    const head = readMarker(content, start + beginNeedle.length);
    if (!head || !isPrivateLabel(head.label)) continue;
    while (e < ends.length && ends[e] < head.end) e++;
    if (e === ends.length) break;
    const endAt = ends[e];
    // Another BEGIN first: this one has no END of its own.
    if (i + 1 < begins.length && begins[i + 1] < endAt) continue;
    if (endAt - head.end > MAX_REGION) continue;
    const tail = readMarker(content, endAt + endNeedle.length);
    if (!tail) continue;
    const block = parseBlock(content, start, head, endAt, tail.end);
    if (block) blocks.push(block);
  }
  return blocks;
}

const QUOTES = '"\'`';
const EOL = /\r\n|\n|\r/;
/** Escaped line breaks (any number of backslashes, so `\\n` in JSON inside a string too) and XML character references. */
const ESCAPED_BREAKS = /(?:\\+[rnt]|&#(?:x0*[aAdD]|0*1[03]);)+/;
/** Escaped characters of the base64 alphabet: JSON `\/` (PHP), `\u002B` (.NET), `\u002F`, `\u003D`. */
const ESCAPED_B64_CHARS = /\\+(?:\/|u00(2[bBfF]|3[dD]))/g;
const HEADER = /^[A-Za-z][A-Za-z0-9-]*:(?:\s|$)/;
const PGP_CHECKSUM = /^=[A-Za-z0-9+/]{4}$/;
/** Tested on non-base64 lines only (random base64 holds short words by chance); bounded repeats keep it linear. */
const PLACEHOLDER_TEXT =
  /\.\.\.|\u2026|<[^<>]{0,64}>|\[[^[\]]{0,64}\]|\{[^{}]{0,64}\}|x{4,}|\*{3,}|\b(?:your|here|example|redacted|placeholder|insert|replace|paste|truncated|omitted|snip|removed|hidden)\b/i;

function parseBlock(content: Buffer, start: number, head: Marker, endAt: number, end: number): PemBlock | undefined {
  const region = content.toString('latin1', head.end, endAt);
  const body = new BodyReader();
  const before = start > 0 ? String.fromCharCode(content[start - 1]) : '';
  const escapedQuote = start > 1 && content[start - 2] === 0x5c;
  const quote = before !== '' && QUOTES.includes(before) && !escapedQuote ? before : undefined;
  let form: PemForm;
  if (!EOL.test(region)) {
    // The literal holding BEGIN closes before END: the rest follows in more literals.
    if (quote && hasClosingQuote(region, quote)) {
      form = 'concatenated';
      body.readStream(literalContents([region], quote));
    } else if (ESCAPED_BREAKS.test(region)) {
      form = 'escaped';
      body.readStream(region);
    } else {
      form = 'inline';
      body.readTokens(region);
    }
  } else {
    const lines = region.split(EOL);
    // The literal holding BEGIN closes on its line: the rest follows in more literals.
    if (quote && hasClosingQuote(lines[0], quote)) {
      form = 'concatenated';
      body.readStream(literalContents(lines, quote));
    } else {
      const prefix = readPrefix(content, start);
      form = prefix === '' ? 'plain' : 'prefixed';
      const shapes = prefixShapes(prefix);
      body.readStream(lines[0]);
      for (let k = 1; k < lines.length; k++) body.readStream(stripLine(lines[k], prefix ?? '', shapes));
    }
  }
  if (body.junkLines > MAX_JUNK_LINES && body.junkLines > body.keyLines) return undefined;
  const label = head.label;
  const text = body.parts.join('');
  const { der, encrypted } = inspect(label, body.junkLines === 0 ? text : '', body.procEncrypted);
  return {
    start,
    end,
    label,
    body: text,
    form,
    der,
    encrypted,
    placeholder: body.keyChars < MIN_KEY_CHARS || PLACEHOLDER_TEXT.test(body.junkText.slice(0, 4096)) || looksFilledIn(body.keyParts),
  };
}

function hasClosingQuote(line: string, quote: string): boolean {
  for (let k = 0; k < line.length; k++) {
    if (line[k] === '\\') k++;
    else if (line[k] === quote) return true;
  }
  return false;
}

/** Text before BEGIN on its line; undefined when too long to be a prefix. */
function readPrefix(content: Buffer, start: number): string | undefined {
  let i = start;
  const floor = Math.max(0, start - MAX_PREFIX);
  while (i > floor && content[i - 1] !== 0x0a && content[i - 1] !== 0x0d) i--;
  if (i === floor && floor > 0 && content[i - 1] !== 0x0a && content[i - 1] !== 0x0d) return undefined;
  return content.toString('latin1', i, start);
}

/** Digits stand for any digits and whitespace runs for any whitespace: log stamps and build timings vary per line. */
function shapeOf(s: string): string {
  return s.replace(/[0-9]+/g, '0').replace(/\s+/g, ' ').trim();
}

/**
 * Shapes a body line's prefix may have: the BEGIN line's prefix, and that prefix without its last word when the
 * word is glued to BEGIN (`... INFO key=-----BEGIN`, then `... INFO MIIE...`).
 */
function prefixShapes(prefix: string | undefined): string[] {
  if (!prefix || !/\S/.test(prefix)) return [];
  const shapes = [shapeOf(prefix)];
  const cut = Math.max(prefix.lastIndexOf(' '), prefix.lastIndexOf('\t')) + 1;
  if (cut > 0 && cut < prefix.length && /\S/.test(prefix.slice(0, cut))) shapes.push(shapeOf(prefix.slice(0, cut)));
  return shapes;
}

/**
 * One line of a prefixed block, without its prefix: the BEGIN line's exact prefix, a prefix of the same shape, or
 * leading comment junk. The end of the line is left to BodyReader, after escaped line breaks (`&#13;`) are split off.
 */
function stripLine(line: string, prefix: string, shapes: string[]): string {
  if (prefix && line.startsWith(prefix)) return stripLeadingJunk(line.slice(prefix.length));
  if (shapes.length > 0) {
    const trimmed = line.trimEnd();
    if (shapes.includes(shapeOf(trimmed))) return '';
    const cut = Math.max(trimmed.lastIndexOf(' '), trimmed.lastIndexOf('\t')) + 1;
    if (cut > 0 && shapes.includes(shapeOf(trimmed.slice(0, cut)))) return trimmed.slice(cut);
  }
  return stripLeadingJunk(line);
}

/**
 * Leading comment markers, quotes and whitespace, and trailing quotes, commas, line continuations and comment
 * closers. None of these is a base64 character, except `/`: `//` counts as a comment only before whitespace.
 */
function stripJunk(line: string): string {
  const rest = stripLeadingJunk(line);
  let j = rest.length;
  for (;;) {
    const c = rest[j - 1];
    if (c === undefined) break;
    if (c === ' ' || c === '\t' || '\\"\'`,;'.includes(c)) j--;
    else if (c === '/' && rest[j - 2] === '*') j -= 2;
    else if (c === '>' && rest.slice(0, j).endsWith('-->')) j -= 3;
    else break;
  }
  return rest.slice(0, j);
}

function stripLeadingJunk(line: string): string {
  let i = 0;
  for (;;) {
    const c = line[i];
    if (c === undefined) break;
    if (c === ' ' || c === '\t' || '#;*%!>|-"\'`'.includes(c)) i++;
    else if (c === '/' && line[i + 1] === '*') i += 2;
    else if (c === '<' && line.startsWith('<!--', i)) i += 4;
    else if (c === '/' && line[i + 1] === '/') {
      let j = i;
      while (line[j] === '/') j++;
      if (j < line.length && line[j] !== ' ' && line[j] !== '\t') break;
      i = j;
    } else break;
  }
  return line.slice(i);
}

/**
 * The contents of the string literals on these lines, joined: the first line starts inside the literal that
 * holds BEGIN (closed by `quote`), the others outside any literal. Escapes are kept for readStream to split on.
 */
function literalContents(lines: string[], quote: string): string {
  let out = '';
  for (let li = 0; li < lines.length; li++) {
    const line = lines[li];
    let closing: string | undefined = li === 0 ? quote : undefined;
    for (let k = 0; k < line.length; k++) {
      const c = line[k];
      if (closing === undefined) {
        if (QUOTES.includes(c)) closing = c;
      } else if (c === '\\') {
        out += line.slice(k, k + 2);
        k++;
      } else if (c === closing) closing = undefined;
      else out += c;
    }
    // Literals do not span lines here: a string that does is read as a prefixed block.
    out += '\n';
  }
  return out;
}

/** Gathers the body from the lines between the markers: headers, blank lines and the PGP checksum are left out. */
class BodyReader {
  parts: string[] = [];
  keyParts: string[] = [];
  keyChars = 0;
  keyLines = 0;
  junkLines = 0;
  junkText = '';
  procEncrypted = false;
  private sawBody = false;
  private afterHeader = false;

  /** Text that may hold escaped line breaks (escaped and concatenated forms, and any line of the others). */
  readStream(text: string): void {
    const unescaped = text.includes('\\') ? text.replace(ESCAPED_B64_CHARS, (m, u?: string) => (u ? unicodeChar(u) : '/')) : text;
    for (const line of unescaped.split(ESCAPED_BREAKS)) {
      if (line.includes('\n')) for (const l of line.split('\n')) this.readLine(l);
      else this.readLine(line);
    }
  }

  /** One line flattened with spaces: `Proc-Type: 4,ENCRYPTED DEK-Info: AES-128-CBC,... MIIE... ...`. */
  readTokens(text: string): void {
    const tokens = text.split(/\s+/).filter(Boolean);
    for (let k = 0; k < tokens.length; k++) {
      const t = tokens[k];
      if (!this.sawBody && /^[A-Za-z][A-Za-z0-9-]*:$/.test(t)) {
        const value = tokens[k + 1] ?? '';
        if (t === 'Proc-Type:' && value.includes('ENCRYPTED')) this.procEncrypted = true;
        k++;
      } else this.readLine(t);
    }
  }

  private readLine(raw: string): void {
    const line = stripJunk(raw);
    if (!line) {
      this.afterHeader = false;
      return;
    }
    let clean = true;
    for (let k = 0; k < line.length && clean; k++) clean = B64[line.charCodeAt(k)] === 1;
    if (!this.sawBody && (HEADER.test(line) || (this.afterHeader && !clean))) {
      if (/^Proc-Type:\s*\d+\s*,\s*ENCRYPTED/i.test(line)) this.procEncrypted = true;
      // A text line right after a header continues it: RFC 4716 (SSH2) headers wrap after a backslash, which
      // prefix stripping may have taken off.
      this.afterHeader = true;
      return;
    }
    this.afterHeader = false;
    if (this.sawBody && PGP_CHECKSUM.test(line)) return;
    this.sawBody = true;
    if (clean) {
      this.parts.push(line);
      this.keyParts.push(line);
      this.keyChars += line.length;
      this.keyLines++;
    } else {
      this.parts.push(line.replace(/\s+/g, ''));
      this.junkLines++;
      this.junkText += `${line}\n`;
    }
  }
}

function unicodeChar(hex: string): string {
  return String.fromCharCode(parseInt(hex, 16));
}

/** Body lines that are one character repeated, a run of x's, few distinct characters, or one line over and over. */
function looksFilledIn(lines: string[]): boolean {
  const all = lines.join('');
  if (all.length === 0) return false;
  if (/[xX]{8,}/.test(all) || /(.)\1{23}/.test(all)) return true;
  if (new Set(all).size < 16) return true;
  return lines.length >= 3 && lines.slice(0, -1).every((l) => l === lines[0]);
}

function decodeStrict(body: string): Buffer | undefined {
  if (!body) return undefined;
  const pad = body.length - body.replace(/=+$/, '').length;
  if (pad > 2 || body.length % 4 === 1) return undefined;
  for (let k = 0; k < body.length - pad; k++) {
    const c = body.charCodeAt(k);
    if (B64[c] !== 1 || c === 0x3d) return undefined;
  }
  return Buffer.from(body, 'base64');
}

/** A DER SEQUENCE whose length covers the bytes (up to 16 bytes of trailing padding) and whose first element has tag `inner`. */
function isDerSequence(d: Buffer, inner: number): boolean {
  if (d.length < 4 || d[0] !== 0x30) return false;
  let len = d[1];
  let off = 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n < 1 || n > 4 || d.length < 2 + n) return false;
    len = 0;
    for (let k = 0; k < n; k++) len = len * 256 + d[2 + k];
    off = 2 + n;
  }
  const total = off + len;
  return total <= d.length && d.length - total <= 16 && d[off] === inner;
}

/** An SSH string (uint32 length, bytes) at `at`; undefined past the end. */
function sshString(d: Buffer, at: number): { value: string; next: number } | undefined {
  if (at + 4 > d.length) return undefined;
  const n = d.readUInt32BE(at);
  if (at + 4 + n > d.length || n > 256) return undefined;
  return { value: d.toString('latin1', at + 4, at + 4 + n), next: at + 4 + n };
}

const OPENSSH_MAGIC = Buffer.from('openssh-key-v1\0', 'latin1');
const SSH2_MAGIC = 0x3f6ff9eb;

function inspect(label: string, body: string, procEncrypted: boolean): { der: boolean; encrypted: boolean } {
  const bytes = decodeStrict(body);
  if (label === 'OPENSSH PRIVATE KEY') {
    const der = !!bytes && bytes.subarray(0, OPENSSH_MAGIC.length).equals(OPENSSH_MAGIC);
    const cipher = der && bytes ? sshString(bytes, OPENSSH_MAGIC.length)?.value : undefined;
    return { der, encrypted: cipher !== undefined && cipher !== 'none' };
  }
  if (label.startsWith('SSH2 ')) {
    // magic, total length, key type, cipher name, key data
    const der = !!bytes && bytes.length >= 8 && bytes.readUInt32BE(0) === SSH2_MAGIC;
    const keyType = der && bytes ? sshString(bytes, 8) : undefined;
    const cipher = keyType && bytes ? sshString(bytes, keyType.next)?.value : undefined;
    return { der, encrypted: cipher !== undefined ? cipher !== 'none' : label.includes('ENCRYPTED') };
  }
  if (label.startsWith('PGP ')) {
    const packet = bytes ? pgpSecretKey(bytes) : undefined;
    return { der: !!packet, encrypted: packet?.encrypted ?? false };
  }
  if (procEncrypted) return { der: !!bytes && bytes.length >= 32 && bytes.length % 8 === 0, encrypted: true };
  const encryptedPkcs8 = label === 'ENCRYPTED PRIVATE KEY';
  return { der: !!bytes && isDerSequence(bytes, encryptedPkcs8 ? 0x30 : 0x02), encrypted: label.includes('ENCRYPTED') };
}

/** Octets of the public-key material of a v3/v4 secret-key packet, by algorithm; undefined for ones not parsed. */
function skipPublicMaterial(d: Buffer, at: number, algorithm: number, end: number): number | undefined {
  let p = at;
  const mpi = (): boolean => {
    if (p + 2 > end) return false;
    p += 2 + Math.ceil(d.readUInt16BE(p) / 8);
    return p <= end;
  };
  const oid = (): boolean => {
    if (p >= end) return false;
    p += 1 + d[p];
    return p <= end;
  };
  const mpis = (n: number): boolean => {
    for (let k = 0; k < n; k++) if (!mpi()) return false;
    return true;
  };
  switch (algorithm) {
    case 1: case 2: case 3: return mpis(2) ? p : undefined; // RSA n, e
    case 16: case 20: return mpis(3) ? p : undefined; // Elgamal p, g, y
    case 17: return mpis(4) ? p : undefined; // DSA p, q, g, y
    case 19: case 22: return oid() && mpi() ? p : undefined; // ECDSA, EdDSA: curve, point
    case 18: return oid() && mpi() && oid() ? p : undefined; // ECDH: curve, point, KDF parameters
    default: return undefined;
  }
}

/** The first packet is a secret key (tag 5); `encrypted` when its S2K usage octet is not 0. */
function pgpSecretKey(d: Buffer): { encrypted: boolean } | undefined {
  if (d.length < 2 || !(d[0] & 0x80)) return undefined;
  let tag: number;
  let off: number;
  let len: number;
  if (d[0] & 0x40) {
    tag = d[0] & 0x3f;
    const o = d[1];
    if (o < 192) [off, len] = [2, o];
    else if (o < 224) [off, len] = [3, d.length >= 3 ? ((o - 192) << 8) + d[2] + 192 : 0];
    else if (o === 255) [off, len] = [6, d.length >= 6 ? d.readUInt32BE(2) : 0];
    else return undefined;
  } else {
    tag = (d[0] >> 2) & 0x0f;
    const type = d[0] & 3;
    if (type === 0) [off, len] = [2, d[1]];
    else if (type === 1) [off, len] = [3, d.length >= 3 ? d.readUInt16BE(1) : 0];
    else if (type === 2) [off, len] = [5, d.length >= 5 ? d.readUInt32BE(1) : 0];
    else [off, len] = [1, d.length - 1];
  }
  if (tag !== 5) return undefined;
  const end = Math.min(d.length, off + len);
  const version = d[off];
  let usageAt: number | undefined;
  if (version === 4 && off + 6 <= end) usageAt = skipPublicMaterial(d, off + 6, d[off + 5], end);
  else if (version === 3 && off + 8 <= end) usageAt = skipPublicMaterial(d, off + 8, d[off + 7], end);
  else if ((version === 5 || version === 6) && off + 10 <= end) usageAt = off + 10 + d.readUInt32BE(off + 6);
  return { encrypted: usageAt !== undefined && usageAt < end && d[usageAt] !== 0 };
}

// --- base64-encoded PEM ---------------------------------------------------------------------------------------

function isLineBreak(c: number | undefined): boolean {
  return c === 0x0a || c === 0x0d;
}

/** Past the base64 characters from `at` on, and up to two '=' of padding. */
function skipBase64(content: Buffer, at: number): number {
  let i = at;
  while (i < content.length && B64_DATA[content[i]] === 1) i++;
  for (let pad = 0; pad < 2 && content[i] === 0x3d; pad++) i++;
  return i;
}

/** The line from `lineStart` when it is one base64 run between optional whitespace; undefined when it holds more. */
function wholeLineRun(content: Buffer, lineStart: number): { start: number; end: number; next: number } | undefined {
  let i = lineStart;
  while (content[i] === 0x20 || content[i] === 0x09) i++;
  const start = i;
  i = skipBase64(content, i);
  const end = i;
  while (content[i] === 0x20 || content[i] === 0x09) i++;
  if (end === start || (i < content.length && !isLineBreak(content[i]))) return undefined;
  if (content[i] === 0x0d) i++;
  if (content[i] === 0x0a) i++;
  return { start, end, next: i };
}

/**
 * The blob around a trigger at `hit`: the base64 run on its line, and the lines before and after it when the blob
 * is wrapped (lines of base64 alone, each but the last at least MIN_WRAP long and unpadded). Never reaches
 * below `floor`, the end of the blob before.
 */
function encodedBlob(content: Buffer, hit: number, floor: number): { start: number; end: number; pieces: Array<[number, number]> } {
  let start = hit;
  while (start > floor && B64_DATA[content[start - 1]] === 1) start--;
  let end = skipBase64(content, hit);
  const pieces: Array<[number, number]> = [[start, end]];
  // Earlier lines of a wrapped blob: only when the run starts its line.
  let lineStart = start;
  while (lineStart > floor && (content[lineStart - 1] === 0x20 || content[lineStart - 1] === 0x09)) lineStart--;
  while (lineStart > floor && isLineBreak(content[lineStart - 1]) && hit - lineStart < MAX_ENCODED) {
    let prevEnd = lineStart - 1;
    if (content[prevEnd] === 0x0a && content[prevEnd - 1] === 0x0d) prevEnd--;
    let prevStart = prevEnd;
    while (prevStart > floor && !isLineBreak(content[prevStart - 1])) prevStart--;
    const run = wholeLineRun(content, prevStart);
    if (!run || run.end - run.start < MIN_WRAP || content[run.end - 1] === 0x3d) break;
    pieces.unshift([run.start, run.end]);
    start = run.start;
    lineStart = prevStart;
  }
  // Later lines.
  let last = pieces[pieces.length - 1];
  let i = end;
  while (content[i] === 0x20 || content[i] === 0x09) i++;
  while (isLineBreak(content[i]) && last[1] - last[0] >= MIN_WRAP && content[last[1] - 1] !== 0x3d && end - start < MAX_ENCODED) {
    if (content[i] === 0x0d) i++;
    if (content[i] === 0x0a) i++;
    const run = wholeLineRun(content, i);
    if (!run) break;
    last = [run.start, run.end];
    pieces.push(last);
    end = run.end;
    i = run.end;
    while (content[i] === 0x20 || content[i] === 0x09) i++;
  }
  return { start, end, pieces };
}

function findEncoded(content: Buffer): PemBlock[] {
  const hits = ENCODED_BEGIN.flatMap((t) => positions(content, t)).sort((a, b) => a - b);
  const blocks: PemBlock[] = [];
  let floor = 0;
  for (const hit of hits) {
    if (hit < floor) continue;
    const blob = encodedBlob(content, hit, floor);
    floor = blob.end;
    if (blob.end - blob.start > MAX_ENCODED) continue;
    const encoded = blob.pieces.map(([s, e]) => content.toString('latin1', s, e)).join('');
    const decoded = Buffer.from(encoded, 'base64');
    for (const inner of find(decoded, DECODED_SEARCHES)) blocks.push({ ...inner, start: blob.start, end: blob.end, form: 'base64' });
  }
  return blocks;
}
