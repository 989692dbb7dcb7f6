import { execFile } from 'node:child_process';
import { chmod, link, mkdir, mkdtemp, readFile, readdir, stat, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { SourceMismatchError, sha256File, verifySource } from '../../../builders/lib/source-fetch.js';
import type { SourceManifest } from '../../../builders/lib/source-manifest.js';
import { NORMALIZED_TOP_DIRECTORY, normalizedTarball } from '../../../builders/lib/normalized-tarball.js';
import { readSourceTree } from '../../../builders/lib/source-tree.js';
import { treeDigest } from '../../../builders/lib/tree-digest.js';

/**
 * Every tarball here is made by GNU tar (the tar that unpacked the source in the compile
 * container before this check existed), from real files: the attacks are tar semantics that
 * GNU tar really applies on extraction.
 */
const exec = promisify(execFile);
const TOP = 'tripwire-open-source-9.9.9';
const GENUINE = { 'src/a.cpp': 'int a() { return 1; }\n', 'src/b.cpp': 'int b() { return 2; }\n' };

let dir: string;
let genuineTar: string;
let manifest: SourceManifest;

/** A directory `<name>/TOP` holding the genuine tree (plus an executable configure). */
async function genuineTree(name: string): Promise<string> {
  const root = path.join(dir, name);
  await mkdir(path.join(root, TOP, 'src'), { recursive: true });
  for (const [file, text] of Object.entries(GENUINE)) await writeFile(path.join(root, TOP, file), text);
  await writeFile(path.join(root, TOP, 'configure'), '#!/bin/sh\n');
  await chmod(path.join(root, TOP, 'configure'), 0o755);
  return root;
}

const tar = (args: string[], cwd = dir) => exec('tar', args, { cwd });

async function gzip(tarFile: string): Promise<string> {
  await exec('gzip', ['-n', '-f', tarFile]);
  return `${tarFile}.gz`;
}

/** Verifies like a `verify: tree` mirror would; resolves to the error (or undefined when accepted). */
async function verdict(file: string): Promise<Error | undefined> {
  return verifySource(file, manifest, 'tree', file).then(
    () => undefined,
    (error: unknown) => error as Error,
  );
}

async function extractWithGnuTar(file: string): Promise<string> {
  const target = await mkdtemp(path.join(dir, 'x-'));
  await tar(['-xzf', file, '-C', target]);
  return target;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'source-tree-'));
  const root = await genuineTree('genuine');
  await tar(['-cf', path.join(dir, 'genuine.tar'), '-C', root, TOP]);
  genuineTar = await gzip(path.join(dir, 'genuine.tar'));
  manifest = {
    file: 'test-manifest.yaml',
    tripwireVersion: '9.9.9',
    upstreamCommit: '0'.repeat(40),
    fileName: 'tripwire_9.9.9.orig.tar.gz',
    sha256: await sha256File(genuineTar),
    treeSha256: treeDigest(await readSourceTree(await readFile(genuineTar))),
    mirrors: [],
  };
});

