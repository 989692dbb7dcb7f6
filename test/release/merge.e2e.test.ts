import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readArtifactsManifest } from '../../builders/artifacts.js';
import { loadCatalog } from '../../builders/catalog.js';
import { mergeDists } from '../../builders/merge/merge.js';
import { ASSET_FILE } from '../../builders/metadata/sensu-asset.js';
import { CHECKS_FILE } from '../../builders/metadata/checks.js';
import { resolveRepository } from '../../builders/release/repository.js';
import { tempDir } from './synthetic-dist.js';
import { e2eDists } from '../e2e/harness.js';

/**
 * The release workflow builds each platform on its own runner and merges the results. This proves,
 * with real Docker builds from the end-to-end harness (debian11 and debian12 built together, and
 * each alone), that the merge yields the metadata a single build of both writes.
 */

/** The first caller of e2eDists() waits for three real builds; the harness itself gives up at 75 minutes. */
const E2E_TIMEOUT_MS = 80 * 60 * 1000;

describe('merge of separately built platforms (real builds)', () => {
  it("equals a single full build's metadata", async () => {
    const { full, split } = await e2eDists();
    const catalog = await loadCatalog();
    const { repository } = await resolveRepository();
    const out = path.join(await tempDir('e2e-merge'), 'dist');
    await mergeDists({ inputs: split, out, catalog, repository });

    const fullManifest = await readArtifactsManifest(full);
    expect(await readArtifactsManifest(out)).toEqual(fullManifest);
    for (const name of [fullManifest.checksumsFile, ASSET_FILE, CHECKS_FILE]) {
      expect(await readFile(path.join(out, name), 'utf8'), name).toBe(await readFile(path.join(full, name), 'utf8'));
    }
    const tarballs = (dir: string): Promise<string[]> => readdir(dir).then((names) => names.filter((name) => name.endsWith('.tar.gz')).sort());
    expect(await tarballs(out)).toEqual(await tarballs(full));
  }, E2E_TIMEOUT_MS);
});
