import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { closeLog, openLog } from '../../builders/lib/build-log.js';
import { dockerClient, runIsolated } from '../../builders/lib/docker.js';

/**
 * Runs `script` with sh in a fresh, network-less container of `image`, with `dir` copied in as
 * `/<basename of dir>`; returns the exit code and the combined output.
 */
export async function runInContainer(image: string, dir: string, script: string): Promise<{ code: number; output: string }> {
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'sensu-tripwire-run-'));
  const logFile = path.join(scratch, 'output.log');
  const log = openLog(logFile);
  try {
    const code = await runIsolated(dockerClient(), {
      image,
      cmd: ['sh', '-c', script],
      inputDir: path.dirname(dir),
      inputFiles: [path.basename(dir)],
      log,
    });
    await closeLog(log);
    return { code, output: await readFile(logFile, 'utf8') };
  } finally {
    await closeLog(log);
    await rm(scratch, { recursive: true, force: true });
  }
}

/** Containers that the process `pid` started and that still exist. */
export async function containersOf(pid: number): Promise<number> {
  const list = await dockerClient().listContainers({ all: true, filters: { label: [`io.sensu-tripwire.pid=${pid}`] } });
  return list.length;
}

/** Containers created by the process `pid` between two times (seconds since 1970). */
export async function containersCreatedBy(pid: number, since: number, until: number): Promise<number> {
  const stream = (await dockerClient().getEvents({
    since,
    until,
    filters: { type: ['container'], event: ['create'], label: [`io.sensu-tripwire.pid=${pid}`] },
  })) as NodeJS.ReadableStream;
  let text = '';
  for await (const chunk of stream) text += chunk.toString();
  return text.split('\n').filter((line) => line.trim() !== '').length;
}

export interface ContainerEventWatch {
  /** How many times containers of the process `pid` had `event` (create, start, destroy) so far. */
  count(pid: number, event: string): number;
  stop(): void;
}

/**
 * Watches the engine's live event stream for the build containers of every process. Live,
 * because the engine keeps only its last few hundred events for later queries, and a busy
 * machine pushes a long build's out of them.
 */
export async function watchBuildContainerEvents(): Promise<ContainerEventWatch> {
  const seen: Array<{ pid: string; event: string }> = [];
  const stream = (await dockerClient().getEvents({
    filters: { type: ['container'], event: ['create', 'start', 'destroy'], label: ['io.sensu-tripwire.role=build'] },
  })) as NodeJS.ReadableStream & { destroy(): void };
  let pending = '';
  stream.on('data', (chunk: Buffer) => {
    pending += chunk.toString();
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines.filter((text) => text.trim() !== '')) {
      const event = JSON.parse(line) as { Action: string; Actor: { Attributes: Record<string, string> } };
      seen.push({ pid: event.Actor.Attributes['io.sensu-tripwire.pid'] ?? '', event: event.Action });
    }
  });
  stream.on('error', () => undefined);
  return {
    count: (pid, event) => seen.filter((entry) => entry.pid === String(pid) && entry.event === event).length,
    stop: () => stream.destroy(),
  };
}
