import { readdir, stat } from 'node:fs/promises';
import { UserError, describeError } from '../errors.js';

export interface PatchSet {
  dir: string;
  /** File names in `dir`, in the order they are applied. */
  names: string[];
}

const HINT = 'pass --no-patches to build upstream Tripwire unpatched on purpose';

/**
 * The patches a build applies: every `*.patch` file of `dir`, in name order. A missing or empty
 * directory, or a file in it that is not a patch, is an error: silently building without our
 * patches gives a Tripwire that, run as non-root, reports readable files as removed. No patches
 * at all only when asked for (`unpatched`).
 */
export async function selectPatches(dir: string, unpatched: boolean): Promise<PatchSet> {
  if (unpatched) return { dir, names: [] };
  const info = await stat(dir).catch((error: unknown) => {
    throw new UserError(`--patches ${dir}: ${describeError(error)}; ${HINT}`);
  });
  if (!info.isDirectory()) throw new UserError(`--patches ${dir} is not a directory; ${HINT}`);
  const entries = await readdir(dir, { withFileTypes: true });
  const visible = entries.filter((entry) => !entry.name.startsWith('.'));
  const strays = visible.filter((entry) => !entry.isFile() || !entry.name.endsWith('.patch')).map((entry) => entry.name);
  if (strays.length > 0) {
    throw new UserError(`--patches ${dir} holds ${strays.join(', ')}, which ${strays.length === 1 ? 'is not a' : 'are not'} *.patch file${strays.length === 1 ? '' : 's'}: rename or remove ${strays.length === 1 ? 'it' : 'them'}, so that no patch is skipped`);
  }
  const names = visible.map((entry) => entry.name).sort();
  if (names.length === 0) throw new UserError(`--patches ${dir} holds no *.patch files; ${HINT}`);
  return { dir, names };
}
