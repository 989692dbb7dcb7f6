import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DEFAULT_CATALOG_FILE, loadCatalog, validateCatalog } from '../../builders/catalog.js';
import { howToProvideBaseImage } from '../../builders/lib/toolchain.js';

/** The catalog's `rootfs:` pin, on the real platforms.yaml (so it keeps up with the catalog's other fields). */
async function withAlpineRootfs(rootfs: unknown): Promise<unknown> {
  const document = parse(await readFile(DEFAULT_CATALOG_FILE, 'utf8')) as { platforms: Array<Record<string, unknown>> };
  for (const entry of document.platforms) if (entry.name === 'alpine3.9') entry.rootfs = rootfs;
  return document;
}

describe("the catalog's pinned root file systems", () => {
  it('pin the official alpine:3.9 root file system (3.9.6) by file name and SHA-512', async () => {
    const alpine = (await loadCatalog()).platforms.find((p) => p.name === 'alpine3.9');
    expect(alpine?.rootfs).toEqual({
      file: 'alpine-minirootfs-3.9.6-x86_64.tar.gz',
      sha512: '93fbb9cbf9dfae80278796840265fc1ca03c2381a2dc366be57bc6f93cdefc86bc9c38107b183136a86fe494d8c604c21b422d5ac3c4635922b6d5b45caae16c',
    });
    expect(howToProvideBaseImage(alpine!)).toContain('SENSU_TRIPWIRE_ROOTFS_DIR=DIR npm run images -- alpine3.9');
  });

  it('refuse a pin without a usable file name or SHA-512', async () => {
    const sha512 = 'a'.repeat(128);
    for (const bad of [{ file: '../evil.tar.gz', sha512 }, { file: 'a.tar.gz', sha512: 'abc' }, { file: 'a.tar.gz' }, 'a.tar.gz', { file: 'a.tar.gz', sha512, extra: 1 }]) {
      const document = await withAlpineRootfs(bad);
      expect(() => validateCatalog(document, 'x.yaml')).toThrow(/x\.yaml: platform "alpine3\.9": rootfs must be \{ file: NAME\.tar\.gz, sha512: <128 hex digits> \}/);
    }
  });
});
