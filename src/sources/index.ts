export {
  FileTreeSource, PathNotFoundError, VENDORED_DIRS, openFileEntry, readAt, readFileEntrySync, readFileToEnd, type FileEntry, type FileTreeOptions,
  type OpenedFile, type ReadOptions,
} from './files.js';
// Archives are opened by src/sources/archives.ts, loaded only when one is met (its libraries cost start-up time).
export { DEFAULT_ARCHIVE_DEPTH, DEFAULT_ARCHIVE_LIMITS, archiveKind, archiveLimits, type ArchiveKind, type ArchiveLimits } from './archive-kind.js';
