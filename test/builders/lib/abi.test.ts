import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { loadCatalog, type Platform } from '../../../builders/catalog.js';
import { abiFigures, binaryAbiProblems, readBinaryAbi } from '../../../builders/lib/abi.js';
import { ElfError, compareVersionNames, readElfDynamicInfo } from '../../../builders/lib/elf.js';
import { buildPipeline } from '../../../builders/pipeline.js';
import { flattenStages } from '../../../builders/stage.js';

/**
 * The ELF reader and the ABI rules on real binaries of this Debian 12 machine: /bin/true (C, glibc
 * up to GLIBC_2.34), /usr/bin/apt-get (C++, dynamic libstdc++) and Debian's tripwire (static).
 */
async function platform(name: string, changes: Partial<Platform> = {}): Promise<Platform> {
  const found = (await loadCatalog()).platforms.find((p) => p.name === name);
  if (found === undefined) throw new Error(`no ${name} in the catalog`);
  return { ...found, ...changes };
}

describe('the ELF reader', () => {
  it('reads interpreter, NEEDED and the symbols bound to each required version', async () => {
    const info = readElfDynamicInfo(await readFile('/bin/true'));
    expect(info.interpreter).toBe('/lib64/ld-linux-x86-64.so.2');
    expect(info.needed).toEqual(['libc.so.6']);
    const versions = info.versionNeeds.map((need) => need.version);
    expect(versions).toContain('GLIBC_2.2.5');
    expect(versions.at(-1)).toBe('GLIBC_2.34');
    expect(info.versionNeeds.find((need) => need.version === 'GLIBC_2.34')?.symbols).toEqual(['__libc_start_main']);
    expect(info.versionNeeds.every((need) => need.file === 'libc.so.6')).toBe(true);
  });

  it('sees a C++ program bound to libstdc++ versions', async () => {
    const info = readElfDynamicInfo(await readFile('/usr/bin/apt-get'));
    expect(info.needed).toContain('libstdc++.so.6');
    const cxx = info.versionNeeds.filter((need) => need.file === 'libstdc++.so.6');
    expect(cxx.map((need) => need.version)).toContain('GLIBCXX_3.4');
    expect(cxx.flatMap((need) => need.symbols).length).toBeGreaterThan(5);
  });

  it('refuses what is not an x86-64 ELF file', () => {
    expect(() => readElfDynamicInfo(Buffer.from('#!/bin/sh\necho hi\n'.padEnd(80)))).toThrow(ElfError);
    const elf32 = Buffer.alloc(80);
    elf32.write('\x7fELF', 0, 'latin1');
    elf32[4] = 1;
    expect(() => readElfDynamicInfo(elf32)).toThrow('not a 64-bit little-endian ELF file');
  });

  it('orders version names numerically', () => {
    expect(['GLIBC_2.14', 'GLIBC_2.2.5', 'GLIBC_2.9'].sort(compareVersionNames)).toEqual(['GLIBC_2.2.5', 'GLIBC_2.9', 'GLIBC_2.14']);
    expect(compareVersionNames('2.17', '2.17')).toBe(0);
    expect(compareVersionNames('2.34', '2.36')).toBeLessThan(0);
  });
});

describe('the ABI rules', () => {
  it('run as the stage right after compile, long before dist/ is replaced', () => {
    const names = flattenStages(buildPipeline).map((stage) => stage.name);
    expect(names.indexOf('abi-gate')).toBe(names.indexOf('compile') + 1);
    expect(names.indexOf('abi-gate')).toBeLessThan(names.indexOf('publish-dist'));
  });

  it('pass a C program on a platform whose glibc is new enough, and record its figures', async () => {
    const binary = readBinaryAbi('true', await readFile('/bin/true'));
    expect(binaryAbiProblems(binary, await platform('debian12'))).toEqual([]);
    expect(abiFigures([binary])).toEqual({ interpreter: '/lib64/ld-linux-x86-64.so.2', maxGlibc: '2.34', needed: ['libc.so.6'] });
  });

  it('refuse symbol versions newer than the catalog, naming the binary, the versions and the symbols', async () => {
    const binary = readBinaryAbi('true', await readFile('/bin/true'));
    const problems = binaryAbiProblems(binary, await platform('centos7'));
    expect(problems).toEqual([
      'centos7: true needs GLIBC_2.26, newer than the catalog\'s glibc 2.17 (reallocarray)',
      'centos7: true needs GLIBC_2.34, newer than the catalog\'s glibc 2.17 (__libc_start_main)',
    ]);
  });

  it('refuse a dynamic libstdc++, its GLIBCXX versions and libraries beyond the C library', async () => {
    const problems = binaryAbiProblems(readBinaryAbi('apt-get', await readFile('/usr/bin/apt-get')), await platform('debian12'));
    expect(problems.some((problem) => /^debian12: apt-get needs .*libstdc\+\+\.so\.6.*beyond the C library \(glibc\)$/.test(problem))).toBe(true);
    expect(problems.some((problem) => /^debian12: apt-get needs GLIBCXX_3\.4 from libstdc\+\+\.so\.6 \(.+\): libstdc\+\+ must be linked in statically$/.test(problem))).toBe(true);
    expect(problems.some((problem) => problem.includes('CXXABI_1.3 from libstdc++.so.6'))).toBe(true);
  });

  it("refuse a glibc binary on a musl platform, and a static one anywhere", async () => {
    const onMusl = binaryAbiProblems(readBinaryAbi('true', await readFile('/bin/true')), await platform('alpine3.9'));
    expect(onMusl).toContain('alpine3.9: true asks for the interpreter /lib64/ld-linux-x86-64.so.2; musl hosts have /lib/ld-musl-x86_64.so.1');
    expect(onMusl).toContain('alpine3.9: true needs libc.so.6, beyond the C library (musl)');
    const staticBinary = binaryAbiProblems(readBinaryAbi('tripwire', await readFile('/usr/sbin/tripwire')), await platform('debian12'));
    expect(staticBinary).toEqual(["debian12: tripwire has no ELF interpreter (statically linked); expected glibc's /lib64/ld-linux-x86-64.so.2"]);
  });
});
