import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCatalog } from '../../builders/catalog.js';
import { dockerClient, imageId } from '../../builders/lib/docker.js';
import { runCli } from '../support/cli.js';
import { runInContainer } from '../support/containers.js';

/** A throw-away image name, so the test never touches the images the builds use. */
const TEST_IMAGE = 'sensu-tripwire-test/bootstrapped:bookworm';

describe('npm run images', () => {
  let dir: string | undefined;
  afterAll(async () => {
    await dockerClient().getImage(TEST_IMAGE).remove({ force: true }).catch(() => undefined);
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it("bootstraps a base image from Debian's signed archive under the catalog's name, then leaves it alone", async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'sensu-tripwire-images-'));
    const catalogFile = path.join(dir, 'platforms.yaml');
    const catalog = await readFile((await loadCatalog()).file, 'utf8');
    await writeFile(catalogFile, catalog.replace('base_image: debian:bookworm', `base_image: ${TEST_IMAGE}`));
    await dockerClient().getImage(TEST_IMAGE).remove({ force: true }).catch(() => undefined);

    const first = await runCli(['images', '--catalog', catalogFile, 'bookworm']);
    expect(first.stderr).toContain(`images: bootstrapping ${TEST_IMAGE} (bookworm) from http`);
    expect(first.code).toBe(0);
    const id = await imageId(dockerClient(), TEST_IMAGE);
    expect(id).toMatch(/^sha256:/);
    const inspected = await dockerClient().getImage(TEST_IMAGE).inspect();
    expect(inspected.Comment).toContain('debootstrap --variant=minbase bookworm');

    const probe = await mkdtemp(path.join(dir, 'probe-'));
    const { code, output } = await runInContainer(TEST_IMAGE, probe, 'cat /etc/debian_version; . /etc/os-release; echo "codename=$VERSION_CODENAME"');
    expect(code).toBe(0);
    expect(output).toMatch(/^12\./m);
    expect(output).toContain('codename=bookworm');

    const again = await runCli(['images', '--catalog', catalogFile, 'bookworm']);
    expect(again.code).toBe(0);
    expect(again.stderr).toContain(`images: ${TEST_IMAGE} present`);
    expect(await imageId(dockerClient(), TEST_IMAGE)).toBe(id);
  });

  it('names the suites and platforms it knows when asked for another', async () => {
    const result = await runCli(['images', 'buster']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe("error: no platform's base image can be made from buster; known suites: bookworm, bullseye; platforms: alpine3.9, debian12, debian11\n");
  });
});
