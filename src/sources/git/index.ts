// Git history as a source: commits and the blobs they introduce, blob contents, added lines, staged changes.
// Knows nothing of rules. The git executable does the work; isomorphic-git stands in only when there is none.
import fs from 'node:fs';
import { PathNotFoundError } from '../files.js';
import { findGit } from './exec.js';
import { GitCliBackend, openGitRepository } from './git-backend.js';
import type { GitBackend } from './types.js';

export type BackendChoice = 'auto' | 'git' | 'isomorphic-git';

export const NO_GIT_WARNING =
  'no git executable on PATH: reading the repository with isomorphic-git, which is 10 to 17 times slower; install git for large histories';

export async function openGitBackend(dir: string, choice: BackendChoice = 'auto'): Promise<{ backend: GitBackend; warning?: string }> {
  if (!fs.existsSync(dir)) throw new PathNotFoundError(`path does not exist: ${dir}`);
  const useGit = choice === 'git' || (choice === 'auto' && findGit() !== undefined);
  if (useGit) return { backend: new GitCliBackend(await openGitRepository(dir)) };
  const { IsoGitBackend } = await import('./iso-backend.js');
  return { backend: await IsoGitBackend.open(dir), warning: choice === 'auto' ? NO_GIT_WARNING : undefined };
}

export { findGit, resetGitLookup, runGit, runGitRaw, spawnGit, GitCommandError } from './exec.js';
export { CatFileReader } from './cat-file.js';
export { RawLogParser, parseRawEntry, LOG_ARGS } from './log.js';
export { PatchParser, isAdded } from './patch.js';
export { decodePath, pathFilter, isRegularFileMode, MODE_GITLINK, MODE_SYMLINK } from './paths.js';
export { addedLineNumbers } from './line-diff.js';
export { isLfsPointer } from './lfs.js';
export {
  NotARepositoryError, RepositoryReadError, AddedLinesIndex, addedKey, type AddedLines, type BlobIntro, type BlobReader, type BlobResult,
  type CommitMeta, type GitBackend, type HiddenHistory, type HistoryRecord, type ReplaceRef, type HistorySpec, type RepoInfo, type RefTip, type StagedChange, type TreeEntry,
} from './types.js';
