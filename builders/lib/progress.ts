import { createLogUpdate } from 'log-update';
import type { Logger } from '../log.js';

/**
 * How a build shows where each platform is while several are built at once. Every line is
 * written whole and labelled with its platform, so the output of parallel platforms never
 * interleaves mid-line (each platform's full log is its own file in logs/).
 *
 * - On a terminal: one live line per platform (stage and elapsed time), redrawn in place by
 *   log-update; messages scroll above it.
 * - Elsewhere (CI, a pipe): plain lines with a UTC time stamp, and a heartbeat line for every
 *   stage that has been running for another `heartbeatMs`, so a long compile is never silent.
 */
export interface Progress {
  /** Lines about the whole build. */
  log: Logger;
  /** Lines about one platform. */
  platformLog(platform: string): Logger;
  stageStarted(platform: string, stage: string): void;
  platformFinished(platform: string, outcome: 'done' | 'failed'): void;
  /** Stops timers and leaves the final state on the screen. */
  stop(): void;
}

export interface ProgressOptions {
  stream: NodeJS.WriteStream;
  debug: boolean;
  /** Live lines when true; default: whether `stream` is a terminal with a size. */
  live?: boolean;
  heartbeatMs?: number;
  now?: () => number;
}

interface PlatformState {
  stage: string;
  started: number;
  stageStarted: number;
  lastBeat: number;
  finished?: { outcome: 'done' | 'failed'; at: number };
}

export function createProgress(options: ProgressOptions): Progress {
  const now = options.now ?? Date.now;
  // A terminal of no size (a pseudo-terminal nobody sized) could not show a live line: plain lines.
  const live = options.live ?? (options.stream.isTTY === true && (options.stream.rows ?? 0) > 0);
  const heartbeatMs = options.heartbeatMs ?? 30_000;
  const platforms = new Map<string, PlatformState>();

  const render = live ? createLogUpdate(options.stream) : undefined;
  let stopped = false;
  const draw = () => !stopped && render?.([...platforms].map(([name, state]) => liveLine(name, state, now())).join('\n'));
  const write = (line: string) => {
    if (render !== undefined && !stopped) {
      render.clear();
      options.stream.write(`${line}\n`);
      draw();
    } else if (render !== undefined) {
      options.stream.write(`${line}\n`);
    } else {
      options.stream.write(`${timestamp(now())} ${line}\n`);
    }
  };
  const beat = () => {
    for (const [name, state] of platforms) {
      if (state.finished !== undefined || now() - state.lastBeat < heartbeatMs) continue;
      state.lastBeat = now();
      write(`${name}: ${state.stage} still running (${formatDuration(now() - state.stageStarted)})`);
    }
  };
  const timer = setInterval(live ? draw : beat, live ? 1000 : Math.min(heartbeatMs, 5000));
  timer.unref();

  const logger = (label: string): Logger => ({
    info: (message) => write(label + stripLabel(message, label)),
    debug: (message) => {
      if (options.debug) write(`${label}debug: ${message}`);
    },
  });

  return {
    log: logger(''),
    platformLog: (platform) => logger(`${platform}: `),
    stageStarted(platform, stage) {
      const at = now();
      const state = platforms.get(platform);
      if (state === undefined) platforms.set(platform, { stage, started: at, stageStarted: at, lastBeat: at });
      else Object.assign(state, { stage, stageStarted: at, lastBeat: at });
      draw();
    },
    platformFinished(platform, outcome) {
      const state = platforms.get(platform);
      if (state !== undefined) state.finished = { outcome, at: now() };
      draw();
    },
    stop() {
      clearInterval(timer);
      if (render !== undefined && !stopped) {
        draw();
        render.done();
      }
      stopped = true;
    },
  };
}

/** Messages already naming their platform ("  debian12: reusing …") lose the repeated name. */
function stripLabel(message: string, label: string): string {
  const trimmed = message.replace(/^\s+/, '');
  if (label === '') return message;
  return trimmed.startsWith(label) ? trimmed.slice(label.length) : trimmed;
}

export function liveLine(name: string, state: PlatformState, at: number): string {
  if (state.finished !== undefined) {
    const mark = state.finished.outcome === 'done' ? '✔' : '✖';
    return `${mark} ${name.padEnd(12)} ${state.finished.outcome.padEnd(16)} ${formatDuration(state.finished.at - state.started)}`;
  }
  return `… ${name.padEnd(12)} ${state.stage.padEnd(16)} ${formatDuration(at - state.started)}`;
}

/** `[12:03:05]`, in UTC like the rest of the build's time stamps. */
export function timestamp(at: number): string {
  return `[${new Date(at).toISOString().slice(11, 19)}]`;
}

/** `0.4s`, `12s`, `1m05s`. */
export function formatDuration(ms: number): string {
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)}s`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  return `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`;
}
