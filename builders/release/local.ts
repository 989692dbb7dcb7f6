import path from 'node:path';
import type { ArtifactsManifest } from '../artifacts.js';
import { CHECKS_FILE } from '../metadata/checks.js';
import { fileDigests } from '../metadata/digest.js';
import { ASSET_FILE } from '../metadata/sensu-asset.js';
import type { DraftSpec, LocalFile } from './types.js';

/**
 * The files a release publishes: every tarball and the checksums file (what Bonsai needs), plus
 * the asset definition and example checks, so `sensuctl create -f <release URL>` works too.
 */

export function releaseFileNames(manifest: ArtifactsManifest): string[] {
  return [...manifest.artifacts.map((artifact) => artifact.name), manifest.checksumsFile, ASSET_FILE, CHECKS_FILE].sort();
}

export function contentTypeOf(name: string): string {
  if (name.endsWith('.tar.gz')) return 'application/gzip';
  if (name.endsWith('.yml') || name.endsWith('.yaml')) return 'application/yaml';
  return 'text/plain';
}

export async function releaseFiles(dir: string, manifest: ArtifactsManifest): Promise<LocalFile[]> {
  const files: LocalFile[] = [];
  for (const name of releaseFileNames(manifest)) {
    const file = path.join(dir, name);
    const { size, sha256 } = await fileDigests(file);
    files.push({ name, path: file, size, sha256, contentType: contentTypeOf(name) });
  }
  return files;
}

/** The release's title and notes; a semver pre-release tag makes a GitHub pre-release. */
export function draftSpec(manifest: ArtifactsManifest, targetCommitish?: string): DraftSpec {
  const tag = manifest.version;
  const platforms = manifest.artifacts.map((artifact) => artifact.platform).sort();
  const body = [
    `Tripwire OSS ${manifest.source.tripwireVersion} as a Sensu Go asset, built for: ${platforms.join(', ')} (linux/amd64).`,
    '',
    `Install from Bonsai with \`sensuctl asset add\`, or with \`sensuctl create -f\` of ${ASSET_FILE} from this release.`,
    `SHA-512 checksums: ${manifest.checksumsFile}.`,
  ].join('\n');
  const prerelease = /^v?\d+\.\d+\.\d+-/.test(tag);
  return { tag, name: `sensu-tripwire ${tag}`, body, prerelease, ...(targetCommitish === undefined ? {} : { targetCommitish }) };
}
