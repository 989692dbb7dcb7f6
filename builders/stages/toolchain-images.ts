import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { need } from '../context.js';
import { UserError, describeError } from '../errors.js';
import { closeLog, failureWithTail, openLog } from '../lib/build-log.js';
import { buildImage, ensureImage, imageId } from '../lib/docker.js';
import { DOCKERFILES_DIR, dockerfileName, howToProvideBaseImage, toolchainInputs, toolchainTag, writeToolchainContext } from '../lib/toolchain.js';
import type { Stage } from '../stage.js';

/**
 * One toolchain image per platform, built from the platform's base image with its family's
 * Dockerfile. Every platform's arguments and base image are checked before the first build, so a
 * missing mirror or image fails at once. An image whose inputs are unchanged is reused.
 */
export const toolchainImages: Stage = {
  name: 'toolchain-images',
  async run(ctx) {
    const docker = need(ctx.docker, 'docker');
    const logDir = need(ctx.logDir, 'logDir');

    const plans = [];
    for (const platform of ctx.platforms) {
      const { buildArgs, archiveKeys } = await toolchainInputs(platform);
      const baseImageId = await ensureImage(docker, platform.baseImage, howToProvideBaseImage(platform));
      const dockerfile = dockerfileName(platform);
      const dockerfileText = await readFile(path.join(DOCKERFILES_DIR, dockerfile), 'utf8');
      plans.push({ platform, buildArgs, archiveKeys, dockerfile, tag: toolchainTag(platform, dockerfileText, buildArgs, baseImageId) });
    }

    for (const plan of plans) {
      const logFile = path.join(logDir, `${plan.platform.name}.build.log`);
      ctx.builds.set(plan.platform.name, { platform: plan.platform, logFile });
      const existing = await imageId(docker, plan.tag);
      if (existing !== undefined) {
        ctx.log.info(`  ${plan.platform.name}: reusing ${plan.tag}`);
        need(ctx.builds.get(plan.platform.name), 'build').toolchainImage = { tag: plan.tag, id: existing };
        continue;
      }
      ctx.log.info(`  ${plan.platform.name}: building ${plan.tag} from ${plan.platform.baseImage}`);
      const log = openLog(logFile);
      log.write(`# toolchain image ${plan.tag} (${plan.dockerfile}, ${JSON.stringify(plan.buildArgs)})\n`);
      const workRoot = path.join(path.resolve(ctx.options.cacheDir), 'work');
      await mkdir(workRoot, { recursive: true, mode: 0o700 });
      const contextDir = await mkdtemp(path.join(workRoot, `toolchain-${plan.platform.name}-`));
      let id: string;
      try {
        id = await buildImage(docker, {
          contextDir,
          contextFiles: await writeToolchainContext(contextDir, plan.dockerfile, plan.archiveKeys),
          dockerfile: plan.dockerfile,
          tag: plan.tag,
          buildArgs: plan.buildArgs,
          log,
          signal: ctx.signal,
        });
      } catch (error) {
        log.write(`\n# failed: ${describeError(error)}\n`);
        await closeLog(log);
        throw new UserError(await failureWithTail(`building the ${plan.platform.name} toolchain image failed: ${describeError(error)}`, logFile));
      } finally {
        await rm(contextDir, { recursive: true, force: true });
      }
      await closeLog(log);
      need(ctx.builds.get(plan.platform.name), 'build').toolchainImage = { tag: plan.tag, id };
    }
  },
};
