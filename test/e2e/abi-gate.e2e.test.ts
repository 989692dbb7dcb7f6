import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readArtifactsManifest } from '../../builders/artifacts.js';
import { loadCatalog, type Catalog, type Platform } from '../../builders/catalog.js';
import { newContext } from '../../builders/context.js';
import { UserError } from '../../builders/errors.js';
import { LOADER } from '../../builders/lib/abi.js';
import { distAbiProblems } from '../../builders/lib/abi-dist.js';
import { compareVersionNames } from '../../builders/lib/elf.js';
import { silentLogger } from '../../builders/log.js';
import { runStages } from '../../builders/stage.js';
import { abiGate } from '../../builders/stages/abi-gate.js';
import { publishDist } from '../../builders/stages/publish-dist.js';
import { snapshotDir } from '../support/snapshot.js';
import { E2E_PLATFORMS, builtAssetDir, e2eDists, type E2eDists } from './harness.js';

/** The catalog with debian12 claiming an older glibc than its build needs. */
function lowered(catalog: Catalog, libcVersion: string): Catalog {
  return { ...catalog, platforms: catalog.platforms.map((p) => (p.name === 'debian12' ? { ...p, libcVersion } : p)) };
}

/** The ABI gate on the real debian11/debian12 builds of the e2e harness (no compile of its own). */
describe('the ABI gate on real builds', () => {
  let dists: E2eDists;
  let catalog: Catalog;
  beforeAll(async () => {
    dists = await e2eDists();
    catalog = await loadCatalog();
  });

  it("records each platform's loader, newest GLIBC and NEEDED in artifacts.json and the build log", async () => {
    const manifest = await readArtifactsManifest(dists.full);
    for (const platform of E2E_PLATFORMS) {
      const entry = catalog.platforms.find((p) => p.name === platform) as Platform;
      const abi = manifest.artifacts.find((artifact) => artifact.platform === platform)?.abi;
      expect(abi?.interpreter).toBe(LOADER.glibc);
      expect(abi?.needed.every((library) => /^(libc\.so\.6|libm\.so\.6|ld-linux-x86-64\.so\.2)$/.test(library))).toBe(true);
      expect(abi?.needed).toContain('libc.so.6');
      expect(compareVersionNames(abi?.maxGlibc ?? '', entry.libcVersion)).toBeLessThanOrEqual(0);
      const log = await readFile(path.join(dists.full, 'logs', `${platform}.build.log`), 'utf8');
      expect(log).toContain(`# abi-gate passed: glibc ${entry.libcVersion}: interpreter ${LOADER.glibc}; newest GLIBC needed: ${abi?.maxGlibc};`);
    }
    expect(await distAbiProblems(dists.full, manifest, catalog)).toEqual([]);
  });

  it('refuses the debian12 binaries against a lowered libc_version, naming binary, versions and symbols, and leaves dist/ alone', async () => {
    const scratch = await mkdtemp(path.join(os.tmpdir(), 'sensu-tripwire-abi-'));
    try {
      const dist = path.join(scratch, 'dist');
      await mkdir(dist);
      await writeFile(path.join(dist, 'previous-release.txt'), 'the previous build\n');
      const staging = path.join(scratch, 'staging');
      await mkdir(staging);
      await writeFile(path.join(staging, 'new-output.txt'), 'would be published\n');
      const before = await snapshotDir(dist);

      const platform = lowered(catalog, '2.17').platforms.find((p) => p.name === 'debian12') as Platform;
      const ctx = newContext({ version: '1.0.0', platforms: 'debian12', catalogFile: catalog.file, patchesDir: scratch, distDir: dist, cacheDir: scratch }, silentLogger);
      ctx.platforms = [platform];
      ctx.stagingDir = staging;
      const logFile = path.join(scratch, 'debian12.build.log');
      ctx.builds.set('debian12', { platform, logFile, binariesDir: path.join(await builtAssetDir('debian12'), 'bin') });

      const error = await runStages(ctx, [abiGate, publishDist]).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(UserError);
      const message = (error as Error).message;
      for (const binary of ['tripwire', 'twadmin', 'twprint', 'siggen']) {
        expect(message).toMatch(new RegExp(`debian12: ${binary} needs GLIBC_2\\.\\d+, newer than the catalog's glibc 2\\.17 \\(`));
      }
      expect(message).toMatch(/debian12: tripwire needs GLIBC_2\.34, newer than the catalog's glibc 2\.17 \([^)]*__libc_start_main/);
      expect(await snapshotDir(dist)).toEqual(before);
      expect(await readFile(logFile, 'utf8')).toMatch(/^# abi-gate refused: glibc 2\.17: interpreter/m);
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  });

  it('is replayed by verify on a finished dist/, and catches artifacts.json figures that do not match the binaries', async () => {
    const scratch = await mkdtemp(path.join(os.tmpdir(), 'sensu-tripwire-abi-verify-'));
    try {
      const copy = path.join(scratch, 'dist');
      await cp(dists.full, copy, { recursive: true });
      const manifest = await readArtifactsManifest(copy);
      const problems = await distAbiProblems(copy, manifest, lowered(catalog, '2.17'));
      expect(problems.length).toBeGreaterThan(0);
      expect(problems.every((problem) => problem.startsWith(`sensu-tripwire_`) && problem.includes('_debian12_linux_amd64.tar.gz: debian12: '))).toBe(true);
      expect(problems.join('\n')).toMatch(/needs GLIBC_2\.34, newer than the catalog's glibc 2\.17/);

      const tampered = { ...manifest, artifacts: manifest.artifacts.map((a) => ({ ...a, abi: a.abi === undefined ? undefined : { ...a.abi, maxGlibc: '2.2.5' } })) };
      const mismatch = await distAbiProblems(copy, tampered, catalog);
      expect(mismatch).toHaveLength(E2E_PLATFORMS.length);
      expect(mismatch[0]).toMatch(/artifacts\.json says "interpreter .*newest GLIBC needed: 2\.2\.5.*", its binaries show/);
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  });
});
