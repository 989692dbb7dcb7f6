import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCatalog, type Platform } from '../../builders/catalog.js';
import { debianMirror } from '../../builders/lib/apt-mirror.js';
import { ARCHIVE_KEY } from '../../builders/lib/archive-key.js';
import { closeLog, openLog } from '../../builders/lib/build-log.js';
import { buildImage, dockerClient } from '../../builders/lib/docker.js';
import { toolchainBuildArgs, toolchainInputs, writeToolchainContext } from '../../builders/lib/toolchain.js';
import { runInContainer } from '../support/containers.js';

const BASE_TAG = 'sensu-tripwire-test/bullseye-buster-keys-only:latest';
const TEST_TAG = 'sensu-tripwire-test/toolchain-debian-archive:latest';

/**
 * A bullseye whose apt trusts only the buster keys, as stretch's does: the suite's Release is
 * signed with bullseye's and bookworm's keys, so apt refuses it (checked while making the image)
 * until the toolchain image is given the bullseye archive key.
 */
const BUSTER_KEYS_ONLY = `FROM debian:bullseye
RUN set -eu; cd /etc/apt/trusted.gpg.d; \\
    for key in *; do case "$key" in debian-archive-buster-*) ;; *) rm -f "$key" ;; esac; done; \\
    apt-get update > /tmp/update.log 2>&1 || true; \\
    grep NO_PUBKEY /tmp/update.log || { echo "apt still accepts the suite without its keys" >&2; exit 1; }; \\
    rm -rf /var/lib/apt/lists/* /tmp/update.log
`;

async function build(contextDir: string, files: string[], dockerfile: string, tag: string, buildArgs: Record<string, string>, logFile: string) {
  const log = openLog(logFile);
  try {
    await buildImage(dockerClient(), { contextDir, contextFiles: files, dockerfile, tag, buildArgs, log });
  } finally {
    await closeLog(log);
  }
}

/**
 * Debian 9 can only be built from Debian's archive of old releases, which this machine cannot
 * reach. The same code path is exercised here on a suite it can reach: the debian-archive fix
 * gives the image the newer archive key from this machine's keyring, rewrites the apt sources to
 * the given repository, accepts its expired Release file, and the toolchain installs from there.
 */
describe("Dockerfile.apt's debian-archive repository fix", () => {
  afterAll(async () => {
    for (const tag of [TEST_TAG, BASE_TAG]) await dockerClient().getImage(tag).remove({ force: true }).catch(() => undefined);
  });

  it("installs the toolchain from the given repository, trusting it through this machine's bullseye archive key", async () => {
    const bullseye = (await loadCatalog()).platforms.find((p) => p.name === 'debian11') as Platform;
    const mirror = await debianMirror();
    const asIfEol: Platform = { ...bullseye, baseImage: BASE_TAG, eolRepoFix: 'debian-archive' };
    const { buildArgs, archiveKeys } = await toolchainInputs(asIfEol, { SENSU_TRIPWIRE_DEBIAN_ARCHIVE_MIRROR: `${mirror}/` });
    const keyBytes = await readFile(ARCHIVE_KEY.file);
    const keySha256 = createHash('sha256').update(keyBytes).digest('hex');
    expect(buildArgs).toEqual({ BASE_IMAGE: BASE_TAG, EOL_REPO_FIX: 'debian-archive', EOL_MIRROR: mirror, ARCHIVE_KEY_SHA256: keySha256 });

    const scratch = await mkdtemp(path.join(os.tmpdir(), 'sensu-tripwire-eol-'));
    try {
      const logFile = path.join(scratch, 'build.log');
      await writeFile(path.join(scratch, 'Dockerfile.base'), BUSTER_KEYS_ONLY);
      await build(scratch, ['Dockerfile.base'], 'Dockerfile.base', BASE_TAG, {}, logFile);
      expect(await readFile(logFile, 'utf8')).toContain('NO_PUBKEY');

      const context = path.join(scratch, 'context');
      await build(context, await writeToolchainContext(context, 'Dockerfile.apt', archiveKeys), 'Dockerfile.apt', TEST_TAG, buildArgs, logFile);
      const probe = await mkdtemp(path.join(scratch, 'probe-'));
      const { code, output } = await runInContainer(
        TEST_TAG,
        probe,
        'cat /etc/apt/sources.list; ls /etc/apt/sources.list.d | wc -l; cat /etc/apt/apt.conf.d/10-eol-archive; ' +
          'sha256sum /etc/apt/trusted.gpg.d/debian-archive-bullseye-automatic.gpg; ls /tmp/archive-keys 2>&1; g++ --version | head -n 1',
      );
      expect(code).toBe(0);
      expect(output).toContain(`deb ${mirror} bullseye main`);
      expect(output).toMatch(/^0$/m);
      expect(output).toContain('Acquire::Check-Valid-Until "false";');
      expect(output).toContain(`${keySha256}  /etc/apt/trusted.gpg.d/debian-archive-bullseye-automatic.gpg`);
      expect(output).toContain('No such file or directory');
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
