import type { BuildContext } from '../context.js';
import { createProgress, type Progress } from '../lib/progress.js';
import type { Stage } from '../stage.js';

/**
 * Runs `stages` for each selected platform on its own, up to `--jobs` platforms at once. Each
 * platform gets a view of the context narrowed to itself (the stages loop over ctx.platforms, so
 * they need not know), its own labelled logger and a signal that also fires when another
 * platform has failed: the first failure stops the rest (their containers are removed) and is
 * the error reported.
 */
export function platformBuilds(stages: readonly Stage[]): Stage {
  return {
    name: 'platform-builds',
    stages,
    async run(ctx) {
      const progress = ctx.progress ?? createProgress({ stream: process.stderr, debug: false, live: false });
      const jobs = Math.max(1, Math.min(ctx.options.jobs ?? 1, ctx.platforms.length));
      ctx.log.info(`  ${ctx.platforms.map((platform) => platform.name).join(', ')}: ${stages.map((stage) => stage.name).join(', ')} (${jobs} at a time)`);
      const firstFailure = new AbortController();
      const signal = AbortSignal.any([ctx.signal, firstFailure.signal]);
      const failures: unknown[] = [];

      const queue = [...ctx.platforms];
      const worker = async () => {
        for (let platform = queue.shift(); platform !== undefined; platform = queue.shift()) {
          if (signal.aborted) return;
          const child: BuildContext = { ...ctx, platforms: [platform], log: progress.platformLog(platform.name), signal };
          const started = Date.now();
          try {
            await runPlatform(child, platform.name, stages, progress);
            progress.platformFinished(platform.name, 'done');
          } catch (error) {
            progress.platformFinished(platform.name, 'failed');
            if (!signal.aborted) failures.push(error);
            firstFailure.abort(error);
          } finally {
            const build = ctx.builds.get(platform.name);
            if (build !== undefined) build.elapsedMs = Date.now() - started;
          }
        }
      };
      try {
        await Promise.all(Array.from({ length: jobs }, worker));
      } finally {
        if (ctx.progress === undefined) progress.stop();
      }
      ctx.signal.throwIfAborted();
      if (failures.length > 0) throw failures[0];
    },
  };
}

async function runPlatform(child: BuildContext, name: string, stages: readonly Stage[], progress: Progress): Promise<void> {
  for (const stage of stages) {
    child.signal.throwIfAborted();
    progress.stageStarted(name, stage.name);
    child.log.info(`• ${stage.name}`);
    const result = await stage.run(child);
    if (result && 'skipped' in result) child.log.info(`  skipped: ${result.skipped}`);
  }
}
