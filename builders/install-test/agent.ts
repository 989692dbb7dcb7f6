import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { chmod, link, mkdir, mkdtemp, open, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Parser, type ReadEntry } from 'tar';

/**
 * What a Sensu agent does to install a runtime asset before a check runs, as sensu-go does it
 * (asset/fetcher.go, verifier.go, expander.go, boltdb_manager.go, set.go,
 * util/environment/environment.go): GET the build's URL (following redirects, only 200 is
 * success) into a temporary `sensu-asset*` file; compare its SHA-512 with the definition's,
 * ignoring case; accept only gzip or tar by their magic bytes; unpack into <cache>/<sha512>/ with
 * each file's mode from its tar header and no overwriting; then run the check through `sh -c`
 * with PATH, LD_LIBRARY_PATH and CPATH prefixed and <NAME>_PATH set. The agent is Go code, so this
 * part runs here, in the test's process; the check itself then runs in the platform's own
 * userland (container.ts).
 */

/** The agent's default cache directory (sensu-go util/path). */
export const AGENT_CACHE_DIR = '/var/cache/sensu/sensu-agent';

/** A release served over HTTP on loopback, as GitHub serves release downloads: a redirect, then the bytes. */
export interface ReleaseServer {
  /** The URL under which a download URL of the asset definition is served (its path kept). */
  localUrl(definitionUrl: string): string;
  close(): Promise<void>;
}

/**
 * Serves the files of `dist` for `/OWNER/REPO/releases/download/TAG/FILE` with a 302 to
 * `/objects/FILE` (GitHub redirects release downloads to its object store), and nothing else.
 */
