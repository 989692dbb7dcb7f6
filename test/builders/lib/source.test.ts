import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, writeFile, chmod } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../builders/log.js';
import { SourceMismatchError, fetchVerifiedSource, sha256File, verifySource } from '../../../builders/lib/source-fetch.js';
import { loadSourceManifest, type SourceManifest } from '../../../builders/lib/source-manifest.js';
import { readSourceTree } from '../../../builders/lib/source-tree.js';
import { treeDigest } from '../../../builders/lib/tree-digest.js';

const exec = promisify(execFile);

const digestOf = async (file: string) => treeDigest(await readSourceTree(await readFile(file)));

/** A small release tarball made with GNU tar, in the layout of Tripwire's (one top directory). */
async function makeRelease(dir: string, name: string, options: { extraFile?: boolean; sortOrder?: string; level?: string } = {}) {
  const top = path.join(dir, `${name}-tree`, 'tripwire-open-source-9.9.9');
  await mkdir(path.join(top, 'src'), { recursive: true });
  await writeFile(path.join(top, 'src', 'main.cpp'), 'int main() { return 0; }\n');
  await writeFile(path.join(top, 'configure'), '#!/bin/sh\n');
  await chmod(path.join(top, 'configure'), 0o755);
  if (options.extraFile) await writeFile(path.join(top, 'src', 'backdoor.cpp'), 'int x;\n');
  const file = path.join(dir, `${name}.tar.gz`);
  await exec('sh', ['-c', `tar -C "$1" --sort=${options.sortOrder ?? 'name'} -cf - tripwire-open-source-9.9.9 | gzip -${options.level ?? '6'} -n > "$2"`, 'sh', path.dirname(top), file]);
  return file;
}

describe('the content digest of a source tarball', () => {
  it('is the same however the tarball was compressed or ordered, and changes with the content', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'tree-'));
    const a = await makeRelease(dir, 'a');
    const b = await makeRelease(dir, 'b', { sortOrder: 'none', level: '1' });
    const c = await makeRelease(dir, 'c', { extraFile: true });
    expect(await sha256File(a)).not.toBe(await sha256File(b));
    expect(await digestOf(b)).toBe(await digestOf(a));
    expect(await digestOf(c)).not.toBe(await digestOf(a));
  });

  it('pins the real Tripwire 2.4.3.7 release in the committed manifest', async () => {
    const manifest = await loadSourceManifest();
    expect(manifest.tripwireVersion).toBe('2.4.3.7');
    expect(manifest.upstreamCommit).toBe('6e64a9e5b70a909ec439bc5a099e3fcf38c614b0');
    expect(manifest.sha256).toBe('18d40b85f04b8822717d9a3e987887600840a3753f0e9a9f6ab77692d5658450');
    expect(manifest.mirrors.map((m) => m.kind)).toEqual(['url', 'debian-pool']);
    expect(manifest.mirrors[0]).toMatchObject({ url: expect.stringContaining('github.com/Tripwire/tripwire-open-source') });
  });
});

