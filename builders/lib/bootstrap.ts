import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { access, mkdtemp, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import type Docker from 'dockerode';
import type { RootfsPin } from '../catalog.js';
import { UserError, describeError } from '../errors.js';
import { closeLog, failureWithTail, openLog } from './build-log.js';

/**
 * Base images made on this machine from a distribution's signed archive: `debootstrap` into a
 * private directory, then imported through the Engine API under the catalog's image name. For
 * tests (nothing can be pulled here) and for users who do not trust registry images.
 */
export const DEBIAN_KEYRING = '/usr/share/keyrings/debian-archive-keyring.gpg';

export interface BootstrapOptions {
  suite: string;
  /** The image reference to create, e.g. debian:bookworm. */
  image: string;
  mirror: string;
  workRoot: string;
  logFile: string;
  signal?: AbortSignal;
}

export async function bootstrapImage(docker: Docker, options: BootstrapOptions): Promise<string> {
  if (process.getuid?.() !== 0) throw new UserError(`bootstrapping ${options.image} needs root (debootstrap creates device files and owners)`);
  // Without the keyring debootstrap would fall back to unverified downloads: refuse instead.
  await access(DEBIAN_KEYRING).catch(() => {
    throw new UserError(`${DEBIAN_KEYRING} is missing: install debian-archive-keyring so the archive's signatures can be checked`);
  });
  const root = await mkdtemp(path.join(options.workRoot, `bootstrap-${options.suite}-`));
  const log = openLog(options.logFile);
  try {
    log.write(`# debootstrap ${options.suite} from ${options.mirror}\n`);
    const code = await runLogged(
      'debootstrap',
      ['--variant=minbase', `--keyring=${DEBIAN_KEYRING}`, options.suite, root, options.mirror],
      log,
      options.signal,
    );
    if (code !== 0) {
      await closeLog(log);
      throw new UserError(await failureWithTail(`debootstrap ${options.suite} failed (exit ${code})`, options.logFile));
    }
    const [repo, tag = 'latest'] = splitReference(options.image);
    log.write(`# importing as ${repo}:${tag}\n`);
    const tar = spawn('tar', ['--numeric-owner', '-C', root, '-c', '.'], { stdio: ['ignore', 'pipe', 'pipe'] });
    tar.stderr.on('data', (chunk: Buffer) => log.write(chunk));
    const tarExit = new Promise<number>((resolve) => tar.on('close', (exitCode) => resolve(exitCode ?? 1)));
    const progress = await docker.importImage(tar.stdout, {
      repo,
      tag,
      changes: ['CMD ["/bin/bash"]'],
      message: `debootstrap --variant=minbase ${options.suite} (signed archive)`,
    } as object);
    await new Promise<void>((resolve, reject) => {
      docker.modem.followProgress(progress, (error: Error | null) => (error ? reject(error) : resolve()));
    });
    if ((await tarExit) !== 0) throw new UserError(await failureWithTail(`packing the ${options.suite} root file system failed`, options.logFile));
    const id = (await docker.getImage(options.image).inspect()).Id;
    log.write(`# ${options.image} = ${id}\n`);
    return id;
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw new UserError(`bootstrapping ${options.image} failed: ${describeError(error)} (log: ${options.logFile})`);
  } finally {
    await closeLog(log);
    await rm(root, { recursive: true, force: true });
  }
}

/** The directory holding pinned root file systems (catalog `rootfs:`), or undefined. */
export function rootfsDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const dir = env.SENSU_TRIPWIRE_ROOTFS_DIR;
  return dir === undefined || dir === '' ? undefined : path.resolve(dir);
}

export interface RootfsImportOptions {
  pin: RootfsPin;
  dir: string;
  /** The image reference to create, e.g. alpine:3.9. */
  image: string;
  /** The image's default command, as the distribution's own image sets it. */
  cmd: string[];
}

/**
 * Imports a pinned root file system tarball as an image through the Engine API (the same file
 * system `docker pull` would give, without a registry). The file is read once and its SHA-512
 * checked before anything reaches the engine: a file with another digest leaves no image behind.
 */
export async function importRootfsImage(docker: Docker, options: RootfsImportOptions): Promise<string> {
  const file = path.join(options.dir, options.pin.file);
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    throw new UserError(`cannot read ${file} (${describeError(error)}): SENSU_TRIPWIRE_ROOTFS_DIR must hold ${options.pin.file} to create ${options.image}`);
  }
  const actual = createHash('sha512').update(bytes).digest('hex');
  if (actual !== options.pin.sha512) {
    throw new UserError(`${file} is not the pinned root file system of ${options.image}: its SHA-512 is ${actual}, expected ${options.pin.sha512}; refusing to import it`);
  }
  const [repo, tag = 'latest'] = splitReference(options.image);
  try {
    const progress = await docker.importImage(Readable.from([bytes]), {
      repo,
      tag,
      changes: [`CMD ${JSON.stringify(options.cmd)}`],
      message: `${options.pin.file} (sha512 ${options.pin.sha512.slice(0, 16)}…)`,
    } as object);
    await new Promise<void>((resolve, reject) => {
      docker.modem.followProgress(progress, (error: Error | null) => (error ? reject(error) : resolve()));
    });
    return (await docker.getImage(options.image).inspect()).Id;
  } catch (error) {
    throw new UserError(`importing ${file} as ${options.image} failed: ${describeError(error)}`);
  }
}

function splitReference(reference: string): [string, string | undefined] {
  const colon = reference.lastIndexOf(':');
  return colon > reference.lastIndexOf('/') ? [reference.slice(0, colon), reference.slice(colon + 1)] : [reference, undefined];
}

function runLogged(command: string, args: string[], log: NodeJS.WritableStream, signal?: AbortSignal): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], signal });
    child.stdout.on('data', (chunk: Buffer) => log.write(chunk));
    child.stderr.on('data', (chunk: Buffer) => log.write(chunk));
    child.on('error', (error) => reject(new UserError(`cannot run ${command}: ${describeError(error)}`)));
    child.on('close', (code) => resolve(code ?? 1));
  });
}
