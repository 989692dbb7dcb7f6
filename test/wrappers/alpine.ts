import { createWriteStream } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import type Docker from 'dockerode';
import { buildImage, dockerClient, imageId } from '../../builders/lib/docker.js';
import type { RunOptions, RunResult, Shell } from './helpers.js';

/**
 * The real Alpine 3.9 userland (busybox 1.29.3: ash, awk, sed, find, date, ...) for the wrapper
 * scenarios: a container of the alpine:3.9 image that sees the test's directory at the same path,
 * so that a scenario prepares and inspects files on the host and runs the scripts inside.
 *
 * No musl build of Tripwire exists here (no Alpine compiler or package repository is reachable):
 * the scenarios run the glibc build the rest of the wrapper suite uses (Debian's, statically
 * linked), and a throw-away image FROM alpine:3.9 carries the glibc runtime (loader, libc and the
 * NSS module a static glibc program loads to resolve user names) so that it behaves as it would
 * on a glibc host. Only the Tripwire binaries are glibc's; every tool the scripts use is Alpine's.
 */

export const ALPINE_BASE = 'alpine:3.9';
export const ALPINE_TEST_IMAGE = 'sensu-tripwire-test/alpine3.9-glibc-runtime:latest';
const LABEL = 'sensu-tripwire.test';

/** The glibc runtime files copied into the test image (host path = image path). */
const GLIBC_RUNTIME = ['/lib64/ld-linux-x86-64.so.2', '/lib/x86_64-linux-gnu/libc.so.6', '/lib/x86_64-linux-gnu/libnss_files.so.2'];

/** Builds the test image (FROM alpine:3.9 plus the glibc runtime); fails clearly without alpine:3.9. */
async function buildTestImage(docker: Docker): Promise<void> {
  if ((await imageId(docker, ALPINE_BASE)) === undefined) {
    throw new Error(`the Docker engine has no ${ALPINE_BASE} image: scripts/setup.sh imports it from the verified Alpine 3.9.6 root file system (SENSU_TRIPWIRE_ROOTFS_DIR)`);
  }
  const context = await mkdtemp(path.join(os.tmpdir(), 'sensu-tripwire-alpine-image-'));
  try {
    const files: string[] = [];
    for (const source of GLIBC_RUNTIME) {
      const rel = path.join('glibc', source);
      await mkdir(path.dirname(path.join(context, rel)), { recursive: true });
      await copyFile(source, path.join(context, rel));
      files.push(rel);
    }
    await writeFile(path.join(context, 'Dockerfile'), `FROM ${ALPINE_BASE}\nCOPY glibc/ /\nLABEL ${LABEL}=alpine-glibc-runtime\n`);
    files.push('Dockerfile');
    const log = createWriteStream(path.join(context, 'build.log'));
    try {
      await buildImage(docker, { contextDir: context, contextFiles: files, dockerfile: 'Dockerfile', tag: ALPINE_TEST_IMAGE, buildArgs: {}, log });
    } finally {
      await new Promise((resolve) => log.end(resolve));
    }
  } finally {
    await rm(context, { recursive: true, force: true });
  }
}

export interface AlpineRuntime {
  shell: Shell;
  remove(): Promise<void>;
}

/**
 * Starts an Alpine 3.9 container that sees `dir` at the same path, and returns the shell that runs
 * scripts in it (`/bin/sh`, busybox ash) as root or as nobody (uid 65534 there too).
 */
export async function startAlpine(dir: string): Promise<AlpineRuntime> {
  const docker = dockerClient();
  await buildTestImage(docker);
  const container = await docker.createContainer({
    name: `sensu-tripwire-test-alpine-${process.pid}-${Math.random().toString(16).slice(2, 10)}`,
    Image: ALPINE_TEST_IMAGE,
    Cmd: ['sleep', '86400'],
    Labels: { [LABEL]: 'wrapper-scenarios' },
    HostConfig: { Binds: [`${dir}:${dir}`], NetworkMode: 'none', Init: true },
  });
  await container.start();
  const run = (argv: string[], options: RunOptions = {}): Promise<RunResult> => execIn(container, argv, options);
  return {
    shell: { name: 'alpine', argv: ['/bin/sh'], run },
    remove: async () => {
      await container.remove({ force: true });
    },
  };
}

async function execIn(container: Docker.Container, argv: string[], options: RunOptions): Promise<RunResult> {
  if (options.stdin !== undefined) throw new Error('the Alpine runner has no stdin');
  const env = Object.entries(options.env ?? {}).flatMap(([k, v]) => (v === undefined ? [] : [`${k}=${v}`]));
  const exec = await container.exec({
    Cmd: argv,
    Env: env,
    User: options.user === 'nobody' ? '65534:65534' : '0:0',
    WorkingDir: options.cwd ?? '/',
    AttachStdout: true,
    AttachStderr: true,
  });
  const stream = await exec.start({ hijack: true, stdin: false });
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = '';
  let stderr = '';
  out.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  err.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  container.modem.demuxStream(stream, out, err);
  await new Promise<void>((resolve, reject) => {
    stream.on('end', resolve);
    stream.on('close', resolve);
    stream.on('error', reject);
  });
  // The stream can end a moment before the engine records the exit code.
  let info = await exec.inspect();
  for (let i = 0; i < 50 && (info.Running || info.ExitCode === null); i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    info = await exec.inspect();
  }
  return { code: info.ExitCode ?? -1, stdout, stderr, output: stdout + stderr, firstLine: stdout.split('\n')[0] ?? '' };
}

/**
 * The Alpine shell for test tables that are built before any container exists (describe.each):
 * its runs wait for start(DIR), which a beforeAll calls.
 */
export function lazyAlpine(): { shell: Shell; start(dir: string): Promise<void>; remove(): Promise<void> } {
  let runtime: AlpineRuntime | undefined;
  const shell: Shell = {
    name: 'alpine',
    argv: ['/bin/sh'],
    run: (argv, options) => {
      const run = runtime?.shell.run;
      if (run === undefined) throw new Error('the Alpine container was not started (call start() in beforeAll)');
      return run(argv, options);
    },
  };
  return {
    shell,
    start: async (dir) => {
      runtime = await startAlpine(dir);
    },
    remove: async () => {
      await runtime?.remove();
    },
  };
}
