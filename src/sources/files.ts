// Walks working trees on disk. Knows nothing of rules: it yields files and says what it skipped and why.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import type fgTypes from 'fast-glob';

// fast-glob is loaded only by scans that walk a tree (not by staged or history scans).
const requireLazy = createRequire(import.meta.url);
import type { SkippedFile } from '../model/index.js';

/** Directory names holding vendored or generated code, skipped unless includeVendored is set. */
export const VENDORED_DIRS = [
  'node_modules', 'bower_components', 'jspm_packages', 'vendor', 'third_party', '.venv', 'venv', '__pycache__',
  '.tox', '.mypy_cache', '.pytest_cache', '.ruff_cache', 'Pods', 'Carthage', '.gradle', '.terraform', '.pnpm-store',
  '.yarn', '.next', '.nuxt', '.svelte-kit', '.angular', '.parcel-cache', '.turbo', '.cache',
];

export interface FileEntry {
  /** The target (as given) this file was found under. */
  target: string;
  absPath: string;
  /** Relative to the target, with `/` separators; the file name when the target is a file. */
  relPath: string;
  /** Known when the target was a file; a walk does not stat (the reader checks the size when it opens the file). */
  size?: number;
  /** The target itself (named by the user): a symbolic link to it is followed. */
  explicit?: boolean;
}

export interface FileTreeOptions {
  targets: string[];
  exclude?: string[];
  includeVendored?: boolean;
  maxFileSize: number;
}

export class PathNotFoundError extends Error {}

const toPosix = (p: string) => p.split(path.sep).join('/');

export class FileTreeSource {
  readonly skipped: SkippedFile[] = [];
  readonly warnings: string[] = [];

  constructor(private readonly options: FileTreeOptions) {
    for (const t of options.targets) {
      if (!fs.existsSync(t)) throw new PathNotFoundError(`path does not exist: ${t}`);
    }
  }

  private skip(target: string, relPath: string, reason: string): void {
    this.skipped.push({ path: this.options.targets.length > 1 ? toPosix(path.join(target, relPath)) : relPath, reason });
  }

  async *entries(): AsyncGenerator<FileEntry> {
    for (const target of this.options.targets) {
      const stat = fs.statSync(target);
      if (stat.isFile()) {
        const relPath = path.basename(target);
        if (stat.size > this.options.maxFileSize) this.skip(target, relPath, `larger than --max-file-size (${stat.size} bytes)`);
        else yield { target, absPath: path.resolve(target), relPath, size: stat.size, explicit: true };
        continue;
      }
      yield* this.walk(target);
    }
  }

  private async *walk(target: string): AsyncGenerator<FileEntry> {
    const root = path.resolve(target);
    const ignore = ['**/.git/**', '**/.git'];
    if (!this.options.includeVendored) for (const d of VENDORED_DIRS) ignore.push(`**/${d}/**`);
    for (const g of this.options.exclude ?? []) ignore.push(g, g.endsWith('/**') ? g : `${g}/**`);
    // Errors on a directory (permission denied, a vanished folder) become warnings; the walk goes on.
    const readdir = ((dir: string, opts: unknown, cb: (err: NodeJS.ErrnoException | null, entries: fs.Dirent[]) => void) =>
      fs.readdir(dir, opts as { withFileTypes: true }, (err, entries) => {
        if (err) {
          this.skip(target, toPosix(path.relative(root, dir)) || '.', `directory not readable (${err.code ?? err.message})`);
          cb(null, []);
        } else cb(null, entries);
      })) as unknown as typeof fs.readdir;
    const fg = requireLazy('fast-glob') as typeof fgTypes;
    const stream = fg.stream('**', {
      cwd: root,
      dot: true,
      onlyFiles: false,
      followSymbolicLinks: false,
      objectMode: true,
      ignore,
      suppressErrors: true,
      fs: { readdir },
    });
    // No stat per entry: readdir's file types say what each entry is, and the reader checks sizes.
    for await (const raw of stream) {
      const entry = raw as unknown as fgTypes.Entry;
      const type = entry.dirent;
      const relPath = entry.path;
      if (type.isDirectory()) continue;
      if (type.isSymbolicLink()) {
        this.skip(target, relPath, 'symbolic link (not followed)');
        continue;
      }
      if (!type.isFile()) {
        this.skip(target, relPath, 'not a regular file');
        continue;
      }
      yield { target, absPath: path.join(root, relPath), relPath };
    }
  }
}

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

/** Reads a file no larger than maxSize; an error or an oversized file becomes a skip reason, not an exception. */
export function readFileEntrySync(absPath: string, maxSize: number, options: ReadOptions = {}): Buffer | { error: string } {
  let fd: number | undefined;
  try {
    try {
      fd = fs.openSync(absPath, options.explicit ? fs.constants.O_RDONLY : WALKED_OPEN_FLAGS);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // ELOOP: the last component is a symbolic link (EMLINK on some BSDs); ENXIO: a socket.
      if ((code === 'ELOOP' || code === 'EMLINK') && fs.lstatSync(absPath, { throwIfNoEntry: false })?.isSymbolicLink()) {
        return { error: 'symbolic link (not followed)' };
      }
      if (code === 'ENXIO') return { error: 'not a regular file' };
      throw err;
    }
    const st = fs.fstatSync(fd);
    if (!st.isFile()) return { error: 'not a regular file' };
    const { size } = st;
    if (size > maxSize) return { error: `larger than --max-file-size (${size} bytes)` };
    const buf = Buffer.allocUnsafe(size);
    let n = 0;
    while (n < size) {
      const r = fs.readSync(fd, buf, n, size - n, n);
      if (r === 0) break;
      n += r;
    }
    return n === size ? buf : buf.subarray(0, n);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    return { error: `not readable (${e.code ?? e.message})` };
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}
