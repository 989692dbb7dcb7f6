import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assetFileName, readArtifactsManifest } from '../../builders/artifacts.js';
import { loadCatalog, type Platform } from '../../builders/catalog.js';
import { installAsset, serveRelease } from '../../builders/install-test/agent.js';
import { CHECK_CYCLE } from '../../builders/install-test/check-cycle.js';
import { runCheckCycle } from '../../builders/install-test/container.js';
import { CHECK_USERS, buildFor, installTest, type PlatformResult } from '../../builders/install-test/install-test.js';
import { dockerClient } from '../../builders/lib/docker.js';
import { ASSET_FILE } from '../../builders/metadata/sensu-asset.js';
import { rehearseBuilt, type LocalRehearsal } from '../../builders/rehearsal/local.js';
import { E2E_PLATFORMS, e2eDists } from '../e2e/harness.js';

/**
 * The agent-style install test (builders/install-test/, the same code `npm run rehearse` and the
 * release workflow run), through the local rehearsal: the e2e harness's separate builds of
 * debian11 and debian12 stand for two release legs; they are merged, verified, and each asset is
 * installed as the agent installs it and checked in its own base image, as root and as an
 * unprivileged user. SENSU_TRIPWIRE_INSTALL_TEST_LEGS=DIR11,DIR12 uses other per-platform builds
 * (development).
 */

let dist: string;
let platforms: Platform[];
let rehearsal: LocalRehearsal;
let results: PlatformResult[];
let scratch: string;

