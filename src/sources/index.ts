export { FileTreeSource, PathNotFoundError, VENDORED_DIRS, readFileEntry, readFileEntrySync, type FileEntry, type FileTreeOptions } from './files.js';
