import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { PROJECT, assetFileName, checksumsFileName, readArtifactsManifest, type ArtifactsManifest } from '../artifacts.js';
import type { Catalog } from '../catalog.js';
import type { Repository } from '../release/repository.js';
import { bonsaiConfig, bonsaiProblems, interpolate, renderBonsaiYml } from './bonsai.js';
import { formatChecksums } from '../lib/checksums.js';
import { bonsaiSha, parseChecksums } from './checksums.js';
import { fileDigests, type FileDigests } from './digest.js';
import { ASSET_FILE, assetProblems, type AssetResource } from './sensu-asset.js';
import { sensuMetadataFiles } from './sensu-files.js';
import { sensuctlProblems } from './sensuctl.js';

/**
 * `npm run verify`: replays offline what Bonsai and a Sensu agent will do with dist/. Loading is
 * the only I/O; the checks are one pure function over what was loaded.
 */

export interface DistSnapshot {
  manifest: ArtifactsManifest;
  /** Every regular file directly in dist/, with its digests. */
  files: Map<string, FileDigests>;
  /** Text of the small metadata files, by name. */
  texts: Map<string, string>;
}

export async function loadDist(dir: string): Promise<DistSnapshot> {
  const manifest = await readArtifactsManifest(dir);
  const files = new Map<string, FileDigests>();
  const texts = new Map<string, string>();
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(dir, entry.name);
    files.set(entry.name, await fileDigests(file));
    if (/\.(txt|yml|yaml|json)$/.test(entry.name)) texts.set(entry.name, await readFile(file, 'utf8'));
  }
  return { manifest, files, texts };
}

export interface VerifyInput {
  dist: DistSnapshot;
  catalog: Catalog;
  repository: Repository;
  /** The committed .bonsai.yml, as Bonsai will read it at the tag. */
  bonsaiText: string;
}

export function distProblems(input: VerifyInput): string[] {
  const { dist, catalog, repository } = input;
  const { manifest } = dist;
  const version = manifest.version;
  const problems: string[] = [];
  const digestsOf = (name: string): FileDigests | undefined => dist.files.get(name);

  // .bonsai.yml: valid for Bonsai and in sync with the catalog.
  let bonsai: unknown;
  try {
    bonsai = parse(input.bonsaiText);
  } catch (error) {
    problems.push(`.bonsai.yml is not valid YAML: ${String(error)}`);
  }
  problems.push(...bonsaiProblems(bonsai).map((problem) => `.bonsai.yml: ${problem}`));
  if (input.bonsaiText !== renderBonsaiYml(bonsaiConfig(catalog))) problems.push('.bonsai.yml differs from what platforms.yaml yields: run "npm run bonsai" and commit it');

  // Bonsai's resolution: every build's files are release assets, and the SHA it extracts is right.
  // #{repo} is the repository name as GitHub spells it, case kept (Bonsai's Extension#lowercase_name
  // is File.basename of the GitHub URL, lower-cased only for extensions without one).
  const repo = repository.name;
  if (repo !== PROJECT) {
    problems.push(`Bonsai expands #{repo} to the repository name "${repo}" as GitHub spells it (case kept), but the release files are named ${PROJECT}_…: the repository must be named ${PROJECT}`);
  }
  const builds = bonsaiBuilds(bonsai);
  for (const build of builds) {
    let assetName: string;
    let shaName: string;
    try {
      assetName = interpolate(build.asset_filename, repo, version);
      shaName = interpolate(build.sha_filename, repo, version);
    } catch (error) {
      problems.push(`.bonsai.yml: ${error instanceof Error ? error.message : String(error)}`);
      continue;
    }
    const asset = digestsOf(assetName);
    if (asset === undefined) problems.push(`Bonsai would reject ${version}: build ${build.platform} needs ${assetName}, which is not in dist/`);
    const shaText = dist.texts.get(shaName);
    if (shaText === undefined) problems.push(`Bonsai would reject ${version}: build ${build.platform} needs ${shaName}, which is not in dist/`);
    if (asset === undefined || shaText === undefined) continue;
    const sha = bonsaiSha(shaText, assetName);
    if (sha === undefined) problems.push(`Bonsai finds no SHA for ${assetName} in ${shaName}`);
    else if (sha.toLowerCase() !== asset.sha512) problems.push(`Bonsai would publish SHA ${short(sha)} for ${assetName}, but the file's SHA-512 is ${short(asset.sha512)}`);
  }

  // The checksums file: right name, exact format, every tarball listed, every SHA right.
  const expectedChecksums = checksumsFileName(version);
  if (manifest.checksumsFile !== expectedChecksums) problems.push(`artifacts.json names the checksums file ${manifest.checksumsFile}, expected ${expectedChecksums}`);
  const checksumsText = dist.texts.get(expectedChecksums);
  if (checksumsText !== undefined) {
    const { entries, problems: syntax } = parseChecksums(checksumsText);
    problems.push(...syntax.map((problem) => `${expectedChecksums}: ${problem}`));
    for (const entry of entries) {
      const actual = digestsOf(entry.name);
      if (actual === undefined) problems.push(`${expectedChecksums} lists ${entry.name}, which is not in dist/`);
      else if (actual.sha512 !== entry.sha512) problems.push(`${expectedChecksums}: SHA-512 of ${entry.name} is ${short(actual.sha512)}, the file says ${short(entry.sha512)}`);
    }
    const listed = new Set(entries.map((entry) => entry.name));
    for (const name of dist.files.keys()) {
      if (name.endsWith('.tar.gz') && !listed.has(name)) problems.push(`${name} is in dist/ but not in ${expectedChecksums}`);
    }
    if (syntax.length === 0 && formatChecksums(entries) !== checksumsText) problems.push(`${expectedChecksums} is not sorted by file name in sha512sum format`);
  }

  // artifacts.json against the files.
  const platforms = new Set(catalog.platforms.map((platform) => platform.name));
  for (const artifact of manifest.artifacts) {
    if (!platforms.has(artifact.platform)) problems.push(`artifacts.json: platform ${artifact.platform} is not in the catalog`);
    if (artifact.name !== assetFileName(version, artifact.platform)) problems.push(`artifacts.json: ${artifact.name} should be named ${assetFileName(version, artifact.platform)}`);
    const actual = digestsOf(artifact.name);
    if (actual === undefined) problems.push(`artifacts.json lists ${artifact.name}, which is not in dist/`);
    else if (actual.sha512 !== artifact.sha512 || actual.size !== artifact.size) problems.push(`${artifact.name} does not match artifacts.json (size or SHA-512 differ)`);
  }

  // Every YAML file in dist/ is for `sensuctl create -f`: each part it splits must be a resource.
  for (const [name, text] of dist.texts) {
    if (/\.ya?ml$/.test(name)) problems.push(...sensuctlProblems(text).map((problem) => `sensuctl create -f ${name} would fail: ${problem}`));
  }

  // The Sensu asset definition: valid for Sensu, SHAs of the real files, and what the catalog yields.
  const assetText = dist.texts.get(ASSET_FILE);
  if (assetText === undefined) problems.push(`${ASSET_FILE} is missing from dist/`);
  else problems.push(...assetDefinitionProblems(assetText, input));
  return problems;
}

