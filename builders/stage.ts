import type { BuildContext } from './context.js';

/** What a stage returns when it had nothing to do; the runner prints the reason in one line. */
export interface Skipped {
  skipped: string;
}

export interface Stage {
  /** Short, kebab-case; printed as the run goes and accepted by tests that run one stage alone. */
  name: string;
  run(ctx: BuildContext): Promise<void | Skipped>;
  /** The stages this one runs in turn for each platform (platform-builds), for readers and tests. */
  stages?: readonly Stage[];
}

/** Every stage in the order it runs, those inside platform-builds included. */
export function flattenStages(stages: readonly Stage[]): Stage[] {
  return stages.flatMap((stage) => [stage, ...flattenStages(stage.stages ?? [])]);
}

/** Runs stages in order, then every registered cleanup (success, failure or interrupt). */
export async function runStages(ctx: BuildContext, stages: readonly Stage[]): Promise<void> {
  try {
    for (const stage of stages) {
      // An interrupt between stages stops the build here; stages honour it while they run.
      ctx.signal.throwIfAborted();
      ctx.log.info(`• ${stage.name}`);
      const result = await stage.run(ctx);
      if (result && 'skipped' in result) ctx.log.info(`  skipped: ${result.skipped}`);
    }
  } finally {
    await runCleanups(ctx);
  }
}

export async function runCleanups(ctx: BuildContext): Promise<void> {
  while (ctx.cleanups.length > 0) {
    const cleanup = ctx.cleanups.pop();
    try {
      await cleanup?.();
    } catch (error) {
      ctx.log.debug(`cleanup failed: ${String(error)}`);
    }
  }
}
