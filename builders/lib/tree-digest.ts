import { createHash } from 'node:crypto';
import type { SourceTree } from './source-tree.js';

/**
 * A digest of what a source tarball *contains*, independent of how it was compressed, in what
 * order its entries were written or what its top-level directory is called: mirrors that
 * regenerate archives (GitHub's tag archives) give other bytes for the same content. Every entry
 * of the tree (source-tree.ts: directories, implied ones included, and regular files; any other
 * kind of entry is refused before this) contributes one line, relative to the top directory:
 *
 *   d - - <path>                          a directory
 *   f <x|-> <sha256 of the bytes> <path>  a regular file, executable or not
 *
 * The lines, sorted by path and each ending in a newline, are hashed together. Paths are
 * printable ASCII, so no path can forge a line.
 */
export function treeDigest(tree: SourceTree): string {
  const lines = [...tree.entries]
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
    .map((entry) => (entry.kind === 'directory' ? `d - - ${entry.path}\n` : `f ${entry.executable ? 'x' : '-'} ${sha256(entry.content)} ${entry.path}\n`));
  return sha256(lines.join(''));
}

function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}
