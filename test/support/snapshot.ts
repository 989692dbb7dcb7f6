import { createHash } from 'node:crypto';
import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';

/** Every path under `dir` (and beside it, for staging leftovers) with a digest of its bytes. */
export async function snapshotDir(dir: string): Promise<Record<string, string>> {
  const result: Record<string, string> = {};
  const walk = async (relative: string): Promise<void> => {
    for (const name of (await readdir(path.join(dir, relative))).sort()) {
      const rel = path.join(relative, name);
      const info = await stat(path.join(dir, rel));
      if (info.isDirectory()) {
        result[`${rel}/`] = 'dir';
        await walk(rel);
      } else {
        result[rel] = createHash('sha256').update(await readFile(path.join(dir, rel))).digest('hex');
      }
    }
  };
  await walk('');
  return result;
}
