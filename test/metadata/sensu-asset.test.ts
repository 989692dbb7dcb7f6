import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { assetFileName, type Artifact } from '../../builders/artifacts.js';
import { loadCatalog } from '../../builders/catalog.js';
import { bonsaiConfig } from '../../builders/metadata/bonsai.js';
import { matchingBuilds } from '../../builders/metadata/filters.js';
import { buildFilters } from '../../builders/metadata/host-filters.js';
import { HOST_REPORTS, entityOf } from '../../builders/metadata/host-reports.js';
import { assetDefinition, assetProblems, downloadUrl, type AssetResource } from '../../builders/metadata/sensu-asset.js';
import { sensuMetadataFiles } from '../../builders/metadata/sensu-files.js';

const catalog = await loadCatalog();
const repository = { owner: 'example', name: 'sensu-tripwire' };

function artifact(platform: string, version = 'v1.2.3'): Artifact {
  const sha512 = Buffer.from(platform.padEnd(64, '.')).toString('hex').slice(0, 128);
  return { name: assetFileName(version, platform), platform, os: 'linux', arch: 'amd64', size: 1, sha512, sourceSha256: '0'.repeat(64), toolchainImageId: 'x', buildLog: `logs/${platform}.build.log` };
}

describe('the Sensu asset definition (core/v2 Asset)', () => {
  const everything = catalog.platforms.map((platform) => artifact(platform.name));
  const resource = assetDefinition({ version: 'v1.2.3', repository, artifacts: everything, catalog });

  it("is valid under Sensu's Asset.Validate rules and ours", () => {
    expect(assetProblems(resource)).toEqual([]);
  });

  it("has one build per artifact, in catalog order, each with GitHub's download URL, SHA-512 and the filters generated from the catalog", () => {
    expect(resource.spec.builds.map((build) => build.url)).toEqual(
      catalog.platforms.map((platform) => `https://github.com/example/sensu-tripwire/releases/download/v1.2.3/${assetFileName('v1.2.3', platform.name)}`),
    );
    expect(resource.spec.builds.map((build) => build.filters)).toEqual(catalog.platforms.map((platform) => buildFilters(platform, catalog)));
    expect(resource.spec.builds.map((build) => build.sha512)).toEqual(catalog.platforms.map((platform) => artifact(platform.name).sha512));
  });

  it('gives every host of the table the same build as .bonsai.yml does, and never two', () => {
    const bonsai = bonsaiConfig(catalog).builds.map((build) => ({ platform: build.platform, filters: build.filter }));
    for (const host of HOST_REPORTS) {
      const fromAsset = matchingBuilds(resource.spec.builds, entityOf(host));
      const fromBonsai = matchingBuilds(bonsai, entityOf(host));
      const names = 'indexes' in fromAsset ? fromAsset.indexes.map((index) => resource.spec.builds[index]?.url.split('_')[2]) : ['error'];
      expect(names.length, host.label).toBeLessThanOrEqual(1);
      expect(names, host.label).toEqual('indexes' in fromBonsai ? fromBonsai.indexes.map((index) => bonsai[index]?.platform) : ['error']);
    }
  });

  it('lists only the platforms built, for a build of a subset', () => {
    const subset = assetDefinition({ version: 'v1.2.3', repository, artifacts: [artifact('debian11'), artifact('alpine3.9')], catalog });
    expect(subset.spec.builds.map((build) => build.url.split('_')[2])).toEqual(['alpine3.9', 'debian11']);
  });

  it('renders as one YAML document and the checks as several, all Sensu resources', () => {
    const [asset, checks] = sensuMetadataFiles({ version: 'v1.2.3', repository, artifacts: everything, catalog });
    const assetDocs = parseAllDocuments(asset?.content ?? '');
    expect(Array.isArray(assetDocs) && assetDocs.map((doc) => doc.toJS())).toEqual([resource]);
    const checkDocs = parseAllDocuments(checks?.content ?? '');
    const parsed = Array.isArray(checkDocs) ? checkDocs.map((doc) => doc.toJS() as { type: string; metadata: { name: string }; spec: { runtime_assets: string[] } }) : [];
    expect(parsed.map((check) => check.metadata.name)).toContain('tripwire-web');
    for (const check of parsed) {
      expect(check.type).toBe('CheckConfig');
      expect(check.spec.runtime_assets).toEqual([resource.metadata.name]);
    }
  });

  it('encodes tags with characters that need it in the URL', () => {
    expect(downloadUrl(repository, '1.0.0+build.1', 'f.tar.gz')).toBe('https://github.com/example/sensu-tripwire/releases/download/1.0.0%2Bbuild.1/f.tar.gz');
  });
});

describe("Sensu's Asset validation rules", () => {
  const valid = (): AssetResource => ({
    type: 'Asset',
    api_version: 'core/v2',
    metadata: { name: 'sensu-tripwire', namespace: 'default', annotations: {} },
    spec: { builds: [{ url: 'https://example.invalid/a.tar.gz', sha512: 'a'.repeat(128), filters: ["entity.system.os == 'linux'"] }] },
  });

  it('rejects a bad name, an empty namespace and no builds', () => {
    const bad = valid();
    bad.metadata.name = 'sensu tripwire';
    bad.metadata.namespace = '';
    bad.spec.builds = [];
    expect(assetProblems(bad)).toEqual([expect.stringMatching(/^name /), 'namespace must not be empty', 'the asset has no builds']);
  });

  it('rejects short or non-hex checksums, empty or non-https URLs, and filters that do not parse', () => {
    const bad = valid();
    bad.spec.builds = [
      { url: '', sha512: 'abc', filters: [] },
      { url: 'ftp://example.invalid/a', sha512: 'Z'.repeat(128), filters: ['entity.system.os =='] },
    ];
    expect(assetProblems(bad)).toEqual([
      'builds[0]: sha512 must be at least 128 characters',
      'builds[0]: url must not be empty',
      'builds[1]: sha512 is not 128 lower-case hex digits',
      'builds[1]: url ftp://example.invalid/a is not an https URL',
      expect.stringMatching(/^builds\[1\]: filter .*not an ES5 expression/),
    ]);
  });
});
