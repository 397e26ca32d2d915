export {
  FileTreeSource, PathNotFoundError, VENDORED_DIRS, openFileEntry, readAt, readFileEntrySync, readFileToEnd, type FileEntry, type FileTreeOptions,
  type OpenedFile, type ReadOptions,
} from './files.js';