function assetDefinitionProblems(text: string, input: VerifyInput): string[] {
  const problems: string[] = [];
  const documents = parseAllDocuments(text);
  if (!Array.isArray(documents) || documents.length !== 1) return [`${ASSET_FILE} must hold exactly one YAML document`];
  const resource = (documents[0] as { toJS(): unknown }).toJS() as AssetResource;
  if (typeof resource !== 'object' || resource === null || !Array.isArray(resource.spec?.builds)) return [`${ASSET_FILE} is not a core/v2 Asset with builds`];
  problems.push(...assetProblems(resource).map((problem) => `${ASSET_FILE}: ${problem}`));
  const bySha = new Map([...input.dist.files].map(([name, digests]) => [digests.sha512, name]));
  for (const build of resource.spec.builds) {
    const name = bySha.get(String(build.sha512).toLowerCase());
    if (name === undefined) problems.push(`${ASSET_FILE}: build ${build.url} has SHA-512 ${short(String(build.sha512))}, which no file in dist/ has`);
    else if (!String(build.url).endsWith(`/${encodeURIComponent(name)}`)) problems.push(`${ASSET_FILE}: build ${build.url} has the SHA-512 of ${name}`);
  }
  const [expected] = sensuMetadataFiles({ version: input.dist.manifest.version, repository: input.repository, artifacts: input.dist.manifest.artifacts, catalog: input.catalog });
  if (problems.length === 0 && expected !== undefined && expected.content !== text) {
    problems.push(`${ASSET_FILE} differs from what artifacts.json, the catalog and github.com/${input.repository.owner}/${input.repository.name} yield (stale, or made for another repository?)`);
  }
  return problems;
}

interface NamedBuild {
  platform: string;
  asset_filename: string;
  sha_filename: string;
}

/** The builds whose file names can be resolved; bonsaiProblems() reports the others. */
function bonsaiBuilds(document: unknown): NamedBuild[] {
  const builds: unknown = typeof document === 'object' && document !== null ? (document as { builds?: unknown }).builds : undefined;
  if (!Array.isArray(builds)) return [];
  return builds.filter((build): build is NamedBuild => typeof build?.asset_filename === 'string' && typeof build?.sha_filename === 'string');
}

function short(sha: string): string {
  return `${sha.slice(0, 12)}…`;
}
