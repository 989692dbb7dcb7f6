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
export function containersCreatedBy(pid: number, since: number, until: number): Promise<number> {
  return containerEventsOf(pid, 'create', since, until);
}

/** How many `event`s (create, start, destroy…) containers of the process `pid` had between two times. */
export async function containerEventsOf(pid: number, event: string, since: number, until: number): Promise<number> {
  const stream = (await dockerClient().getEvents({
    since,
    until,
    filters: { type: ['container'], event: [event], label: [`io.sensu-tripwire.pid=${pid}`] },
  })) as NodeJS.ReadableStream;
  let text = '';
  for await (const chunk of stream) text += chunk.toString();
  return text.split('\n').filter((line) => line.trim() !== '').length;
}