describe('a source tarball that uses tar semantics beyond plain files', () => {
  it('is refused when a hard link appended after the genuine entries would give a file another file\'s bytes', async () => {
    // The genuine archive, then a second archive holding only a hard link b.cpp -> a.cpp,
    // concatenated with tar -A. GNU tar writes the second file of a linked pair as a Link entry.
    const linked = await genuineTree('linked');
    await link(path.join(linked, TOP, 'src', 'a.cpp'), path.join(linked, TOP, 'src', 'b.link'));
    await tar(['-cf', path.join(dir, 'link-only.tar'), '-C', linked, '--transform', 's,b\\.link$,b.cpp,', `${TOP}/src/a.cpp`, `${TOP}/src/b.link`]);
    await tar(['--delete', '-f', path.join(dir, 'link-only.tar'), `${TOP}/src/a.cpp`]);
    const { stdout: listing } = await tar(['-tvf', path.join(dir, 'link-only.tar')]);
    expect(listing).toMatch(/^h.*\/src\/b\.cpp link to .*\/src\/a\.cpp$/m);
    await exec('cp', [path.join(dir, 'genuine.tar.gz'), path.join(dir, 'hardlink.tar.gz')]);
    await exec('gunzip', ['-f', path.join(dir, 'hardlink.tar.gz')]);
    await tar(['-Af', path.join(dir, 'hardlink.tar'), path.join(dir, 'link-only.tar')]);
    const tampered = await gzip(path.join(dir, 'hardlink.tar'));

    // The attack is real: GNU tar gives b.cpp the bytes of a.cpp.
    const unpacked = await extractWithGnuTar(tampered);
    expect(await readFile(path.join(unpacked, TOP, 'src', 'b.cpp'), 'utf8')).toBe(GENUINE['src/a.cpp']);

    const error = await verdict(tampered);
    expect(error).toBeInstanceOf(SourceMismatchError);
    expect(error?.message).toMatch(/hardlink\.tar\.gz is not a plain source release: entry ".*src\/b\.cpp": a hard link to ".*src\/a\.cpp".*; refusing to build$/);
  });

  it('is refused when an entry of a type node-tar skips, but GNU tar extracts as a file, replaces a source file', async () => {
    const evil = await genuineTree('unknown-type');
    await writeFile(path.join(evil, TOP, 'src', 'b.cpp'), 'int b() { return 666; }\n');
    await tar(['-cf', path.join(dir, 'evil-b.tar'), '-C', evil, `${TOP}/src/b.cpp`]);
    // Turn the entry's type flag ('0') into 'Z' and fix the header checksum.
    const bytes = await readFile(path.join(dir, 'evil-b.tar'));
    bytes[156] = 'Z'.charCodeAt(0);
    bytes.fill(' ', 148, 156);
    let sum = 0;
    for (let i = 0; i < 512; i += 1) sum += bytes[i] as number;
    bytes.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
    await writeFile(path.join(dir, 'evil-b.tar'), bytes);
    await exec('sh', ['-c', 'gunzip -c genuine.tar.gz > unknown.tar'], { cwd: dir });
    await tar(['-Af', 'unknown.tar', 'evil-b.tar']);
    const tampered = await gzip(path.join(dir, 'unknown.tar'));

    const unpacked = await extractWithGnuTar(tampered);
    expect(await readFile(path.join(unpacked, TOP, 'src', 'b.cpp'), 'utf8')).toContain('666');

    expect((await verdict(tampered))?.message).toMatch(/entry ".*src\/b\.cpp": an entry of type .*; refusing to build/);
  });

  it('is refused when a symbolic link is followed by a file written through it', async () => {
    const first = await genuineTree('symlink');
    await symlink('/tmp', path.join(first, TOP, 'out'));
    await tar(['-cf', path.join(dir, 'symlink.tar'), '-C', first, TOP]);
    const second = path.join(dir, 'through');
    await mkdir(path.join(second, TOP, 'out'), { recursive: true });
    await writeFile(path.join(second, TOP, 'out', 'planted'), 'x\n');
    await tar(['-rf', path.join(dir, 'symlink.tar'), '-C', second, `${TOP}/out/planted`]);
    const tampered = await gzip(path.join(dir, 'symlink.tar'));
    expect((await verdict(tampered))?.message).toMatch(/entry ".*\/out": a symbolic link to "\/tmp"/);
  });

  it('is refused when it holds a FIFO or a device node', async () => {
    const fifo = await genuineTree('fifo');
    await exec('mkfifo', [path.join(fifo, TOP, 'src', 'pipe')]);
    await tar(['-cf', path.join(dir, 'fifo.tar'), '-C', fifo, TOP]);
    expect((await verdict(await gzip(path.join(dir, 'fifo.tar'))))?.message).toMatch(/entry ".*src\/pipe": a FIFO/);

    const device = await genuineTree('device');
    await exec('mknod', [path.join(device, TOP, 'src', 'null'), 'c', '1', '3']);
    await tar(['-cf', path.join(dir, 'device.tar'), '-C', device, TOP]);
    expect((await verdict(await gzip(path.join(dir, 'device.tar'))))?.message).toMatch(/entry ".*src\/null": a device node/);
  });

  it('is refused when a name is absolute or climbs out with ..', async () => {
    const root = await genuineTree('names');
    await writeFile(path.join(dir, 'outside'), 'x\n');
    await tar(['-cPf', path.join(dir, 'absolute.tar'), '-C', root, TOP, path.join(dir, 'outside')]);
    expect((await verdict(await gzip(path.join(dir, 'absolute.tar'))))?.message).toMatch(/entry "\/.*outside": an absolute name/);
    await tar(['-cPf', path.join(dir, 'climb.tar'), '-C', root, TOP, `${TOP}/../../outside`]);
    expect((await verdict(await gzip(path.join(dir, 'climb.tar'))))?.message).toMatch(/a name that climbs out of the tree with "\.\."/);
  });

  it('is refused when a name appears twice (the later entry would win), whatever its content', async () => {
    const root = await genuineTree('duplicate');
    await tar(['-cf', path.join(dir, 'duplicate.tar'), '-C', root, TOP]);
    await tar(['-rf', path.join(dir, 'duplicate.tar'), '-C', root, `${TOP}/src/a.cpp`]);
    expect((await verdict(await gzip(path.join(dir, 'duplicate.tar'))))?.message).toMatch(/entry ".*src\/a\.cpp": appears twice/);
  });

  it('is refused when an entry lies below a file, spans two top-level directories or has a control character in its name', async () => {
    const below = await genuineTree('below');
    await tar(['-cf', path.join(dir, 'below.tar'), '-C', below, TOP]);
    const other = path.join(dir, 'below-2');
    await mkdir(path.join(other, TOP, 'configure'), { recursive: true });
    await writeFile(path.join(other, TOP, 'configure', 'x'), 'x\n');
    await tar(['-rf', path.join(dir, 'below.tar'), '-C', other, `${TOP}/configure/x`]);
    expect((await verdict(await gzip(path.join(dir, 'below.tar'))))?.message).toMatch(/configure\/x": lies below the file ".*configure"/);

    const two = await genuineTree('two');
    await mkdir(path.join(two, 'second'));
    await writeFile(path.join(two, 'second', 'f'), 'f\n');
    await tar(['-cf', path.join(dir, 'two.tar'), '-C', two, TOP, 'second']);
    expect((await verdict(await gzip(path.join(dir, 'two.tar'))))?.message).toMatch(/expected one top-level directory, found ".*", ".*"/);

    const control = await genuineTree('control');
    await writeFile(path.join(control, TOP, 'src', 'a\nf - 0 b.cpp'), 'x\n');
    await tar(['-cf', path.join(dir, 'control.tar'), '-C', control, TOP]);
    expect((await verdict(await gzip(path.join(dir, 'control.tar'))))?.message).toMatch(/a name with control or non-ASCII characters/);
  });
});

describe('a source tarball too large to be a source release (a decompression bomb)', () => {
  it('is refused once its files unpack to more than 256 MB, whatever its compressed size', async () => {
    const root = await genuineTree('bomb');
    // 300 MB of zeros (a sparse file GNU tar stores in full): about 300 KB once compressed.
    await exec('truncate', ['-s', '300M', path.join(root, TOP, 'src', 'zeros.bin')]);
    await tar(['-cf', path.join(dir, 'bomb.tar'), '-C', root, TOP]);
    const bomb = await gzip(path.join(dir, 'bomb.tar'));
    expect((await stat(bomb)).size).toBeLessThan(2 * 1024 * 1024);
    expect((await verdict(bomb))?.message).toMatch(/zeros\.bin": more than 268435456 bytes unpacked: not a source release/);
  });

  it('is refused at its 100,001st entry', async () => {
    const root = await genuineTree('many');
    // One empty file named 100,001 times, each stored in full (--hard-dereference: no links).
    await writeFile(path.join(dir, 'many.list'), `${TOP}/src/a.cpp\n`.repeat(100_001));
    await tar(['--hard-dereference', '-cf', path.join(dir, 'many.tar'), '-C', root, '-T', path.join(dir, 'many.list')]);
    expect((await verdict(await gzip(path.join(dir, 'many.tar'))))?.message).toMatch(/more than 100000 entries: not a source release/);
  });
});

describe('the tree the compile gets', () => {
  it('is the verified tree re-packed: GNU tar unpacks exactly it, and it verifies to the same digest', async () => {
    const verified = await verifySource(genuineTar, manifest, 'sha256', genuineTar);
    const repacked = path.join(dir, 'normalized.tar.gz');
    await writeFile(repacked, verified.normalized);

    const { stdout } = await tar(['-tvzf', repacked]);
    const lines = stdout.trim().split('\n');
    expect(lines.map((line) => line.split(/\s+/)[5])).toEqual([
      `${NORMALIZED_TOP_DIRECTORY}/`,
      `${NORMALIZED_TOP_DIRECTORY}/configure`,
      `${NORMALIZED_TOP_DIRECTORY}/src/`,
      `${NORMALIZED_TOP_DIRECTORY}/src/a.cpp`,
      `${NORMALIZED_TOP_DIRECTORY}/src/b.cpp`,
    ]);
    expect(lines.map((line) => line.split(/\s+/).slice(0, 2).join(' '))).toEqual([
      'drwxr-xr-x 0/0',
      '-rwxr-xr-x 0/0',
      'drwxr-xr-x 0/0',
      '-rw-r--r-- 0/0',
      '-rw-r--r-- 0/0',
    ]);
    // GNU tar and busybox tar (Alpine's toolchain) unpack the same tree from it.
    const unpacked = await extractWithGnuTar(repacked);
    const byBusybox = await mkdtemp(path.join(dir, 'busybox-'));
    await exec('busybox', ['tar', '-xzf', repacked, '-C', byBusybox]);
    for (const root of [unpacked, byBusybox]) {
      expect(await readdir(root)).toEqual([NORMALIZED_TOP_DIRECTORY]);
      for (const [file, text] of Object.entries(GENUINE)) expect(await readFile(path.join(root, NORMALIZED_TOP_DIRECTORY, file), 'utf8')).toBe(text);
      expect((await stat(path.join(root, NORMALIZED_TOP_DIRECTORY, 'configure'))).mode & 0o777).toBe(0o755);
    }

    const again = await verifySource(repacked, manifest, 'tree', repacked);
    expect(again.treeSha256).toBe(manifest.treeSha256);
    expect(again.normalized.equals(verified.normalized)).toBe(true);
  });

  it('covers directories, including empty ones, and executable bits in the digest', async () => {
    const tree = await readSourceTree(await readFile(genuineTar));
    const withEmptyDir = { ...tree, entries: [...tree.entries, { path: 'empty', kind: 'directory' as const }] };
    expect(treeDigest(withEmptyDir)).not.toBe(treeDigest(tree));
    const flipped = { ...tree, entries: tree.entries.map((entry) => (entry.kind === 'file' ? { ...entry, executable: !entry.executable } : entry)) };
    expect(treeDigest(flipped)).not.toBe(treeDigest(tree));
    expect(treeDigest(await readSourceTree(normalizedTarball(withEmptyDir)))).toBe(treeDigest(withEmptyDir));
  });
});
