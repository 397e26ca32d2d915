export {
  FileTreeSource, PathNotFoundError, VENDORED_DIRS, openFileEntry, readAt, readFileEntrySync, readFileToEnd, type FileEntry, type FileTreeOptions,
  type OpenedFile, type ReadOptions,
} from './files.js';
export { DEFAULT_ARCHIVE_DEPTH, DEFAULT_ARCHIVE_LIMITS, archiveKind, archiveLimits, expandArchive, type ArchiveItem, type ArchiveKind, type ArchiveLimits } from './archives.js';
