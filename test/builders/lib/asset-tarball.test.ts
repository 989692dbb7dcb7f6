import { execFile } from 'node:child_process';
import { chmod, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { planEntries, readTarballEntries, sha512File, writeAssetTarball, type AssetFile } from '../../../builders/lib/asset-tarball.js';

const exec = promisify(execFile);

describe('planning asset entries', () => {
  const file = (p: string, executable = false): AssetFile => ({ path: p, source: `/src/${p}`, executable });

  it('adds every parent directory once, sorts by name and normalises modes', () => {
    const entries = planEntries([file('share/x/policy.txt'), file('bin/tripwire', true), file('bin/a.sh', true)]);
    expect(entries.map((e) => [e.path, e.type, e.mode.toString(8)])).toEqual([
      ['bin', 'directory', '755'],
      ['bin/a.sh', 'file', '755'],
      ['bin/tripwire', 'file', '755'],
      ['share', 'directory', '755'],
      ['share/x', 'directory', '755'],
      ['share/x/policy.txt', 'file', '644'],
    ]);
  });

  it.each(['../etc/passwd', '/etc/passwd', 'bin/../../x', './bin/x', 'bin//x', 'bin/x y', 'bin/'])('refuses the path %j', (p) => {
    expect(() => planEntries([file(p)])).toThrow(/refusing asset path/);
  });

  it('refuses duplicates and a path that is both a file and a directory', () => {
    expect(() => planEntries([file('bin/x'), file('bin/x')])).toThrow('asset path "bin/x" is given twice');
    expect(() => planEntries([file('bin'), file('bin/x')])).toThrow('"bin" is both a file and a directory');
    expect(() => planEntries([file('bin/x'), file('bin')])).toThrow('"bin" is both a file and a directory');
  });
});

describe('writing an asset tarball', () => {
  let dir: string;
  let files: AssetFile[];
  const mtime = new Date(1_700_000_000 * 1000);

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'tarball-'));
    await writeFile(path.join(dir, 'tool'), '#!/bin/sh\necho tool\n');
    await writeFile(path.join(dir, 'data'), 'data\n');
    // Odd source modes must not leak into the archive.
    await chmod(path.join(dir, 'tool'), 0o700);
    await chmod(path.join(dir, 'data'), 0o666);
    files = [
      { path: 'share/sensu-tripwire/data.txt', source: path.join(dir, 'data'), executable: false },
      { path: 'bin/tool', source: path.join(dir, 'tool'), executable: true },
    ];
  });

  it('gives byte-identical archives for the same inputs', async () => {
    const a = await writeAssetTarball(planEntries(files), path.join(dir, 'a.tar.gz'), mtime);
    await writeFile(path.join(dir, 'data'), 'data\n'); // a fresh mtime on a source file changes nothing
    const b = await writeAssetTarball(planEntries([...files].reverse()), path.join(dir, 'b.tar.gz'), mtime);
    expect(b).toEqual(a);
    expect(Buffer.compare(await readFile(path.join(dir, 'a.tar.gz')), await readFile(path.join(dir, 'b.tar.gz')))).toBe(0);
  });

  it('reports the size and SHA-512 of the bytes it wrote', async () => {
    const written = await writeAssetTarball(planEntries(files), path.join(dir, 'c.tar.gz'), mtime);
    expect(written).toEqual(await sha512File(path.join(dir, 'c.tar.gz')));
  });

  it('writes sorted entries owned by 0:0 with one mtime and normalised modes', async () => {
    await writeAssetTarball(planEntries(files), path.join(dir, 'd.tar.gz'), mtime);
    const entries = await readTarballEntries(path.join(dir, 'd.tar.gz'));
    expect(entries.map((e) => [e.path, e.type, e.mode.toString(8), e.uid, e.gid, e.uname, e.mtime])).toEqual([
      ['bin/', 'Directory', '755', 0, 0, '', 1_700_000_000],
      ['bin/tool', 'File', '755', 0, 0, '', 1_700_000_000],
      ['share/', 'Directory', '755', 0, 0, '', 1_700_000_000],
      ['share/sensu-tripwire/', 'Directory', '755', 0, 0, '', 1_700_000_000],
      ['share/sensu-tripwire/data.txt', 'File', '644', 0, 0, '', 1_700_000_000],
    ]);
    const { stdout } = await exec('tar', ['-tvzf', path.join(dir, 'd.tar.gz'), '--numeric-owner']);
    expect(stdout).toMatch(/^-rwxr-xr-x 0\/0 .* bin\/tool$/m);
  });

  it('writes a gzip header without a timestamp or host OS', async () => {
    await writeAssetTarball(planEntries(files), path.join(dir, 'e.tar.gz'), mtime);
    const header = (await readFile(path.join(dir, 'e.tar.gz'))).subarray(0, 10);
    expect([...header.subarray(0, 3)]).toEqual([0x1f, 0x8b, 8]);
    expect(header.readUInt32LE(4)).toBe(0);
    expect(header[9]).toBe(0xff);
  });
});
