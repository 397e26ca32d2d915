// Large contents split into chunks that several threads match at once. Each chunk owns a run of whole lines and is
// matched with generous context on both sides, so that a finding near a boundary sees what it would see in the whole
// content; a finding belongs to the chunk its secret starts in, so a secret that straddles a boundary is found once.

/** Contents at least this large are split when there is more than one thread to share them. */
export const CHUNK_MIN_BYTES = 512 * 1024;
/** About this much content per chunk. */
export const CHUNK_TARGET_BYTES = 1024 * 1024;
const MAX_CHUNKS = 16;
/**
 * Context read on each side of a chunk: at least this many bytes and this many lines. Longer than any match (a secret
 * is at most 16 KB, a private key block about as much), than a rule's window (a few lines) and than the lines a
 * finding's parts and provider names are looked for in.
 */
export const CHUNK_OVERLAP_BYTES = 64 * 1024;
export const CHUNK_OVERLAP_LINES = 64;

export interface ChunkSpec {
  index: number;
  count: number;
}

export interface ChunkBounds {
  /** The bytes matched: the chunk with its context. */
  from: number;
  to: number;
  /** The bytes the chunk owns: findings whose secret starts here are its own. */
  ownFrom: number;
  ownTo: number;
}

/** How many chunks a content of `size` bytes is split into (1: not split). */
export function chunkCount(size: number): number {
  if (size < CHUNK_MIN_BYTES) return 1;
  return Math.min(MAX_CHUNKS, Math.max(2, Math.ceil(size / CHUNK_TARGET_BYTES)));
}

/** The start of the line after `at` (or the end): chunks own whole lines. */
function nextLineStart(content: Buffer, at: number): number {
  if (at <= 0) return 0;
  if (content[at - 1] === 10) return at;
  const nl = content.indexOf(10, at);
  return nl === -1 ? content.length : nl + 1;
}

/** Chunk `index` of `count`: owned lines split by size, with context of whole lines on both sides. */
export function chunkBounds(content: Buffer, index: number, count: number): ChunkBounds {
  const size = content.length;
  const ownFrom = nextLineStart(content, Math.floor((size * index) / count));
  const ownTo = index + 1 >= count ? size : nextLineStart(content, Math.floor((size * (index + 1)) / count));
  // Back at least CHUNK_OVERLAP_LINES lines and CHUNK_OVERLAP_BYTES bytes, to a line start.
  let from = ownFrom;
  for (let n = 0; n < CHUNK_OVERLAP_LINES && from > 0; n++) from = content.lastIndexOf(10, from - 2) + 1;
  if (ownFrom - from < CHUNK_OVERLAP_BYTES) from = Math.max(0, ownFrom - CHUNK_OVERLAP_BYTES);
  from = from === 0 ? 0 : content.lastIndexOf(10, from - 1) + 1;
  // Forward the same, to a line end.
  let to = ownTo;
  for (let n = 0; n < CHUNK_OVERLAP_LINES && to < size; n++) {
    const nl = content.indexOf(10, to);
    to = nl === -1 ? size : nl + 1;
  }
  if (to - ownTo < CHUNK_OVERLAP_BYTES) to = nextLineStart(content, Math.min(size, ownTo + CHUNK_OVERLAP_BYTES));
  return { from, to, ownFrom, ownTo };
}

/** Newlines before `at`: the line number (0-based) at which a slice starting there begins. */
export function linesBefore(content: Buffer, at: number): number {
  let n = 0;
  for (let i = content.indexOf(10); i !== -1 && i < at; i = content.indexOf(10, i + 1)) n++;
  return n;
}
