// Walks working trees on disk. Knows nothing of rules: it yields files and says what it skipped and why.
import fs from 'node:fs';
import path from 'node:path';
import { compileExcludes } from './globs.js';
import type { SkippedFile } from '../model/index.js';
import { decodeName } from './path-bytes.js';
import { gitIgnored, type GitIgnored } from './gitignored.js';

/** Directory names holding vendored or generated code, skipped unless includeVendored is set. */
export const VENDORED_DIRS = [
  'node_modules', 'bower_components', 'jspm_packages', 'vendor', 'third_party', '.venv', 'venv', '__pycache__',
  '.tox', '.mypy_cache', '.pytest_cache', '.ruff_cache', 'Pods', 'Carthage', '.gradle', '.terraform', '.pnpm-store',
  '.yarn', '.next', '.nuxt', '.svelte-kit', '.angular', '.parcel-cache', '.turbo', '.cache',
];

export interface FileEntry {
  /** The target (as given) this file was found under. */
  target: string;
  /** A string, or the path's bytes when a name in it is not UTF-8 (a string could not name the file). */
  absPath: string | Buffer;
  /**
   * Relative to the target, with `/` separators; the file name when the target is a file. Names that are not
   * UTF-8 are written as decodeName does (lossless, `\xNN` for other bytes), as history scans write them.
   */
  relPath: string;
  /** Known when the target was a file; a walk does not stat (the reader checks the size when it opens the file). */
  size?: number;
  /** The target itself (named by the user): a symbolic link to it is followed. */
  explicit?: boolean;
}

const VENDORED_NAMES = new Set(VENDORED_DIRS);

/** Names a walk leaves out, folders or files: `.git` always, vendored folders unless includeVendored. */
export function isLeftOutName(name: string, includeVendored: boolean): boolean {
  return name === '.git' || (!includeVendored && VENDORED_NAMES.has(name));
}

export interface FileTreeOptions {
  targets: string[];
  /** Patterns (gitignore syntax, see compileExcludes) relative to each target folder: `--exclude`. */
  exclude?: string[];
  /**
   * Patterns relative to `root`: the config's excludes and the ignore file's paths, which live there. A target
   * folder outside `root` (or no root) takes them relative to itself.
   */
  rootExclude?: string[];
  root?: string;
  /** In a git work tree, leave out what git ignores (.gitignore, .git/info/exclude, core.excludesFile). */
  gitIgnore?: boolean;
  includeVendored?: boolean;
  maxFileSize: number;
}

export class PathNotFoundError extends Error {}

/** The target that names standard input. */
export const STDIN_TARGET = '-';

const toPosix = (p: string) => p.split(path.sep).join('/');

export class FileTreeSource {
  readonly skipped: SkippedFile[] = [];
  readonly warnings: string[] = [];
  private readonly excluded: (relPath: string, dir?: boolean) => boolean;
  private readonly rootExcluded: (relPath: string, dir?: boolean) => boolean;

  constructor(private readonly options: FileTreeOptions) {
    for (const t of options.targets) {
      if (t !== STDIN_TARGET && !fs.existsSync(t)) throw new PathNotFoundError(`path does not exist: ${t}`);
    }
    this.excluded = compileExcludes(options.exclude ?? []);
    this.rootExcluded = compileExcludes(options.rootExclude ?? []);
  }

  private skip(target: string, relPath: string, reason: string): void {
    this.skipped.push({ path: this.options.targets.length > 1 ? toPosix(path.join(target, relPath)) : relPath, reason });
  }

