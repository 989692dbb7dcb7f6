import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { Parser, type ReadEntry } from 'tar';

/**
 * A digest of what a source tarball *contains*, independent of how it was compressed or in what
 * order its entries were written: mirrors that regenerate archives (GitHub's tag archives) give
 * other bytes for the same content. Each regular file and symlink, with the single top-level
 * directory stripped, contributes one line `<f|l> <x|-> <sha256 of content or link target>
 * <path>`; the lines are sorted by path and hashed together. The tarball is only parsed in
 * memory, never extracted, so unverified bytes never reach the disk as files.
 */
export async function treeDigest(tarball: string): Promise<string> {
  const lines: Array<[string, string]> = [];
  const pending: Array<Promise<void>> = [];
  const parser = new Parser({
    // strict: a damaged or non-tar input is an error, not a shorter archive.
    strict: true,
    onReadEntry: (entry: ReadEntry) => {
      const relative = stripTopDirectory(entry.path);
      if (entry.type === 'SymbolicLink') {
        lines.push([relative, `l - ${sha256(entry.linkpath ?? '')} ${relative}`]);
        entry.resume();
      } else if (entry.type === 'File' || entry.type === 'OldFile' || entry.type === 'ContiguousFile') {
        const hash = createHash('sha256');
        const executable = ((entry.mode ?? 0) & 0o111) !== 0 ? 'x' : '-';
        pending.push(
          new Promise((resolve, reject) => {
            entry.on('data', (chunk: Buffer) => hash.update(chunk));
            entry.on('end', () => {
              lines.push([relative, `f ${executable} ${hash.digest('hex')} ${relative}`]);
              resolve();
            });
            entry.on('error', reject);
          }),
        );
      } else {
        entry.resume();
      }
    },
  });
  await pipeline(createReadStream(tarball), parser);
  await Promise.all(pending);
  if (lines.length === 0) throw new Error('no files in it');
  lines.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return sha256(lines.map(([, line]) => `${line}\n`).join(''));
}

function stripTopDirectory(entryPath: string): string {
  const slash = entryPath.indexOf('/');
  return slash === -1 ? entryPath : entryPath.slice(slash + 1);
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
