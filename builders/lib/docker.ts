import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import Docker from 'dockerode';
import { create as createTar, extract as extractTar } from 'tar';
import { UserError, describeError } from '../errors.js';

/**
 * The thin adapter over the Docker Engine API (dockerode). Nothing else in the pipeline talks to
 * Docker, and nothing here shells out to the docker CLI.
 */

/** A client for the engine at DOCKER_HOST, else the local socket (docker-modem's defaults). */
export function dockerClient(): Docker {
  return new Docker();
}

export function engineAddress(env: NodeJS.ProcessEnv = process.env): string {
  return env.DOCKER_HOST !== undefined && env.DOCKER_HOST !== '' ? `DOCKER_HOST=${env.DOCKER_HOST}` : '/var/run/docker.sock';
}

/** Fails with what to do when no engine answers. */
export async function pingEngine(docker: Docker): Promise<void> {
  try {
    await withTimeout(docker.ping(), 10_000, 'no answer within 10 s');
  } catch (error) {
    throw new UserError(
      `cannot reach the Docker engine at ${engineAddress()}: ${describeError(error)}. ` +
        'Start it (as root: `dockerd &`, or `npm run setup`), or point DOCKER_HOST at a running engine.',
    );
  }
}

export async function imageId(docker: Docker, ref: string): Promise<string | undefined> {
  try {
    return (await docker.getImage(ref).inspect()).Id;
  } catch (error) {
    if (statusCode(error) === 404) return undefined;
    throw error;
  }
}

/**
 * Returns the id of `ref`, pulling it only when it is not present locally. An image that is
 * neither present nor pullable is a UserError that says how to provide it (`howToProvide`).
 */
export async function ensureImage(docker: Docker, ref: string, howToProvide: string): Promise<string> {
  const present = await imageId(docker, ref);
  if (present !== undefined) return present;
  try {
    const stream = await docker.pull(ref);
    await new Promise<void>((resolve, reject) => {
      docker.modem.followProgress(stream, (error: Error | null) => (error ? reject(error) : resolve()));
    });
  } catch (error) {
    throw new UserError(`base image ${ref} is not present locally and cannot be pulled (${describeError(error)}). ${howToProvide}`);
  }
  const pulled = await imageId(docker, ref);
  if (pulled === undefined) throw new UserError(`pulling ${ref} reported success but the image is not there. ${howToProvide}`);
  return pulled;
}

export interface BuildImageOptions {
  /** Directory holding the build context. */
  contextDir: string;
  /** The files of contextDir to send: only what the Dockerfile needs. */
  contextFiles: string[];
  dockerfile: string;
  tag: string;
  buildArgs: Record<string, string>;
  /** Receives the build's output. */
  log: WriteStream;
  signal?: AbortSignal;
}

/** Builds an image (never pulling its base) and returns its id; a failed step is an Error with the engine's message. */
export async function buildImage(docker: Docker, options: BuildImageOptions): Promise<string> {
  const context = await tarBuffer(options.contextDir, options.contextFiles);
  const stream: NodeJS.ReadableStream = await docker.buildImage(Readable.from([context]), {
    t: options.tag,
    dockerfile: options.dockerfile,
    buildargs: options.buildArgs,
    pull: false,
    rm: true,
    forcerm: true,
    abortSignal: options.signal,
  } as Docker.ImageBuildOptions);
  await new Promise<void>((resolve, reject) => {
    docker.modem.followProgress(
      stream,
      (error: Error | null, messages: Array<{ error?: string }>) => {
        const failed = error ?? messages.find((message) => message.error !== undefined)?.error;
        if (failed) reject(failed instanceof Error ? failed : new Error(failed));
        else resolve();
      },
      (event: { stream?: string; status?: string; error?: string }) => {
        const text = event.stream ?? event.error ?? (event.status !== undefined ? `${event.status}\n` : '');
        if (text !== '') options.log.write(text);
      },
    );
  });
  const id = await imageId(docker, options.tag);
  if (id === undefined) throw new Error(`the engine built ${options.tag} but cannot find it`);
  return id;
}