  async *entries(): AsyncGenerator<FileEntry> {
    for (const target of this.options.targets) {
      if (target === STDIN_TARGET) {
        // `-`: standard input, read as a stream like /dev/stdin (a file named `-` is `./-`).
        yield { target, absPath: STDIN_TARGET, relPath: 'stdin', explicit: true };
        continue;
      }
      const stat = fs.statSync(target);
      if (stat.isDirectory()) {
        yield* this.walk(target);
        continue;
      }
      // A file, or a special file named as the target (/dev/stdin, a FIFO, <(...), /proc/PID/environ): the reader
      // reads it to its end as a stream, since fstat gives such files no size (or 0).
      const relPath = path.basename(target);
      if (stat.isFile() && stat.size > this.options.maxFileSize) this.skip(target, relPath, `larger than --max-file-size (${stat.size} bytes)`);
      else yield { target, absPath: path.resolve(target), relPath, size: stat.isFile() ? stat.size : undefined, explicit: true };
    }
  }

  /**
   * Walks a folder on raw names (fast-glob drops names holding line breaks, and gives names that are not UTF-8 as
   * U+FFFD strings that name no file). Depth first; the listings of the next folders are read ahead, a few at once.
   * No stat per entry: readdir's file types say what each entry is, and the reader checks sizes.
   */
  private async *walk(target: string): AsyncGenerator<FileEntry> {
    const root = path.resolve(target);
    const rootBytes = Buffer.from(root);
    const vendored = !this.options.includeVendored;
    // The root's patterns see paths from the root: `src/gen/x.js` when `src` is scanned.
    const fromRoot = this.options.root !== undefined ? toPosix(path.relative(path.resolve(this.options.root), root)) : '';
    const prefix = fromRoot && !fromRoot.startsWith('../') && fromRoot !== '..' && !path.isAbsolute(fromRoot) ? `${fromRoot}/` : '';
    // A folder named to be scanned is scanned, even one the root's patterns exclude (as one git ignores).
    const fromRootApplies = !prefix || !this.rootExcluded(fromRoot, true);
    let ignoredByGit: GitIgnored | undefined;
    if (this.options.gitIgnore) {
      const listed = await gitIgnored(root);
      if (listed && 'warning' in listed) this.warnings.push(listed.warning);
      else ignoredByGit = listed;
    }
    const isIgnored = (rel: string, name: string, dir: boolean) =>
      isLeftOutName(name, !vendored) ||
      (ignoredByGit !== undefined && (dir ? ignoredByGit.dirs.has(rel) : ignoredByGit.files.has(rel))) ||
      this.excluded(rel, dir) ||
      (fromRootApplies && this.rootExcluded(prefix + rel, dir));

    interface Dir {
      abs: string | Buffer;
      rel: string;
      /** The relative path's bytes, kept only when `rel` is not exactly them (a name that is not UTF-8). */
      relBytes?: Buffer;
      listing?: Promise<fs.Dirent[] | NodeJS.ErrnoException>;
    }
    let inFlight = 0;
    const list = (abs: string | Buffer): Promise<fs.Dirent[] | NodeJS.ErrnoException> => {
      inFlight++;
      const done = <T>(v: T) => {
        inFlight--;
        return v;
      };
      return fs.promises
        .readdir(abs as string, { withFileTypes: true, encoding: 'buffer' as unknown as 'utf8' })
        .then(done, (err: NodeJS.ErrnoException) => done(err));
    };
    const stack: Dir[] = [{ abs: root, rel: '' }];
    while (stack.length) {
      const dir = stack.pop()!;
      const listing = await (dir.listing ?? list(dir.abs));
      if (!Array.isArray(listing)) {
        // Permission denied, a folder that vanished or became a file: a skip with its reason; the walk goes on.
        this.skip(target, dir.rel || '.', `directory not readable (${listing.code ?? listing.message})`);
        continue;
      }
      const subdirs: Dir[] = [];
      for (const entry of listing) {
        const name = entry.name as unknown as Buffer;
        const decoded = decodeName(name);
        let rel: string;
        let relBytes: Buffer | undefined;
        if (decoded.exact && !dir.relBytes) rel = dir.rel ? `${dir.rel}/${decoded.text}` : decoded.text;
        else {
          // A name that is not UTF-8 here or above: the whole path is decoded from its bytes, as git paths are.
          relBytes = dir.rel ? Buffer.concat([dir.relBytes ?? Buffer.from(dir.rel), Buffer.from('/'), name]) : name;
          rel = decodeName(relBytes).text;
        }
        if (isIgnored(rel, decoded.text, entry.isDirectory())) continue;
        const abs = relBytes ? Buffer.concat([rootBytes, Buffer.from(path.sep), relBytes]) : path.join(root, rel);
        if (entry.isDirectory()) subdirs.push(relBytes ? { abs, rel, relBytes } : { abs, rel });
        else if (entry.isSymbolicLink()) this.skip(target, rel, 'symbolic link (not followed)');
        else if (!entry.isFile()) this.skip(target, rel, 'not a regular file');
        else yield { target, absPath: abs, relPath: rel };
      }
      for (let i = subdirs.length - 1; i >= 0; i--) stack.push(subdirs[i]);
      // Read ahead the folders to be walked next.
      for (let i = stack.length - 1, k = 0; i >= 0 && k < READ_AHEAD && inFlight < READ_AHEAD; i--, k++) {
        stack[i].listing ??= list(stack[i].abs);
      }
    }
  }
}

