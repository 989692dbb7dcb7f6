import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extract } from 'tar';
import { parse, stringify } from 'yaml';
import { assetFileName, readArtifactsManifest } from '../../builders/artifacts.js';
import { DEFAULT_CATALOG_FILE } from '../../builders/catalog.js';
import { LOADER } from '../../builders/lib/abi.js';
import { closeLog, openLog } from '../../builders/lib/build-log.js';
import { buildImage, dockerClient } from '../../builders/lib/docker.js';
import { readElfDynamicInfo } from '../../builders/lib/elf.js';
import { runCli } from '../support/cli.js';
import { runInContainer } from '../support/containers.js';
import { e2eCacheDir } from './harness.js';

const FRONT_DIR = path.join(path.dirname(new URL(import.meta.url).pathname), 'old-gcc');
const VERSION = '1.0.0-oldgcc.1';
/** Emulated compilers: the gcc driver of CentOS 6 (4.4) and of CentOS 7 (4.8), on bookworm's real gcc. */
const FRONTS = { 'oldgcc4.4': '4.4', 'oldgcc4.8': '4.8' } as const;
type Front = keyof typeof FRONTS;
const imageOf = (platform: Front) => `sensu-tripwire-test/old-gcc:${FRONTS[platform]}`;

/**
 * CentOS 6 and 7 cannot be built here, but their compilers' behaviour can: a compiler front in a
 * bookworm toolchain answers options as gcc 4.4 and 4.8 do (test/e2e/old-gcc/gcc-front.sh), and
 * the real pipeline compiles Tripwire with it. gcc 4.4 only warns about -static-libstdc++ and
 * exits 0; the build script must notice and link libstdc++.a itself.
 */
