import { stringify } from 'yaml';
import { ARCH, PROJECT, assetFileName, checksumsFileName } from '../artifacts.js';
import type { Catalog } from '../catalog.js';
import { filterProblem } from './filters.js';
import { buildFilters } from './host-filters.js';

/**
 * `.bonsai.yml`, derived from the platform catalog. Bonsai reads it from the checkout of each
 * release tag and only enforces: `builds` present; per build `platform`, `arch`, `asset_filename`,
 * `sha_filename`; unique platform+arch (a duplicate silently overwrites the earlier build); and
 * the tokens `#{repo}` (the GitHub repository name) and `#{version}` (the tag verbatim), nothing
 * else. Our Bonsai `platform` is the catalog name (alpine3.9, centos7, ...): unique by
 * construction, and the same word that is in the asset file name.
 */

export const BONSAI_FILE = '.bonsai.yml';
export const REPO_TOKEN = '#{repo}';
export const VERSION_TOKEN = '#{version}';

export interface BonsaiBuild {
  platform: string;
  arch: string;
  asset_filename: string;
  sha_filename: string;
  filter: string[];
}

export interface BonsaiConfig {
  description: string;
  builds: BonsaiBuild[];
}

export const DESCRIPTION = 'Tripwire OSS 2.4.3.7 file-integrity checks for Sensu Go, one build per supported distribution';

/** A file name with our project name turned into #{repo}; Bonsai expands it to the repository name. */
function withRepoToken(fileName: string): string {
  const prefix = `${PROJECT}_`;
  if (!fileName.startsWith(prefix)) throw new Error(`artifact name ${fileName} does not start with ${prefix}`);
  return REPO_TOKEN + fileName.slice(PROJECT.length);
}

/** One build per catalog platform; their filters select disjoint hosts, so order does not matter. */
export function bonsaiConfig(catalog: Catalog): BonsaiConfig {
  return {
    description: DESCRIPTION,
    builds: catalog.platforms.map((platform) => ({
      platform: platform.name,
      arch: ARCH,
      asset_filename: withRepoToken(assetFileName(VERSION_TOKEN, platform.name)),
      sha_filename: withRepoToken(checksumsFileName(VERSION_TOKEN)),
      filter: buildFilters(platform, catalog),
    })),
  };
}

const HEADER = `# Generated from platforms.yaml by \`npm run bonsai\`: do not edit; a test fails when it differs.
# Bonsai (bonsai.sensu.io) reads this file at each release tag. #{repo} is the repository name and
# #{version} the tag verbatim. Each host matches at most one build's filters (generated from the
# catalog's serves: data), so the order of the builds does not matter.
`;

export function renderBonsaiYml(config: BonsaiConfig): string {
  return HEADER + stringify(config, { defaultStringType: 'QUOTE_DOUBLE', defaultKeyType: 'PLAIN', lineWidth: 0 });
}

/** Expands Bonsai's two tokens; any other #{...} makes Bonsai fail, so it is an error here too. */
export function interpolate(template: string, repo: string, version: string): string {
  const expanded = template.replaceAll(REPO_TOKEN, repo).replaceAll(VERSION_TOKEN, version);
  const unknown = /#\{[^}]*\}/.exec(expanded);
  if (unknown !== null) throw new Error(`${template}: Bonsai knows only ${REPO_TOKEN} and ${VERSION_TOKEN}, not ${unknown[0]}`);
  return expanded;
}

/** What Bonsai would reject or silently mishandle in a parsed .bonsai.yml. */
export function bonsaiProblems(document: unknown): string[] {
  const problems: string[] = [];
  if (!isRecord(document) || !Array.isArray(document.builds) || document.builds.length === 0) {
    return ['"builds" must be a non-empty list'];
  }
  const pairs = new Set<string>();
  document.builds.forEach((build: unknown, index: number) => {
    const where = `builds[${index}]`;
    if (!isRecord(build)) {
      problems.push(`${where} is not a mapping`);
      return;
    }
    for (const key of ['platform', 'arch', 'asset_filename', 'sha_filename']) {
      if (typeof build[key] !== 'string' || build[key] === '') problems.push(`${where}: "${key}" is required`);
    }
    const pair = `${String(build.platform)}/${String(build.arch)}`;
    if (pairs.has(pair)) problems.push(`${where}: platform+arch ${pair} repeats an earlier build (Bonsai keeps only one)`);
    pairs.add(pair);
    for (const key of ['asset_filename', 'sha_filename']) {
      const value = build[key];
      if (typeof value !== 'string') continue;
      const tokens = value.match(/#\{[^}]*\}/g) ?? [];
      const bad = tokens.filter((token) => token !== REPO_TOKEN && token !== VERSION_TOKEN);
      if (bad.length > 0) problems.push(`${where}: ${key} uses ${bad.join(', ')}; Bonsai knows only ${REPO_TOKEN} and ${VERSION_TOKEN}`);
      if (!value.includes(VERSION_TOKEN)) problems.push(`${where}: ${key} must contain ${VERSION_TOKEN}, or every release names the same file`);
    }
    const filters = build.filter;
    if (filters !== undefined) {
      if (!Array.isArray(filters) || !filters.every((f) => typeof f === 'string')) {
        problems.push(`${where}: "filter" must be a list of strings`);
      } else {
        for (const filter of filters as string[]) {
          const problem = filterProblem(filter);
          if (problem !== undefined) problems.push(`${where}: filter ${JSON.stringify(filter)}: ${problem}`);
        }
      }
    }
  });
  return problems;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
