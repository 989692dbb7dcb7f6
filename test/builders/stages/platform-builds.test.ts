import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../../builders/catalog.js';
import { newContext, type BuildContext } from '../../../builders/context.js';
import { silentLogger } from '../../../builders/log.js';
import { createProgress } from '../../../builders/lib/progress.js';
import { flattenStages, type Stage } from '../../../builders/stage.js';
import { buildPipeline } from '../../../builders/pipeline.js';
import { platformBuilds } from '../../../builders/stages/platform-builds.js';

async function contextFor(names: string[], jobs: number): Promise<{ ctx: BuildContext; lines: string[] }> {
  const catalog = await loadCatalog();
  const ctx = newContext({ platforms: names.join(','), catalogFile: catalog.file, patchesDir: 'unused', distDir: 'unused', cacheDir: 'unused', jobs }, silentLogger);
  ctx.platforms = catalog.platforms.filter((platform) => names.includes(platform.name));
  for (const platform of ctx.platforms) ctx.builds.set(platform.name, { platform, logFile: 'unused' });
  const lines: string[] = [];
  const stream = { isTTY: false, write: (chunk: string) => (lines.push(String(chunk)), true) } as unknown as NodeJS.WriteStream;
  ctx.progress = createProgress({ stream, debug: false });
  return { ctx, lines };
}

/** A stage that records which platform it saw, and how many ran at once at most. */
function recorder(name: string, seen: string[], running: { now: number; max: number }, ms = 20): Stage {
  return {
    name,
    async run(ctx) {
      running.now += 1;
      running.max = Math.max(running.max, running.now);
      try {
        expect(ctx.platforms).toHaveLength(1);
        seen.push(`${ctx.platforms[0]?.name}:${name}`);
        await sleep(ms, undefined, { signal: ctx.signal });
      } finally {
        running.now -= 1;
      }
    },
  };
}

describe('platform-builds', () => {
  it('runs the stages in order for each platform on its own, at most --jobs platforms at once', async () => {
    const { ctx } = await contextFor(['debian11', 'debian12', 'alpine3.9'], 2);
    const seen: string[] = [];
    const running = { now: 0, max: 0 };
    await platformBuilds([recorder('a', seen, running), recorder('b', seen, running)]).run(ctx);
    expect(running.max).toBe(2);
    for (const platform of ['debian11', 'debian12', 'alpine3.9']) {
      expect(seen.filter((entry) => entry.startsWith(`${platform}:`))).toEqual([`${platform}:a`, `${platform}:b`]);
      expect(ctx.builds.get(platform)?.elapsedMs).toBeGreaterThanOrEqual(0);
    }
  });

  it('with --jobs 1 builds one platform after the other', async () => {
    const { ctx } = await contextFor(['debian11', 'debian12'], 1);
    const seen: string[] = [];
    const running = { now: 0, max: 0 };
    await platformBuilds([recorder('a', seen, running)]).run(ctx);
    expect(running.max).toBe(1);
  });

  it('stops the other platforms at the first failure and reports that failure, not their interruption', async () => {
    const { ctx } = await contextFor(['debian11', 'debian12'], 2);
    const stopped: string[] = [];
    const failing: Stage = {
      name: 'compile',
      async run(child) {
        const platform = child.platforms[0]?.name;
        if (platform === 'debian12') {
          await sleep(10);
          throw new Error('debian12 compile failed');
        }
        try {
          await sleep(10_000, undefined, { signal: child.signal });
        } catch (error) {
          stopped.push(platform ?? '');
          throw error;
        }
      },
    };
    await expect(platformBuilds([failing]).run(ctx)).rejects.toThrow('debian12 compile failed');
    expect(stopped).toEqual(['debian11']);
  });

  it('labels each platform line and says when a stage was skipped, and why, in one line', async () => {
    const { ctx, lines } = await contextFor(['debian12'], 1);
    await platformBuilds([{ name: 'compile', run: async () => ({ skipped: 'cache hit: test' }) }]).run(ctx);
    expect(lines.filter((line) => line.includes('debian12: '))).toEqual([expect.stringMatching(/debian12: • compile\n$/), expect.stringMatching(/debian12: skipped: cache hit: test\n$/)]);
  });

  it('is listed with the stages it runs, so the pipeline reads top to bottom', () => {
    const names = flattenStages(buildPipeline).map((stage) => stage.name);
    expect(names.slice(names.indexOf('platform-builds'), names.indexOf('package'))).toEqual(['platform-builds', 'toolchain-images', 'compile', 'abi-gate', 'smoke-test']);
  });
});
