// Private-key blocks in every form they are written in. Every key is made at test time.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { findPemBlocks, PEM_TRIGGER_SEARCH, PEM_TRIGGERS, type PemBlock } from '../../src/match/pem.js';

interface Pem {
  text: string;
  label: string;
  body: string;
}

/** The label and the body (headers and checksum left out) of a PEM text. */
function parsePem(text: string): Pem {
  const lines = text.trim().split(/\r?\n/);
  const label = /^-+ ?BEGIN (.+?) ?-+$/.exec(lines[0])![1];
  const inner = lines.slice(1, -1);
  const blank = inner.indexOf('');
  const afterHeaders = inner.some((l) => l.includes(':')) ? inner.slice(blank + 1) : inner;
  const body = afterHeaders.filter((l) => l && !/^=....$/.test(l) && !l.includes(':')).join('');
  return { text: text.trim(), label, body };
}

function wrap(b64: string, width = 64): string {
  return b64.match(new RegExp(`.{1,${width}}`, 'g'))!.join('\n');
}

function armor(label: string, body: string, headers: string[] = [], width = 64): Pem {
  const head = headers.length ? `${headers.join('\n')}\n\n` : '';
  return { text: `-----BEGIN ${label}-----\n${head}${wrap(body, width)}\n-----END ${label}-----`, label, body };
}

const rsaPkcs1 = (cipher?: string): Pem =>
  parsePem(
    generateKeyPairSync('rsa', {
      modulusLength: 1024,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: cipher ? { type: 'pkcs1', format: 'pem', cipher, passphrase: 'test' } : { type: 'pkcs1', format: 'pem' },
    }).privateKey,
  );
const rsaPkcs8 = (cipher?: string): Pem =>
  parsePem(
    generateKeyPairSync('rsa', {
      modulusLength: 1024,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: cipher ? { type: 'pkcs8', format: 'pem', cipher, passphrase: 'test' } : { type: 'pkcs8', format: 'pem' },
    }).privateKey,
  );
const ecSec1 = (): Pem =>
  parsePem(
    generateKeyPairSync('ec', {
      namedCurve: 'prime256v1',
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'sec1', format: 'pem' },
    }).privateKey,
  );
const ed25519 = (): Pem =>
  parsePem(
    generateKeyPairSync('ed25519', {
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    }).privateKey,
  );

function sshString(s: string | Buffer): Buffer {
  const b = typeof s === 'string' ? Buffer.from(s, 'latin1') : s;
  const n = Buffer.alloc(4);
  n.writeUInt32BE(b.length);
  return Buffer.concat([n, b]);
}

/** An OpenSSH key file: the real magic and header fields around random key data. */
function openssh(cipher = 'none'): Pem {
  const n = Buffer.alloc(4);
  n.writeUInt32BE(1);
  const raw = Buffer.concat([
    Buffer.from('openssh-key-v1\0', 'latin1'),
    sshString(cipher),
    sshString(cipher === 'none' ? 'none' : 'bcrypt'),
    sshString(cipher === 'none' ? '' : randomBytes(24)),
    n,
    sshString(Buffer.concat([sshString('ssh-ed25519'), sshString(randomBytes(32))])),
    sshString(randomBytes(144)),
  ]);
  return armor('OPENSSH PRIVATE KEY', raw.toString('base64'), [], 70);
}

/** An ssh.com (SSH2) key file: magic, length, key type and cipher, random key data. */
function ssh2(cipher = '3des-cbc'): Pem {
  const rest = Buffer.concat([sshString('if-modn{sign{rsa-pkcs1-sha1},encrypt{rsa-pkcs1v2-oaep}}'), sshString(cipher), sshString(randomBytes(600))]);
  const head = Buffer.alloc(8);
  head.writeUInt32BE(0x3f6ff9eb, 0);
  head.writeUInt32BE(8 + rest.length, 4);
  const body = Buffer.concat([head, rest]).toString('base64');
  const label = 'SSH2 ENCRYPTED PRIVATE KEY';
  return {
    text: `---- BEGIN ${label} ----\nSubject: tester\nComment: "rsa-key-20240101 \\\nmore comment"\n${wrap(body, 70)}\n---- END ${label} ----`,
    label,
    body,
  };
}

