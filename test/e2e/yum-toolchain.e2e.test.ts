import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCatalog, type Platform } from '../../builders/catalog.js';
import { closeLog, openLog } from '../../builders/lib/build-log.js';
import { buildImage, dockerClient } from '../../builders/lib/docker.js';
import { toolchainInputs, writeToolchainContext } from '../../builders/lib/toolchain.js';
import { runInContainer } from '../support/containers.js';

const FAKE_DIR = path.join(path.dirname(new URL(import.meta.url).pathname), 'fake-el');
const VAULT = 'https://vault.example.org/centos';
const RELEASES = {
  el6: { major: '6', staticCxx: 'libstdc++-devel', catalog: 'centos6' },
  el7: { major: '7', staticCxx: 'libstdc++-static', catalog: 'centos7' },
  broken: { major: '6', staticCxx: 'none', catalog: 'centos6' },
} as const;
type Release = keyof typeof RELEASES;
const baseOf = (release: Release) => `sensu-tripwire-test/fake-el:${release}`;
const toolchainOf = (release: Release) => `sensu-tripwire-test/fake-el-toolchain:${release}`;

/**
 * Dockerfile.yum cannot run against real CentOS here. Its decisions can: on a stand-in base image
 * whose yum behaves like EL's (the package that ships libstdc++.a differs per release; an unknown
 * package is "No package ... available." with exit status 0), the real Dockerfile must ask for
 * what the release has, lower the open-file limit, point yum at the vault over https, and stop
 * when libstdc++.a is still missing.
 */
describe('Dockerfile.yum on stand-in EL releases', () => {
  let scratch: string;
  const results = new Map<Release, { error?: Error; log: string }>();

  beforeAll(async () => {
    scratch = await mkdtemp(path.join(os.tmpdir(), 'sensu-tripwire-fake-el-'));
    const catalog = await loadCatalog();
    for (const [release, spec] of Object.entries(RELEASES) as Array<[Release, (typeof RELEASES)[Release]]>) {
      const logFile = path.join(scratch, `${release}.log`);
      const log = openLog(logFile);
      let error: Error | undefined;
      try {
        await buildImage(dockerClient(), {
          contextDir: FAKE_DIR,
          contextFiles: ['Dockerfile', 'yum.sh', 'rpm.sh'],
          dockerfile: 'Dockerfile',
          tag: baseOf(release),
          buildArgs: { BASE_IMAGE: 'debian:bookworm', FAKE_EL_MAJOR: spec.major, FAKE_EL_STATIC_CXX: spec.staticCxx },
          log,
        });
        const platform = { ...(catalog.platforms.find((p) => p.name === spec.catalog) as Platform), baseImage: baseOf(release) };
        const { buildArgs, archiveKeys } = await toolchainInputs(platform, { SENSU_TRIPWIRE_CENTOS_VAULT_MIRROR: `${VAULT}/` });
        const context = path.join(scratch, `context-${release}`);
        const files = await writeToolchainContext(context, 'Dockerfile.yum', archiveKeys);
        await buildImage(dockerClient(), { contextDir: context, contextFiles: files, dockerfile: 'Dockerfile.yum', tag: toolchainOf(release), buildArgs, log });
      } catch (caught) {
        error = caught as Error;
      } finally {
        await closeLog(log);
      }
      results.set(release, { error, log: await readFile(logFile, 'utf8') });
    }
  });

  afterAll(async () => {
    for (const release of Object.keys(RELEASES) as Release[]) {
      for (const tag of [toolchainOf(release), baseOf(release)]) await dockerClient().getImage(tag).remove({ force: true }).catch(() => undefined);
    }
    await rm(scratch, { recursive: true, force: true });
  });

  for (const release of ['el6', 'el7'] as const) {
    it(`installs ${RELEASES[release].staticCxx} on ${release}, from the vault over https, with the open-file limit lowered`, async () => {
      const result = results.get(release);
      expect(result?.error, result?.log.slice(-2000)).toBeUndefined();
      expect(result?.log).toContain(`Installing ${RELEASES[release].staticCxx}`);
      expect(result?.log).not.toContain('No package');
      expect(result?.log).toMatch(/static C\+\+ library: \/\S+\/libstdc\+\+\.a \(from /);
      expect(result?.log).toContain(`libstdc++.a (from ${RELEASES[release].staticCxx})`);
      const probe = await mkdtemp(path.join(scratch, 'probe-'));
      const { code, output } = await runInContainer(toolchainOf(release), probe, 'cat /var/log/fake-yum.nofile /etc/yum.repos.d/CentOS-Vault-Pinned.repo');
      expect(code, output).toBe(0);
      expect(output).toMatch(/^1024$/m);
      const eolRelease = release === 'el6' ? '6.10' : '7.9.2009';
      expect(output).toContain(`baseurl=${VAULT}/${eolRelease}/os/$basearch/`);
      expect(output).toContain(`baseurl=${VAULT}/${eolRelease}/updates/$basearch/`);
    });
  }

  it('stops the image build when yum installed no libstdc++.a, though it exited 0', () => {
    const result = results.get('broken');
    expect(result?.log).toContain('No package libstdc++-devel available.');
    expect(result?.error?.message).toMatch(/returned a non-zero code/);
    expect(result?.log).toContain('libstdc++.a is missing after installing libstdc++-devel: the static C++ library is required to link Tripwire for EL6');
  });
});
