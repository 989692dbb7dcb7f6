import type { BuildContext, PlatformBuild } from '../context.js';
import { formatDuration } from './progress.js';

export interface SummaryRow {
  platform: string;
  elapsedMs?: number;
  size?: number;
  cache?: PlatformBuild['cache'];
}

const CACHE_WORDS: Record<NonNullable<PlatformBuild['cache']>, string> = {
  hit: 'hit (not compiled)',
  miss: 'miss (compiled)',
  forced: 'off (--no-cache, compiled)',
};

/** The table printed at the end of a build: one row per platform, in catalog order. */
export function summaryTable(rows: readonly SummaryRow[]): string {
  const cells = [
    ['platform', 'time', 'size', 'compile cache'],
    ...rows.map((row) => [
      row.platform,
      row.elapsedMs === undefined ? '-' : formatDuration(row.elapsedMs),
      row.size === undefined ? '-' : formatSize(row.size),
      row.cache === undefined ? '-' : CACHE_WORDS[row.cache],
    ]),
  ];
  const widths = cells[0]?.map((_, column) => Math.max(...cells.map((line) => (line[column] ?? '').length))) ?? [];
  return cells.map((line) => line.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ').trimEnd()).join('\n');
}

/** Megabytes as the README and the issue tracker state them (10^6 bytes). */
export function formatSize(bytes: number): string {
  return `${(bytes / 1e6).toFixed(2)} MB`;
}

/** The rows of a finished build's summary, from its context. */
export function summaryRows(ctx: BuildContext): SummaryRow[] {
  return ctx.platforms.map((platform) => {
    const build = ctx.builds.get(platform.name);
    const artifact = ctx.artifacts.find((entry) => entry.platform === platform.name);
    return { platform: platform.name, elapsedMs: build?.elapsedMs, size: artifact?.size, cache: build?.cache };
  });
}
