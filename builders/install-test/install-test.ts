import { chmod, chown, lchown, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type Docker from 'dockerode';
import { parseAllDocuments } from 'yaml';
import { assetFileName, readArtifactsManifest } from '../artifacts.js';
import type { Platform } from '../catalog.js';
import { imageId } from '../lib/docker.js';
import { ASSET_FILE, ASSET_NAME, type AssetResource } from '../metadata/sensu-asset.js';
import { installAsset, serveRelease } from './agent.js';
import { CHECK_CYCLE } from './check-cycle.js';
import { runCheckCycle, SENSU_UID, type CheckUser, type StepOutcome } from './container.js';

/**
 * The agent-style install test of a built dist/: for each platform, the build of the asset
 * definition an agent would download, served over HTTP on loopback, installed as the agent
 * installs it (agent.ts), then the check cycle in that platform's base image as root and as an
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

/** The asset definition's build for `fileName`, found by its URL as an agent's download would be. */
export function buildFor(definitionText: string, fileName: string): { url: string; sha512: string } | undefined {
  const asset = parseAllDocuments(definitionText)
    .map((document) => document.toJS() as AssetResource | null)
    .find((resource) => resource?.type === 'Asset');
  return asset?.spec.builds.find((build) => decodeURIComponent(new URL(build.url).pathname).endsWith(`/${fileName}`));
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
      log(`install-test: ${platform.name}: installing ${fileName} as the agent does, then the check cycle in ${platform.baseImage} as ${CHECK_USERS.join(' and ')}`);
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
