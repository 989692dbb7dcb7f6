import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { create } from 'tar';
import { afterAll } from 'vitest';
import { assetFileName, buildLogName, checksumsFileName, writeArtifactsManifest, type Artifact, type ArtifactsManifest } from '../../builders/artifacts.js';
import type { Catalog } from '../../builders/catalog.js';
import { formatChecksums } from '../../builders/lib/checksums.js';
import { fileDigests } from '../../builders/metadata/digest.js';
import { writeSensuMetadata } from '../../builders/metadata/sensu-files.js';
import type { Repository } from '../../builders/release/repository.js';

/**
 * A dist/ directory shaped exactly like the build's, with real (small) gzipped tarballs instead of
 * compiled Tripwire, so that merge, verify and release are tested without Docker.
 */

export const TEST_REPOSITORY: Repository = { owner: 'octokit-fixture-org', name: 'sensu-tripwire' };
export const SOURCE = { name: 'tripwire_2.4.3.7.orig.tar.gz', tripwireVersion: '2.4.3.7', sha256: '1'.repeat(64), treeSha256: '2'.repeat(64) };

/** Every test directory of a test file lives under one parent, removed after the file's tests. */
let parent: Promise<string> | undefined;

afterAll(async () => {
  if (parent !== undefined) await rm(await parent, { recursive: true, force: true });
});

export async function tempDir(prefix: string): Promise<string> {
  parent ??= mkdtemp(path.join(tmpdir(), 'sensu-tripwire-test-'));
  return mkdtemp(path.join(await parent, `${prefix}-`));
}

export interface SyntheticOptions {
  version: string;
  platforms: readonly string[];
  catalog: Catalog;
  repository?: Repository;
  sourceDateEpoch?: number;
  source?: ArtifactsManifest['source'];
}

export async function makeDist(dir: string, options: SyntheticOptions): Promise<ArtifactsManifest> {
  await mkdir(path.join(dir, 'logs'), { recursive: true });
  const epoch = options.sourceDateEpoch ?? 1700000000;
  const source = options.source ?? SOURCE;
  const artifacts: Artifact[] = [];
  for (const platform of options.platforms) {
    const name = assetFileName(options.version, platform);
    await writeTarball(path.join(dir, name), platform, epoch);
    const { size, sha512 } = await fileDigests(path.join(dir, name));
    const buildLog = buildLogName(platform);
    await writeFile(path.join(dir, buildLog), `build log of ${platform}\n`);
    artifacts.push({ name, platform, os: 'linux', arch: 'amd64', size, sha512, sourceSha256: source.sha256, toolchainImageId: `sha256:${'3'.repeat(64)}`, buildLog });
  }
  artifacts.sort((a, b) => (a.name < b.name ? -1 : 1));
  const manifest: ArtifactsManifest = {
    schemaVersion: 1,
    project: 'sensu-tripwire',
    version: options.version,
    sourceDateEpoch: epoch,
    source,
    checksumsFile: checksumsFileName(options.version),
    artifacts,
  };
  await writeFile(path.join(dir, manifest.checksumsFile), formatChecksums(artifacts));
  await writeArtifactsManifest(dir, manifest);
  await writeSensuMetadata(dir, { version: options.version, repository: options.repository ?? TEST_REPOSITORY, artifacts, catalog: options.catalog });
  return manifest;
}

/** A deterministic tar.gz with a bin/ wrapper script whose content names the platform. */
async function writeTarball(file: string, platform: string, epoch: number): Promise<void> {
  const tree = await tempDir('tree');
  await mkdir(path.join(tree, 'bin'), { recursive: true });
  await writeFile(path.join(tree, 'bin', 'tripwire-check.sh'), `#!/bin/sh\necho "tripwire for ${platform}"\n`, { mode: 0o755 });
  await create({ gzip: true, portable: true, mtime: new Date(epoch * 1000), cwd: tree, file }, ['bin', 'bin/tripwire-check.sh']);
}
