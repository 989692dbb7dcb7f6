import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { UserError, describeError } from './errors.js';
import type { AbiFigures } from './lib/abi.js';

/**
 * The names and the machine-readable manifest of a build's output. `dist/artifacts.json` is the
 * interface between the build and the release stages, and between builds made on separate
 * machines and the job that merges them, so its shape changes only with `schemaVersion`.
 */

export const PROJECT = 'sensu-tripwire';
export const OS = 'linux';
export const ARCH = 'amd64';
export const ARTIFACTS_FILE = 'artifacts.json';
export const LOG_DIR = 'logs';
export const SCHEMA_VERSION = 1;

/** `sensu-tripwire_<version>_<platform>_linux_amd64.tar.gz`: the tag verbatim, as Bonsai's #{version}. */
export function assetFileName(version: string, platform: string): string {
  return `${PROJECT}_${version}_${platform}_${OS}_${ARCH}.tar.gz`;
}

/** `sensu-tripwire_<version>_sha512-checksums.txt`. */
export function checksumsFileName(version: string): string {
  return `${PROJECT}_${version}_sha512-checksums.txt`;
}

/** The per-platform build log, relative to dist/. */
export function buildLogName(platform: string): string {
  return path.posix.join(LOG_DIR, `${platform}.build.log`);
}

export interface SourceRecord {
  /** The upstream tarball's file name, e.g. tripwire_2.4.3.7.orig.tar.gz. */
  name: string;
  tripwireVersion: string;
  /** SHA-256 of the tarball bytes that were compiled. */
  sha256: string;
  /** SHA-256 over the unpacked content (tripwire-src/manifest.yaml explains the digest). */
  treeSha256: string;
}

export interface Artifact {
  /** File name in dist/. */
  name: string;
  platform: string;
  os: string;
  arch: string;
  size: number;
  sha512: string;
  /** SHA-256 of the Tripwire source tarball compiled into it. */
  sourceSha256: string;
  /** Docker image id of the toolchain image it was compiled in. */
  toolchainImageId: string;
  /** The build log, relative to dist/. */
  buildLog: string;
  /** What the binaries need from the host, as the ABI gate measured it (builds since the gate). */
  abi?: AbiFigures;
}

export interface ArtifactsManifest {
  schemaVersion: number;
  project: string;
  version: string;
  sourceDateEpoch: number;
  source: SourceRecord;
  checksumsFile: string;
  /** Sorted by file name. */
  artifacts: Artifact[];
}

export async function writeArtifactsManifest(dir: string, manifest: ArtifactsManifest): Promise<void> {
  await writeFile(path.join(dir, ARTIFACTS_FILE), `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o644 });
}

export async function readArtifactsManifest(dir: string): Promise<ArtifactsManifest> {
  const file = path.join(dir, ARTIFACTS_FILE);
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new UserError(`cannot read ${file}: ${describeError(error)}. Run "npm run build" first.`);
  }
  const manifest = parsed as Partial<ArtifactsManifest>;
  if (manifest.schemaVersion !== SCHEMA_VERSION || !Array.isArray(manifest.artifacts) || typeof manifest.version !== 'string') {
    throw new UserError(`${file} is not a sensu-tripwire artifacts manifest (schema ${SCHEMA_VERSION}); rebuild with "npm run build"`);
  }
  return manifest as ArtifactsManifest;
}