export interface RunOptions {
  image: string;
  cmd: string[];
  env?: Record<string, string>;
  /** Files to copy in before the start: paths relative to `inputDir`, placed under `/`. */
  inputDir: string;
  inputFiles: string[];
  /** When the command succeeds, this container path is copied out into `outputDir`. */
  outputPath?: string;
  outputDir?: string;
  /** Receives the command's stdout and stderr. */
  log: WriteStream;
  signal?: AbortSignal;
}

/**
 * Runs one command in a fresh container with networking disabled and returns its exit code. The
 * container is removed afterwards whatever happens, including an abort (Ctrl-C).
 */
export async function runIsolated(docker: Docker, options: RunOptions): Promise<number> {
  options.signal?.throwIfAborted();
  // The create request is never cut short: the engine may already have made the container, and
  // only its answer tells us which one to remove. An abort that arrives meanwhile is seen below.
  const container = await docker.createContainer({
    Image: options.image,
    Cmd: options.cmd,
    Env: Object.entries(options.env ?? {}).map(([key, value]) => `${key}=${value}`),
    NetworkDisabled: true,
    HostConfig: { NetworkMode: 'none' },
    Labels: ownLabels(),
  });
  const remove = () => removeContainer(container);
  const onAbort = () => void remove();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    // Aborted while the container was being created: the listener above came too late to fire.
    options.signal?.throwIfAborted();
    await container.putArchive(await tarBuffer(options.inputDir, options.inputFiles), { path: '/' });
    const output = await container.attach({ stream: true, stdout: true, stderr: true });
    const ended = new Promise<void>((resolve) => {
      output.on('end', resolve);
      output.on('close', resolve);
    });
    const sink = new PassThrough();
    sink.on('data', (chunk: Buffer) => options.log.write(chunk));
    container.modem.demuxStream(output, sink, sink);
    await container.start();
    const { StatusCode: exitCode } = (await container.wait()) as { StatusCode: number };
    await withTimeout(ended, 5_000, 'log stream did not end').catch(() => undefined);
    options.signal?.throwIfAborted();
    if (exitCode === 0 && options.outputPath !== undefined && options.outputDir !== undefined) {
      await mkdir(options.outputDir, { recursive: true, mode: 0o700 });
      const archive = await container.getArchive({ path: options.outputPath });
      // node-tar refuses absolute paths and `..` by default: nothing can land outside outputDir.
      await pipeline(archive, extractTar({ cwd: options.outputDir, strict: true, preserveOwner: false }));
    }
    return exitCode;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    await remove();
  }
}

/** The pid label lets a caller (and the tests) find every container this process started. */
function ownLabels(): Record<string, string> {
  return { 'io.sensu-tripwire.role': 'build', 'io.sensu-tripwire.pid': String(process.pid) };
}

/**
 * Removes every container this process started that still exists: the last line of defence
 * when a build stops, whatever moment it stopped at.
 */
export async function removeOwnContainers(docker: Docker): Promise<void> {
  const filters = { label: Object.entries(ownLabels()).map(([key, value]) => `${key}=${value}`) };
  const containers = await docker.listContainers({ all: true, filters });
  await Promise.all(containers.map((info) => removeContainer(docker.getContainer(info.Id))));
}

/**
 * Removes a container and returns once it is gone: a forced removal takes a while on a busy
 * engine, and a second remove call meanwhile only says "removal in progress".
 */
async function removeContainer(container: Docker.Container): Promise<void> {
  const gone = container.wait({ condition: 'removed' }).catch(() => undefined);
  await container.remove({ force: true }).catch(() => undefined);
  await withTimeout(gone, 60_000, 'container removal did not finish').catch(() => undefined);
}

async function tarBuffer(cwd: string, files: string[]): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of createTar({ cwd, portable: true }, files)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function statusCode(error: unknown): number | undefined {
  return typeof error === 'object' && error !== null && 'statusCode' in error ? Number((error as { statusCode: unknown }).statusCode) : undefined;
}

async function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
