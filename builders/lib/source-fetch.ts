import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { chmod, mkdir, open, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { VerifiedSource } from '../context.js';
import { UserError, describeError } from '../errors.js';
import type { Logger } from '../log.js';
import { debianMirror } from './apt-mirror.js';
import type { Mirror, SourceManifest } from './source-manifest.js';
import { normalizedTarball } from './normalized-tarball.js';
import { UnsafeTarballError, readSourceTree, type SourceTree } from './source-tree.js';
import { treeDigest } from './tree-digest.js';

/** A Tripwire release tarball is about 1 MB; anything far larger is not it. */
const MAX_DOWNLOAD_BYTES = 64 * 1024 * 1024;
const DOWNLOAD_TIMEOUT_MS = 120_000;

export interface FetchSourceOptions {
  cacheDir: string;
  /** A local tarball to use instead of the mirrors (verified the same way). */
  sourcePath?: string;
  log: Logger;
  env?: NodeJS.ProcessEnv;
  /** Aborts a download (Ctrl-C). */
  signal?: AbortSignal;
}

/** Thrown when bytes are not the pinned release: never retried on another mirror, always fatal. */
export class SourceMismatchError extends UserError {}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(file), hash);
  return hash.digest('hex');
}

/** What verification yields: the digests, and the verified tree re-packed for the compile. */
export interface VerifiedTarball {
  sha256: string;
  treeSha256: string;
  /** normalized-tarball.ts: the tree that matched the pinned digest, and nothing else. */
  normalized: Buffer;
}

/**
 * Checks a tarball against the manifest: its bytes when `mode` is sha256, its content always.
 * The file is read once, so the bytes whose digest is checked are the bytes whose tree is
 * compiled. `origin` (a URL or a path) goes into the error so the user knows which copy is bad.
 */
export async function verifySource(file: string, manifest: SourceManifest, mode: 'sha256' | 'tree', origin: string): Promise<VerifiedTarball> {
  const bytes = await readLimited(file);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  if (mode === 'sha256' && sha256 !== manifest.sha256) {
    throw new SourceMismatchError(
      `checksum mismatch for ${manifest.fileName}: expected sha256 ${manifest.sha256}, got ${sha256} (from ${origin}); refusing to build`,
    );
  }
  let tree: SourceTree;
  try {
    tree = await readSourceTree(bytes);
  } catch (error) {
    if (error instanceof UnsafeTarballError) {
      throw new SourceMismatchError(`${origin} is not a plain source release: ${error.message}; refusing to build`);
    }
    throw new SourceMismatchError(`${origin} is not a readable gzip tarball (${describeError(error)}); refusing to build`);
  }
  const treeSha256 = treeDigest(tree);
  if (treeSha256 !== manifest.treeSha256) {
    throw new SourceMismatchError(
      `content mismatch for ${manifest.fileName}: expected tree sha256 ${manifest.treeSha256}, got ${treeSha256} (from ${origin}); refusing to build`,
    );
  }
  return { sha256, treeSha256, normalized: normalizedTarball(tree) };
}

async function readLimited(file: string): Promise<Buffer> {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    if (size > MAX_DOWNLOAD_BYTES) throw new SourceMismatchError(`${file}: ${size} bytes, more than ${MAX_DOWNLOAD_BYTES}: not a Tripwire release`);
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}

export async function mirrorUrl(mirror: Mirror, env: NodeJS.ProcessEnv): Promise<string> {
  if (mirror.kind === 'url') return mirror.url;
  return `${await debianMirror(env)}/${mirror.poolPath.replace(/^\/+/, '')}`;
}

/**
 * Gives a verified copy of the pinned tarball: `sourcePath` when given, else the cached copy when
 * it still verifies, else the first mirror that answers. A mirror that cannot be reached is
 * skipped; a mirror that serves other bytes stops the build (that is an alarm, not a hiccup).
 */
export async function fetchVerifiedSource(manifest: SourceManifest, options: FetchSourceOptions): Promise<VerifiedSource> {
  const env = options.env ?? process.env;
  const record = (file: string, digests: VerifiedTarball): VerifiedSource => ({
    file,
    name: manifest.fileName,
    tripwireVersion: manifest.tripwireVersion,
    ...digests,
  });

  if (options.sourcePath !== undefined) {
    const file = path.resolve(options.sourcePath);
    await stat(file).catch((error: unknown) => {
      throw new UserError(`--source ${options.sourcePath}: ${describeError(error)}`);
    });
    return record(file, await verifySource(file, manifest, 'tree', file));
  }

  const dir = path.join(options.cacheDir, 'sources');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const cached = path.join(dir, manifest.fileName);
  if (await exists(cached)) {
    try {
      const digests = await verifySource(cached, manifest, 'tree', cached);
      options.log.info(`  using the cached ${manifest.fileName} (verified)`);
      return record(cached, digests);
    } catch (error) {
      options.log.info(`  the cached copy no longer verifies (${describeError(error)}); downloading again`);
      await rm(cached, { force: true });
    }
  }

  const failures: string[] = [];
  for (const mirror of manifest.mirrors) {
    let url: string;
    try {
      url = await mirrorUrl(mirror, env);
    } catch (error) {
      failures.push(`${mirror.kind}: ${describeError(error)}`);
      continue;
    }
    const partial = path.join(dir, `.download-${randomBytes(6).toString('hex')}`);
    try {
      options.log.info(`  downloading ${url}`);
      await download(url, partial, options.signal);
      const digests = await verifySource(partial, manifest, mirror.verify, url);
      await rename(partial, cached);
      await chmod(cached, 0o600);
      return record(cached, digests);
    } catch (error) {
      await rm(partial, { force: true });
      if (error instanceof SourceMismatchError) throw error;
      options.signal?.throwIfAborted();
      failures.push(`${url}: ${describeError(error)}`);
      options.log.info(`  failed: ${describeError(error)}; trying the next mirror`);
    }
  }
  throw new UserError(
    `could not download ${manifest.fileName} from any mirror:\n  ${failures.join('\n  ')}\n` +
      'Download it yourself and pass it with --source PATH (it is verified the same way).',
  );
}

async function download(url: string, destination: string, interrupt?: AbortSignal): Promise<void> {
  const timeout = AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS);
  const response = await fetch(url, { redirect: 'follow', signal: interrupt === undefined ? timeout : AbortSignal.any([timeout, interrupt]) });
  if (!response.ok || response.body === null) throw new Error(`HTTP ${response.status} ${response.statusText}`);
  let received = 0;
  const limit = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      received += chunk.length;
      if (received > MAX_DOWNLOAD_BYTES) callback(new Error(`more than ${MAX_DOWNLOAD_BYTES} bytes: not a Tripwire release`));
      else callback(null, chunk);
    },
  });
  await pipeline(Readable.fromWeb(response.body as import('node:stream/web').ReadableStream), limit, createWriteStream(destination, { mode: 0o600 }));
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}