describe('fetching and verifying the source', () => {
  let dir: string;
  let good: string;
  let tampered: string;
  let manifest: SourceManifest;
  let server: Server;
  let base: string;
  const hits: string[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'source-'));
    good = await makeRelease(dir, 'good');
    tampered = await makeRelease(dir, 'tampered', { extraFile: true });
    const files: Record<string, string> = { '/good.tar.gz': good, '/tampered.tar.gz': tampered };
    server = createServer((request, response) => {
      hits.push(request.url ?? '');
      const file = files[request.url ?? ''];
      if (file === undefined) {
        response.writeHead(404).end('not here');
        return;
      }
      readFile(file).then((bytes) => response.writeHead(200).end(bytes));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    manifest = {
      file: 'test-manifest.yaml',
      tripwireVersion: '9.9.9',
      upstreamCommit: '0'.repeat(40),
      fileName: 'tripwire_9.9.9.orig.tar.gz',
      sha256: await sha256File(good),
      treeSha256: await digestOf(good),
      mirrors: [],
    };
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('refuses a tampered tarball with expected and actual digests and where it came from', async () => {
    const error = await verifySource(tampered, manifest, 'sha256', 'https://mirror.example.org/x.tar.gz').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceMismatchError);
    expect((error as Error).message).toBe(
      `checksum mismatch for tripwire_9.9.9.orig.tar.gz: expected sha256 ${manifest.sha256}, got ${await sha256File(tampered)} (from https://mirror.example.org/x.tar.gz); refusing to build`,
    );
    const content = await verifySource(tampered, manifest, 'tree', tampered).catch((e: unknown) => e);
    expect((content as Error).message).toMatch(/^content mismatch for tripwire_9\.9\.9\.orig\.tar\.gz: expected tree sha256 [0-9a-f]{64}, got [0-9a-f]{64} \(from .*tampered\.tar\.gz\)/);
  });

  it('refuses bytes that are not a tarball at all', async () => {
    const junk = path.join(dir, 'junk.tar.gz');
    await writeFile(junk, 'not gzip');
    await expect(verifySource(junk, manifest, 'tree', junk)).rejects.toThrow(/is not a readable gzip tarball/);
  });

  it('falls back to the next mirror when one cannot serve the file, and caches the verified copy', async () => {
    const cacheDir = path.join(dir, 'cache-fallback');
    hits.length = 0;
    const source = await fetchVerifiedSource(
      { ...manifest, mirrors: [{ kind: 'url', url: `${base}/missing.tar.gz`, verify: 'sha256' }, { kind: 'url', url: `${base}/good.tar.gz`, verify: 'sha256' }] },
      { cacheDir, log: silentLogger },
    );
    expect(hits).toEqual(['/missing.tar.gz', '/good.tar.gz']);
    expect(source).toMatchObject({ sha256: manifest.sha256, treeSha256: manifest.treeSha256, file: path.join(cacheDir, 'sources', manifest.fileName) });
    expect(await readdir(path.join(cacheDir, 'sources'))).toEqual([manifest.fileName]);

    hits.length = 0;
    await fetchVerifiedSource({ ...manifest, mirrors: [{ kind: 'url', url: `${base}/good.tar.gz`, verify: 'sha256' }] }, { cacheDir, log: silentLogger });
    expect(hits).toEqual([]);
  });

  it('stops at a mirror that serves other bytes instead of trying the next one, leaving nothing behind', async () => {
    const cacheDir = path.join(dir, 'cache-tampered');
    hits.length = 0;
    const attempt = fetchVerifiedSource(
      { ...manifest, mirrors: [{ kind: 'url', url: `${base}/tampered.tar.gz`, verify: 'tree' }, { kind: 'url', url: `${base}/good.tar.gz`, verify: 'sha256' }] },
      { cacheDir, log: silentLogger },
    );
    await expect(attempt).rejects.toThrow(/content mismatch .*\/tampered\.tar\.gz\); refusing to build/);
    expect(hits).toEqual(['/tampered.tar.gz']);
    expect(await readdir(path.join(cacheDir, 'sources'))).toEqual([]);
  });

  it('says to use --source when no mirror can be reached', async () => {
    const attempt = fetchVerifiedSource(
      { ...manifest, mirrors: [{ kind: 'url', url: `${base}/missing.tar.gz`, verify: 'sha256' }] },
      { cacheDir: path.join(dir, 'cache-none'), log: silentLogger },
    );
    await expect(attempt).rejects.toThrow(/could not download tripwire_9\.9\.9\.orig\.tar\.gz from any mirror:\n {2}http.*missing\.tar\.gz: HTTP 404[\s\S]*--source PATH/);
  });

  it('verifies a local --source tarball the same way', async () => {
    const options = { cacheDir: path.join(dir, 'cache-local'), log: silentLogger };
    await expect(fetchVerifiedSource(manifest, { ...options, sourcePath: good })).resolves.toMatchObject({ file: good, sha256: manifest.sha256 });
    await expect(fetchVerifiedSource(manifest, { ...options, sourcePath: tampered })).rejects.toThrow(SourceMismatchError);
    await expect(fetchVerifiedSource(manifest, { ...options, sourcePath: path.join(dir, 'absent.tar.gz') })).rejects.toThrow(/--source .*absent\.tar\.gz: ENOENT/);
  });
});
