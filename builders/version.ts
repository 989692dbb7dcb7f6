import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { REPO_ROOT } from './catalog.js';
import { UserError } from './errors.js';

const run = promisify(execFile);

/**
 * Semantic Versioning 2.0.0 (semver.org's grammar), optionally with a leading `v`: Bonsai accepts
 * a tag when it is semver after dropping that `v`, and puts the tag verbatim into file names.
 */
const SEMVER =
  /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

/** Returns the version unchanged when it is a valid release tag; throws a UserError otherwise. */
export function validateVersion(version: string): string {
  if (!SEMVER.test(version)) {
    throw new UserError(
      `version "${version}" is not a release tag: expected semver such as 1.2.3, 1.2.3-rc.1 or v1.2.3 (the tag is used verbatim in asset file names)`,
    );
  }
  return version;
}

/** The version to build: the one given, else `git describe --tags` of the checkout. */
export async function resolveVersion(given: string | undefined, cwd: string = REPO_ROOT): Promise<string> {
  if (given !== undefined) return validateVersion(given);
  let described: string;
  try {
    described = (await run('git', ['describe', '--tags'], { cwd })).stdout.trim();
  } catch {
    throw new UserError('no --version given and `git describe --tags` found no tag: pass --version X.Y.Z');
  }
  return validateVersion(described);
}

/**
 * The one mtime of every archive entry: SOURCE_DATE_EPOCH when set (reproducible-builds.org),
 * else the commit time of the checkout, so that two builds of one commit are byte-identical.
 */
export async function resolveSourceDateEpoch(env: NodeJS.ProcessEnv = process.env, cwd: string = REPO_ROOT): Promise<number> {
  const given = env.SOURCE_DATE_EPOCH;
  if (given !== undefined && given !== '') {
    if (!/^\d+$/.test(given)) throw new UserError(`SOURCE_DATE_EPOCH must be whole seconds since 1970, got "${given}"`);
    return Number(given);
  }
  try {
    const out = (await run('git', ['log', '-1', '--format=%ct'], { cwd })).stdout.trim();
    if (/^\d+$/.test(out)) return Number(out);
  } catch {
    // fall through to the error below
  }
  throw new UserError('cannot tell the commit time (not a git checkout?): set SOURCE_DATE_EPOCH to fix the archive timestamps');
}
