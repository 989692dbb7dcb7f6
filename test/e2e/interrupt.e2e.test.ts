import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startCli, type RunningCli } from '../support/cli.js';
import { containersOf, watchBuildContainerEvents, type ContainerEventWatch } from '../support/containers.js';
import { holdingDockerProxy, type HoldingProxy } from '../support/holding-proxy.js';
import { writePreviousDist } from '../support/previous-dist.js';
import { snapshotDir } from '../support/snapshot.js';
import { e2eCacheDir, e2eDists } from './harness.js';

const WAIT_MS = 10 * 60 * 1000;
const watches: ContainerEventWatch[] = [];

async function until(what: string, condition: () => boolean | Promise<boolean>, pollMs = 200): Promise<void> {
  const started = Date.now();
  while (!(await condition())) {
    if (Date.now() - started > WAIT_MS) throw new Error(`timed out waiting for ${what}`);
    await sleep(pollMs);
  }
}

/** A previous build in `<root>/dist`, the build to interrupt, and what must hold afterwards. */
async function interruptible(env: NodeJS.ProcessEnv = {}) {
  const root = await mkdtemp(path.join(os.tmpdir(), 'sensu-tripwire-interrupt-'));
  const dist = path.join(root, 'dist');
  await writePreviousDist(dist);
  const before = await snapshotDir(root);
  const events = await watchBuildContainerEvents();
  watches.push(events);
  // --no-cache: the harness's builds left these binaries in the compile cache.
  const build = startCli(['build', '--version', '1.0.0', '--platform', 'debian12', '--dist', dist, '--cache-dir', e2eCacheDir(), '--no-cache'], env);
  /** Exit 130, no container of the build left (asked of Docker by its label), dist/ as it was, no staging. */
  const expectCleanStop = async (): Promise<{ created: number; started: number }> => {
    const result = await build.result;
    expect(result.code).toBe(130);
    expect(result.stderr).toContain('SIGINT: stopping');
    expect(result.stderr).toContain('error: build interrupted; dist/ is unchanged');
    expect(await containersOf(build.pid)).toBe(0);
    expect(await snapshotDir(root)).toEqual(before);
    expect((await readdir(root)).filter((name) => name.includes('staging'))).toEqual([]);
    // Every container it created is destroyed, and an event for that comes after any start.
    await until('the destroy events', () => events.count(build.pid, 'destroy') >= events.count(build.pid, 'create'));
    await rm(root, { recursive: true, force: true });
    return { created: events.count(build.pid, 'create'), started: events.count(build.pid, 'start') };
  };
  return { build, expectCleanStop };
}

describe('Ctrl-C during a build', () => {
  // In a hook (with its longer timeout): the shared builds can take long on a busy machine.
  beforeAll(async () => {
    await e2eDists(); // toolchain image and source are ready, so the compile starts at once
  });

  let running: RunningCli | undefined;
  let proxy: HoldingProxy | undefined;
  afterEach(async () => {
    running?.signal('SIGKILL');
    await proxy?.close();
    for (const watch of watches.splice(0)) watch.stop();
    running = proxy = undefined;
  });

  it('during the compile: removes the running container, leaves dist/ as it was and exits 130', async () => {
    const { build, expectCleanStop } = await interruptible();
    running = build;
    await until('the compile to start', () => build.stderr().includes('compiling in'));
    await until('the compile container', async () => (await containersOf(build.pid)) === 1);

    build.signal('SIGINT');
    await expectCleanStop();
  });

  it('while the compile container is being created: never starts it, and stops at once', async () => {
    const scratch = await mkdtemp(path.join(os.tmpdir(), 'sensu-tripwire-proxy-'));
    proxy = await holdingDockerProxy(scratch, /^POST \S*\/containers\/create/);
    const { build, expectCleanStop } = await interruptible({ DOCKER_HOST: proxy.dockerHost });
    running = build;
    await proxy.held;
    expect(build.stderr()).toContain('compiling in');

    build.signal('SIGINT');
    await until('the interrupt to be seen', () => build.stderr().includes('SIGINT: stopping'));
    // Only now does the engine get the request and create the container.
    proxy.release();
    expect(await expectCleanStop()).toEqual({ created: 1, started: 0 });
    await rm(scratch, { recursive: true, force: true });
  });

  it('pressed twice: the second Ctrl-C does not cut the clean-up short', async () => {
    const { build, expectCleanStop } = await interruptible();
    running = build;
    await until('the compile container', async () => build.stderr().includes('compiling in') && (await containersOf(build.pid)) === 1);

    build.signal('SIGINT');
    // The second one right after the first was handled, while the clean-up is under way.
    await until('the interrupt to be seen', () => build.stderr().includes('SIGINT: stopping'), 5);
    build.signal('SIGINT');
    await expectCleanStop();
    expect(build.stderr()).toContain('SIGINT: already stopping');
  });
});
