import { copyFile, mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { need, platformBuild } from '../context.js';
import { UserError } from '../errors.js';
import { closeLog, failureWithTail, openLog } from '../lib/build-log.js';
import { smokePassedFile } from '../lib/compile-cache.js';
import { imageId, runIsolated } from '../lib/docker.js';
import { sha256File } from '../lib/source-fetch.js';
import type { Stage } from '../stage.js';
import { SHIPPED_BINARIES } from './compile.js';

/**
 * Each binary must start and report the pinned Tripwire version in a clean container of the
 * platform's *base* image: no compiler, no build libraries, only what every host of that
 * platform has. A binary that needs anything else fails here, not on an operator's host.
 * The same binaries (by digest) on the same base image (by id) are tested once: the cache
 * remembers that they passed.
 */
export const smokeTest: Stage = {
  name: 'smoke-test',
  async run(ctx) {
    const docker = need(ctx.docker, 'docker');
    const version = need(ctx.source, 'source').tripwireVersion;
    const script = [
      'set -e',
      `for program in ${SHIPPED_BINARIES.join(' ')}; do`,
      '  out=$(/smoke/bin/$program --version 2>&1) || { echo "$program --version failed: $out"; exit 1; }',
      `  case "$out" in *"Tripwire(R) ${version}"*) echo "$program: ok" ;; *) echo "$program: unexpected version output: $out"; exit 1 ;; esac`,
      'done',
    ].join('\n');

    let alreadyPassed = 0;
    for (const platform of ctx.platforms) {
      const build = platformBuild(ctx, platform.name);
      const binariesDir = need(build.binariesDir, 'binariesDir');
      const baseImageId = need(await imageId(docker, platform.baseImage), `the id of ${platform.baseImage}`);
      const digests = await Promise.all(SHIPPED_BINARIES.map((program) => sha256File(path.join(binariesDir, program))));
      const passed = smokePassedFile(path.resolve(ctx.options.cacheDir), digests, baseImageId);
      if (ctx.options.noCache !== true && (await stat(passed).then(() => true, () => false))) {
        ctx.log.info(`  ${platform.name}: these binaries already ran on a clean ${platform.baseImage} (${baseImageId.slice(7, 19)})`);
        alreadyPassed += 1;
        continue;
      }
      const work = await mkdtemp(path.join(path.resolve(ctx.options.cacheDir), 'work', `smoke-${platform.name}-`));
      try {
        await mkdir(path.join(work, 'smoke', 'bin'), { recursive: true });
        for (const program of SHIPPED_BINARIES) {
          await copyFile(path.join(binariesDir, program), path.join(work, 'smoke', 'bin', program));
        }
        const log = openLog(build.logFile);
        log.write(`# smoke test in a clean ${platform.baseImage} container\n`);
        let exitCode: number;
        try {
          exitCode = await runIsolated(docker, {
            image: platform.baseImage,
            cmd: ['sh', '-c', script],
            inputDir: work,
            inputFiles: ['smoke'],
            log,
            signal: ctx.signal,
          });
        } finally {
          await closeLog(log);
        }
        if (exitCode !== 0) {
          throw new UserError(await failureWithTail(`the ${platform.name} binaries do not run on a clean ${platform.baseImage}`, build.logFile));
        }
        ctx.log.info(`  ${platform.name}: binaries run on a clean ${platform.baseImage}`);
        await mkdir(path.dirname(passed), { recursive: true, mode: 0o700 });
        await writeFile(passed, `${platform.baseImage} ${baseImageId}\n${digests.join('\n')}\n`, { mode: 0o600 });
      } finally {
        await rm(work, { recursive: true, force: true });
      }
    }
    if (alreadyPassed > 0 && alreadyPassed === ctx.platforms.length) return { skipped: 'cache hit: these binaries passed on this base image before' };
  },
};
