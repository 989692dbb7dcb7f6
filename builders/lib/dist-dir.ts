import { lstat, readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { ARTIFACTS_FILE, PROJECT } from '../artifacts.js';
import { UserError, describeError } from '../errors.js';

/**
 * Whether a build may replace `dist` (--dist): only when it does not exist, is an empty
 * directory, or is a previous build's output, recognised by its artifacts.json (written by every
 * build and every merge). Anything else, `--dist ~` say, is refused: the build deletes what it
 * replaces.
 */
export async function checkReplaceableDist(dist: string): Promise<void> {
  const info = await lstat(dist).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new UserError(`--dist ${dist}: ${describeError(error)}`);
  });
  if (info === undefined) return;
  if (info.isSymbolicLink()) throw new UserError(`--dist ${dist} is a symbolic link: give the directory it points to, or another path`);
  if (!info.isDirectory()) throw new UserError(`--dist ${dist} is not a directory: refusing to replace it`);
  if ((await readdir(dist)).length === 0) return;
  if (await isBuildOutput(dist)) return;
  throw new UserError(
    `--dist ${dist} is neither empty nor the output of a sensu-tripwire build (it has no ${ARTIFACTS_FILE} of one), ` +
      'and a build replaces the whole directory: refusing to touch it. Give a new or empty directory, or remove this one yourself.',
  );
}

async function isBuildOutput(dir: string): Promise<boolean> {
  try {
    const manifest = JSON.parse(await readFile(path.join(dir, ARTIFACTS_FILE), 'utf8')) as Record<string, unknown>;
    return manifest.project === PROJECT && typeof manifest.schemaVersion === 'number' && Array.isArray(manifest.artifacts);
  } catch {
    return false;
  }
}
