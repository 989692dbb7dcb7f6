import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { assetFileName, checksumsFileName, readArtifactsManifest } from '../../builders/artifacts.js';
import { loadCatalog } from '../../builders/catalog.js';
import { CHECKS_FILE } from '../../builders/metadata/checks.js';
import { ASSET_FILE } from '../../builders/metadata/sensu-asset.js';
import { readTarballEntries, sha512File } from '../../builders/lib/asset-tarball.js';
import { dockerClient } from '../../builders/lib/docker.js';
import { loadSourceManifest } from '../../builders/lib/source-manifest.js';
import { REPO, runCli } from '../support/cli.js';
import { containersCreatedBy, containersOf, runInContainer } from '../support/containers.js';
import { writePreviousDist } from '../support/previous-dist.js';
import { snapshotDir } from '../support/snapshot.js';
import { E2E_PLATFORMS, E2E_VERSION, builtAssetDir, e2eCacheDir, e2eDists, type E2eDists } from './harness.js';

const exec = promisify(execFile);

describe('a real build of debian11 and debian12', () => {
  let dists: E2eDists;
  beforeAll(async () => {
    dists = await e2eDists();
  });

  it('writes one tarball per platform, the checksums file, artifacts.json, the asset definition and build logs', async () => {
    const names = (await readdir(dists.full)).sort();
    expect(names).toEqual(
      [
        ...E2E_PLATFORMS.map((platform) => assetFileName(E2E_VERSION, platform)),
        checksumsFileName(E2E_VERSION),
        'artifacts.json',
        ASSET_FILE,
        CHECKS_FILE,
        'logs',
      ].sort(),
    );
    expect((await readdir(path.join(dists.full, 'logs'))).sort()).toEqual(E2E_PLATFORMS.map((platform) => `${platform}.build.log`));
  });

  it('passes sha512sum -c in dist/', async () => {
    const { stdout } = await exec('sha512sum', ['-c', checksumsFileName(E2E_VERSION)], { cwd: dists.full });
    for (const platform of E2E_PLATFORMS) expect(stdout).toContain(`${assetFileName(E2E_VERSION, platform)}: OK`);
  });

  it('describes each tarball truthfully in artifacts.json', async () => {
    const manifest = await readArtifactsManifest(dists.full);
    const source = await loadSourceManifest();
    expect(manifest.version).toBe(E2E_VERSION);
    expect(manifest.source.sha256).toBe(source.sha256);
    expect(manifest.source.treeSha256).toBe(source.treeSha256);
    expect(manifest.artifacts.map((artifact) => artifact.platform)).toEqual([...E2E_PLATFORMS]);
    for (const artifact of manifest.artifacts) {
      const actual = await sha512File(path.join(dists.full, artifact.name));
      expect(artifact).toMatchObject({ size: actual.size, sha512: actual.sha512, os: 'linux', arch: 'amd64', sourceSha256: source.sha256 });
      const image = await dockerClient().getImage(artifact.toolchainImageId).inspect();
      expect(image.Id).toBe(artifact.toolchainImageId);
    }
  });

  it('packs only safe, normalised entries: relative, sorted, owner 0:0, one mtime, no lib/', async () => {
    const { sourceDateEpoch } = await readArtifactsManifest(dists.full);
    for (const platform of E2E_PLATFORMS) {
      const entries = await readTarballEntries(path.join(dists.full, assetFileName(E2E_VERSION, platform)));
      const paths = entries.map((entry) => entry.path);
      expect(paths).toEqual([...paths].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))));
      expect(new Set(paths).size).toBe(paths.length);
      for (const binary of ['bin/tripwire', 'bin/twadmin', 'bin/twprint', 'bin/siggen']) expect(paths).toContain(binary);
      expect(paths).not.toContain('bin/twtest');
      for (const entry of entries) {
        expect(entry.path.startsWith('/') || entry.path.split('/').includes('..')).toBe(false);
        expect(entry.path.startsWith('lib/')).toBe(false);
        expect(['File', 'Directory']).toContain(entry.type);
        expect([entry.uid, entry.gid, entry.uname, entry.gname]).toEqual([0, 0, '', '']);
        expect(entry.mtime).toBe(sourceDateEpoch);
        const executable = entry.type === 'Directory' || /^(bin|libexec)\//.test(entry.path);
        expect(entry.mode.toString(8)).toBe(executable ? '755' : '644');
      }
    }
  });

  it('compiles for size: the size flags are in force and each asset is at most 2.35 MB', async () => {
    for (const platform of E2E_PLATFORMS) {
      const log = await readFile(path.join(dists.full, 'logs', `${platform}.build.log`), 'utf8');
      expect(log).toMatch(/^==> size: -Os -ffunction-sections -fdata-sections -Wl,--gc-sections$/m);
      expect(log).toMatch(/^==> configure \(CXXFLAGS=-std=gnu\+\+14 -Os -ffunction-sections -fdata-sections LDFLAGS=-static-libstdc\+\+ -static-libgcc -Wl,--gc-sections\)$/m);
      const { size } = await sha512File(path.join(dists.full, assetFileName(E2E_VERSION, platform)));
      expect(size, platform).toBeLessThanOrEqual(2_350_000);
    }
  });

  it('compiles with no network but loopback', async () => {
    for (const platform of E2E_PLATFORMS) {
      const log = await readFile(path.join(dists.full, 'logs', `${platform}.build.log`), 'utf8');
      expect(log).toMatch(/^==> network interfaces: lo $/m);
    }
  });

  it('gives byte-identical tarballs when the same inputs are built again: compiled again from scratch, or from the compile cache', async () => {
    // debian11's cache entry was damaged before its second build, so it compiled again (cold
    // against cold); debian12's second build reused the cached binaries (cached against cold).
    const [coldAgain, cached] = dists.splitOutput;
    expect(coldAgain).toMatch(/debian11: cache entry [0-9a-f]{12}… is damaged \(tripwire has sha256 .*\); removed, compiling again/);
    expect(coldAgain).toContain('debian11: compiling in');
    expect(cached).toContain('debian12: skipped: cache hit');
    expect(cached).not.toContain('compiling in');
    for (const [index, platform] of E2E_PLATFORMS.entries()) {
      const name = assetFileName(E2E_VERSION, platform);
      const again = path.join(dists.split[index] as string, name);
      expect((await sha512File(again)).sha512).toBe((await sha512File(path.join(dists.full, name))).sha512);
    }
  });

  it('builds the platforms of one run at once and ends with a table of time, size and cache outcome', () => {
    const [, cached] = dists.splitOutput;
    expect(cached).toMatch(/^\[\d\d:\d\d:\d\d\] {3}platform +time +size +compile cache$/m);
    expect(cached).toMatch(/^\[\d\d:\d\d:\d\d\] {3}debian12 +[\d.ms]+ +\d\.\d\d MB +hit \(not compiled\)$/m);
  });

  it('repackages changed wrapper scripts without compiling, around the same binaries', async () => {
    const work = await mkdtemp(path.join(os.tmpdir(), 'sensu-tripwire-wrappers-'));
    try {
      const wrappers = path.join(work, 'wrappers');
      await cp(path.join(REPO, 'wrappers'), wrappers, { recursive: true });
      const script = path.join(wrappers, 'bin', 'tripwire-check.sh');
      await writeFile(script, `${await readFile(script, 'utf8')}# changed by the e2e test\n`);
      const dist = path.join(work, 'dist');
      const result = await runCli(
        ['build', '--version', E2E_VERSION, '--platform', 'debian12', '--dist', dist, '--cache-dir', e2eCacheDir(), '--wrappers', wrappers],
        { SOURCE_DATE_EPOCH: process.env.SENSU_TRIPWIRE_E2E_EPOCH },
      );
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).toContain('debian12: skipped: cache hit');
      expect(result.stderr).not.toContain('compiling in');
      const name = assetFileName(E2E_VERSION, 'debian12');
      const unpack = async (tarball: string) => {
        const dir = await mkdtemp(path.join(work, 'unpacked-'));
        await exec('tar', ['-xzf', tarball, '-C', dir]);
        return dir;
      };
      const [changed, original] = [await unpack(path.join(dist, name)), await unpack(path.join(dists.full, name))];
      expect(await readFile(path.join(changed, 'bin', 'tripwire-check.sh'), 'utf8')).toContain('# changed by the e2e test');
      for (const binary of ['tripwire', 'twadmin', 'twprint', 'siggen']) {
        expect((await readFile(path.join(changed, 'bin', binary))).equals(await readFile(path.join(original, 'bin', binary))), binary).toBe(true);
      }
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  });

  it.each(E2E_PLATFORMS)('runs the unpacked %s asset in a clean container of its base image, without build tools', async (platform) => {
    const catalog = await loadCatalog();
    const baseImage = catalog.platforms.find((entry) => entry.name === platform)?.baseImage as string;
    const asset = await builtAssetDir(platform);
    const { code, output } = await runInContainer(
      baseImage,
      asset,
      [
        'if command -v gcc || command -v g++ || command -v make; then echo "build tools present"; exit 9; fi',
        '/asset/bin/tripwire --version',
        '/asset/bin/twadmin --help; echo "twadmin-help-exit=$?"',
      ].join('\n'),
    );
    expect(code).toBe(0);
    expect(output).toContain('Open Source Tripwire(R) 2.4.3.7');
    expect(output).toMatch(/--create-cfgfile/);
    expect(output).not.toContain('build tools present');
  });
});

