import { lstat, readdir } from 'node:fs/promises';
import path from 'node:path';
import { REPO_ROOT } from '../catalog.js';
import { UserError } from '../errors.js';
import type { AssetFile } from './asset-tarball.js';

export const WRAPPERS_DIR = path.join(REPO_ROOT, 'wrappers');

/** Top-level asset directories whose files are programs (mode 0755); everything else is data. */
const EXECUTABLE_DIRS = new Set(['bin', 'libexec']);

/**
 * Everything under wrappers/, which mirrors the asset's root: wrappers/bin/x.sh becomes bin/x.sh.
 * Only regular files and directories are accepted: a symlink in an asset would be extracted by
 * the Sensu agent unchecked.
 */
export async function wrapperFiles(root: string = WRAPPERS_DIR): Promise<AssetFile[]> {
  const files: AssetFile[] = [];
  const walk = async (relative: string): Promise<void> => {
    const names = await readdir(path.join(root, relative)).catch((error: unknown) => {
      if (relative === '' && (error as NodeJS.ErrnoException).code === 'ENOENT') return [] as string[];
      throw error;
    });
    for (const name of names.sort()) {
      const rel = relative === '' ? name : `${relative}/${name}`;
      const info = await lstat(path.join(root, rel));
      if (info.isDirectory()) await walk(rel);
      else if (info.isFile()) files.push({ path: rel, source: path.join(root, rel), executable: EXECUTABLE_DIRS.has(rel.split('/')[0] ?? '') });
      else throw new UserError(`${path.join(root, rel)} is not a regular file or directory; assets hold only those`);
    }
  };
  await walk('');
  return files;
}
