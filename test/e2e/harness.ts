import { appendFile, chmod, mkdir, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { extract } from 'tar';
import { assetFileName } from '../../builders/artifacts.js';
import { runCli } from '../support/cli.js';

/**
 * Real builds for the end-to-end suites, made once per test run however many test files (in
 * however many worker processes) ask for them: the first caller takes a lock directory and
 * builds, the others wait for its marker file.
 *
 *   full   build --platform debian11,debian12       (one run, both platforms at once)
 *   split  build --platform debian11, then debian12 (as separate release runners would)
 *
 * All builds of a run share one cache directory (e2eCacheDir), so the compile cache serves
 * every test that builds the same inputs. The full build is the suite's one truly cold build
 * (an empty cache: toolchain images aside, everything is made). The split builds double as the
 * reproducibility check, in two ways: before the debian11 build its cache entry is damaged, so
 * it compiles again from scratch (cold against cold); the debian12 build takes its binaries from
 * the cache (cached against cold). Their tarballs must equal the full build's byte for byte.
 */
export const E2E_VERSION = '1.0.0-e2e.1';
export const E2E_PLATFORMS = ['debian11', 'debian12'] as const;
export type E2ePlatform = (typeof E2E_PLATFORMS)[number];

const WAIT_LIMIT_MS = 75 * 60 * 1000;

function scratch(): string {
  const dir = process.env.SENSU_TRIPWIRE_E2E_DIR;
  if (dir === undefined || dir === '') throw new Error('SENSU_TRIPWIRE_E2E_DIR is unset: run the suite through vitest (test/e2e/global-setup.ts)');
  return dir;
}

/** Shared by every build of the run: the verified source download is made once. */
export function e2eCacheDir(): string {
  return path.join(scratch(), 'cache');
}

export interface E2eDists {
  full: string;
  split: string[];
  /** What each split build printed (its progress lines), in E2E_PLATFORMS order. */
  splitOutput: string[];
}

async function once<T>(name: string, make: () => Promise<T>): Promise<T> {
  const dir = path.join(scratch(), 'once');
  await mkdir(dir, { recursive: true });
  const done = path.join(dir, `${name}.json`);
  const failed = path.join(dir, `${name}.failed`);
  try {
    await mkdir(path.join(dir, `${name}.lock`));
  } catch {
    const started = Date.now();
    for (;;) {
      const result = await readFile(done, 'utf8').catch(() => undefined);
      if (result !== undefined) return JSON.parse(result) as T;
      const failure = await readFile(failed, 'utf8').catch(() => undefined);
      if (failure !== undefined) throw new Error(`${name} failed in another worker:\n${failure}`);
      if (Date.now() - started > WAIT_LIMIT_MS) throw new Error(`timed out waiting for ${name}`);
      await sleep(2000);
    }
  }
  try {
    const result = await make();
    await writeFile(done, JSON.stringify(result));
    return result;
  } catch (error) {
    await writeFile(failed, error instanceof Error ? (error.stack ?? error.message) : String(error));
    throw error;
  }
}

async function build(platforms: string, dist: string, extra: string[] = []): Promise<string> {
  const result = await runCli(['build', '--version', E2E_VERSION, '--platform', platforms, '--dist', dist, '--cache-dir', e2eCacheDir(), ...extra], {
    SOURCE_DATE_EPOCH: process.env.SENSU_TRIPWIRE_E2E_EPOCH,
  });
  if (result.code !== 0) throw new Error(`build --platform ${platforms} exited ${result.code}:\n${result.stderr.slice(-4000)}`);
  return result.stderr;
}

/** Appends a byte to one binary of every compile cache entry of `platform`. */
async function damageCacheEntries(platform: string): Promise<void> {
  const root = path.join(e2eCacheDir(), 'compiled');
  let damaged = 0;
  for (const key of await readdir(root)) {
    const record = await readFile(path.join(root, key, 'entry.json'), 'utf8').catch(() => undefined);
    if (record === undefined || (JSON.parse(record) as { inputs: { platform: string } }).inputs.platform !== platform) continue;
    await appendFile(path.join(root, key, 'bin', 'tripwire'), '\0');
    damaged += 1;
  }
  if (damaged !== 1) throw new Error(`expected one compile cache entry of ${platform} after the full build, found ${damaged}`);
}

/** Paths of the full build's dist/ and of each split build's dist/ (built on first call). */
export function e2eDists(): Promise<E2eDists> {
  return once('dists', async () => {
    const full = path.join(scratch(), 'dist-full');
    await build(E2E_PLATFORMS.join(','), full, ['--jobs', String(E2E_PLATFORMS.length)]);
    await damageCacheEntries('debian11');
    const split: string[] = [];
    const splitOutput: string[] = [];
    for (const platform of E2E_PLATFORMS) {
      const dist = path.join(scratch(), `dist-split-${platform}`);
      splitOutput.push(await build(platform, dist));
      split.push(dist);
    }
    return { full, split, splitOutput };
  });
}

/**
 * The full build's asset for `platform`, unpacked as the Sensu agent would (once per run), at
 * `<scratch>/unpacked-<platform>/asset`. Readable by every user, for the non-root scenarios.
 */
export async function builtAssetDir(platform: E2ePlatform): Promise<string> {
  const { full } = await e2eDists();
  return once(`unpacked-${platform}`, async () => {
    const dir = path.join(scratch(), `unpacked-${platform}`, 'asset');
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true, mode: 0o755 });
    await chmod(path.dirname(dir), 0o755);
    await extract({ file: path.join(full, assetFileName(E2E_VERSION, platform)), cwd: dir, strict: true });
    await stat(path.join(dir, 'bin', 'tripwire'));
    return dir;
  });
}
