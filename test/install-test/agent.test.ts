import { createHash } from 'node:crypto';
import { lstat, mkdir, mkdtemp, readFile, readlink, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { create } from 'tar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkEnvironment,
  environmentKey,
  expandAsset,
  fetchAsset,
  installAsset,
  serveRelease,
  sniffArchive,
  verifySha512,
  type ReleaseServer,
} from '../../builders/install-test/agent.js';
import { buildFor } from '../../builders/install-test/install-test.js';

const DEFINITION_URL = 'https://github.com/owner/sensu-tripwire/releases/download/1.2.3/asset.tar.gz';

let work: string;
let dist: string;
let tarball: string;
let sha512: string;
let server: ReleaseServer;

/** A small asset tarball made the way the package stage makes them: bin/ 0755, share/ 0644, a link. */
async function makeTarball(dir: string, name: string, entries: string[]): Promise<string> {
  const file = path.join(dist, name);
  await create({ gzip: true, file, cwd: dir, portable: true }, entries);
  return file;
}

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'sensu-tripwire-agent-'));
  dist = path.join(work, 'dist');
  await mkdir(dist);
  const tree = path.join(work, 'tree');
  await mkdir(path.join(tree, 'bin'), { recursive: true });
  await mkdir(path.join(tree, 'share'), { recursive: true });
  await writeFile(path.join(tree, 'bin', 'tool'), '#!/bin/sh\necho tool\n', { mode: 0o755 });
  await writeFile(path.join(tree, 'share', 'data.txt'), 'data\n', { mode: 0o640 });
  tarball = await makeTarball(tree, 'asset.tar.gz', ['bin', 'share']);
  sha512 = createHash('sha512').update(await readFile(tarball)).digest('hex');
  server = await serveRelease(dist);
});
afterAll(async () => {
  await server.close();
  await rm(work, { recursive: true, force: true });
});

