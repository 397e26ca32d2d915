// Opens archives and packages held in memory (zip and its family: .jar, .war, .whl, .nupkg, .apk; tar; gzip,
// .tar.gz/.tgz) and yields their members' bytes, nested archives opened up to a depth. Knows nothing of rules: the
// scan layer matches what comes out. Nothing is written to disk, so member names are labels only (a `../` in one
// goes nowhere). Limits stop zip bombs; whatever was read before a limit was hit is still yielded.
import zlib from 'node:zlib';
import type { Readable } from 'node:stream';
import yauzl from 'yauzl';
import tar from 'tar-stream';
import { archiveKind, type ArchiveKind, type ArchiveLimits } from './archive-kind.js';
import { isLeftOutName } from './files.js';

export * from './archive-kind.js';

/** What expanding an archive yields: a member's bytes, or a skip (path '' is the archive itself). */
export type ArchiveItem =
  | { kind: 'member'; path: string; bytes: Buffer }
  /** `corrupt`: the archive (or what is left of it) could not be read: a warning as well as a skip. */
  | { kind: 'skip'; path: string; reason: string; corrupt?: boolean };

/** Shared by an archive and the archives nested in it. */
interface Budget {
  expanded: number;
  entries: number;
  /** A whole-archive limit was hit: nothing more is read. */
  stopped?: string;
  /** The stop was reported (once, by the archive it happened in). */
  told?: boolean;
}

const MB = 1024 * 1024;
const size = (n: number) => (n >= MB ? `${Math.round((n / MB) * 10) / 10} MB` : `${n} bytes`);
const join = (outer: string, inner: string) => (outer ? `${outer}!${inner}` : inner);

/** A member's name as a path: `/` separators, no leading `./` or `/` (names are labels, never opened). */
function memberName(name: string): string {
  return name.replace(/\\/g, '/').replace(/^(?:\.?\/)+/, '');
}

class Expander {
  private readonly budget: Budget = { expanded: 0, entries: 0 };

  constructor(
    private readonly limits: ArchiveLimits,
    /** The top-level archive's own name: what names the member of a top-level .gz, and hints at a tar. */
    private readonly topName: string,
  ) {}

  private nameOf(path: string): string {
    return path || this.topName;
  }

  /** The skip that says an archive stopped at a whole-archive limit, the first time it is asked for. */
  private *stop(path: string): Generator<ArchiveItem> {
    if (!this.budget.stopped || this.budget.told) return;
    this.budget.told = true;
    yield { kind: 'skip', path, reason: this.budget.stopped };
  }

  /** Counts one entry; false (and the archive stopped) past the entry cap. */
  private entry(): boolean {
    if (this.budget.stopped) return false;
    if (++this.budget.entries > this.limits.maxEntries) {
      this.budget.stopped = `more than ${this.limits.maxEntries} entries (the limit against archive bombs): the rest was not read`;
      return false;
    }
    return true;
  }

  /** The reason a member of these sizes is not read, if any (zip members declare both up front). */
  private tooBig(expanded: number, compressed: number): string | undefined {
    const l = this.limits;
    if (expanded > l.maxMemberSize) return `larger than --max-file-size (${expanded} bytes)`;
    if (expanded > l.ratioFloor && expanded > l.maxRatio * Math.max(1, compressed)) {
      return `compression ratio over ${l.maxRatio}:1 (${size(compressed)} expands to ${size(expanded)}; the limit against archive bombs)`;
    }
    if (this.budget.expanded + expanded > l.maxExpanded) {
      this.budget.stopped = `expands to more than ${size(l.maxExpanded)} (the limit against archive bombs): the rest was not read`;
    }
    return this.budget.stopped;
  }

  /** Members of the archive `bytes` (at `path` within the top-level one; '' for it), depth 1 for a top-level one. */
  async *expand(bytes: Buffer, path: string, depth: number, kind: ArchiveKind): AsyncGenerator<ArchiveItem> {
    let yielded = false;
    try {
      const inner = kind === 'zip' ? this.zip(bytes, path, depth) : kind === 'tar' ? this.tar(chunksOf(bytes), path, depth) : this.gzip(bytes, path, depth);
      for await (const item of inner) {
        yielded = true;
        yield item;
      }
    } catch (err) {
      const what = `corrupt ${kind === 'gzip' ? 'gzip' : kind} archive (${String((err as Error).message ?? err).split('\n')[0]})`;
      yield { kind: 'skip', path, reason: yielded ? `${what}: the rest was not read` : what, corrupt: true };
    }
  }

  /** A member read whole: nested archives opened (or skipped past the depth), anything else yielded. */
  private async *member(bytes: Buffer, path: string, depth: number): AsyncGenerator<ArchiveItem> {
    const kind = archiveKind(bytes, this.nameOf(path));
    if (!kind) {
      yield { kind: 'member', path, bytes };
      return;
    }
    if (depth >= this.limits.depth) {
      yield { kind: 'skip', path, reason: `archive nested deeper than --archive-depth ${this.limits.depth}: not opened` };
      return;
    }
    yield* this.expand(bytes, path, depth + 1, kind);
  }