export async function serveRelease(dist: string): Promise<ReleaseServer> {
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://loopback');
    const release = /^\/[^/]+\/[^/]+\/releases\/download\/[^/]+\/([^/]+)$/.exec(url.pathname);
    if (release !== null) {
      response.writeHead(302, { location: `/objects/${release[1]}` }).end();
      return;
    }
    const object = /^\/objects\/([^/]+)$/.exec(url.pathname);
    const name = object === null ? undefined : decodeURIComponent(object[1] as string);
    if (name === undefined || name.includes('/') || name.startsWith('.')) {
      response.writeHead(404).end();
      return;
    }
    const stream = createReadStream(path.join(dist, name));
    stream.on('open', () => {
      response.writeHead(200, { 'content-type': 'application/octet-stream' });
      stream.pipe(response);
    });
    stream.on('error', () => response.writeHead(404).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    localUrl: (definitionUrl) => `${origin}${new URL(definitionUrl).pathname}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** sensu-go asset/fetcher.go: GET, follow redirects, 200 or fail; the body to a temporary file. */
export async function fetchAsset(url: string, tempRoot: string = os.tmpdir()): Promise<{ file: string; remove: () => Promise<void> }> {
  const response = await fetch(url, { redirect: 'follow', signal: AbortSignal.timeout(120_000) });
  if (response.status !== 200 || response.body === null) throw new Error(`error fetching asset: Response Code ${response.status}`);
  const dir = await mkdtemp(path.join(tempRoot, 'sensu-asset'));
  const file = path.join(dir, 'download');
  await pipeline(Readable.fromWeb(response.body as import('node:stream/web').ReadableStream), createWriteStream(file, { mode: 0o600 }));
  return { file, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** sensu-go asset/verifier.go: the whole file's SHA-512, compared ignoring case. */
export async function verifySha512(file: string, wanted: string): Promise<void> {
  const hash = createHash('sha512');
  await pipeline(createReadStream(file), hash);
  const found = hash.digest('hex');
  if (found.toLowerCase() !== wanted.toLowerCase()) {
    throw new Error(`sha512 of downloaded asset (${found}) does not match specified sha512 in asset definition (${wanted})`);
  }
}

/** h2non/filetype, as the expander uses it: gzip by its magic, tar by "ustar" at offset 257. */
export function sniffArchive(header: Buffer): 'gzip' | 'tar' | undefined {
  if (header.length >= 3 && header[0] === 0x1f && header[1] === 0x8b && header[2] === 0x08) return 'gzip';
  if (header.length >= 262 && header.subarray(257, 262).toString('latin1') === 'ustar') return 'tar';
  return undefined;
}

interface Entry {
  name: string;
  type: ReadEntry['type'];
  mode: number;
  linkpath: string;
  data: Buffer;
}

async function readEntries(file: string): Promise<Entry[]> {
  const entries: Entry[] = [];
  const parser = new Parser({
    strict: true,
    onReadEntry: (entry: ReadEntry) => {
      const chunks: Buffer[] = [];
      const record: Entry = { name: entry.path, type: entry.type, mode: entry.mode ?? 0o644, linkpath: entry.linkpath ?? '', data: Buffer.alloc(0) };
      entries.push(record);
      entry.on('data', (chunk: Buffer) => chunks.push(chunk));
      entry.on('end', () => (record.data = Buffer.concat(chunks)));
    },
  });
  await pipeline(createReadStream(file), parser);
  return entries;
}

/**
 * sensu-go asset/expander.go with mholt/archiver: into `target`, directories made, each file
 * created new (an existing one is an error, as the agent's "file already exists") and given its
 * header's mode, links as recorded; owners and times are not restored. Unlike the agent, an entry
 * that would land outside `target` is refused: the test must fail on such a tarball.
 */
export async function expandAsset(file: string, target: string): Promise<void> {
  const handle = await open(file, 'r');
  const header = Buffer.alloc(262);
  try {
    await handle.read(header, 0, 262, 0);
  } finally {
    await handle.close();
  }
  if (sniffArchive(header) === undefined) throw new Error("given file of format '' does not appear valid (neither gzip nor tar)");
  const root = path.resolve(target);
  await mkdir(root, { recursive: true, mode: 0o755 });
  for (const entry of await readEntries(file)) {
    const destination = path.resolve(root, entry.name);
    if (destination !== root && !destination.startsWith(`${root}${path.sep}`)) throw new Error(`${entry.name}: outside the asset directory`);
    if (entry.type === 'Directory') {
      await mkdir(destination, { recursive: true, mode: entry.mode & 0o7777 });
      continue;
    }
    await mkdir(path.dirname(destination), { recursive: true, mode: 0o755 });
    if (entry.type === 'File' || entry.type === 'OldFile' || entry.type === 'ContiguousFile') {
      await writeFile(destination, entry.data, { flag: 'wx' }).catch((error: NodeJS.ErrnoException) => {
        throw new Error(error.code === 'EEXIST' ? `${entry.name}: file already exists` : `${entry.name}: ${error.message}`);
      });
      await chmod(destination, entry.mode & 0o7777);
    } else if (entry.type === 'SymbolicLink') {
      await symlink(entry.linkpath, destination);
    } else if (entry.type === 'Link') {
      await link(path.resolve(root, entry.linkpath), destination);
    } else if (entry.type !== 'GlobalExtendedHeader') {
      throw new Error(`${entry.name}: unknown type flag: ${entry.type}`);
    }
  }
}

/** sensu-go util/environment.Key: the <NAME>_PATH variable's stem. */
export function environmentKey(name: string): string {
  return name.replace(/[^a-zA-Z0-9]+/g, '_').toUpperCase();
}

/**
 * The environment of a check that uses one runtime asset unpacked at `assetDir`: the asset's
 * variables (RuntimeAssetSet.Env, expanded against the agent's own environment) merged into the
 * agent's environment (MergeEnvironments), so PATH, LD_LIBRARY_PATH and CPATH end up exactly as
 * the agent makes them, empty list elements included.
 */
export function checkEnvironment(agentEnv: Record<string, string>, asset: { name: string; dir: string }): Record<string, string> {
  const expand = (name: string): string => agentEnv[name] ?? '';
  const assetEnv: Record<string, string> = {
    PATH: `${asset.dir}/bin:${expand('PATH')}`,
    LD_LIBRARY_PATH: `${asset.dir}/lib:${expand('LD_LIBRARY_PATH')}`,
    CPATH: `${asset.dir}/include:${expand('CPATH')}`,
    [`${environmentKey(asset.name)}_PATH`]: asset.dir,
  };
  const merged: Record<string, string> = { ...agentEnv };
  for (const [key, value] of Object.entries(assetEnv)) {
    merged[key] = key === 'PATH' || key === 'CPATH' || key === 'LD_LIBRARY_PATH' ? `${value}:${merged[key] ?? ''}` : value;
  }
  return merged;
}

/** Download, verify and unpack one build into `<cacheDir>/<sha512>/`; returns that directory. */
export async function installAsset(build: { url: string; sha512: string }, cacheDir: string): Promise<string> {
  const download = await fetchAsset(build.url);
  try {
    await verifySha512(download.file, build.sha512);
    const target = path.join(cacheDir, build.sha512);
    await expandAsset(download.file, target);
    return target;
  } finally {
    await download.remove();
  }
}
