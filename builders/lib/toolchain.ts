import { createHash } from 'node:crypto';
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Platform } from '../catalog.js';
import { REPO_ROOT } from '../catalog.js';
import { ARCHIVE_KEYS_DIR, readArchiveKey, type ArchiveKey } from './archive-key.js';
import { eolMirror } from './eol-mirror.js';

export { EOL_MIRROR_ENV } from './eol-mirror.js';

/**
 * How a platform's toolchain image is described to the engine: the Dockerfile of its package
 * family and the build arguments, all derived from the catalog entry. EOL repositories' addresses
 * are never in the repository: they come from the environment of the build.
 */
export const DOCKERFILES_DIR = path.join(REPO_ROOT, 'dockerfiles');
export const BUILD_SCRIPT = 'build-tripwire.sh';

export function dockerfileName(platform: Platform): string {
  return `Dockerfile.${platform.family}`;
}

export function toolchainBuildArgs(platform: Platform, env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const args: Record<string, string> = { BASE_IMAGE: platform.baseImage, EOL_REPO_FIX: platform.eolRepoFix };
  if (platform.eolRepoFix !== 'none') args.EOL_MIRROR = eolMirror(platform, env);
  if (platform.eolRelease !== undefined) args.EOL_RELEASE = platform.eolRelease;
  return args;
}

/** A toolchain image's build arguments and the files of this machine it is given. */
export interface ToolchainInputs {
  buildArgs: Record<string, string>;
  /** Apt keys for the image (debian-archive: the newer archive key, see archive-key.ts). */
  archiveKeys: ArchiveKey[];
}

export async function toolchainInputs(platform: Platform, env: NodeJS.ProcessEnv = process.env): Promise<ToolchainInputs> {
  const buildArgs = toolchainBuildArgs(platform, env);
  const archiveKeys = platform.eolRepoFix === 'debian-archive' ? [await readArchiveKey()] : [];
  // The key's digest is a build argument: the Dockerfile checks the copy, and the tag changes with it.
  for (const key of archiveKeys) buildArgs.ARCHIVE_KEY_SHA256 = key.sha256;
  return { buildArgs, archiveKeys };
}

/**
 * Writes a toolchain image's build context into `dir` (the Dockerfile and the archive-keys/
 * directory, empty unless the platform needs a key) and returns the names to send.
 */
export async function writeToolchainContext(dir: string, dockerfile: string, archiveKeys: ArchiveKey[]): Promise<string[]> {
  await mkdir(path.join(dir, ARCHIVE_KEYS_DIR), { recursive: true, mode: 0o700 });
  await copyFile(path.join(DOCKERFILES_DIR, dockerfile), path.join(dir, dockerfile));
  for (const key of archiveKeys) await writeFile(path.join(dir, ARCHIVE_KEYS_DIR, key.name), key.bytes, { mode: 0o644 });
  return [dockerfile, ARCHIVE_KEYS_DIR];
}

/**
 * The toolchain image's tag names the platform and a digest of everything that shapes the image
 * (Dockerfile, arguments, the base image's id), so a changed input gets a new image and an
 * unchanged one is reused as it is.
 */
export function toolchainTag(platform: Platform, dockerfileText: string, buildArgs: Record<string, string>, baseImageId: string): string {
  const digest = createHash('sha256')
    .update(dockerfileText)
    .update('\0')
    .update(JSON.stringify(Object.entries(buildArgs).sort()))
    .update('\0')
    .update(baseImageId)
    .digest('hex')
    .slice(0, 16);
  return `sensu-tripwire-toolchain:${platform.name}-${digest}`;
}

/** What to tell a user whose base image is missing. */
export function howToProvideBaseImage(platform: Platform): string {
  if (platform.bootstrap !== undefined) {
    return `Create it from Debian's signed archive with \`npm run images -- ${platform.bootstrap}\`, or load it with \`docker load\`.`;
  }
  if (platform.rootfs !== undefined) {
    return `Import its pinned root file system with \`SENSU_TRIPWIRE_ROOTFS_DIR=DIR npm run images -- ${platform.name}\` (DIR holding ${platform.rootfs.file}), or load it with \`docker load\`.`;
  }
  return `Pull it where its registry is reachable (\`docker pull ${platform.baseImage}\`), then \`docker save\` it and \`docker load\` it here.`;
}