/** A PGP secret key: a v4 RSA secret-key packet (random modulus) with the given S2K usage, then random bytes. */
function pgp(s2kUsage: number): Pem {
  const modulus = randomBytes(128);
  modulus[0] |= 0x80;
  const packetBody = Buffer.concat([
    Buffer.from([4, 0x66, 0x00, 0x00, 0x00, 1]),
    Buffer.from([0x04, 0x00]),
    modulus,
    Buffer.from([0x00, 0x11, 0x01, 0x00, 0x01]),
    Buffer.from([s2kUsage]),
    randomBytes(300),
  ]);
  const len = packetBody.length - 192;
  const packet = Buffer.concat([Buffer.from([0xc5, (len >> 8) + 192, len & 0xff]), packetBody]);
  const body = packet.toString('base64');
  const label = 'PGP PRIVATE KEY BLOCK';
  const text = `-----BEGIN ${label}-----\nVersion: GnuPG v2\nComment: test key\n\n${wrap(body)}\n=${randomBytes(3).toString('base64')}\n-----END ${label}-----`;
  return { text, label, body };
}

function only(content: string | Buffer): PemBlock {
  const blocks = findPemBlocks(Buffer.isBuffer(content) ? content : Buffer.from(content));
  expect(blocks).toHaveLength(1);
  return blocks[0];
}

/** The block's span is exactly from BEGIN to the END marker's last dash. */
function expectSpan(content: string, block: PemBlock, label: string): void {
  const buf = Buffer.from(content);
  const begin = label.startsWith('SSH2') ? `---- BEGIN ${label} ----` : `-----BEGIN ${label}-----`;
  const end = label.startsWith('SSH2') ? `---- END ${label} ----` : `-----END ${label}-----`;
  expect(block.start).toBe(buf.indexOf(begin));
  expect(block.end).toBe(buf.indexOf(end) + end.length);
}

function expectKey(block: PemBlock, pem: Pem, form: PemBlock['form']): void {
  expect(block).toMatchObject({ label: pem.label, body: pem.body, form, der: true, placeholder: false });
}

const prefixed = (pem: Pem, prefix: (i: number) => string): string =>
  pem.text
    .split('\n')
    .map((l, i) => prefix(i) + l)
    .join('\n');

describe('plain PEM', () => {
  it('finds PKCS#1, PKCS#8, SEC1 and Ed25519 keys with LF line ends, with exact spans', () => {
    for (const pem of [rsaPkcs1(), rsaPkcs8(), ecSec1(), ed25519()]) {
      const content = `config:\n${pem.text}\nmore\n`;
      const block = only(content);
      expectKey(block, pem, 'plain');
      expect(block.encrypted).toBe(false);
      expectSpan(content, block, pem.label);
    }
  });

  it('finds a key with CRLF line ends', () => {
    const pem = rsaPkcs8();
    const content = `a\r\n${pem.text.replace(/\n/g, '\r\n')}\r\nb\r\n`;
    const block = only(content);
    expectKey(block, pem, 'plain');
    expectSpan(content, block, pem.label);
  });

  it('reads Proc-Type and DEK-Info headers: encrypted legacy PEM, ciphertext body', () => {
    const pem = rsaPkcs1('aes-256-cbc');
    expect(pem.text).toContain('Proc-Type: 4,ENCRYPTED');
    const block = only(pem.text);
    expect(block).toMatchObject({ body: pem.body, form: 'plain', der: true, encrypted: true, placeholder: false });
  });

  it('marks encrypted PKCS#8 as encrypted and DER', () => {
    const pem = rsaPkcs8('aes-256-cbc');
    const block = only(pem.text);
    expectKey(block, pem, 'plain');
    expect(block).toMatchObject({ label: 'ENCRYPTED PRIVATE KEY', encrypted: true });
  });

  it('finds the EC key after EC PARAMETERS, and not the parameters', () => {
    const pem = ecSec1();
    const params = `-----BEGIN EC PARAMETERS-----\n${Buffer.from([0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07]).toString('base64')}\n-----END EC PARAMETERS-----`;
    const content = `${params}\n${pem.text}\n`;
    const block = only(content);
    expectKey(block, pem, 'plain');
    expectSpan(content, block, 'EC PRIVATE KEY');
  });

  it('finds several keys in one file, in order', () => {
    const keys = [rsaPkcs1(), ecSec1(), openssh()];
    const blocks = findPemBlocks(Buffer.from(keys.map((k) => k.text).join('\n\n')));
    expect(blocks.map((b) => [b.label, b.body])).toEqual(keys.map((k) => [k.label, k.body]));
  });
});

