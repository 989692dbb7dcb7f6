import { copyFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extract } from 'tar';
import { parse, stringify } from 'yaml';
import { DEFAULT_CATALOG_FILE, loadCatalog } from '../../builders/catalog.js';
import { dockerClient, imageId } from '../../builders/lib/docker.js';
import { readElfDynamicInfo } from '../../builders/lib/elf.js';
import { LOADER } from '../../builders/lib/abi.js';
import { fetchVerifiedSource } from '../../builders/lib/source-fetch.js';
import { loadSourceManifest } from '../../builders/lib/source-manifest.js';
import { silentLogger } from '../../builders/log.js';
import { runCli } from '../support/cli.js';
import { runInContainer } from '../support/containers.js';

/** Throw-away tags: the machine's own alpine:3.9 is used by others and is never touched. */
const GOOD_TAG = 'sensu-tripwire-test/alpine-import:3.9';
const TAMPERED_TAG = 'sensu-tripwire-test/alpine-import-tampered:3.9';

/**
 * The real Alpine 3.9 base image without a registry: `npm run images -- alpine3.9` imports the
 * catalog's pinned root file system from SENSU_TRIPWIRE_ROOTFS_DIR (.ci/run passes the CI
 * machine's verified copy). Runs against a catalog that differs from platforms.yaml only in the
 * image tag.
 */
