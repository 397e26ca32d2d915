// Git LFS pointer files: a few lines that name content stored outside git. Nothing secret is in them, and their
// sha256 ids look like high-entropy strings, so they are skipped and said so.

const LFS_HEADER = Buffer.from('version https://git-lfs.github.com/spec/v1\n');
/** The spec caps pointer files at 1024 bytes. */
const MAX_POINTER = 1024;

export function isLfsPointer(data: Uint8Array): boolean {
  if (data.length > MAX_POINTER || data.length < LFS_HEADER.length) return false;
  for (let i = 0; i < LFS_HEADER.length; i++) if (data[i] !== LFS_HEADER[i]) return false;
  return /\noid sha256:[0-9a-f]{64}\n/.test(Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('latin1'));
}
