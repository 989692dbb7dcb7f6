import { mkdir, mkdtemp, readdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { startCli } from '../support/cli.js';
import { containersOf } from '../support/containers.js';
import { snapshotDir } from '../support/snapshot.js';
import { e2eCacheDir, e2eDists } from './harness.js';

describe('Ctrl-C during a compile', () => {
  it('removes the running container, leaves dist/ as it was and exits 130', async () => {
    await e2eDists(); // toolchain image and source are ready, so the compile starts at once
    const root = await mkdtemp(path.join(os.tmpdir(), 'sensu-tripwire-interrupt-'));
    const dist = path.join(root, 'dist');
    await mkdir(dist);
    await writeFile(path.join(dist, 'previous.txt'), 'kept\n');
    const before = await snapshotDir(root);

    // --no-cache: the harness's builds left these binaries in the compile cache.
    const build = startCli(['build', '--version', '1.0.0', '--platform', 'debian12', '--dist', dist, '--cache-dir', e2eCacheDir(), '--no-cache']);
    const started = Date.now();
    while (!build.stderr().includes('compiling in') && Date.now() - started < 10 * 60 * 1000) await sleep(200);
    expect(build.stderr()).toContain('compiling in');
    // The container exists while the compile runs.
    while ((await containersOf(build.pid)) === 0 && Date.now() - started < 10 * 60 * 1000) await sleep(200);
    expect(await containersOf(build.pid)).toBe(1);

    build.signal('SIGINT');
    const result = await build.result;
    expect(result.code).toBe(130);
    expect(result.stderr).toContain('SIGINT: stopping');
    expect(await containersOf(build.pid)).toBe(0);
    expect(await snapshotDir(root)).toEqual(before);
    expect((await readdir(root)).filter((name) => name.includes('staging'))).toEqual([]);
  });
});
