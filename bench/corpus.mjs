// Generates a deterministic, source-like tree for benchmarks: code, config and docs, with a few fake tokens.
import fs from 'node:fs';
import path from 'node:path';

/** Small seeded PRNG (mulberry32) so every run scans the same bytes. */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = ('const let var function return if else for while import export from default class extends new this ' +
  'await async try catch throw value result config options request response handler error message user account ' +
  'item items list map filter reduce length index count total name path file data buffer stream read write open ' +
  'close start stop update create delete fetch send parse format render build test expect describe module require').split(' ');
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export function generateTree(dir, { bytes = 50 * 1024 * 1024, seed = 42, tokenEvery = 40 } = {}) {
  const r = rng(seed);
  const pick = (a) => a[Math.floor(r() * a.length)];
  const rand = (alphabet, n) => Array.from({ length: n }, () => alphabet[Math.floor(r() * alphabet.length)]).join('');
  const ident = () => pick(WORDS) + pick(['', 'Id', 'Name', 'List', 'Map', 'Count', '_v2', 'Handler']);
  const line = (kind) => {
    switch (kind) {
      case 'js': return `  ${pick(['const', 'let'])} ${ident()} = ${pick([`${ident()}(${ident()}, ${Math.floor(r() * 1000)})`, `'${pick(WORDS)} ${pick(WORDS)}'`, `${ident()}.${ident()} + ${Math.floor(r() * 99)}`, `await ${ident()}.${pick(WORDS)}()`])};`;
      case 'py': return `    ${ident()} = ${pick([`${ident()}(${ident()})`, `"${pick(WORDS)}-${pick(WORDS)}"`, `[${ident()} for ${ident()} in ${ident()}]`, `self.${ident()}`])}`;
      case 'yaml': return `  ${ident()}: ${pick([pick(WORDS), Math.floor(r() * 5000), `"${pick(WORDS)} ${pick(WORDS)}"`, 'true'])}`;
      default: return `${pick(WORDS)} ${pick(WORDS)} ${pick(WORDS)} ${pick(WORDS)} ${pick(WORDS)} ${pick(WORDS)} ${pick(WORDS)} ${pick(WORDS)}.`;
    }
  };
  const kinds = [['js', '.js'], ['js', '.ts'], ['py', '.py'], ['yaml', '.yaml'], ['md', '.md']];
  fs.rmSync(dir, { recursive: true, force: true });
  let total = 0;
  let n = 0;
  let tokens = 0;
  while (total < bytes) {
    const [kind, ext] = pick(kinds);
    const target = 4096 + Math.floor(r() * 28000);
    const lines = [];
    let size = 0;
    while (size < target) {
      const l = line(kind);
      lines.push(l);
      size += l.length + 1;
    }
    if (n % tokenEvery === 0) {
      const fake = pick([`ghp_${rand(ALNUM, 36)}`, `AKIA${rand('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', 16)}`, `xoxb-${rand('0123456789', 12)}-${rand('0123456789', 13)}-${rand(ALNUM, 24)}`, `sk_live_${rand(ALNUM, 24)}`]);
      lines.splice(Math.floor(r() * lines.length), 0, `  const apiToken = "${fake}";`);
      tokens++;
    }
    const body = lines.join('\n') + '\n';
    const p = path.join(dir, `pkg${n % 37}`, `mod${n % 11}`, `file${n}${ext}`);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, body);
    total += body.length;
    n++;
  }
  return { files: n, bytes: total, tokens };
}
