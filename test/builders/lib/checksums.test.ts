import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { checksumLine, formatChecksums, parseChecksums } from '../../../builders/lib/checksums.js';

const exec = promisify(execFile);
const sha512 = (text: string) => createHash('sha512').update(text).digest('hex');

describe('the checksums file', () => {
  it('writes one "<128 hex>  <name>" line per file', () => {
    const line = checksumLine({ name: 'a.tar.gz', sha512: sha512('a') });
    expect(line).toMatch(/^[0-9a-f]{128} {2}a\.tar\.gz\n$/);
  });

  it('sorts lines by file name whatever the input order', () => {
    const text = formatChecksums([
      { name: 'sensu-tripwire_1.0.0_debian9_linux_amd64.tar.gz', sha512: sha512('9') },
      { name: 'sensu-tripwire_1.0.0_alpine3.9_linux_amd64.tar.gz', sha512: sha512('a') },
      { name: 'sensu-tripwire_1.0.0_debian11_linux_amd64.tar.gz', sha512: sha512('11') },
    ]);
    expect(text.trimEnd().split('\n').map((line) => line.slice(130))).toEqual([
      'sensu-tripwire_1.0.0_alpine3.9_linux_amd64.tar.gz',
      'sensu-tripwire_1.0.0_debian11_linux_amd64.tar.gz',
      'sensu-tripwire_1.0.0_debian9_linux_amd64.tar.gz',
    ]);
  });

  it('is accepted by sha512sum -c', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'checksums-'));
    await writeFile(path.join(dir, 'one.tar.gz'), 'one');
    await writeFile(path.join(dir, 'two.tar.gz'), 'two');
    await writeFile(path.join(dir, 'sums.txt'), formatChecksums([{ name: 'two.tar.gz', sha512: sha512('two') }, { name: 'one.tar.gz', sha512: sha512('one') }]));
    const { stdout } = await exec('sha512sum', ['-c', 'sums.txt'], { cwd: dir });
    expect(stdout).toBe('one.tar.gz: OK\ntwo.tar.gz: OK\n');
  });

  it('refuses digests that are not SHA-512 hex, names that need escaping, and duplicates', () => {
    expect(() => checksumLine({ name: 'a', sha512: 'abc' })).toThrow('not a SHA-512 hex digest for a');
    expect(() => checksumLine({ name: 'a b', sha512: sha512('x') })).toThrow('cannot go into a checksums file unescaped');
    expect(() => checksumLine({ name: 'a\nb', sha512: sha512('x') })).toThrow('unescaped');
    expect(() => formatChecksums([{ name: 'a', sha512: sha512('1') }, { name: 'a', sha512: sha512('2') }])).toThrow('a appears twice');
  });

  it('reads back sha512sum output, including ./ and binary-mode forms', () => {
    const parsed = parseChecksums(`${sha512('1')}  a.tar.gz\n${sha512('2').toUpperCase()} *./b.tar.gz\n`);
    expect(parsed).toEqual(new Map([['a.tar.gz', sha512('1')], ['b.tar.gz', sha512('2')]]));
    expect(() => parseChecksums('nonsense\n')).toThrow('checksums line 1 is not');
  });
});