describe('the agent side of the install test, as sensu-go does it', () => {
  it("downloads a release URL's file over loopback through GitHub's redirect, and only with status 200", async () => {
    const url = server.localUrl(DEFINITION_URL);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/owner\/sensu-tripwire\/releases\/download\/1\.2\.3\/asset\.tar\.gz$/);
    const download = await fetchAsset(url, work);
    expect(path.basename(path.dirname(download.file))).toMatch(/^sensu-asset/);
    expect(await readFile(download.file)).toEqual(await readFile(tarball));
    await download.remove();
    await expect(fetchAsset(server.localUrl(DEFINITION_URL.replace('asset.tar.gz', 'missing.tar.gz')), work)).rejects.toThrow('error fetching asset: Response Code 404');
  });

  it("verifies the whole file's SHA-512 ignoring case, and names both sums on a mismatch", async () => {
    await expect(verifySha512(tarball, sha512.toUpperCase())).resolves.toBeUndefined();
    const wrong = '0'.repeat(128);
    await expect(verifySha512(tarball, wrong)).rejects.toThrow(`sha512 of downloaded asset (${sha512}) does not match specified sha512 in asset definition (${wrong})`);
  });

  it('accepts only gzip and tar, by their magic bytes', () => {
    const tar = Buffer.alloc(512);
    tar.write('ustar', 257, 'latin1');
    expect(sniffArchive(Buffer.from([0x1f, 0x8b, 0x08, 0]))).toBe('gzip');
    expect(sniffArchive(tar)).toBe('tar');
    expect(sniffArchive(Buffer.from('PK\u0003\u0004 a zip file'))).toBeUndefined();
  });

  it("unpacks into <cache>/<sha512>/ with each file's mode from its header", async () => {
    const cache = path.join(work, 'cache');
    const dir = await installAsset({ url: server.localUrl(DEFINITION_URL), sha512 }, cache);
    expect(dir).toBe(path.join(cache, sha512));
    expect((await stat(path.join(dir, 'bin', 'tool'))).mode & 0o7777).toBe(0o755);
    // Not a default 0644: the header's 0640, as the agent restores it.
    expect((await stat(path.join(dir, 'share', 'data.txt'))).mode & 0o7777).toBe(0o640);
    await expect(installAsset({ url: server.localUrl(DEFINITION_URL), sha512: 'f'.repeat(128) }, path.join(work, 'cache2'))).rejects.toThrow(/does not match/);
  });

  it('refuses to overwrite a file, as the agent does after an interrupted unpack', async () => {
    const target = path.join(work, 'again');
    await expandAsset(tarball, target);
    await expect(expandAsset(tarball, target)).rejects.toThrow('bin/tool: file already exists');
  });

  it('keeps symbolic links as recorded and refuses entries outside the asset directory', async () => {
    const tree = path.join(work, 'links');
    await mkdir(path.join(tree, 'bin'), { recursive: true });
    const { symlink } = await import('node:fs/promises');
    await symlink('tool', path.join(tree, 'bin', 'alias'));
    const linked = await makeTarball(tree, 'links.tar.gz', ['bin']);
    const target = path.join(work, 'links-out');
    await expandAsset(linked, target);
    expect((await lstat(path.join(target, 'bin', 'alias'))).isSymbolicLink()).toBe(true);
    expect(await readlink(path.join(target, 'bin', 'alias'))).toBe('tool');

    const escaping = path.join(dist, 'escape.tar');
    const header = Buffer.alloc(512);
    header.write('../outside', 0, 'latin1');
    header.write('0000644\0', 100, 'latin1');
    header.write('0000000\0', 108, 'latin1');
    header.write('0000000\0', 116, 'latin1');
    header.write('00000000000\0', 124, 'latin1');
    header.write('00000000000\0', 136, 'latin1');
    header.write('0', 156, 'latin1');
    header.write('ustar\u000000', 257, 'latin1');
    header.fill(' ', 148, 156);
    let sum = 0;
    for (const byte of header) sum += byte;
    header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
    await writeFile(escaping, Buffer.concat([header, Buffer.alloc(1024)]));
    await expect(expandAsset(escaping, path.join(work, 'escape-out'))).rejects.toThrow(/outside/);
  });

  it("sets the check's environment exactly as the agent merges it, empty list elements included", () => {
    const dir = `/var/cache/sensu/sensu-agent/${'a'.repeat(128)}`;
    const env = checkEnvironment({ PATH: '/usr/bin:/bin', HOME: '/var/lib/sensu' }, { name: 'sensu-tripwire', dir });
    expect(env).toEqual({
      HOME: '/var/lib/sensu',
      // RuntimeAssetSet.Env expands ${PATH} against the agent's environment, then
      // MergeEnvironments prepends it to the agent's PATH once more.
      PATH: `${dir}/bin:/usr/bin:/bin:/usr/bin:/bin`,
      LD_LIBRARY_PATH: `${dir}/lib::`,
      CPATH: `${dir}/include::`,
      SENSU_TRIPWIRE_PATH: dir,
    });
    expect(environmentKey('portertech/sensu-tripwire')).toBe('PORTERTECH_SENSU_TRIPWIRE');
  });

  it("finds a platform's build in the asset definition by its download URL", () => {
    const text = `# a comment\n---\ntype: Asset\napi_version: core/v2\nmetadata: {name: sensu-tripwire, namespace: default}\nspec:\n  builds:\n    - url: ${DEFINITION_URL.replace('asset.tar.gz', 'sensu-tripwire_1.2.3_debian12_linux_amd64.tar.gz')}\n      sha512: ${sha512}\n      filters: []\n`;
    expect(buildFor(text, 'sensu-tripwire_1.2.3_debian12_linux_amd64.tar.gz')?.sha512).toBe(sha512);
    expect(buildFor(text, 'sensu-tripwire_1.2.3_debian11_linux_amd64.tar.gz')).toBeUndefined();
  });
});
