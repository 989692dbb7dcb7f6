import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { stringify } from 'yaml';
import type { Artifact } from '../artifacts.js';
import type { Catalog } from '../catalog.js';
import type { Repository } from '../release/repository.js';
import { CHECKS_FILE, exampleChecks, type CheckResource } from './checks.js';
import { ASSET_FILE, assetDefinition, assetProblems, type AssetResource } from './sensu-asset.js';
import { sensuctlProblems } from './sensuctl.js';

/**
 * Renders and writes dist/sensu-tripwire-asset.yml and dist/sensu-tripwire-checks.yml, both for
 * `sensuctl create -f`. sensuctl splits a file at lines starting with `---` and decodes every
 * part as a resource, so a comment may only open the first resource, never stand before a `---`.
 */

const YAML_OPTIONS = { lineWidth: 0 } as const;

export function renderAssetYml(resource: AssetResource): string {
  return (
    `# sensu-tripwire ${resource.metadata.annotations['sensu-tripwire/version'] ?? ''}: install with \`sensuctl create -f ${ASSET_FILE}\`.\n` +
    '# Each host matches the filters of one build at most.\n' +
    stringify(resource, YAML_OPTIONS)
  );
}

export function renderChecksYml(checks: readonly CheckResource[]): string {
  const header = `# Example checks using the sensu-tripwire asset: \`sensuctl create -f ${CHECKS_FILE}\` after the asset.\n`;
  return header + checks.map((check) => stringify(check, YAML_OPTIONS)).join('---\n');
}

export interface SensuMetadataInput {
  version: string;
  repository: Repository;
  artifacts: readonly Artifact[];
  catalog: Catalog;
}

/** The two files' names and contents; the asset is validated by Sensu's rules first. */
export function sensuMetadataFiles(input: SensuMetadataInput): Array<{ name: string; content: string }> {
  const resource = assetDefinition(input);
  const problems = assetProblems(resource);
  if (problems.length > 0) throw new Error(`the generated asset definition is invalid: ${problems.join('; ')}`);
  const files = [
    { name: ASSET_FILE, content: renderAssetYml(resource) },
    { name: CHECKS_FILE, content: renderChecksYml(exampleChecks()) },
  ];
  for (const file of files) {
    const refused = sensuctlProblems(file.content);
    if (refused.length > 0) throw new Error(`sensuctl create -f would refuse the generated ${file.name}: ${refused.join('; ')}`);
  }
  return files;
}

export async function writeSensuMetadata(dir: string, input: SensuMetadataInput): Promise<string[]> {
  const files = sensuMetadataFiles(input);
  for (const file of files) await writeFile(path.join(dir, file.name), file.content, { mode: 0o644 });
  return files.map((file) => file.name);
}
