import { gzipSync } from 'node:zlib';
import { Header } from 'tar';
import type { SourceTree } from './source-tree.js';

/** The top-level directory of every re-packed source tree (the compile does not depend on it). */
export const NORMALIZED_TOP_DIRECTORY = 'tripwire-source';

/** One fixed time for every entry: make sees the same relative times as in the release. */
const MTIME = new Date('2000-01-01T00:00:00Z');

/**
 * The verified tree as a plain ustar gzip tarball: only directories (0755) and regular files
 * (0755 or 0644), owner 0:0, one mtime, sorted, no extended headers, so every tar the toolchain
 * images have (GNU tar, busybox) unpacks exactly this tree. The compile gets these bytes, never
 * the downloaded ones. The same tree always gives the same bytes.
 */
export function normalizedTarball(tree: SourceTree): Buffer {
  const blocks: Buffer[] = [];
  const add = (name: string, type: 'Directory' | 'File', mode: number, content?: Buffer): void => {
    const header = new Header({ path: name, type, mode, uid: 0, gid: 0, uname: '', gname: '', size: content?.length ?? 0, mtime: MTIME });
    const block = Buffer.alloc(512);
    header.encode(block);
    if (header.needPax) throw new Error(`"${name}" does not fit a plain ustar header`);
    blocks.push(block);
    if (content !== undefined && content.length > 0) blocks.push(content, Buffer.alloc((512 - (content.length % 512)) % 512));
  };
  add(`${NORMALIZED_TOP_DIRECTORY}/`, 'Directory', 0o755);
  for (const entry of tree.entries) {
    const name = `${NORMALIZED_TOP_DIRECTORY}/${entry.path}`;
    if (entry.kind === 'directory') add(`${name}/`, 'Directory', 0o755);
    else add(name, 'File', entry.executable ? 0o755 : 0o644, entry.content);
  }
  blocks.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(blocks), { level: 9 });
}
