import { appendFile, copyFile, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { need, platformBuild } from '../context.js';
import { UserError } from '../errors.js';
import { closeLog, failureWithTail, openLog } from '../lib/build-log.js';
import { compileCacheKey, compiledLog, restoreCompiled, storeCompiled, type CompileInputs } from '../lib/compile-cache.js';
import { runIsolated } from '../lib/docker.js';
import { sha256File } from '../lib/source-fetch.js';
import { BUILD_SCRIPT, DOCKERFILES_DIR } from '../lib/toolchain.js';
import type { Stage } from '../stage.js';

/** The programs every asset ships; twtest (Tripwire's unit-test binary) is not among them. */
export const SHIPPED_BINARIES = ['tripwire', 'twadmin', 'twprint', 'siggen'] as const;

/**
 * The compile's own SOURCE_DATE_EPOCH, fixed rather than the release's: nothing in Tripwire's
 * build records a time (no __DATE__ or __TIME__; static archives are written deterministically),
 * and a fixed value keeps the binaries, and so their cache key, independent of the commit being
 * built. The release's SOURCE_DATE_EPOCH still stamps every tarball entry.
 */
export const COMPILE_SOURCE_DATE_EPOCH = '0';

/**
 * Compiles Tripwire in a container of the platform's toolchain image with networking disabled:
 * only the verified source, our patches and the build script go in, only the stripped binaries
 * come out. A failure shows the log's tail and where the whole log is. Binaries already compiled
 * from the same inputs come from the compile cache (lib/compile-cache.ts) unless --no-cache.
 */
export const compile: Stage = {
  name: 'compile',
  async run(ctx) {
    const docker = need(ctx.docker, 'docker');
    const source = need(ctx.source, 'source');
    const workRoot = path.join(path.resolve(ctx.options.cacheDir), 'work');
    await mkdir(workRoot, { recursive: true, mode: 0o700 });
    const { dir: patchesDir, names: patches } = need(ctx.patches, 'patches');
    const cacheDir = path.resolve(ctx.options.cacheDir);
    const env = { SOURCE_DATE_EPOCH: COMPILE_SOURCE_DATE_EPOCH, LC_ALL: 'C', TZ: 'UTC' };
    const cmd = ['sh', `/build/in/${BUILD_SCRIPT}`];
    let hits = 0;

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

      // The key is taken from the copies: exactly what the container would get.
      const keyInputs: CompileInputs = {
        platform: platform.name,
        // The verified tree as re-packed for the container, not the downloaded bytes.
        sourceSha256: await sha256File(path.join(inputs, 'source.tar.gz')),
        patches: await Promise.all(patches.map(async (name) => ({ name, sha256: await sha256File(path.join(inputs, 'patches', name)) }))),
        buildScriptSha256: await sha256File(path.join(inputs, BUILD_SCRIPT)),
        toolchainImageId: image.id,
        cmd,
        env,
      };
      const key = compileCacheKey(keyInputs);
      if (ctx.options.noCache) {
        build.cache = 'forced';
      } else {
        const found = await restoreCompiled(cacheDir, key, SHIPPED_BINARIES, path.join(work, 'cached', 'bin'));
        if (found.outcome === 'hit') {
          ctx.log.info(`  ${platform.name}: compiled binaries from the cache (key ${key.slice(0, 12)}…, digests verified)`);
          const earlier = await compiledLog(cacheDir, key);
          await appendFile(build.logFile, `# compile: from the compile cache (key ${key}); the log of the compile that made these binaries:\n${earlier}`, { mode: 0o600 });
          build.binariesDir = path.join(work, 'cached', 'bin');
          build.cache = 'hit';
          hits += 1;
          continue;
        }
        if (found.outcome === 'corrupt') ctx.log.info(`  ${platform.name}: cache entry ${key.slice(0, 12)}… is damaged (${found.why}); removed, compiling again`);
        build.cache = 'miss';
      }

      ctx.log.info(`  ${platform.name}: compiling in ${image.tag} (network disabled${patches.length > 0 ? `, patches: ${patches.join(', ')}` : ''})`);
      const log = openLog(build.logFile);
      log.write(`# compile ${source.name} (sha256 ${source.sha256}) in ${image.tag} ${image.id}\n`);
      const outputDir = path.join(work, 'out');
      let exitCode: number;
      try {
        exitCode = await runIsolated(docker, {
          image: image.id,
          cmd,
          env,
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
      await storeCompiled(cacheDir, key, keyInputs, binariesDir, SHIPPED_BINARIES, build.logFile);
    }
    if (hits > 0 && hits === ctx.platforms.length) return { skipped: `cache hit: binaries compiled earlier from the same inputs` };
  },
};