  /** A member under `.git` or (unless asked for) a vendored folder is left out, as a walk of a tree leaves them. */
  private leftOut(member: string): boolean {
    return member.split('/').some((name) => isLeftOutName(name, this.limits.includeVendored ?? false));
  }

  private async *zip(bytes: Buffer, path: string, depth: number): AsyncGenerator<ArchiveItem> {
    const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
      // Names are decoded here, not by yauzl, which rejects the whole archive for one absolute or `../` name:
      // nothing is written to disk, so such a name is only a label and its member is read like any other.
      yauzl.fromBuffer(bytes, { lazyEntries: true, decodeStrings: false, validateEntrySizes: true }, (err, z) => (err ? reject(err) : resolve(z))),
    );
    // An error between reads would otherwise be an unhandled 'error' event: kept for the next read.
    let failure: Error | undefined;
    zip.on('error', (err: Error) => void (failure ??= err));
    try {
      for (;;) {
        const entry = await nextZipEntry(zip, () => failure);
        if (!entry) return;
        if (!this.entry()) break;
        const fileName = zipEntryName(entry);
        if (fileName.endsWith('/') || this.leftOut(memberName(fileName))) continue;
        const name = join(path, memberName(fileName));
        if (entry.isEncrypted()) {
          yield { kind: 'skip', path: name, reason: 'encrypted member: not readable' };
          continue;
        }
        const over = this.tooBig(entry.uncompressedSize, entry.compressedSize);
        if (this.budget.stopped) break;
        if (over) {
          yield { kind: 'skip', path: name, reason: over };
          continue;
        }
        let data: Buffer;
        try {
          const stream = await new Promise<Readable>((resolve, reject) => zip.openReadStream(entry, (err, s) => (err ? reject(err) : resolve(s))));
          data = await readAll(stream, entry.uncompressedSize);
        } catch (err) {
          // One unreadable member (an unsupported method, a bad CRC): the others are still read.
          yield { kind: 'skip', path: name, reason: `member not readable (${String((err as Error).message).split('\n')[0]})` };
          continue;
        }
        this.budget.expanded += data.length;
        yield* this.member(data, name, depth);
        if (this.budget.stopped) break;
      }
      yield* this.stop(path);
    } finally {
      zip.close();
    }
  }

  private async *tar(chunks: AsyncIterable<Buffer>, path: string, depth: number, stopped?: () => string | undefined): AsyncGenerator<ArchiveItem> {
    const extract = tar.extract();
    const feeding = feed(chunks, extract);
    try {
      for await (const entry of extract) {
        const h = entry.header;
        if (!this.entry()) {
          entry.resume();
          break;
        }
        if ((h.type !== 'file' && h.type !== 'contiguous-file') || this.leftOut(memberName(h.name))) {
          entry.resume();
          continue;
        }
        const name = join(path, memberName(h.name));
        // A tar holds its members as they are: only the gzip around it expands (and is counted there).
        if (h.size > this.limits.maxMemberSize) {
          entry.resume();
          yield { kind: 'skip', path: name, reason: `larger than --max-file-size (${h.size} bytes)` };
          continue;
        }
        const data = await readAll(entry as AsyncIterable<Buffer>, h.size);
        yield* this.member(data, name, depth);
        if (this.budget.stopped) break;
      }
    } catch (err) {
      // The gzip around the tar stopped at a limit: the tar is cut short, which is no corruption.
      if (!stopped?.()) throw err;
    } finally {
      extract.destroy();
      await feeding;
    }
    const limit = stopped?.();
    if (limit && !this.budget.stopped) yield { kind: 'skip', path, reason: limit };
    else yield* this.stop(path);
  }

  /** A gzip stream: a tar inside (.tar.gz, .tgz, an npm package) is opened as one; anything else is one member. */
  private async *gzip(bytes: Buffer, path: string, depth: number): AsyncGenerator<ArchiveItem> {
    const l = this.limits;
    let limit: string | undefined;
    const budget = this.budget;
    const gunzip = zlib.createGunzip();
    gunzip.end(bytes);
    const stream = gunzip[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    let expanded = 0;
    // Output, cut at the first limit hit (said by `limit`): the ratio against the whole input, so it only grows.
    async function* output(): AsyncGenerator<Buffer> {
      try {
        for (;;) {
          const { value, done } = await stream.next();
          if (done) return;
          expanded += value.length;
          budget.expanded += value.length;
          if (expanded > l.ratioFloor && expanded > l.maxRatio * bytes.length) {
            limit = `compression ratio over ${l.maxRatio}:1 (${size(bytes.length)} expands past ${size(expanded)}; the limit against archive bombs): the rest was not read`;
          } else if (budget.expanded > l.maxExpanded) {
            limit = budget.stopped = `expands to more than ${size(l.maxExpanded)} (the limit against archive bombs): the rest was not read`;
          }
          if (limit) return;
          yield value;
        }
      } finally {
        gunzip.destroy();
      }
    }
    const out = output();
    try {
      // The first block says whether a tar is inside.
      const head: Buffer[] = [];
      let headBytes = 0;
      let ended = false;
      while (headBytes < 512) {
        const r = await out.next();
        if (r.done) {
          ended = true;
          break;
        }
        head.push(r.value);
        headBytes += r.value.length;
      }
      const first = Buffer.concat(head);
      if (!this.entry()) {
        yield* this.stop(path);
        return;
      }
      if (!limit && archiveKind(first, /\.t(?:ar\.)?gz$/i.test(this.nameOf(path)) ? 'x.tar' : '') === 'tar') {
        yield* this.tar(prepend(first, ended ? undefined : out), path, depth, () => limit);
        return;
      }
      // One compressed file: named as the archive without its .gz (else as its stored name, else `data`).
      const name = join(path, gzipMemberName(this.nameOf(path), bytes));
      const parts: Buffer[] = [first];
      let total = first.length;
      if (!ended && !limit) {
        for await (const chunk of out) {
          total += chunk.length;
          if (total > l.maxMemberSize) {
            yield { kind: 'skip', path: name, reason: `larger than --max-file-size (more than ${l.maxMemberSize} bytes)` };
            return;
          }
          parts.push(chunk);
        }
      }
      if (limit) {
        if (budget.stopped) yield* this.stop(path);
        else yield { kind: 'skip', path: name, reason: limit };
        return;
      }
      yield* this.member(Buffer.concat(parts, total), name, depth);
    } finally {
      await out.return(undefined);
    }
  }
}

