import { describe, expect, it } from 'vitest';
import { formatSize, summaryTable } from '../../../builders/lib/build-summary.js';
import { createProgress, formatDuration, timestamp } from '../../../builders/lib/progress.js';
import { defaultJobs, parseJobs } from '../../../builders/commands/options.js';
import { UserError } from '../../../builders/errors.js';

/** A stand-in for process.stderr that records each write() call separately. */
function recordingStream(isTTY: boolean): NodeJS.WriteStream & { writes: string[] } {
  const writes: string[] = [];
  return { isTTY, columns: 100, rows: 30, writes, write: (chunk: string) => (writes.push(String(chunk)), true) } as unknown as NodeJS.WriteStream & { writes: string[] };
}

describe('progress without a terminal (CI)', () => {
  it('writes whole, time-stamped lines labelled with their platform, one write per line', () => {
    let clock = Date.parse('2026-01-02T03:04:05Z');
    const stream = recordingStream(false);
    const progress = createProgress({ stream, debug: false, now: () => clock });
    progress.log.info('• compile');
    progress.platformLog('debian12').info('  debian12: compiling in image-x');
    progress.platformLog('debian11').info('• smoke-test');
    clock += 1000;
    progress.platformLog('debian12').debug('not shown without --debug');
    progress.stop();
    expect(stream.writes).toEqual([
      '[03:04:05] • compile\n',
      '[03:04:05] debian12: compiling in image-x\n',
      '[03:04:05] debian11: • smoke-test\n',
    ]);
  });

  it('says a long stage is still running, once per heartbeat interval, and stops when it is done', async () => {
    let clock = 0;
    const stream = recordingStream(false);
    const progress = createProgress({ stream, debug: false, now: () => clock, heartbeatMs: 20 });
    progress.stageStarted('debian12', 'compile');
    clock = 30_000;
    await new Promise((resolve) => setTimeout(resolve, 60));
    const beats = stream.writes.filter((line) => line.includes('debian12: compile still running (30s)'));
    expect(beats).toHaveLength(1);
    progress.platformFinished('debian12', 'done');
    clock = 90_000;
    await new Promise((resolve) => setTimeout(resolve, 60));
    progress.stop();
    expect(stream.writes.filter((line) => line.includes('still running'))).toHaveLength(1);
  });
});

describe('progress on a terminal', () => {
  it('draws one live line per platform with its stage and elapsed time, and keeps messages above it', () => {
    let clock = 0;
    const stream = recordingStream(true);
    const progress = createProgress({ stream, debug: false, now: () => clock });
    progress.stageStarted('debian11', 'toolchain-images');
    progress.stageStarted('debian12', 'compile');
    clock = 65_000;
    progress.platformLog('debian12').info('  debian12: compiling');
    const screen = stream.writes.join('');
    expect(screen).toContain('debian12: compiling\n');
    const lastFrame = stream.writes.at(-1) ?? '';
    expect(lastFrame).toMatch(/debian11 +toolchain-images +1m05s/);
    expect(lastFrame).toMatch(/debian12 +compile +1m05s/);
    progress.platformFinished('debian11', 'failed');
    progress.stop();
    expect(stream.writes.join('')).toMatch(/✖ debian11 +failed/);
    // log-update moves the cursor with escape codes; a plain stream never gets any.
    expect(screen).toContain('\u001b[');
  });
});

describe('the build summary', () => {
  it('lists each platform with its time, asset size and compile cache outcome', () => {
    const table = summaryTable([
      { platform: 'debian11', elapsedMs: 65_000, size: 3_355_937, cache: 'miss' },
      { platform: 'debian12', elapsedMs: 400, size: 3_355_100, cache: 'hit' },
      { platform: 'alpine3.9', elapsedMs: 2_000, size: 3_000_000, cache: 'forced' },
    ]);
    expect(table.split('\n')).toEqual([
      'platform   time   size     compile cache',
      'debian11   1m05s  3.36 MB  miss (compiled)',
      'debian12   0.4s   3.36 MB  hit (not compiled)',
      'alpine3.9  2.0s   3.00 MB  off (--no-cache, compiled)',
    ]);
  });

  it('formats durations and sizes as people read them', () => {
    expect([formatDuration(400), formatDuration(9_949), formatDuration(42_000), formatDuration(3_599_000)]).toEqual(['0.4s', '9.9s', '42s', '59m59s']);
    expect(formatSize(2_350_000)).toBe('2.35 MB');
    expect(timestamp(Date.parse('2026-11-29T21:03:57.123Z'))).toBe('[21:03:57]');
  });
});

describe('--jobs', () => {
  it('defaults to half the cores, at least two', () => {
    expect([defaultJobs(1), defaultJobs(2), defaultJobs(4), defaultJobs(16)]).toEqual([2, 2, 2, 8]);
  });

  it('takes a whole number from 1 to 64 and refuses anything else with exit code 2', () => {
    expect(parseJobs('3')).toBe(3);
    for (const bad of ['0', '-1', '1.5', 'two', '65', '']) {
      expect(() => parseJobs(bad)).toThrow(UserError);
      expect(() => parseJobs(bad)).toThrow(/--jobs takes a whole number from 1 to 64/);
    }
  });
});
