import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { assetFileName, checksumsFileName } from '../../builders/artifacts.js';
import { REPO_ROOT, loadCatalog } from '../../builders/catalog.js';
import { bonsaiConfig, renderBonsaiYml } from '../../builders/metadata/bonsai.js';
import { ASSET_FILE } from '../../builders/metadata/sensu-asset.js';
import { distProblems, loadDist } from '../../builders/metadata/verify.js';
import { TEST_REPOSITORY, makeDist, tempDir } from '../release/synthetic-dist.js';

const catalog = await loadCatalog();
const all = catalog.platforms.map((platform) => platform.name);
const bonsaiText = await readFile(path.join(REPO_ROOT, '.bonsai.yml'), 'utf8');

async function problemsOf(dir: string, overrides: { bonsaiText?: string } = {}): Promise<string[]> {
  return distProblems({ dist: await loadDist(dir), catalog, repository: TEST_REPOSITORY, bonsaiText: overrides.bonsaiText ?? bonsaiText });
}

describe('npm run verify (Bonsai and Sensu replayed offline)', () => {
  it('passes a complete dist/', async () => {
    const dir = await tempDir('verify');
    await makeDist(dir, { version: 'v1.2.3', platforms: all, catalog });
    expect(await problemsOf(dir)).toEqual([]);
  });

  it('fails like Bonsai when a build of .bonsai.yml has no file', async () => {
    const dir = await tempDir('verify');
    await makeDist(dir, { version: '1.2.3', platforms: all.filter((name) => name !== 'centos6'), catalog });
    expect(await problemsOf(dir)).toEqual([`Bonsai would reject 1.2.3: build centos6 needs ${assetFileName('1.2.3', 'centos6')}, which is not in dist/`]);
  });

  it('catches a tarball that no longer matches its checksum, manifest and asset definition', async () => {
    const dir = await tempDir('verify');
    await makeDist(dir, { version: '1.2.3', platforms: all, catalog });
    await writeFile(path.join(dir, assetFileName('1.2.3', 'debian11')), 'not the built file');
    const problems = await problemsOf(dir);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^Bonsai would publish SHA .* for sensu-tripwire_1\.2\.3_debian11/),
        expect.stringMatching(/sha512-checksums\.txt: SHA-512 of sensu-tripwire_1\.2\.3_debian11/),
        expect.stringMatching(/debian11_linux_amd64\.tar\.gz does not match artifacts\.json/),
        expect.stringMatching(new RegExp(`^${ASSET_FILE.replace(/\./g, '\\.')}: build .*debian11.* which no file in dist/ has`)),
      ]),
    );
  });

  it('catches a missing checksums file and asset definition', async () => {
    const dir = await tempDir('verify');
    await makeDist(dir, { version: '1.2.3', platforms: all, catalog });
    await rm(path.join(dir, checksumsFileName('1.2.3')));
    await rm(path.join(dir, ASSET_FILE));
    const problems = await problemsOf(dir);
    expect(problems).toContain(`${ASSET_FILE} is missing from dist/`);
    expect(problems.filter((problem) => problem.includes(`needs ${checksumsFileName('1.2.3')}`))).toHaveLength(all.length);
  });

  it('catches an asset definition made for another repository', async () => {
    const dir = await tempDir('verify');
    await makeDist(dir, { version: '1.2.3', platforms: all, catalog, repository: { owner: 'someone-else', name: 'sensu-tripwire' } });
    expect(await problemsOf(dir)).toEqual([expect.stringMatching(/differs from what .*github\.com\/octokit-fixture-org\/sensu-tripwire yield/)]);
  });

  it("expands #{repo} with the repository name's case kept, as Bonsai does, so a repository named otherwise than the files is caught", async () => {
    const dir = await tempDir('verify');
    const repository = { owner: TEST_REPOSITORY.owner, name: 'Sensu-Tripwire' };
    await makeDist(dir, { version: '1.2.3', platforms: all, catalog, repository });
    const problems = await distProblems({ dist: await loadDist(dir), catalog, repository, bonsaiText });
    expect(problems[0]).toMatch(/^Bonsai expands #\{repo\} to the repository name "Sensu-Tripwire" as GitHub spells it \(case kept\)/);
    expect(problems).toContain(`Bonsai would reject 1.2.3: build centos7 needs Sensu-Tripwire_1.2.3_centos7_linux_amd64.tar.gz, which is not in dist/`);
  });

  it('catches a .bonsai.yml that is out of date with the catalog', async () => {
    const dir = await tempDir('verify');
    await makeDist(dir, { version: '1.2.3', platforms: all, catalog });
    const stale = renderBonsaiYml({ ...bonsaiConfig(catalog), builds: bonsaiConfig(catalog).builds.slice(1) });
    expect(await problemsOf(dir, { bonsaiText: stale })).toEqual([expect.stringMatching(/run "npm run bonsai"/)]);
  });
});