describe('every line behind a prefix', () => {
  const pem = rsaPkcs1();
  const cases: Array<[string, (i: number) => string]> = [
    ['ISO log stamps that change per line', (i) => `2024-05-01T10:00:${String(i % 60).padStart(2, '0')}Z INFO `],
    ['buildkit step timings that grow in width', (i) => `#6 ${(9.9 + i * 0.013).toFixed(3)} `],
    ['# comments', () => '# '],
    ['// comments', () => '// '],
    [' * block comments', () => ' * '],
    ['-- comments', () => '-- '],
    ['; comments', () => '; '],
    ['git diff additions', () => '+'],
    ['a log line whose first line names the value', (i) => `2024-05-01 10:00:${String(i % 60).padStart(2, '0')},${100 + i} DEBUG [main] ${i === 0 ? 'key=' : ''}`],
    ['ragged # comments', (i) => ['#', '# ', '  #  ', '#\t'][i % 4]],
    ['ragged // comments', (i) => ['// ', '//  ', '  // ', '\t//\t'][i % 4]],
  ];
  for (const [name, prefix] of cases) {
    it(name, () => {
      const content = `start\n${prefixed(pem, prefix)}\nend\n`;
      const block = only(content);
      expectKey(block, pem, 'prefixed');
      expectSpan(content, block, pem.label);
    });
  }

  it('YAML block scalar', () => {
    const content = `apiVersion: v1\nstringData:\n  tls.key: |\n${prefixed(pem, () => '    ')}\n  other: x\n`;
    expectKey(only(content), pem, 'prefixed');
  });

  it('an .env value whose quotes open on the BEGIN line and close on the END line', () => {
    const content = `A=1\nPRIVATE_KEY="${pem.text}"\nB=2\n`;
    const block = only(content);
    expectKey(block, pem, 'prefixed');
    expectSpan(content, block, pem.label);
  });

  it('PGP armor with headers, blank line and checksum behind # , with a prefix-only line', () => {
    const key = pgp(0);
    const content = key.text
      .split('\n')
      .map((l) => (l === '' ? '#' : `# ${l}`))
      .join('\n');
    const block = only(content);
    expectKey(block, key, 'prefixed');
    expect(block.encrypted).toBe(false);
  });
});

