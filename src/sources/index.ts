export { FileTreeSource, PathNotFoundError, VENDORED_DIRS, readFileEntrySync, type FileEntry, type FileTreeOptions } from './files.js';
