import { appendFile, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { compileCacheKey, compiledLog, entryDir, restoreCompiled, storeCompiled, type CompileInputs } from '../../../builders/lib/compile-cache.js';

const NAMES = ['tripwire', 'twadmin'] as const;

const inputs: CompileInputs = {
  platform: 'debian12',
  sourceSha256: 'a'.repeat(64),
  patches: [{ name: '0001-x.patch', sha256: 'b'.repeat(64) }],
  buildScriptSha256: 'c'.repeat(64),
  toolchainImageId: 'sha256:' + 'd'.repeat(64),
  cmd: ['sh', '/build/in/build-tripwire.sh'],
  env: { SOURCE_DATE_EPOCH: '0', LC_ALL: 'C', TZ: 'UTC' },
};

describe('the compile cache key', () => {
  it('is the same for the same inputs, whatever the order of the environment', () => {
    const reordered = { ...inputs, env: { TZ: 'UTC', LC_ALL: 'C', SOURCE_DATE_EPOCH: '0' } };
    expect(compileCacheKey(reordered)).toBe(compileCacheKey(inputs));
    expect(compileCacheKey(inputs)).toMatch(/^[0-9a-f]{64}$/);
  });

  it.each([
    ['the platform', { platform: 'debian11' }],
    ['the source', { sourceSha256: 'e'.repeat(64) }],
    ['a patch', { patches: [{ name: '0001-x.patch', sha256: 'f'.repeat(64) }] }],
    ['the patch order or names', { patches: [{ name: '0002-x.patch', sha256: 'b'.repeat(64) }] }],
    ['an added patch', { patches: [...inputs.patches, { name: '0002-y.patch', sha256: '0'.repeat(64) }] }],
    ['the build script (and so the compiler flags it picks)', { buildScriptSha256: '1'.repeat(64) }],
    ['the toolchain image', { toolchainImageId: 'sha256:' + '2'.repeat(64) }],
    ['the compile environment', { env: { ...inputs.env, CXXFLAGS: '-Os' } }],
    ['the command', { cmd: ['sh', '-x', '/build/in/build-tripwire.sh'] }],
  ])('changes with %s', (_, change) => {
    expect(compileCacheKey({ ...inputs, ...change })).not.toBe(compileCacheKey(inputs));
  });
});

describe('a compile cache entry', () => {
  let root: string;
  let cacheDir: string;
  let compiled: string;
  let log: string;
  const key = compileCacheKey(inputs);

  beforeEach(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'sensu-tripwire-cache-test-'));
    cacheDir = path.join(root, 'cache');
    compiled = path.join(root, 'compiled');
    await mkdir(compiled);
    for (const name of NAMES) await writeFile(path.join(compiled, name), `binary ${name}\n`);
    log = path.join(root, 'build.log');
    await writeFile(log, '==> built\n');
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  it('is a miss before anything was stored', async () => {
    expect(await restoreCompiled(cacheDir, key, NAMES, path.join(root, 'out'))).toEqual({ outcome: 'miss' });
  });

  it('gives back exactly the stored bytes, verified, and leaves no temporary directory', async () => {
    await storeCompiled(cacheDir, key, inputs, compiled, NAMES, log);
    const out = path.join(root, 'out');
    expect(await restoreCompiled(cacheDir, key, NAMES, out)).toEqual({ outcome: 'hit' });
    for (const name of NAMES) expect(await readFile(path.join(out, name), 'utf8')).toBe(`binary ${name}\n`);
    expect(await readdir(path.join(cacheDir, 'compiled'))).toEqual([key]);
    expect(await compiledLog(cacheDir, key)).toBe('==> built\n');
  });

  it.each([
    ['a changed binary', (dir: string) => appendFile(path.join(dir, 'bin', 'twadmin'), 'x'), /twadmin has sha256/],
    ['a missing binary', (dir: string) => rm(path.join(dir, 'bin', 'tripwire')), /tripwire is missing/],
    ['a missing record', (dir: string) => rm(path.join(dir, 'entry.json')), /entry\.json is missing/],
    ['a garbled record', (dir: string) => writeFile(path.join(dir, 'entry.json'), '{'), /not JSON/],
    ['a record of other inputs', async (dir: string) => {
      const record = JSON.parse(await readFile(path.join(dir, 'entry.json'), 'utf8')) as { inputs: CompileInputs };
      record.inputs.platform = 'debian11';
      await writeFile(path.join(dir, 'entry.json'), JSON.stringify(record));
    }, /does not describe key/],
  ])('with %s is reported damaged and removed, so the next build compiles and stores it again', async (_, damage, why) => {
    await storeCompiled(cacheDir, key, inputs, compiled, NAMES, log);
    await damage(entryDir(cacheDir, key));
    const out = path.join(root, 'out');
    const found = await restoreCompiled(cacheDir, key, NAMES, out);
    expect(found.outcome).toBe('corrupt');
    expect(found.outcome === 'corrupt' && found.why).toMatch(why);
    expect(await readdir(path.join(cacheDir, 'compiled'))).toEqual([]);
    expect(await readdir(out).catch(() => [])).toEqual([]);
    await storeCompiled(cacheDir, key, inputs, compiled, NAMES, log);
    expect(await restoreCompiled(cacheDir, key, NAMES, path.join(root, 'again'))).toEqual({ outcome: 'hit' });
  });

  it('is replaced whole by a later store of the same key (--no-cache refreshes it)', async () => {
    await storeCompiled(cacheDir, key, inputs, compiled, NAMES, log);
    await writeFile(path.join(compiled, 'tripwire'), 'recompiled\n');
    await storeCompiled(cacheDir, key, inputs, compiled, NAMES, log);
    const out = path.join(root, 'out');
    expect(await restoreCompiled(cacheDir, key, NAMES, out)).toEqual({ outcome: 'hit' });
    expect(await readFile(path.join(out, 'tripwire'), 'utf8')).toBe('recompiled\n');
  });

  it('survives builds storing the same key at the same time', async () => {
    await Promise.all(Array.from({ length: 6 }, () => storeCompiled(cacheDir, key, inputs, compiled, NAMES, log)));
    expect(await readdir(path.join(cacheDir, 'compiled'))).toEqual([key]);
    expect(await restoreCompiled(cacheDir, key, NAMES, path.join(root, 'out'))).toEqual({ outcome: 'hit' });
  });
});