describe('escaped in a string', () => {
  it('a JSON key file private_key field with \\n', () => {
    const pem = rsaPkcs8();
    const content = JSON.stringify({ type: 'service_account', private_key_id: 'x', private_key: `${pem.text}\n`, client_email: 'a@b' }, null, 2);
    const block = only(content);
    expectKey(block, pem, 'escaped');
    expectSpan(content, block, pem.label);
  });

  it('\\r\\n escapes', () => {
    const pem = ecSec1();
    const content = `key = "${pem.text.replace(/\n/g, '\\r\\n')}\\r\\n";\n`;
    expectKey(only(content), pem, 'escaped');
  });

  it('double-escaped \\\\n: JSON inside a JSON string', () => {
    const pem = rsaPkcs1();
    const content = JSON.stringify({ config: JSON.stringify({ private_key: pem.text }) });
    expect(content).toContain('\\\\n');
    const block = only(content);
    expectKey(block, pem, 'escaped');
    expectSpan(content, block, pem.label);
  });

  it('escaped slashes (PHP json_encode) and \\u002B (.NET)', () => {
    const pem = rsaPkcs8();
    const php = `{"key":"${pem.text.replace(/\//g, '\\/').replace(/\n/g, '\\n')}"}`;
    expectKey(only(php), pem, 'escaped');
    const dotnet = `{"key":"${pem.text.replace(/\+/g, '\\u002B').replace(/\n/g, '\\n')}"}`;
    expectKey(only(dotnet), pem, 'escaped');
  });

  it('an apostrophe in an escaped armor header keeps it escaped', () => {
    const key = pgp(0);
    const content = JSON.stringify({ key: key.text.replace('Comment: test key', "Comment: don't share") });
    expectKey(only(content), key, 'escaped');
  });

  it('headers inside an escaped string', () => {
    const pem = rsaPkcs1('aes-128-cbc');
    const block = only(`"${pem.text.replace(/\n/g, '\\n')}"`);
    expect(block).toMatchObject({ body: pem.body, form: 'escaped', encrypted: true, der: true });
  });

  it('XML character references, on one line and at line ends', () => {
    const pem = rsaPkcs1();
    expectKey(only(`<key>${pem.text.replace(/\n/g, '&#xA;')}</key>`), pem, 'escaped');
    expectKey(only(`<key>${pem.text.replace(/\n/g, '&#13;\n')}</key>`), pem, 'prefixed');
  });

  it('C string with escaped breaks and backslash line continuations', () => {
    const pem = ecSec1();
    expectKey(only(`const char *key = "${pem.text.replace(/\n/g, '\\n\\\n')}\\n";`), pem, 'prefixed');
  });

  it('flattened onto one line with spaces (environment variable)', () => {
    const pem = rsaPkcs1();
    const content = `export KEY='${pem.text.replace(/\n/g, ' ')}'\n`;
    const block = only(content);
    expectKey(block, pem, 'inline');
    expectSpan(content, block, pem.label);
  });
});

describe('split over concatenated string literals', () => {
  const lines = (pem: Pem) => pem.text.split('\n');

  it('Java: + at line ends', () => {
    const pem = rsaPkcs8();
    const content = `String k = ${lines(pem)
      .map((l) => `"${l}\\n"`)
      .join(' +\n    ')};\n`;
    const block = only(content);
    expectKey(block, pem, 'concatenated');
    expectSpan(content, block, pem.label);
  });

  it('JavaScript: + at the start of continuation lines, single quotes', () => {
    const pem = ecSec1();
    const content = `const key =\n  '${lines(pem).join("\\n'\n  + '")}';\n`;
    expectKey(only(content), pem, 'concatenated');
  });

  it('Python implicit concatenation in parentheses', () => {
    const pem = rsaPkcs1();
    const content = `KEY = (\n${lines(pem)
      .map((l) => `    "${l}\\n"`)
      .join('\n')}\n)\n`;
    expectKey(only(content), pem, 'concatenated');
  });

  it('Go: literals without line breaks', () => {
    const pem = rsaPkcs8();
    const ls = lines(pem);
    const content = `const key = "${ls[0]}\\n" +\n${ls
      .slice(1, -1)
      .map((l) => `\t"${l}" +`)
      .join('\n')}\n\t"\\n${ls[ls.length - 1]}"\n`;
    expectKey(only(content), pem, 'concatenated');
  });

  it('a JSON array of lines (Jupyter notebook source), and shell echo lines', () => {
    const pem = rsaPkcs8();
    const notebook = `{\n "source": [\n${lines(pem)
      .map((l) => `    "${l}\\n",`)
      .join('\n')}\n ]\n}`;
    expectKey(only(notebook), pem, 'concatenated');
    const shell = lines(pem)
      .map((l, i) => `echo "${l}" ${i ? '>>' : '>'} key.pem`)
      .join('\n');
    expectKey(only(shell), pem, 'concatenated');
  });

  it('C#: \\r\\n escapes, and all on one line (minified)', () => {
    const pem = ecSec1();
    const cs = `var k = ${lines(pem)
      .map((l) => `"${l}\\r\\n"`)
      .join(' +\n        ')};`;
    expectKey(only(cs), pem, 'concatenated');
    const min = `var k=${lines(pem)
      .map((l) => `"${l}\\n"`)
      .join('+')};`;
    expectKey(only(min), pem, 'concatenated');
  });
});