describe('a real build with old gcc drivers (emulated)', () => {
  let scratch: string;
  const builds = new Map<Front, { code: number; stderr: string }>();
  const distOf = (platform: Front) => path.join(scratch, `dist-${platform}`);

  beforeAll(async () => {
    scratch = await mkdtemp(path.join(os.tmpdir(), 'sensu-tripwire-oldgcc-'));
    const log = openLog(path.join(scratch, 'images.log'));
    try {
      for (const [platform, version] of Object.entries(FRONTS)) {
        await buildImage(dockerClient(), {
          contextDir: FRONT_DIR,
          contextFiles: ['Dockerfile', 'gcc-front.sh'],
          dockerfile: 'Dockerfile',
          tag: imageOf(platform as Front),
          buildArgs: { BASE_IMAGE: 'debian:bookworm', GCC_FRONT_VERSION: version },
          log,
        });
      }
    } finally {
      await closeLog(log);
    }
    // One catalog per emulated platform, each made from the real debian12 entry (two copies in one
    // catalog would claim the same hosts), built into one dist/ each as separate runners would.
    const document = parse(await readFile(DEFAULT_CATALOG_FILE, 'utf8')) as { platforms: Array<Record<string, unknown>> };
    const { bootstrap: _bootstrap, ...debian12 } = document.platforms.find((entry) => entry.name === 'debian12') as Record<string, unknown>;
    for (const platform of Object.keys(FRONTS) as Front[]) {
      const catalogFile = path.join(scratch, `${platform}.platforms.yaml`);
      await writeFile(catalogFile, stringify({ platforms: [{ ...debian12, name: platform, base_image: imageOf(platform) }] }));
      const result = await runCli(
        ['build', '--catalog', catalogFile, '--platform', platform, '--version', VERSION, '--dist', distOf(platform), '--cache-dir', e2eCacheDir()],
        { SOURCE_DATE_EPOCH: process.env.SENSU_TRIPWIRE_E2E_EPOCH },
      );
      builds.set(platform, result);
    }
  });

  afterAll(async () => {
    // The pipeline keeps toolchain images for reuse; these test platforms' images are not reused.
    for (const platform of Object.keys(FRONTS) as Front[]) {
      const manifest = await readArtifactsManifest(distOf(platform)).catch(() => undefined);
      for (const artifact of manifest?.artifacts ?? []) await dockerClient().getImage(artifact.toolchainImageId).remove({ force: true }).catch(() => undefined);
    }
    await rm(scratch, { recursive: true, force: true });
    for (const platform of Object.keys(FRONTS) as Front[]) await dockerClient().getImage(imageOf(platform)).remove({ force: true }).catch(() => undefined);
  });

  it('the fronts answer options as the old drivers did', async () => {
    const probe = await mkdtemp(path.join(scratch, 'probe-'));
    // g++'s messages go to stdout too: one stream keeps them in order with the exit lines.
    const script = (flag: string) => `echo 'int main(){return 0;}' > /tmp/p.cpp; g++ ${flag} -o /tmp/p /tmp/p.cpp 2>&1; echo "exit $?"`;
    const gcc44 = await runInContainer(imageOf('oldgcc4.4'), probe, `${script('-static-libstdc++')}; ${script('-std=gnu++11')}`);
    expect(gcc44.output).toMatch(/unrecognized option '-static-libstdc\+\+'\nexit 0/);
    expect(gcc44.output).toMatch(/unrecognized command line option '-std=gnu\+\+11'\nexit 1/);
    const gcc48 = await runInContainer(imageOf('oldgcc4.8'), probe, `${script('-static-libstdc++ -std=gnu++11')}; ${script('-std=gnu++14')}`);
    expect(gcc48.output).toMatch(/^exit 0$/m);
    expect(gcc48.output).toMatch(/unrecognized command line option '-std=gnu\+\+14'\nexit 1/);
  });

  it('compiles, choosing the link by what the probe needed', async () => {
    for (const [platform, build] of builds) expect(build.code, `${platform}: ${build.stderr.slice(-3000)}`).toBe(0);
    expect([...builds.keys()]).toEqual(Object.keys(FRONTS));
    const log44 = await readFile(path.join(distOf('oldgcc4.4'), 'logs', 'oldgcc4.4.build.log'), 'utf8');
    expect(log44).toContain('the compiler does not take -std=gnu++14');
    expect(log44).toContain('-static-libstdc++ is not honoured: linking libstdc++.a explicitly, with CXXLD=gcc');
    expect(log44).toMatch(/C\+\+ probe linked with: -static-libgcc CXXLD=gcc; it needs: libc\.so\.6 /);
    const log48 = await readFile(path.join(distOf('oldgcc4.8'), 'logs', 'oldgcc4.8.build.log'), 'utf8');
    expect(log48).toContain('the compiler does not take -std=gnu++14');
    expect(log48).toMatch(/C\+\+ probe linked with: -static-libstdc\+\+ -static-libgcc; it needs: libc\.so\.6 /);
  });

  it('ships binaries that need nothing but the C library', async () => {
    for (const platform of Object.keys(FRONTS) as Front[]) {
      const dist = distOf(platform);
      const manifest = await readArtifactsManifest(dist);
      expect(manifest.artifacts.find((artifact) => artifact.platform === platform)?.abi?.interpreter).toBe(LOADER.glibc);
      const unpacked = await mkdtemp(path.join(scratch, `${platform}-`));
      await extract({ file: path.join(dist, assetFileName(VERSION, platform)), cwd: unpacked, strict: true });
      for (const binary of ['tripwire', 'twadmin', 'twprint', 'siggen']) {
        const info = readElfDynamicInfo(await readFile(path.join(unpacked, 'bin', binary)));
        expect(info.needed.filter((library) => !/^(libc\.so\.6|libm\.so\.6|ld-linux-x86-64\.so\.2)$/.test(library)), `${platform} ${binary}`).toEqual([]);
        expect(info.versionNeeds.filter((need) => !need.version.startsWith('GLIBC_')), `${platform} ${binary}`).toEqual([]);
      }
      // Proof by running: with the C++ runtime deleted from the container, the binaries still start.
      const { code, output } = await runInContainer(
        imageOf(platform),
        unpacked,
        'set -e; rm -f /usr/lib/x86_64-linux-gnu/libstdc++.so* /lib/x86_64-linux-gnu/libstdc++.so* /usr/lib/x86_64-linux-gnu/libgcc_s.so* /lib/x86_64-linux-gnu/libgcc_s.so*; ' +
          `! ls /usr/lib/x86_64-linux-gnu/libstdc++.so.6 2>/dev/null; for b in tripwire twadmin twprint siggen; do /${path.basename(unpacked)}/bin/$b --version | head -n 1; done`,
      );
      expect(code, output).toBe(0);
      expect(output.match(/Tripwire\(R\) 2\.4\.3\.7/g)).toHaveLength(4);
    }
  });
});