describe('npm run images -- alpine3.9', () => {
  const rootfsDir = process.env.SENSU_TRIPWIRE_ROOTFS_DIR;
  let scratch: string;

  async function catalogWithTag(tag: string): Promise<string> {
    const document = parse(await readFile(DEFAULT_CATALOG_FILE, 'utf8')) as { platforms: Array<Record<string, unknown>> };
    const alpine = document.platforms.find((entry) => entry.name === 'alpine3.9') as Record<string, unknown>;
    const file = path.join(scratch, `platforms-${tag.replace(/[^a-z0-9]+/g, '-')}.yaml`);
    await writeFile(file, stringify({ platforms: [{ ...alpine, base_image: tag }] }));
    return file;
  }

  beforeAll(async () => {
    if (rootfsDir === undefined || rootfsDir === '') {
      throw new Error('SENSU_TRIPWIRE_ROOTFS_DIR is unset: point it at the directory holding alpine-minirootfs-3.9.6-x86_64.tar.gz (.ci/run does)');
    }
    scratch = await mkdtemp(path.join(os.tmpdir(), 'sensu-tripwire-rootfs-'));
    for (const tag of [GOOD_TAG, TAMPERED_TAG]) await dockerClient().getImage(tag).remove({ force: true }).catch(() => undefined);
  });

  afterAll(async () => {
    for (const tag of [GOOD_TAG, TAMPERED_TAG]) await dockerClient().getImage(tag).remove({ force: true }).catch(() => undefined);
    await rm(scratch, { recursive: true, force: true });
  });

  it('imports the pinned Alpine 3.9.6 root file system when the image is absent and cannot be pulled', async () => {
    const result = await runCli(['images', '--catalog', await catalogWithTag(GOOD_TAG), 'alpine3.9'], { SENSU_TRIPWIRE_ROOTFS_DIR: rootfsDir });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(`images: ${GOOD_TAG} cannot be pulled`);
    expect(result.stderr).toContain(`images: importing ${GOOD_TAG} from ${path.join(path.resolve(rootfsDir as string), 'alpine-minirootfs-3.9.6-x86_64.tar.gz')}`);
    const probe = await mkdtemp(path.join(scratch, 'probe-'));
    const { code, output } = await runInContainer(GOOD_TAG, probe, 'cat /etc/alpine-release; busybox | head -n 1; ls /lib/ld-musl-x86_64.so.1');
    expect(code, output).toBe(0);
    expect(output).toMatch(/^3\.9\.6$/m);
    expect(output).toContain('BusyBox v1.29.3');
    // Again: present now, so left alone.
    const again = await runCli(['images', '--catalog', await catalogWithTag(GOOD_TAG), 'alpine3.9'], { SENSU_TRIPWIRE_ROOTFS_DIR: rootfsDir });
    expect(again.stderr).toContain(`images: ${GOOD_TAG} present`);
  });

  it("is the platform the catalog describes: busybox uses musl's loader", async () => {
    const unpacked = await mkdtemp(path.join(scratch, 'unpacked-'));
    await extract({ file: path.join(rootfsDir as string, 'alpine-minirootfs-3.9.6-x86_64.tar.gz'), cwd: unpacked, strict: true }, ['./bin/busybox']);
    const info = readElfDynamicInfo(await readFile(path.join(unpacked, 'bin', 'busybox')));
    const alpine = (await loadCatalog()).platforms.find((p) => p.name === 'alpine3.9');
    expect(alpine?.libc).toBe('musl');
    expect(info.interpreter).toBe(LOADER.musl);
    expect(info.needed).toEqual(['libc.musl-x86_64.so.1']);
  });

  it("runs Tripwire's shipped config.sub and config.guess on Alpine 3.9: the musl triplet is known, so no autoreconf", async () => {
    const source = await fetchVerifiedSource(await loadSourceManifest(), { cacheDir: path.join(scratch, 'cache'), log: silentLogger });
    const unpacked = await mkdtemp(path.join(scratch, 'source-'));
    await extract({ file: source.file, cwd: unpacked, strict: true, filter: (entry) => /\/config\.(sub|guess)$/.test(entry) });
    const [top] = await readdir(unpacked);
    const { code, output } = await runInContainer(
      GOOD_TAG,
      path.join(unpacked, top as string),
      `cd /${top}; sh config.sub x86_64-alpine-linux-musl; guessed=$(sh config.guess); echo "guess: $guessed"; sh config.sub "$guessed"`,
    );
    expect(code, output).toBe(0);
    expect(output).toMatch(/^x86_64-alpine-linux-musl$/m);
    expect(output).toMatch(/^guess: x86_64-\S+-linux-(gnu|musl)$/m);
  });

  it('refuses a root file system with another digest and leaves no image behind', async () => {
    const tamperedDir = await mkdtemp(path.join(scratch, 'tampered-'));
    const copy = path.join(tamperedDir, 'alpine-minirootfs-3.9.6-x86_64.tar.gz');
    await copyFile(path.join(rootfsDir as string, 'alpine-minirootfs-3.9.6-x86_64.tar.gz'), copy);
    const bytes = await readFile(copy);
    bytes[bytes.length - 100] = (bytes[bytes.length - 100] ?? 0) ^ 0xff;
    await writeFile(copy, bytes);

    const result = await runCli(['images', '--catalog', await catalogWithTag(TAMPERED_TAG), 'alpine3.9'], { SENSU_TRIPWIRE_ROOTFS_DIR: tamperedDir });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/error: .*alpine-minirootfs-3\.9\.6-x86_64\.tar\.gz is not the pinned root file system of sensu-tripwire-test\/alpine-import-tampered:3\.9: its SHA-512 is [0-9a-f]{128}, expected 93fbb9cb/);
    expect(await imageId(dockerClient(), TAMPERED_TAG)).toBeUndefined();
  });

  it('says how to provide the file when SENSU_TRIPWIRE_ROOTFS_DIR is not set', async () => {
    const result = await runCli(['images', '--catalog', await catalogWithTag(TAMPERED_TAG), 'alpine3.9'], { SENSU_TRIPWIRE_ROOTFS_DIR: '' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('set SENSU_TRIPWIRE_ROOTFS_DIR to a directory holding alpine-minirootfs-3.9.6-x86_64.tar.gz (SHA-512 93fbb9cb');
    expect(await imageId(dockerClient(), TAMPERED_TAG)).toBeUndefined();
  });
});