describe('base64-encoded whole PEM', () => {
  const b64 = (s: string) => Buffer.from(s).toString('base64');

  it('a Kubernetes Secret data value: span is the encoded blob', () => {
    const pem = rsaPkcs1();
    const blob = b64(`${pem.text}\n`);
    expect(blob.startsWith('LS0tLS1CRUdJTi')).toBe(true);
    const content = `kind: Secret\ndata:\n  tls.key: ${blob}\n  tls.crt: abc\n`;
    const block = only(content);
    expectKey(block, pem, 'base64');
    expect(block.start).toBe(content.indexOf(blob));
    expect(block.end).toBe(content.indexOf(blob) + blob.length);
  });

  it('wrapped at 76 columns in a YAML block scalar, and in a JSON value', () => {
    const pem = ed25519();
    const blob = b64(`${rsaPkcs8().text}\n${pem.text}\n`);
    const wrapped = wrap(blob, 76)
      .split('\n')
      .map((l) => `    ${l}`)
      .join('\n');
    const content = `key: |\n${wrapped}\nnext: 1\n`;
    const blocks = findPemBlocks(Buffer.from(content));
    expect(blocks).toHaveLength(2);
    expectKey(blocks[1], pem, 'base64');
    expect(blocks[1].start).toBe(content.indexOf(blob.slice(0, 76)));
    expect(blocks[1].end).toBe(content.indexOf('\nnext'));
    const json = `{"tls.key": "${b64(pem.text)}"}`;
    expectKey(only(json), pem, 'base64');
  });

  it('a base64-encoded JSON key file: the PEM sits at any alignment, escaped inside', () => {
    for (let pad = 0; pad < 3; pad++) {
      const pem = rsaPkcs8();
      const json = JSON.stringify({ type: 'service_account', project_id: 'p'.repeat(pad + 1), private_key: `${pem.text}\n` });
      const content = `GOOGLE_CREDENTIALS=${b64(json)}\n`;
      const block = only(content);
      expectKey(block, pem, 'base64');
      expect(block.start).toBe(content.indexOf('=') + 1);
    }
  });

  it('ignores base64 of a certificate or of text without a key', () => {
    const cert = armor('CERTIFICATE', randomBytes(600).toString('base64')).text;
    expect(findPemBlocks(Buffer.from(`crt: ${b64(cert)}\n`))).toEqual([]);
    expect(findPemBlocks(Buffer.from(`x: ${b64('-----BEGIN nothing here')}\n`))).toEqual([]);
  });
});

