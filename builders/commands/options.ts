import path from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { REPO_ROOT } from '../catalog.js';
import { UserError, describeError } from '../errors.js';

/** Where downloads, build logs and scratch space go unless --cache-dir says otherwise. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.SENSU_TRIPWIRE_CACHE_DIR !== undefined && env.SENSU_TRIPWIRE_CACHE_DIR !== ''
    ? path.resolve(env.SENSU_TRIPWIRE_CACHE_DIR)
    : path.join(REPO_ROOT, '.cache');
}

export const DEFAULT_DIST_DIR = path.join(REPO_ROOT, 'dist');

/** node:util parseArgs with errors that name the command and point at --help. */
export function parseCommandArgs<T extends NonNullable<ParseArgsConfig['options']>>(
  command: string,
  args: string[],
  options: T,
  allowPositionals = false,
) {
  try {
    const parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
    const [unexpected] = parsed.positionals;
    if (!allowPositionals && unexpected !== undefined) throw new Error(`unexpected argument "${unexpected}"`);
    return parsed;
  } catch (error) {
    throw new UserError(`${command}: ${describeError(error)} (see \`${command} --help\`)`, { exitCode: 2 });
  }
}
