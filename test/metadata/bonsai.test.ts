import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { assetFileName, checksumsFileName } from '../../builders/artifacts.js';
import { REPO_ROOT, loadCatalog } from '../../builders/catalog.js';
import { bonsaiConfig, bonsaiProblems, interpolate, renderBonsaiYml } from '../../builders/metadata/bonsai.js';

describe('.bonsai.yml', async () => {
  const catalog = await loadCatalog();
  const committed = await readFile(path.join(REPO_ROOT, '.bonsai.yml'), 'utf8');
  const document = parse(committed) as { builds: Array<Record<string, unknown>> };

  it('is exactly what the catalog yields (run "npm run bonsai" after editing platforms.yaml)', () => {
    expect(committed).toBe(renderBonsaiYml(bonsaiConfig(catalog)));
  });

  it('passes every rule Bonsai enforces', () => {
    expect(bonsaiProblems(document)).toEqual([]);
  });

  it('has one build per platform of the release matrix, CentOS 6 and 7 included, in catalog order', () => {
    expect(document.builds.map((build) => build.platform)).toEqual(catalog.platforms.map((platform) => platform.name));
    expect(document.builds.map((build) => build.platform)).toEqual(expect.arrayContaining(['centos6', 'centos7']));
  });

  it('expands, with Bonsai tokens, to the very file names the build writes (a "v" tag kept verbatim)', () => {
    for (const version of ['1.2.3', 'v1.2.3', 'v2.0.0-rc.1']) {
      for (const build of document.builds) {
        expect(interpolate(String(build.asset_filename), 'sensu-tripwire', version)).toBe(assetFileName(version, String(build.platform)));
        expect(interpolate(String(build.sha_filename), 'sensu-tripwire', version)).toBe(checksumsFileName(version));
      }
    }
  });
});

describe("Bonsai's rules", () => {
  const build = { platform: 'a', arch: 'amd64', asset_filename: '#{repo}_#{version}_a.tar.gz', sha_filename: '#{repo}_#{version}_sha512-checksums.txt', filter: ["entity.system.os == 'linux'"] };

  it('rejects a repeated platform+arch pair, which Bonsai would silently overwrite', () => {
    expect(bonsaiProblems({ builds: [build, { ...build }] })).toEqual([expect.stringMatching(/repeats an earlier build/)]);
    expect(bonsaiProblems({ builds: [build, { ...build, arch: '386' }] })).toEqual([]);
  });

  it('rejects tokens other than #{repo} and #{version}, and names without #{version}', () => {
    expect(bonsaiProblems({ builds: [{ ...build, asset_filename: '#{repo}_#{tag}_a.tar.gz' }] })).toEqual([
      expect.stringMatching(/#\{tag\}/),
      expect.stringMatching(/must contain #\{version\}/),
    ]);
    expect(() => interpolate('#{name}_#{version}', 'r', '1.0.0')).toThrow(/only #\{repo\} and #\{version\}/);
  });

  it('requires builds and their four keys, and filters that are JavaScript expressions', () => {
    expect(bonsaiProblems({ description: 'x' })).toEqual(['"builds" must be a non-empty list']);
    expect(bonsaiProblems({ builds: [{ platform: 'a' }] })).toEqual([
      expect.stringMatching(/"arch" is required/),
      expect.stringMatching(/"asset_filename" is required/),
      expect.stringMatching(/"sha_filename" is required/),
    ]);
    expect(bonsaiProblems({ builds: [{ ...build, filter: ["entity.system.os == 'linux' &&"] }] })).toEqual([expect.stringMatching(/not an ES5 expression/)]);
  });
});
