import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { chmod, copyFile, mkdir, mkdtemp, rm, stat, utimes } from 'node:fs/promises';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Parser, create as createTar, type ReadEntry } from 'tar';
import { UserError } from '../errors.js';

/**
 * Sensu asset tarballs, written so that the same inputs give the same bytes and nothing in them
 * can escape the directory the agent extracts into (its extractor checks nothing: see
 * ../shared/reference/sensu-assets-and-bonsai.md §2).
 */

/** A file to put in an asset: where it goes, where its bytes come from, whether it runs. */
export interface AssetFile {
  path: string;
  source: string;
  executable: boolean;
}

export type PlannedEntry =
  | { path: string; type: 'directory'; mode: number }
  | { path: string; type: 'file'; mode: number; source: string };

const SAFE_SEGMENT = /^[A-Za-z0-9._+@-]+$/;

/**
 * Normalises an asset's file list into tar entries: relative POSIX paths without `.`/`..`,
 * every parent directory listed once, modes 0755 (directories, executables) or 0644, sorted by
 * name. Rejects anything else rather than repairing it.
 */
export function planEntries(files: readonly AssetFile[]): PlannedEntry[] {
  const entries = new Map<string, PlannedEntry>();
  for (const file of files) {
    const segments = file.path.split('/');
    const bad = segments.find((segment) => segment === '' || segment === '.' || segment === '..' || !SAFE_SEGMENT.test(segment));
    if (bad !== undefined || file.path.startsWith('/')) {
      throw new UserError(`refusing asset path "${file.path}": entries must be relative, without ".", ".." or unusual characters`);
    }
    const existing = entries.get(file.path);
    if (existing?.type === 'directory') throw new UserError(`asset path "${file.path}" is both a file and a directory`);
    if (existing !== undefined) throw new UserError(`asset path "${file.path}" is given twice`);
    for (let depth = 1; depth < segments.length; depth += 1) {
      const dir = segments.slice(0, depth).join('/');
      if (entries.get(dir)?.type === 'file') throw new UserError(`asset path "${dir}" is both a file and a directory`);
      entries.set(dir, { path: dir, type: 'directory', mode: 0o755 });
    }
    entries.set(file.path, { path: file.path, type: 'file', mode: file.executable ? 0o755 : 0o644, source: file.source });
  }
  return [...entries.values()].sort((a, b) => compareBytes(a.path, b.path));
}

export interface WrittenTarball {
  size: number;
  sha512: string;
}

/**
 * Writes `entries` as a gzip tarball at `destination` (atomically: a temp file renamed at the
 * end is the caller's job; this writes exactly where told). Owner 0:0, no user or group names,
 * one mtime for every entry, gzip header without a timestamp. The SHA-512 is computed from the
 * bytes as they are written.
 */
export async function writeAssetTarball(entries: readonly PlannedEntry[], destination: string, mtime: Date): Promise<WrittenTarball> {
  const staging = await mkdtemp(path.join(path.dirname(destination), '.asset-'));
  try {
    for (const entry of entries) {
      const target = path.join(staging, entry.path);
      if (entry.type === 'directory') await mkdir(target, { recursive: true });
      else await copyFile(entry.source, target);
      await chmod(target, entry.mode);
      await utimes(target, mtime, mtime);
    }
    const hash = createHash('sha512');
    let size = 0;
    const tap = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        hash.update(chunk);
        size += chunk.length;
        callback(null, chunk);
      },
    });
    const pack = createTar(
      {
        cwd: staging,
        gzip: { level: 9 },
        // portable: no uid/gid/uname/gname/atime/ctime, and the gzip OS byte fixed.
        portable: true,
        noDirRecurse: true,
        mtime,
        // portable mode would drop directory mtimes; keep the one fixed mtime on them too.
        onWriteEntry: (entry) => {
          entry.noMtime = false;
          entry.mtime = mtime;
        },
      },
      entries.map((entry) => entry.path),
    );
    await pipeline(pack, tap, createWriteStream(destination, { mode: 0o644 }));
    return { size, sha512: hash.digest('hex') };
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

export interface TarballEntry {
  path: string;
  type: string;
  mode: number;
  uid: number;
  gid: number;
  uname: string;
  gname: string;
  mtime: number;
  size: number;
}

/** Reads an archive's entry headers back (for verification and tests). */
export async function readTarballEntries(file: string): Promise<TarballEntry[]> {
  const entries: TarballEntry[] = [];
  const parser = new Parser({
    onReadEntry: (entry: ReadEntry) => {
      entries.push({
        path: entry.path,
        type: entry.type,
        mode: entry.mode ?? 0,
        uid: entry.uid ?? 0,
        gid: entry.gid ?? 0,
        uname: entry.uname ?? '',
        gname: entry.gname ?? '',
        mtime: entry.mtime === undefined ? 0 : Math.floor(entry.mtime.getTime() / 1000),
        size: entry.size ?? 0,
      });
      entry.resume();
    },
  });
  await pipeline(createReadStream(file), parser);
  return entries;
}

export async function sha512File(file: string): Promise<WrittenTarball> {
  const hash = createHash('sha512');
  await pipeline(createReadStream(file), hash);
  return { size: (await stat(file)).size, sha512: hash.digest('hex') };
}

function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}