describe('bad input fails with a clear error and leaves dist/ unchanged', () => {
  let dist: string;
  let before: Record<string, string>;

  beforeAll(async () => {
    dist = path.join(await mkdtemp(path.join(os.tmpdir(), 'sensu-tripwire-bad-')), 'dist');
    await writePreviousDist(dist);
    before = await snapshotDir(path.dirname(dist));
  });

  async function expectUnchanged(): Promise<void> {
    expect(await snapshotDir(path.dirname(dist))).toEqual(before);
  }

  const build = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    runCli(['build', '--dist', dist, '--cache-dir', e2eCacheDir(), ...args], env);

  it('names the unknown platform and lists the known ones', async () => {
    const result = await build(['--version', '1.0.0', '--platform', 'debian12,solaris']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/error: unknown platform\(s\): solaris\. Known platforms .*debian12/);
    await expectUnchanged();
  });

  it('refuses a version that is not a release tag', async () => {
    const result = await build(['--version', '1.0', '--platform', 'debian12']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('error: version "1.0" is not a release tag');
    await expectUnchanged();
  });

  it('says how to start a Docker engine when none is reachable', async () => {
    const result = await build(['--version', '1.0.0', '--platform', 'debian12'], { DOCKER_HOST: 'unix:///nonexistent/docker.sock' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('error: cannot reach the Docker engine at DOCKER_HOST=unix:///nonexistent/docker.sock');
    expect(result.stderr).toMatch(/Start it .*DOCKER_HOST/);
    await expectUnchanged();
  });

  it('names a missing base image and how to provide it', async () => {
    const catalogFile = path.join(path.dirname(dist), 'catalog.yaml');
    const catalog = await readFile((await loadCatalog()).file, 'utf8');
    await writeFile(catalogFile, catalog.replace('base_image: debian:bookworm', 'base_image: sensu-tripwire-test/absent:1'));
    before = await snapshotDir(path.dirname(dist));
    const result = await build(['--version', '1.0.0', '--platform', 'debian12', '--catalog', catalogFile]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('error: base image sensu-tripwire-test/absent:1 is not present locally and cannot be pulled');
    expect(result.stderr).toContain('npm run images -- bookworm');
    await expectUnchanged();
  });

  it('aborts on a tampered source tarball before any container starts', async () => {
    await e2eDists(); // the verified original is in the shared cache from here on
    const work = await mkdtemp(path.join(os.tmpdir(), 'sensu-tripwire-tamper-'));
    try {
      const original = path.join(e2eCacheDir(), 'sources', 'tripwire_2.4.3.7.orig.tar.gz');
      await exec('tar', ['-xzf', original, '-C', work]);
      const [top] = await readdir(work);
      await writeFile(path.join(work, top as string, 'src', 'tripwire', 'backdoor.cpp'), 'int backdoor;\n');
      const tampered = path.join(work, 'tampered.tar.gz');
      await exec('tar', ['-czf', tampered, '-C', work, top as string]);
      await cp(tampered, path.join(work, 'copy.tar.gz'));

      const since = Math.floor(Date.now() / 1000) - 1;
      const result = await build(['--version', '1.0.0', '--platform', 'debian12', '--source', tampered]);
      const until = Math.floor(Date.now() / 1000) + 1;
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/error: content mismatch for tripwire_2\.4\.3\.7\.orig\.tar\.gz: expected tree sha256 [0-9a-f]{64}, got [0-9a-f]{64} \(from .*tampered\.tar\.gz\); refusing to build/);
      expect(result.stderr).not.toContain('• toolchain-images');
      expect(await containersCreatedBy(result.pid, since, until)).toBe(0);
      await expectUnchanged();
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  });

  it('shows the tail of the compile log and where the full log is when the compile fails', async () => {
    await e2eDists(); // reuse the toolchain image and the downloaded source
    const patches = await mkdtemp(path.join(os.tmpdir(), 'sensu-tripwire-patches-'));
    try {
      await writeFile(
        path.join(patches, '0001-break-the-build.patch'),
        [
          '--- a/src/cryptlib/algebra.cpp',
          '+++ b/src/cryptlib/algebra.cpp',
          '@@ -1,3 +1,4 @@',
          '+#error sensu-tripwire-e2e deliberate compile failure',
          ' // algebra.cpp - written and placed in the public domain by Wei Dai',
          ' ',
          ' #include "pch.h"',
          '',
        ].join('\n'),
      );
      const result = await build(['--version', '1.0.0', '--platform', 'debian12', '--patches', patches]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('error: compiling Tripwire for debian12 failed');
      expect(result.stderr).toContain('sensu-tripwire-e2e deliberate compile failure');
      const logPath = /Full log: (\S+)/.exec(result.stderr)?.[1];
      expect(logPath).toBeDefined();
      expect(await readFile(logPath as string, 'utf8')).toContain('#error sensu-tripwire-e2e deliberate compile failure');
      expect(await containersOf(result.pid)).toBe(0);
      await expectUnchanged();
    } finally {
      await rm(patches, { recursive: true, force: true });
    }
  });
});