/** Folder listings read ahead during a walk. */
const READ_AHEAD = 16;

/**
 * Open flags for a file found by the walk. The walk saw a regular file, but the name may point elsewhere by the time
 * the reader opens it: O_NOFOLLOW refuses a symbolic link swapped in (whose target may lie outside the tree), and
 * O_NONBLOCK makes opening a FIFO swapped in return at once instead of waiting for a writer (a regular file ignores
 * it). What was opened is then checked on the descriptor itself, which cannot change under us.
 */
const WALKED_OPEN_FLAGS = fs.constants.O_RDONLY | (fs.constants.O_NOFOLLOW ?? 0) | (fs.constants.O_NONBLOCK ?? 0);

export interface ReadOptions {
  /** A target the user named (not found by a walk): symbolic links are followed. */
  explicit?: boolean;
}

/** A file opened for reading; `size` only for a regular file (and only a first guess for /proc and /sys). */
export interface OpenedFile {
  fd: number;
  regular: boolean;
  size: number;
  close(): void;
}

/**
 * Opens a file to read: a walked entry must still be a regular file (checked on the descriptor), a target the user
 * named may be anything readable. Problems come back as a skip reason, never as an exception.
 */
export function openFileEntry(absPath: string | Uint8Array, options: ReadOptions = {}): OpenedFile | { error: string } {
  // Paths come from worker messages as Uint8Array when a name is not UTF-8.
  const p = typeof absPath === 'string' ? absPath : Buffer.from(absPath.buffer, absPath.byteOffset, absPath.byteLength);
  // Our own descriptor named as a target (`scan /dev/stdin`) is read as it is: stdin may be a socket, which no
  // path can open again (ENXIO).
  const own = options.explicit && typeof p === 'string' ? ownDescriptor(p) : undefined;
  let fd: number;
  try {
    fd = own ?? fs.openSync(p, options.explicit ? fs.constants.O_RDONLY : WALKED_OPEN_FLAGS);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    // ELOOP: the last component is a symbolic link (EMLINK on some BSDs); ENXIO: a socket.
    if (code === 'ELOOP' || code === 'EMLINK') {
      let link = false;
      try {
        link = fs.lstatSync(p, { throwIfNoEntry: false })?.isSymbolicLink() ?? false;
      } catch {
        // gone or unreadable as well: reported as the open error below
      }
      if (link) return { error: 'symbolic link (not followed)' };
    }
    if (code === 'ENXIO') return { error: 'not a regular file' };
    return { error: `not readable (${code ?? (err as Error).message})` };
  }
  const close = () => {
    if (fd !== own) fs.closeSync(fd);
  };
  try {
    const st = fs.fstatSync(fd);
    let error: string | undefined;
    if (st.isDirectory()) error = 'is a directory';
    // Only a target the user named is read when it is not a regular file (a pipe, a character device).
    else if (!st.isFile() && !options.explicit) error = 'not a regular file';
    if (error) {
      close();
      return { error };
    }
    return { fd, regular: st.isFile(), size: st.isFile() ? st.size : 0, close };
  } catch (err) {
    close();
    return { error: `not readable (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})` };
  }
}

