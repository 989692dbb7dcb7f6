import { chmod, chown, lchown, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type Docker from 'dockerode';
import { parseAllDocuments } from 'yaml';
import { assetFileName, readArtifactsManifest } from '../artifacts.js';
import type { Platform } from '../catalog.js';
import { imageId } from '../lib/docker.js';
import { matchingBuilds } from '../metadata/filters.js';
import { entityOf } from '../metadata/host-reports.js';
import { ASSET_FILE, ASSET_NAME, type AssetResource } from '../metadata/sensu-asset.js';
import { installAsset, serveRelease } from './agent.js';
import { CHECK_CYCLE } from './check-cycle.js';
import { runCheckCycle, runInImage, SENSU_UID, type CheckUser, type StepOutcome } from './container.js';
import { entitySystem, parseProbe, SYSTEM_PROBE, type EntitySystem } from './host-system.js';

/**
 * The agent-style install test of a built dist/: for each platform, the build of the asset
 * definition that an agent on the platform's base image selects (its entity.system read from the
 * image, host-system.ts, against the builds' filters), served over HTTP on loopback, installed as
 * the agent installs it (agent.ts), then the check cycle in that base image as root and as an
 * unprivileged user (container.ts). A platform without an asset in dist/ or without its base image
 * here is "not run", with the reason: never passed.
 */

export type Outcome = 'passed' | 'failed' | 'not run';

export interface UserResult {
  user: CheckUser;
  outcome: Outcome;
  steps: StepOutcome[];
}

export interface PlatformResult {
  platform: string;
  image: string;
  outcome: Outcome;
  /** Why it was not run, or what failed first. */
  reason?: string;
  seconds: number;
  users: UserResult[];
}

export const CHECK_USERS: readonly CheckUser[] = ['root', 'sensu'];

type Build = AssetResource['spec']['builds'][number];

/** The builds of the asset definition in dist/ (the file may hold comments and several documents). */
export function definitionBuilds(definitionText: string): Build[] {
  const asset = parseAllDocuments(definitionText)
    .map((document) => document.toJS() as AssetResource | null)
    .find((resource) => resource?.type === 'Asset');
  return asset?.spec.builds ?? [];
}

/** The asset definition's build for `fileName`, found by its download URL. */
export function buildFor(definitionText: string, fileName: string): Build | undefined {
  return definitionBuilds(definitionText).find((build) => urlNames(build.url, fileName));
}

function urlNames(url: string, fileName: string): boolean {
  return decodeURIComponent(new URL(url).pathname).endsWith(`/${fileName}`);
}

/**
 * Which build an agent on `image` installs: its entity.system, read from the image as the agent
 * reads it, against every build's filters; released agents take the first that matches. Returns
 * why that is not the platform's own build, or undefined when it is.
 */
export function selectionProblem(builds: readonly Build[], system: EntitySystem, fileName: string): string | undefined {
  const host = `${system.platform} ${system.platform_version} (family "${system.platform_family}", ${system.arch}, libc "${system.libc_type}")`;
  const matches = matchingBuilds(builds, entityOf({ label: 'install-test', system, libc: undefined, source: 'the base image' }));
  if ('error' in matches) return `the asset's filters fail on ${host}: ${matches.error}`;
  const chosen = matches.indexes.map((index) => path.posix.basename(new URL((builds[index] as Build).url).pathname));
  if (chosen.length === 0) return `an agent on ${host} installs no build of the asset`;
  if (chosen.length > 1) return `an agent on ${host} matches ${chosen.length} builds: ${chosen.join(', ')}`;
  return chosen[0] === fileName ? undefined : `an agent on ${host} installs ${chosen[0]}, not ${fileName}`;
}

export async function installTest(docker: Docker, input: { dist: string; platforms: readonly Platform[]; log?: (line: string) => void }): Promise<PlatformResult[]> {
  const log = input.log ?? (() => undefined);
  const manifest = await readArtifactsManifest(input.dist);
  const definition = await readFile(path.join(input.dist, ASSET_FILE), 'utf8');
  const server = await serveRelease(input.dist);
  const results: PlatformResult[] = [];
  try {
    for (const platform of input.platforms) {
      const started = Date.now();
      const notRun = (reason: string): PlatformResult => ({ platform: platform.name, image: platform.baseImage, outcome: 'not run', reason, seconds: 0, users: [] });
      const fileName = assetFileName(manifest.version, platform.name);
      const build = buildFor(definition, fileName);
      if (!manifest.artifacts.some((artifact) => artifact.platform === platform.name) || build === undefined) {
        results.push(notRun(`no ${platform.name} asset in ${input.dist} (${fileName} is not in artifacts.json and ${ASSET_FILE})`));
        continue;
      }
      if ((await imageId(docker, platform.baseImage)) === undefined) {
        results.push(notRun(`its base image ${platform.baseImage} is not present in the Docker engine`));
        continue;
      }
      const probe = await runInImage(docker, platform.baseImage, SYSTEM_PROBE, `${platform.name}-probe`);
      const system = entitySystem(parseProbe(probe.output));
      const problem = selectionProblem(definitionBuilds(definition), system, fileName);
      if (problem !== undefined) {
        results.push({ platform: platform.name, image: platform.baseImage, outcome: 'failed', reason: problem, seconds: Math.round((Date.now() - started) / 1000), users: [] });
        log(`install-test: ${platform.name}: failed (${problem})`);
        continue;
      }
      log(`install-test: ${platform.name}: ${platform.baseImage} reports ${system.platform} ${system.platform_version}, libc ${system.libc_type}: the agent selects ${fileName}; installing it as the agent does, then the check cycle as ${CHECK_USERS.join(' and ')}`);
      const users = await Promise.all(CHECK_USERS.map((user) => oneUser(docker, { platform, user, build: { url: server.localUrl(build.url), sha512: build.sha512 } })));
      const failed = users.find((user) => user.outcome !== 'passed');
      const failedStep = failed?.steps.find((step) => step.problem !== undefined);
      results.push({
        platform: platform.name,
        image: platform.baseImage,
        outcome: failed === undefined ? 'passed' : 'failed',
        ...(failed === undefined ? {} : { reason: `as ${failed.user}: ${failedStep === undefined ? 'no step ran' : `${failedStep.name}: ${failedStep.problem}`}` }),
        seconds: Math.round((Date.now() - started) / 1000),
        users,
      });
      log(`install-test: ${platform.name}: ${results.at(-1)?.outcome}${results.at(-1)?.reason === undefined ? '' : ` (${results.at(-1)?.reason})`}`);
    }
  } finally {
    await server.close();
  }
  return results;
}

/** One user's run: its own agent cache (owned by that user, as the agent's is), its own container. */
async function oneUser(docker: Docker, input: { platform: Platform; user: CheckUser; build: { url: string; sha512: string } }): Promise<UserResult> {
  const cacheDir = await mkdtemp(path.join(os.tmpdir(), `sensu-tripwire-agent-cache-${input.platform.name}-`));
  try {
    await chmod(cacheDir, 0o755);
    let assetDir: string;
    try {
      assetDir = await installAsset(input.build, cacheDir);
    } catch (error) {
      const problem = error instanceof Error ? error.message : String(error);
      return { user: input.user, outcome: 'failed', steps: [{ name: 'the agent installs the asset', user: 'agent', command: `GET ${input.build.url}`, code: 1, problem, output: '' }] };
    }
    if (input.user === 'sensu' && process.getuid?.() === 0) await chownTree(assetDir, SENSU_UID);
    const steps = await runCheckCycle(docker, {
      image: input.platform.baseImage,
      user: input.user,
      cacheDir,
      assetName: ASSET_NAME,
      sha512: input.build.sha512,
      label: `${input.platform.name}-${input.user}`,
    });
    const passed = steps.length === CHECK_CYCLE.length && steps.every((step) => step.problem === undefined);
    return { user: input.user, outcome: passed ? 'passed' : 'failed', steps };
  } finally {
    await rm(cacheDir, { recursive: true, force: true });
  }
}

/** The agent's cache belongs to the agent's user: hand the unpacked tree to it. */
async function chownTree(dir: string, uid: number): Promise<void> {
  await chown(dir, uid, uid);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const child = path.join(dir, entry.name);
    if (entry.isDirectory()) await chownTree(child, uid);
    else await lchown(child, uid, uid);
  }
}
