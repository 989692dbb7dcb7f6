import { isDeepStrictEqual } from 'node:util';
import type { ArtifactsManifest } from '../artifacts.js';
import type { Catalog } from '../catalog.js';

/**
 * Combining the artifacts.json of builds made on separate machines into the one a single build of
 * all those platforms writes. They must be one release: same project, version, source and
 * SOURCE_DATE_EPOCH, and each platform built once.
 */

export interface Part {
  /** Where the manifest came from, for messages. */
  dir: string;
  manifest: ArtifactsManifest;
}

export function mergeProblems(parts: readonly Part[], catalog: Catalog): string[] {
  const problems: string[] = [];
  const [first] = parts;
  if (first === undefined) return ['nothing to merge: name at least one dist directory'];
  const fields: Array<[keyof ArtifactsManifest, string]> = [
    ['schemaVersion', 'schema version'],
    ['project', 'project'],
    ['version', 'version'],
    ['sourceDateEpoch', 'SOURCE_DATE_EPOCH'],
    ['source', 'Tripwire source'],
    ['checksumsFile', 'checksums file name'],
  ];
  for (const part of parts.slice(1)) {
    for (const [field, label] of fields) {
      if (!isDeepStrictEqual(part.manifest[field], first.manifest[field])) {
        problems.push(`${part.dir} has ${label} ${JSON.stringify(part.manifest[field])}, but ${first.dir} has ${JSON.stringify(first.manifest[field])}: not the same release`);
      }
    }
  }
  const builtIn = new Map<string, string>();
  const known = new Set(catalog.platforms.map((platform) => platform.name));
  for (const part of parts) {
    if (part.manifest.artifacts.length === 0) problems.push(`${part.dir} has no artifacts`);
    for (const artifact of part.manifest.artifacts) {
      const earlier = builtIn.get(artifact.platform);
      if (earlier !== undefined) problems.push(`platform ${artifact.platform} is in both ${earlier} and ${part.dir}: keep one`);
      builtIn.set(artifact.platform, part.dir);
      if (!known.has(artifact.platform)) problems.push(`${part.dir}: platform ${artifact.platform} is not in the catalog`);
      if (artifact.sourceSha256 !== first.manifest.source.sha256) problems.push(`${part.dir}: ${artifact.name} was compiled from another source tarball`);
    }
  }
  return problems;
}

/** The merged manifest; call only when mergeProblems() is empty. Artifacts sorted by file name. */
export function mergedManifest(parts: readonly Part[]): ArtifactsManifest {
  const [first] = parts;
  if (first === undefined) throw new Error('mergedManifest needs at least one part');
  const artifacts = parts.flatMap((part) => part.manifest.artifacts).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const { schemaVersion, project, version, sourceDateEpoch, source, checksumsFile } = first.manifest;
  return { schemaVersion, project, version, sourceDateEpoch, source, checksumsFile, artifacts };
}
