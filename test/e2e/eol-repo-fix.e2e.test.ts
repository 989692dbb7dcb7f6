import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCatalog, type Platform } from '../../builders/catalog.js';
import { debianMirror } from '../../builders/lib/apt-mirror.js';
import { closeLog, openLog } from '../../builders/lib/build-log.js';
import { buildImage, dockerClient } from '../../builders/lib/docker.js';
import { DOCKERFILES_DIR, toolchainBuildArgs } from '../../builders/lib/toolchain.js';
import { runInContainer } from '../support/containers.js';

const TEST_TAG = 'sensu-tripwire-test/toolchain-debian-archive:latest';

/**
 * Debian 9 can only be built from Debian's archive of old releases, which this machine cannot
 * reach. The same code path is exercised here on a suite it can reach: the debian-archive fix
 * rewrites the toolchain image's apt sources to the given repository, accepts its expired
 * Release file, and the toolchain installs from there.
 */
describe("Dockerfile.apt's debian-archive repository fix", () => {
  afterAll(async () => {
    await dockerClient().getImage(TEST_TAG).remove({ force: true }).catch(() => undefined);
  });

  it('points apt at the repository from the environment and installs the toolchain from it', async () => {
    const bullseye = (await loadCatalog()).platforms.find((p) => p.name === 'debian11') as Platform;
    const mirror = await debianMirror();
    const asIfEol: Platform = { ...bullseye, eolRepoFix: 'debian-archive' };
    const buildArgs = toolchainBuildArgs(asIfEol, { SENSU_TRIPWIRE_DEBIAN_ARCHIVE_MIRROR: `${mirror}/` });
    expect(buildArgs).toEqual({ BASE_IMAGE: 'debian:bullseye', EOL_REPO_FIX: 'debian-archive', EOL_MIRROR: mirror });

    const scratch = await mkdtemp(path.join(os.tmpdir(), 'sensu-tripwire-eol-'));
    try {
      const logFile = path.join(scratch, 'build.log');
      const log = openLog(logFile);
      try {
        await buildImage(dockerClient(), { contextDir: DOCKERFILES_DIR, contextFiles: ['Dockerfile.apt'], dockerfile: 'Dockerfile.apt', tag: TEST_TAG, buildArgs, log });
      } finally {
        await closeLog(log);
      }
      const probe = await mkdtemp(path.join(scratch, 'probe-'));
      const { code, output } = await runInContainer(
        TEST_TAG,
        probe,
        'cat /etc/apt/sources.list; ls /etc/apt/sources.list.d | wc -l; cat /etc/apt/apt.conf.d/10-eol-archive; g++ --version | head -n 1',
      );
      expect(code).toBe(0);
      expect(output).toContain(`deb ${mirror} bullseye main`);
      expect(output).toMatch(/^0$/m);
      expect(output).toContain('Acquire::Check-Valid-Until "false";');
      expect(output).toMatch(/^g\+\+ \(Debian 10\./m);
      expect(await readFile(logFile, 'utf8')).toContain(`${mirror} bullseye`);
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  });

  it('refuses to build without the repository address', async () => {
    const stretch = (await loadCatalog()).platforms.find((p) => p.name === 'debian9') as Platform;
    expect(() => toolchainBuildArgs(stretch, {})).toThrow('set SENSU_TRIPWIRE_DEBIAN_ARCHIVE_MIRROR');
  });
});