describe('key formats', () => {
  it('PGP private key blocks: armor headers, blank line and checksum; S2K usage tells encrypted', () => {
    const plain = pgp(0);
    const block = only(plain.text);
    expectKey(block, plain, 'plain');
    expect(block.encrypted).toBe(false);
    const locked = pgp(254);
    expect(only(locked.text)).toMatchObject({ body: locked.body, der: true, encrypted: true });
  });

  it('OpenSSH keys: magic, cipher name', () => {
    const none = openssh();
    expect(none.body.startsWith('b3BlbnNzaC1rZXktdjE')).toBe(true);
    expect(only(none.text)).toMatchObject({ label: 'OPENSSH PRIVATE KEY', body: none.body, der: true, encrypted: false, placeholder: false });
    const aes = openssh('aes256-ctr');
    expect(only(aes.text)).toMatchObject({ body: aes.body, der: true, encrypted: true });
  });

  it('SSH2 keys: ---- markers, RFC 4716 headers with continuation, cipher name', () => {
    const key = ssh2();
    const content = `x\n${key.text}\n`;
    const block = only(content);
    expectKey(block, key, 'plain');
    expect(block.encrypted).toBe(true);
    expectSpan(content, block, key.label);
    expect(only(ssh2('none').text).encrypted).toBe(false);
  });
});

