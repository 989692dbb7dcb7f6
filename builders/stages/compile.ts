import { copyFile, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { need, platformBuild } from '../context.js';
import { UserError } from '../errors.js';
import { closeLog, failureWithTail, openLog } from '../lib/build-log.js';
import { runIsolated } from '../lib/docker.js';
import { BUILD_SCRIPT, DOCKERFILES_DIR } from '../lib/toolchain.js';
import type { Stage } from '../stage.js';

/** The programs every asset ships; twtest (Tripwire's unit-test binary) is not among them. */
export const SHIPPED_BINARIES = ['tripwire', 'twadmin', 'twprint', 'siggen'] as const;

/**
 * Compiles Tripwire in a container of the platform's toolchain image with networking disabled:
 * only the verified source, our patches and the build script go in, only the stripped binaries
 * come out. A failure shows the log's tail and where the whole log is.
 */
export const compile: Stage = {
  name: 'compile',
  async run(ctx) {
    const docker = need(ctx.docker, 'docker');
    const source = need(ctx.source, 'source');
    const workRoot = path.join(path.resolve(ctx.options.cacheDir), 'work');
    await mkdir(workRoot, { recursive: true, mode: 0o700 });
    const { dir: patchesDir, names: patches } = need(ctx.patches, 'patches');

    for (const platform of ctx.platforms) {
      const build = platformBuild(ctx, platform.name);
      const image = need(build.toolchainImage, 'toolchainImage');
      const work = await mkdtemp(path.join(workRoot, `${platform.name}-`));
      ctx.cleanups.push(() => rm(work, { recursive: true, force: true }));

      const inputs = path.join(work, 'build', 'in');
      await mkdir(path.join(inputs, 'patches'), { recursive: true });
      // The tree that was verified, re-packed in memory: never the downloaded bytes, which another
      // tar could read differently, and never a file that could change after verification.
      await writeFile(path.join(inputs, 'source.tar.gz'), source.normalized, { mode: 0o600 });
      await copyFile(path.join(DOCKERFILES_DIR, BUILD_SCRIPT), path.join(inputs, BUILD_SCRIPT));
      for (const patch of patches) await copyFile(path.join(patchesDir, patch), path.join(inputs, 'patches', patch));

      ctx.log.info(`  ${platform.name}: compiling in ${image.tag} (network disabled${patches.length > 0 ? `, patches: ${patches.join(', ')}` : ''})`);
      const log = openLog(build.logFile);
      log.write(`# compile ${source.name} (sha256 ${source.sha256}) in ${image.tag} ${image.id}\n`);
      const outputDir = path.join(work, 'out');
      let exitCode: number;
      try {
        exitCode = await runIsolated(docker, {
          image: image.id,
          cmd: ['sh', `/build/in/${BUILD_SCRIPT}`],
          env: { SOURCE_DATE_EPOCH: String(need(ctx.sourceDateEpoch, 'sourceDateEpoch')), LC_ALL: 'C', TZ: 'UTC' },
          inputDir: work,
          inputFiles: ['build'],
          outputPath: '/build/out/bin',
          outputDir,
          log,
          signal: ctx.signal,
        });
      } finally {
        await closeLog(log);
      }
      if (exitCode !== 0) {
        throw new UserError(await failureWithTail(`compiling Tripwire for ${platform.name} failed (exit ${exitCode})`, build.logFile));
      }
      const binariesDir = path.join(outputDir, 'bin');
      const produced = new Set(await readdir(binariesDir).catch(() => [] as string[]));
      const missing = SHIPPED_BINARIES.filter((name) => !produced.has(name));
      if (missing.length > 0) {
        throw new UserError(await failureWithTail(`the ${platform.name} compile produced no ${missing.join(', ')}`, build.logFile));
      }
      build.binariesDir = binariesDir;
    }
  },
};
