import { readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { assetFileName } from '../../builders/artifacts.js';
import { loadCatalog } from '../../builders/catalog.js';
import { UserError } from '../../builders/errors.js';
import { mergeDists } from '../../builders/merge/merge.js';
import { ASSET_FILE } from '../../builders/metadata/sensu-asset.js';
import { CHECKS_FILE } from '../../builders/metadata/checks.js';
import { TEST_REPOSITORY, makeDist, tempDir } from './synthetic-dist.js';

const catalog = await loadCatalog();
const all = catalog.platforms.map((platform) => platform.name);

async function split(version: string, groups: string[][]): Promise<string[]> {
  const dirs: string[] = [];
  for (const platforms of groups) {
    const dir = await tempDir('part');
    await makeDist(dir, { version, platforms, catalog });
    dirs.push(dir);
  }
  return dirs;
}

async function metadataOf(dir: string): Promise<Record<string, string>> {
  const names = ['artifacts.json', 'sensu-tripwire_v2.0.0_sha512-checksums.txt', ASSET_FILE, CHECKS_FILE];
  return Object.fromEntries(await Promise.all(names.map(async (name) => [name, await readFile(path.join(dir, name), 'utf8')] as const)));
}

describe('npm run merge', () => {
  it('combines per-platform dists into exactly what one build of all platforms writes', async () => {
    const full = await tempDir('full');
    await makeDist(full, { version: 'v2.0.0', platforms: all, catalog });
    const parts = await split('v2.0.0', all.map((name) => [name]).reverse());
    const out = path.join(await tempDir('merged'), 'dist');
    await mergeDists({ inputs: parts, out, catalog, repository: TEST_REPOSITORY });
    expect(await metadataOf(out)).toEqual(await metadataOf(full));
    expect((await readdir(out)).sort()).toEqual((await readdir(full)).sort());
    expect(await readFile(path.join(out, assetFileName('v2.0.0', 'centos6')))).toEqual(await readFile(path.join(full, assetFileName('v2.0.0', 'centos6'))));
    expect(await readdir(path.join(out, 'logs'))).toHaveLength(all.length);
  });

  it('refuses parts of different versions, sources or SOURCE_DATE_EPOCH', async () => {
    const [a] = await split('v2.0.0', [['alpine3.9']]);
    const b = await tempDir('part');
    await makeDist(b, { version: 'v2.0.1', platforms: ['centos6'], catalog, sourceDateEpoch: 1, source: { name: 'x', tripwireVersion: '2.4.3.7', sha256: 'f'.repeat(64), treeSha256: 'e'.repeat(64) } });
    const out = path.join(await tempDir('merged'), 'dist');
    const error = await mergeDists({ inputs: [a as string, b], out, catalog, repository: TEST_REPOSITORY }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    const message = (error as Error).message;
    expect(message).toMatch(/version "v2\.0\.1"/);
    expect(message).toMatch(/SOURCE_DATE_EPOCH 1/);
    expect(message).toMatch(/Tripwire source/);
    expect(message).toMatch(/compiled from another source tarball/);
  });

  it('refuses a platform built twice', async () => {
    const parts = await split('v2.0.0', [['debian11', 'debian12'], ['debian12']]);
    const out = path.join(await tempDir('merged'), 'dist');
    await expect(mergeDists({ inputs: parts, out, catalog, repository: TEST_REPOSITORY })).rejects.toThrow(/platform debian12 is in both/);
  });

  it('refuses a tarball whose SHA-512 does not match its manifest, and leaves --out untouched', async () => {
    const parts = await split('v2.0.0', [['debian11'], ['debian12']]);
    await writeFile(path.join(parts[1] as string, assetFileName('v2.0.0', 'debian12')), 'truncated');
    const out = path.join(await tempDir('merged'), 'dist');
    await expect(mergeDists({ inputs: parts, out, catalog, repository: TEST_REPOSITORY })).rejects.toThrow(/debian12_linux_amd64\.tar\.gz does not match its artifacts\.json/);
    await expect(readdir(out)).rejects.toThrow(/ENOENT/);
  });

  it('will not overwrite a non-empty --out without --force', async () => {
    const parts = await split('v2.0.0', [['debian11']]);
    const out = await tempDir('merged');
    await writeFile(path.join(out, 'keep-me'), 'x');
    await expect(mergeDists({ inputs: parts, out, catalog, repository: TEST_REPOSITORY })).rejects.toThrow(/--force/);
    await mergeDists({ inputs: parts, out, catalog, repository: TEST_REPOSITORY, force: true });
    expect(await readdir(out)).not.toContain('keep-me');
  });
});