/** The gzip's member name: the archive's own name without `.gz`, else the name stored in the header, else `data`. */
function gzipMemberName(path: string, bytes: Buffer): string {
  const base = path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('!')) + 1);
  const stripped = base.replace(/\.(?:gz|gzip|z)$/i, '');
  if (stripped && stripped !== base) return stripped;
  const flags = bytes[3];
  if (flags & 8) {
    let at = 10;
    if (flags & 4) at += 2 + bytes.readUInt16LE(10);
    const end = bytes.indexOf(0, at);
    const stored = end > at ? memberName(bytes.subarray(at, end).toString('latin1')) : '';
    const last = stored.slice(stored.lastIndexOf('/') + 1);
    if (last) return last;
  }
  return 'data';
}

async function* chunksOf(bytes: Buffer): AsyncGenerator<Buffer> {
  yield bytes;
}

async function* prepend(first: Buffer, rest: AsyncIterable<Buffer> | undefined): AsyncGenerator<Buffer> {
  yield first;
  if (rest) yield* rest;
}

/** Writes the chunks into the tar extractor with back-pressure; stops quietly once the extractor is destroyed. */
async function feed(chunks: AsyncIterable<Buffer>, extract: tar.Extract): Promise<void> {
  const closed = new Promise<void>((resolve) => extract.once('close', () => resolve()));
  try {
    for await (const chunk of chunks) {
      if (extract.destroyed) return;
      if (!extract.write(chunk)) await Promise.race([new Promise<void>((resolve) => extract.once('drain', () => resolve())), closed]);
    }
    if (!extract.destroyed) extract.end(undefined as unknown as Buffer);
  } catch (err) {
    extract.destroy(err as Error);
  }
}

/** A zip entry's name: UTF-8 when flagged (or in an Info-ZIP unicode field), else CP437, as yauzl decodes them. */
function zipEntryName(entry: yauzl.Entry): string {
  return yauzl.getFileNameLowLevel(entry.generalPurposeBitFlag, entry.fileNameRaw, entry.extraFields, false);
}

function nextZipEntry(zip: yauzl.ZipFile, failure: () => Error | undefined): Promise<yauzl.Entry | undefined> {
  return new Promise((resolve, reject) => {
    const early = failure();
    if (early) return reject(early);
    const done = () => {
      zip.off('entry', onEntry);
      zip.off('end', onEnd);
      zip.off('error', onError);
    };
    const onEntry = (e: yauzl.Entry) => (done(), resolve(e));
    const onEnd = () => (done(), resolve(undefined));
    const onError = (err: Error) => (done(), reject(err));
    zip.on('entry', onEntry);
    zip.on('end', onEnd);
    zip.on('error', onError);
    zip.readEntry();
  });
}

/** A member's bytes; its declared size (checked by the reader) bounds the memory. */
async function readAll(stream: AsyncIterable<Buffer>, declared: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream) {
    total += chunk.length;
    if (total > declared) throw new Error(`member is larger than its header says (${declared} bytes)`);
    parts.push(chunk);
  }
  return Buffer.concat(parts, total);
}

/**
 * The members of an archive held in memory (`name`: its path, for the tar-by-name hint; member paths are relative to
 * it, nested ones as `inner.zip!file`), or undefined when the bytes are no archive. Skips carry their reasons: a
 * member too large, a bomb's limit (the rest of that archive not read), an archive nested too deep, corrupt data.
 */
export function expandArchive(bytes: Buffer, name: string, limits: ArchiveLimits): AsyncGenerator<ArchiveItem> | undefined {
  const kind = archiveKind(bytes, name);
  if (!kind) return undefined;
  return new Expander(limits, name).expand(bytes, '', 1, kind) as AsyncGenerator<ArchiveItem>;
}