beforeAll(async () => {
  const legs = process.env.SENSU_TRIPWIRE_INSTALL_TEST_LEGS?.split(',') ?? (await e2eDists()).split;
  const catalog = await loadCatalog();
  platforms = catalog.platforms;
  scratch = await mkdtemp(path.join(os.tmpdir(), 'sensu-tripwire-install-test-'));
  const { version } = await readArtifactsManifest(legs[0] as string);
  rehearsal = await rehearseBuilt(dockerClient(), {
    catalog,
    version,
    legs: E2E_PLATFORMS.map((platform, index) => ({ platform, dist: legs[index] as string, seconds: 1 })),
    merged: path.join(scratch, 'merged'),
  });
  dist = rehearsal.merged;
  results = rehearsal.installResults;
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

const platform = (name: string): Platform => platforms.find((entry) => entry.name === name) as Platform;
const result = (name: string): PlatformResult => results.find((entry) => entry.platform === name) as PlatformResult;

describe('the agent-style install test', () => {
  it.each(E2E_PLATFORMS)('passes the whole check cycle for %s in its base image, as root and as sensu', (name) => {
    const outcome = result(name);
    expect(outcome.outcome, JSON.stringify(outcome, null, 2)).toBe('passed');
    expect(outcome.image).toBe(platform(name).baseImage);
    expect(outcome.users.map((user) => user.user)).toEqual([...CHECK_USERS]);
    for (const user of outcome.users) {
      expect(user.steps.map((step) => step.name)).toEqual(CHECK_CYCLE.map((step) => step.name));
      expect(user.steps.filter((step) => step.problem !== undefined)).toEqual([]);
    }
    const critical = outcome.users[1]?.steps.find((step) => step.name === 'the change is CRITICAL and named');
    expect(critical?.user).toBe('sensu');
    expect(critical?.code).toBe(2);
  });

  it('is what the local rehearsal tables: the legs merged and verified, the platforms only GitHub builds shown as not built here', () => {
    expect(rehearsal.failed, rehearsal.notes.join('\n')).toBe(false);
    expect(rehearsal.notes).toContain(`verify: ${dist} passes, but for the platforms built only on GitHub`);
    expect(rehearsal.records.map((record) => record.platform)).toEqual(platforms.map((entry) => entry.name));
    for (const record of rehearsal.records) {
      if ((E2E_PLATFORMS as readonly string[]).includes(record.platform)) {
        expect(record).toMatchObject({ build: 'passed', install: { outcome: 'passed' } });
        expect(record.asset?.size).toBeGreaterThan(0);
      } else {
        expect(record).toMatchObject({ build: 'not run', install: { outcome: 'not run', reason: "built only on GitHub's runners" } });
      }
    }
  });

  it('reports a platform whose asset was not built as not run, never as passed', async () => {
    const built = new Set<string>(E2E_PLATFORMS);
    const others = platforms.filter((candidate) => !built.has(candidate.name));
    const outcomes = await installTest(dockerClient(), { dist, platforms: others });
    for (const outcome of outcomes) {
      expect(outcome.outcome, outcome.platform).toBe('not run');
      expect(outcome.reason).toMatch(new RegExp(`^no ${outcome.platform.replace('.', '\\.')} asset in `));
    }
    // alpine:3.9's userland is here, but no musl asset can be built here: the test does not fake one.
    expect(outcomes.find((outcome) => outcome.platform === 'alpine3.9')).toMatchObject({ outcome: 'not run', users: [] });
  });

  it('reports a platform whose base image is absent as not run', async () => {
    const absent = { ...platform('debian12'), baseImage: 'sensu-tripwire-test/absent:1' };
    const [outcome] = await installTest(dockerClient(), { dist, platforms: [absent] });
    expect(outcome).toMatchObject({ outcome: 'not run', reason: 'its base image sensu-tripwire-test/absent:1 is not present in the Docker engine' });
  });

  it("refuses a build the image's agent would not select: debian:bullseye reports Debian 11, whose build is debian11", async () => {
    const elsewhere = { ...platform('debian12'), baseImage: platform('debian11').baseImage };
    const [outcome] = await installTest(dockerClient(), { dist, platforms: [elsewhere] });
    const { version } = await readArtifactsManifest(dist);
    expect(outcome).toMatchObject({ outcome: 'failed', users: [] });
    expect(outcome?.reason).toMatch(new RegExp(`^an agent on debian 11\\.\\d+ \\(family "debian", amd64, libc "glibc"\\) installs ${assetFileName(version, 'debian11').replace(/\./g, '\\.')}, not `));
  });

  it('fails the cycle when the binaries do not run in the userland: the debian12 build (glibc 2.36) in debian:bullseye (2.31)', async () => {
    const { version } = await readArtifactsManifest(dist);
    const build = buildFor(await readFile(path.join(dist, ASSET_FILE), 'utf8'), assetFileName(version, 'debian12'));
    const server = await serveRelease(dist);
    const cacheDir = await mkdtemp(path.join(scratch, 'cache-'));
    try {
      await installAsset({ url: server.localUrl(build?.url as string), sha512: build?.sha512 as string }, cacheDir);
      const steps = await runCheckCycle(dockerClient(), {
        image: platform('debian11').baseImage,
        user: 'root',
        cacheDir,
        assetName: 'sensu-tripwire',
        sha512: build?.sha512 as string,
        label: 'glibc-too-old',
      });
      expect(steps).toHaveLength(1);
      expect(steps[0]?.name).toBe('first run creates the baseline');
      expect(steps[0]?.problem).toMatch(/^expected exit 1 and "TRIPWIRE WARNING - …", got exit /);
      // The loader's complaint is the reason shown, not an empty one.
      expect(steps[0]?.output).toMatch(/^TRIPWIRE UNKNOWN - twadmin could not generate the site key: .*GLIBC_2\.\d+/);
    } finally {
      await server.close();
    }
  });

  it('fails, as the agent does, when the asset definition names another SHA-512', async () => {
    const tampered = path.join(scratch, 'dist');
    await cp(dist, tampered, { recursive: true });
    const definition = path.join(tampered, ASSET_FILE);
    const text = await readFile(definition, 'utf8');
    const { version } = await readArtifactsManifest(dist);
    const sha = buildFor(text, assetFileName(version, 'debian12'))?.sha512 as string;
    await writeFile(definition, text.replace(sha, 'e'.repeat(128)));
    const [outcome] = await installTest(dockerClient(), { dist: tampered, platforms: [platform('debian12')] });
    expect(outcome?.outcome).toBe('failed');
    expect(outcome?.reason).toContain(`does not match specified sha512 in asset definition (${'e'.repeat(128)})`);
  });
});
