import os from 'node:os';
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

/**
 * Platforms built at once by default: half the cores, at least two. Each compile already runs
 * `make -j<cores>`, so more would only compete for the same cores; two overlap one platform's
 * serial steps (configure, image build, smoke test, copying) with another's compile.
 */
export function defaultJobs(cores: number = os.availableParallelism()): number {
  return Math.max(2, Math.floor(cores / 2));
}

/** --jobs N: a whole number from 1 to 64. */
export function parseJobs(text: string): number {
  const jobs = /^[0-9]+$/.test(text) ? Number(text) : NaN;
  if (!(jobs >= 1 && jobs <= 64)) throw new UserError(`build: --jobs takes a whole number from 1 to 64, not "${text}" (see \`build --help\`)`, { exitCode: 2 });
  return jobs;
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