/** One read call's limit (Node refuses lengths of 2 GiB and more: ERR_OUT_OF_RANGE). */
const MAX_READ = 1 << 30;

/** Reads into buf from a file position until buf is full or the file ends; returns the bytes read. */
export function readAt(file: OpenedFile, buf: Buffer, position: number): number {
  let n = 0;
  while (n < buf.length) {
    const r = fs.readSync(file.fd, buf, n, Math.min(buf.length - n, MAX_READ), position + n);
    if (r === 0) break;
    n += r;
  }
  return n;
}

/** Reads a file no larger than maxSize; an error or an oversized file becomes a skip reason, not an exception. */
export function readFileEntrySync(absPath: string | Uint8Array, maxSize: number, options: ReadOptions = {}): Buffer | { error: string } {
  const file = openFileEntry(absPath, options);
  if ('error' in file) return file;
  try {
    return readFileToEnd(file, maxSize);
  } finally {
    file.close();
  }
}

/** The whole content of an opened file, or why not (too large, unreadable). */
export function readFileToEnd(file: OpenedFile, maxSize: number): Buffer | { error: string } {
  if (file.regular && file.size > maxSize) return { error: `larger than --max-file-size (${file.size} bytes)` };
  try {
    return readToEnd(file.fd, file.size, maxSize);
  } catch (err) {
    return { error: `not readable (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})` };
  }
}

/** The descriptor number of a path naming one of this process's descriptors (`-`, /dev/stdin, /dev/fd/N, /proc/self/fd/N). */
function ownDescriptor(absPath: string): number | undefined {
  if (absPath === STDIN_TARGET) return 0;
  if (process.platform === 'win32') return undefined;
  if (absPath === '/dev/stdin') return 0;
  const m = /^\/(?:dev\/fd|proc\/self\/fd)\/(\d+)$/.exec(absPath);
  return m ? Number(m[1]) : undefined;
}

const STREAM_CHUNK = 64 * 1024;
const sleeper = new Int32Array(new SharedArrayBuffer(4));

/**
 * Reads from the descriptor's position to the end of the data. The size fstat gives is only a first guess: files
 * of /proc and /sys say 0, and pipes and devices have none; reading goes on until a read returns nothing, and
 * stops (a skip reason) once there is more than maxSize.
 */
function readToEnd(fd: number, sizeHint: number, maxSize: number): Buffer | { error: string } {
  // A size known from fstat gets a buffer of that size and one byte more, to see a file that grew; a small file no
  // longer takes a 64 KB buffer (node_modules: 6,000 files, 400 MB of buffers fewer to allocate and collect). Not
  // from Buffer's shared pool: callers may transfer the buffer to another thread.
  let buf = Buffer.allocUnsafeSlow(Math.min(maxSize + 1, sizeHint > 0 ? sizeHint + 1 : STREAM_CHUNK));
  let n = 0;
  for (;;) {
    if (n === buf.length) {
      if (n > maxSize) return { error: `larger than --max-file-size (more than ${maxSize} bytes)` };
      const bigger = Buffer.allocUnsafe(Math.min(maxSize + 1, Math.max(2 * buf.length, n + STREAM_CHUNK)));
      buf.copy(bigger, 0, 0, n);
      buf = bigger;
    }
    let r: number;
    try {
      r = fs.readSync(fd, buf, n, Math.min(buf.length - n, MAX_READ), null);
    } catch (err) {
      // A non-blocking descriptor (a terminal or pipe shared with the caller) with nothing to read yet.
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
      Atomics.wait(sleeper, 0, 0, 10);
      continue;
    }
    if (r === 0) break;
    n += r;
  }
  if (n > maxSize) return { error: `larger than --max-file-size (more than ${maxSize} bytes)` };
  return n === buf.length ? buf : buf.subarray(0, n);
}
