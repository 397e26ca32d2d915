// The inventory holds no secret: to verify or revoke a stored token, its secret is read again from where it was
// found (the file and line, or the commit and path through `git cat-file --batch`), matched again with its rule,
// and used only if its fingerprint is the token's id.
import path from 'node:path';
import type { Occurrence, Rule, Token } from '../model/index.js';
import { openFileEntry, readFileToEnd } from '../sources/index.js';
import { CatFileReader } from '../sources/git/index.js';
import { FindingContext, type HeldSecret } from '../scan/findings.js';

export interface RereadOptions {
  rules: Rule[];
  fingerprintKey: string;
  /** What a place's path is relative to when it names no target or repository (the scan's single target). */
  root?: string;
  /** Org scans: each repository's folder, by its name in the inventory. */
  repoPaths?: Map<string, string>;
  maxFileSize?: number;
}

/** Places tried per token: the first few of its own (not a part's, not a name, an author or a message). */
const MAX_PLACES = 20;
const DEFAULT_MAX_SIZE = 50 * 1024 * 1024;

interface Want {
  token: Token;
  occ: Occurrence;
}

/** The secret (and parts) of each token that could be read again and matched to its fingerprint; others are absent. */
export async function rereadSecrets(tokens: Token[], o: RereadOptions): Promise<Map<string, HeldSecret>> {
  const out = new Map<string, HeldSecret>();
  const ruleIds = new Set(tokens.map((t) => t.ruleId));
  const rules = o.rules.filter((r) => ruleIds.has(r.id));
  if (!rules.length) return out;
  const ctx = new FindingContext({ rules, fingerprintKey: o.fingerprintKey, showSecrets: false, holdSecrets: true, allowSecrets: [], stopwords: [] });
  const maxSize = o.maxFileSize ?? DEFAULT_MAX_SIZE;
  const take = (t: Token, content: Buffer, relPath: string) => {
    if (out.has(t.id)) return;
    let found;
    try {
      found = ctx.scan(content, relPath).findings;
    } catch {
      return;
    }
    // The fingerprint decides: the secret read now is the one the inventory describes, or it is not used.
    const f = found.find((x) => x.id === t.id && x.ruleId === t.ruleId && x.held) ?? found.find((x) => x.id === t.id && x.held);
    if (f?.held) out.set(t.id, f.held);
  };
  const byRepo = new Map<string, Want[]>();
  for (const t of tokens) {
    const places = t.occurrences.filter((x) => !x.part && !x.kind && !x.pathFingerprint).slice(0, MAX_PLACES);
    for (const occ of places) {
      if (occ.commit) {
        const dir = occ.repo !== undefined ? o.repoPaths?.get(occ.repo) : (occ.target ?? o.root);
        if (!dir || occ.path.includes('\n')) continue;
        const list = byRepo.get(dir) ?? [];
        list.push({ token: t, occ });
        byRepo.set(dir, list);
        continue;
      }
      if (out.has(t.id)) continue;
      const base = occ.target ?? o.root ?? '.';
      const file = openFileEntry(path.resolve(base, occ.path));
      if ('error' in file) continue;
      try {
        const content = readFileToEnd(file, maxSize);
        if (Buffer.isBuffer(content)) take(t, content, occ.path);
      } finally {
        file.close();
      }
    }
  }
  for (const [dir, wants] of byRepo) {
    const pending = wants.filter((w) => !out.has(w.token.id));
    if (!pending.length) continue;
    const reader = new CatFileReader(dir, maxSize);
    try {
      const feed = (async () => {
        for (const w of pending) await reader.request(`${w.occ.commit}:${w.occ.path}`);
        reader.end();
      })();
      let i = 0;
      for await (const r of reader) {
        const w = pending[i++];
        if (w && r.data) take(w.token, r.data, w.occ.path);
        if (i >= pending.length) break;
      }
      await feed;
    } catch {
      // An unreadable repository: its tokens stay without a secret (their check says so).
    } finally {
      reader.close();
    }
  }
  return out;
}
