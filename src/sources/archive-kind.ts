// What archives are and how far they are opened: their magic bytes, and the limits against bombs. Light on purpose
// (no archive library): the CLI's options and every file's read check here; src/sources/archives.ts opens them.

export interface ArchiveLimits {
  /** Archives nested up to this many levels are opened (1: only archives that are files or blobs themselves). */
  depth: number;
  /** Bytes decompressed (zip members, gzip streams) per top-level archive, nested ones included. */
  maxExpanded: number;
  /** Expanded to compressed size past which a member or gzip stream is a bomb, once it expands past ratioFloor. */
  maxRatio: number;
  ratioFloor: number;
  /** Entries (files, folders, links) per top-level archive, nested ones included. */
  maxEntries: number;
  /** A member larger than this is skipped, as a file larger than --max-file-size is. */
  maxMemberSize: number;
  /** Members under vendored folders are read too, as --include-vendored reads them in a tree (`.git` never is). */
  includeVendored?: boolean;
}

export const DEFAULT_ARCHIVE_DEPTH = 2;
export const DEFAULT_ARCHIVE_LIMITS: Omit<ArchiveLimits, 'maxMemberSize'> = {
  depth: DEFAULT_ARCHIVE_DEPTH,
  maxExpanded: 256 * 1024 * 1024,
  maxRatio: 100,
  ratioFloor: 1024 * 1024,
  maxEntries: 10_000,
};

/** The limits for a scan: the defaults, the member size of --max-file-size, and at least that much expansion. */
export function archiveLimits(maxFileSize: number, depth = DEFAULT_ARCHIVE_DEPTH, includeVendored = false): ArchiveLimits {
  return {
    ...DEFAULT_ARCHIVE_LIMITS,
    depth,
    maxMemberSize: maxFileSize,
    maxExpanded: Math.max(DEFAULT_ARCHIVE_LIMITS.maxExpanded, maxFileSize),
    ...(includeVendored ? { includeVendored } : {}),
  };
}

export type ArchiveKind = 'zip' | 'tar' | 'gzip';

/**
 * Is the 512-byte block at the start a tar header: a valid checksum, and a `ustar` magic (or, for old tars, a name
 * ending in .tar). The checksum keeps a text that happens to hold `ustar` at offset 257 a text.
 */
function tarHeader(b: Uint8Array, name: string): boolean {
  if (b.length < 512 || b[0] === 0) return false;
  const ustar = b[257] === 0x75 && b[258] === 0x73 && b[259] === 0x74 && b[260] === 0x61 && b[261] === 0x72;
  if (!ustar && !/\.tar$/i.test(name)) return false;
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : b[i];
  const stored = parseInt(Buffer.from(b.subarray(148, 156)).toString('latin1').replace(/[\0 ]+/g, ' ').trim(), 8);
  return stored === sum;
}

/**
 * The archive the bytes are, by their magic bytes (the name only helps with old tars): a zip local file header
 * (`PK\3\4`), a gzip member (1f 8b 08), a tar header. Needs the first 512 bytes for a tar.
 */
export function archiveKind(b: Uint8Array, name = ''): ArchiveKind | undefined {
  if (b.length < 4) return undefined;
  if (b[0] === 0x50 && b[1] === 0x4b && b[2] === 3 && b[3] === 4) return 'zip';
  if (b[0] === 0x1f && b[1] === 0x8b && b[2] === 8) return 'gzip';
  return tarHeader(b, name) ? 'tar' : undefined;
}
