import type { Artifact } from '../artifacts.js';
import type { Catalog } from '../catalog.js';
import type { Repository } from '../release/repository.js';
import { filterProblem } from './filters.js';
import { buildFilters } from './host-filters.js';

/**
 * The multi-build core/v2 Asset for `sensuctl create -f`, with each build's GitHub download URL,
 * SHA-512 and filters, and the validation rules Sensu applies to it (sensu/core v2/asset.go).
 */

export const ASSET_NAME = 'sensu-tripwire';
export const ASSET_NAMESPACE = 'default';
export const ASSET_FILE = 'sensu-tripwire-asset.yml';

export interface AssetBuild {
  url: string;
  sha512: string;
  filters: string[];
}

export interface AssetResource {
  type: 'Asset';
  api_version: 'core/v2';
  metadata: { name: string; namespace: string; annotations: Record<string, string> };
  spec: { builds: AssetBuild[] };
}

/** Where GitHub serves a release asset: the tag verbatim, then the file name. */
export function downloadUrl(repository: Repository, version: string, fileName: string): string {
  const segment = (text: string): string => encodeURIComponent(text);
  return `https://github.com/${segment(repository.owner)}/${segment(repository.name)}/releases/download/${segment(version)}/${segment(fileName)}`;
}

/**
 * One build per artifact, in catalog order, with the filters generated from the catalog: each host
 * matches at most one build. A build of a subset of platforms lists just those.
 */
export function assetDefinition(input: { version: string; repository: Repository; artifacts: readonly Artifact[]; catalog: Catalog }): AssetResource {
  const byPlatform = new Map(input.artifacts.map((artifact) => [artifact.platform, artifact]));
  const known = new Set(input.catalog.platforms.map((platform) => platform.name));
  const strangers = input.artifacts.filter((artifact) => !known.has(artifact.platform)).map((artifact) => artifact.platform);
  if (strangers.length > 0) throw new Error(`artifacts for platforms missing from the catalog: ${strangers.join(', ')}`);
  const builds = input.catalog.platforms.flatMap((platform) => {
    const artifact = byPlatform.get(platform.name);
    if (artifact === undefined) return [];
    return [{ url: downloadUrl(input.repository, input.version, artifact.name), sha512: artifact.sha512, filters: buildFilters(platform, input.catalog) }];
  });
  return {
    type: 'Asset',
    api_version: 'core/v2',
    metadata: {
      name: ASSET_NAME,
      namespace: ASSET_NAMESPACE,
      annotations: {
        'sensu-tripwire/version': input.version,
        'sensu-tripwire/source': `https://github.com/${input.repository.owner}/${input.repository.name}`,
      },
    },
    spec: { builds },
  };
}

const NAME_PATTERN = /^[\w/_.\-:]+$/;

/**
 * What `Asset.Validate()` rejects, then what it lets through but an agent cannot use (a checksum
 * that is not 128 hex digits, a URL Go's HTTP client will not fetch, a filter otto cannot run).
 */
export function assetProblems(resource: AssetResource): string[] {
  const problems: string[] = [];
  if (resource.type !== 'Asset' || resource.api_version !== 'core/v2') problems.push('type must be Asset and api_version core/v2');
  if (!NAME_PATTERN.test(resource.metadata.name)) problems.push(`name "${resource.metadata.name}" does not match ${NAME_PATTERN}`);
  if (resource.metadata.namespace === '') problems.push('namespace must not be empty');
  const builds = resource.spec.builds;
  if (builds.length === 0) problems.push('the asset has no builds');
  builds.forEach((build, index) => {
    const where = `builds[${index}]`;
    if (build.sha512 === '' || build.sha512.length < 128) problems.push(`${where}: sha512 must be at least 128 characters`);
    else if (!/^[0-9a-f]{128}$/.test(build.sha512)) problems.push(`${where}: sha512 is not 128 lower-case hex digits`);
    if (build.url === '') problems.push(`${where}: url must not be empty`);
    else if (!/^https:\/\/[^\s]+$/.test(build.url)) problems.push(`${where}: url ${build.url} is not an https URL`);
    for (const filter of build.filters) {
      const problem = filterProblem(filter);
      if (problem !== undefined) problems.push(`${where}: filter ${JSON.stringify(filter)}: ${problem}`);
    }
  });
  return problems;
}