describe('bodies that are not keys', () => {
  it('returns random base64 and base64 of other data with der false', () => {
    const random = armor('RSA PRIVATE KEY', randomBytes(600).toString('base64').replace(/^./, 'Q'));
    expect(only(random.text)).toMatchObject({ body: random.body, der: false, placeholder: false });
    const text = armor('PRIVATE KEY', Buffer.from('this is not a key, just some words '.repeat(8)).toString('base64'));
    expect(only(text.text)).toMatchObject({ body: text.body, der: false, placeholder: false });
  });

  it('marks placeholders: ..., xxxx, a few characters, <your key here>, words, one character repeated', () => {
    const cases: Array<[string, string]> = [
      ['...', '...'],
      ['MIIEpAIBAAKCAQEA...', 'MIIEpAIBAAKCAQEA...'],
      ['xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx', 'x'.repeat(70)],
      ['MIIBOgIBAAJBAKj34GkxFhD9', 'MIIBOgIBAAJBAKj34GkxFhD9'],
      ['<your key here>', '<yourkeyhere>'],
      ['YOUR PRIVATE KEY', 'YOURPRIVATEKEY'],
      [`${'A'.repeat(64)}\n${'A'.repeat(64)}`, 'A'.repeat(128)],
    ];
    for (const [inner, body] of cases) {
      const content = `-----BEGIN RSA PRIVATE KEY-----\n${inner}\n-----END RSA PRIVATE KEY-----\n`;
      expect(only(content), inner).toMatchObject({ body, placeholder: true, der: false });
      expect(only(JSON.stringify({ k: content })), inner).toMatchObject({ placeholder: true, form: 'escaped' });
    }
    expect(only('-----BEGIN PRIVATE KEY----------END PRIVATE KEY-----')).toMatchObject({ body: '', placeholder: true, form: 'inline' });
  });

  it('does not return public keys or certificates', () => {
    const { publicKey } = generateKeyPairSync('rsa', {
      modulusLength: 1024,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
    const rsaPublic = generateKeyPairSync('rsa', {
      modulusLength: 1024,
      publicKeyEncoding: { type: 'pkcs1', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    }).publicKey;
    const cert = armor('CERTIFICATE', randomBytes(700).toString('base64')).text;
    const pgpPublic = armor('PGP PUBLIC KEY BLOCK', randomBytes(300).toString('base64')).text;
    expect(findPemBlocks(Buffer.from([publicKey, rsaPublic, cert, pgpPublic].join('\n')))).toEqual([]);
  });

  it('does not take prose or code between a BEGIN and a later END for a key', () => {
    const code = [
      "const BEGIN = '-----BEGIN RSA PRIVATE KEY-----';",
      'function parse(text) {',
      '  const lines = text.split("\\n");',
      '  return lines.filter((l) => !l.startsWith("-"));',
      '}',
      '// it ends with -----END RSA PRIVATE KEY----- as usual',
    ].join('\n');
    expect(findPemBlocks(Buffer.from(code)).filter((b) => !b.placeholder)).toEqual([]);
  });
});

describe('robustness', () => {
  it('skips a BEGIN without END, and a BEGIN followed by another BEGIN, but finds the complete block after', () => {
    const pem = rsaPkcs1();
    const content = `-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n\n-----BEGIN PRIVATE KEY-----\nabc\n${pem.text}\n-----BEGIN EC PRIVATE KEY-----\nMHcC\n`;
    const block = only(content);
    expectKey(block, pem, 'plain');
    expect([block.start, block.end]).toEqual([content.indexOf(pem.text), content.indexOf(pem.text) + pem.text.length]);
  });

  it('skips a block whose END is more than 64 KB away', () => {
    const body = randomBytes(60_000).toString('base64');
    expect(findPemBlocks(Buffer.from(armor('PRIVATE KEY', body).text))).toEqual([]);
  });

  it('tolerates invalid UTF-8 and reports byte offsets', () => {
    const pem = ecSec1();
    const content = Buffer.concat([Buffer.from('é€😀 '), Buffer.from([0xff, 0xfe, 0xc3, 0x0a]), Buffer.from(pem.text), Buffer.from([0x80, 0x0a])]);
    const block = only(content);
    expectKey(block, pem, 'plain');
    expect(content.subarray(block.start, block.end).toString()).toBe(pem.text);
  });

  it('PEM_TRIGGERS occur in every form', () => {
    const pem = rsaPkcs1();
    const forms = [
      pem.text,
      prefixed(pem, () => '# '),
      JSON.stringify({ k: pem.text }),
      Buffer.from(pem.text).toString('base64'),
      `x${Buffer.from(pem.text).toString('base64')}`,
      Buffer.from(`ab${pem.text}`).toString('base64'),
      Buffer.from(`a${pem.text}`).toString('base64'),
      ssh2().text,
    ];
    for (const f of forms) expect(PEM_TRIGGERS.some((t) => f.toLowerCase().includes(t)), f.slice(0, 40)).toBe(true);
    expect(PEM_TRIGGERS.every((t) => t === t.toLowerCase())).toBe(true);
    // The matcher searches only the forms whose triggers occur: that finds every block the full search finds.
    let found = 0;
    for (const f of forms) {
      const searches = new Set(PEM_TRIGGERS.filter((t) => f.toLowerCase().includes(t)).map((t) => PEM_TRIGGER_SEARCH.get(t)!));
      const all = findPemBlocks(Buffer.from(f));
      found += all.length;
      expect(findPemBlocks(Buffer.from(f), searches), f.slice(0, 40)).toEqual(all);
    }
    expect(found).toBeGreaterThanOrEqual(forms.length - 1);
  });

  it('stays linear on 50 MB of markers without ENDs, triggers inside long base64, and thousands of keys', () => {
    const key = rsaPkcs1();
    const base64Line = `${randomBytes(3000).toString('base64')}LS0tLS1CRUdJTi${randomBytes(300).toString('base64')}`;
    const unit = [
      '-----BEGIN RSA PRIVATE KEY-----\n'.repeat(50),
      `{"k": "${'-----BEGIN PRIVATE KEY-----\\nMIIE'.repeat(200)}"}\n`,
      `${'LS0tLS1CRUdJTi'.repeat(100)}\n${base64Line}\n`,
      `-----BEGIN PRIVATE KEY-----\n${wrap(randomBytes(3000).toString('base64'))}\n`,
      'function f(a, b) { return a + b; } // filler text of ordinary source code\n'.repeat(200),
      `${key.text}\n`,
    ].join('');
    const copies = Math.ceil((50 * 1024 * 1024) / unit.length);
    const content = Buffer.from(unit.repeat(copies));
    const t0 = performance.now();
    const blocks = findPemBlocks(content);
    const ms = performance.now() - t0;
    expect(blocks.filter((b) => b.body === key.body)).toHaveLength(copies);
    expect(blocks).toHaveLength(copies);
    // Generous: measured well under a second; a quadratic rescan would take minutes.
    expect(ms).toBeLessThan(15_000);
  });
});
