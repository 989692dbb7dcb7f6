import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadCatalog } from '../../builders/catalog.js';
import { newContext } from '../../builders/context.js';
import { silentLogger } from '../../builders/log.js';
import { buildPipeline } from '../../builders/pipeline.js';
import { CHECKS_FILE } from '../../builders/metadata/checks.js';
import { ASSET_FILE, assetProblems, type AssetResource } from '../../builders/metadata/sensu-asset.js';
import { assetDefinitionStage } from '../../builders/stages/asset-definition.js';
import { makeDist, tempDir } from '../release/synthetic-dist.js';

describe('the asset-definition stage', () => {
  it('runs right after artifacts-manifest, before dist/ is swapped in', () => {
    const names = buildPipeline.map((stage) => stage.name);
    expect(names.indexOf('asset-definition')).toBe(names.indexOf('artifacts-manifest') + 1);
    expect(names.at(-1)).toBe('publish-dist');
  });

  it('writes a valid asset definition of the built platforms, and the example checks, into staging', async () => {
    const catalog = await loadCatalog();
    const built = await tempDir('stage-src');
    const manifest = await makeDist(built, { version: 'v3.0.0', platforms: ['debian12', 'centos7'], catalog });
    const ctx = newContext({ platforms: 'debian12,centos7', catalogFile: catalog.file, patchesDir: 'unused', distDir: 'unused', cacheDir: 'unused' }, silentLogger);
    ctx.catalog = catalog;
    ctx.version = manifest.version;
    ctx.artifacts = manifest.artifacts;
    ctx.stagingDir = await tempDir('stage');
    await assetDefinitionStage.run(ctx);
    expect((await readdir(ctx.stagingDir)).sort()).toEqual([ASSET_FILE, CHECKS_FILE]);
    const resource = parse(await readFile(path.join(ctx.stagingDir, ASSET_FILE), 'utf8')) as AssetResource;
    expect(assetProblems(resource)).toEqual([]);
    expect(resource.spec.builds.map((build) => build.sha512)).toEqual(['centos7', 'debian12'].map((p) => manifest.artifacts.find((a) => a.platform === p)?.sha512));
  });
});
