import { createHash, randomBytes } from 'node:crypto';
import { copyFile, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { sha256File } from './source-fetch.js';

/**
 * A content-addressed store of compiled binaries, under `<cache dir>/compiled/<key>/`. The key is
 * a digest of everything that can change what the compile produces; an entry is written once
 * (into a private directory, then renamed into place) and never changed, and every use checks
 * each file against the digests recorded beside it, so a damaged entry is noticed and rebuilt.
 *
 * The digests catch corruption (a full disk, an interrupted copy, a stray edit), not an attacker:
 * whoever can write the cache directory (created 0700) can also rewrite the digests.
 */

/** Bumped when the layout of an entry or the meaning of the key changes. */
const FORMAT = 'sensu-tripwire-compile-cache/1';

/** Everything that shapes the compiled binaries. */
export interface CompileInputs {
  platform: string;
  /** SHA-256 of the verified source tarball's bytes. */
  sourceSha256: string;
  /** Our patches in the order they are applied. */
  patches: Array<{ name: string; sha256: string }>;
  /** The in-container build script, which also chooses the compiler and linker flags. */
  buildScriptSha256: string;
  /** The toolchain image: compiler, binutils and libraries, by id. */
  toolchainImageId: string;
  /** The compile container's command and environment. */
  cmd: string[];
  env: Record<string, string>;
}

export function compileCacheKey(inputs: CompileInputs): string {
  const canonical = {
    format: FORMAT,
    platform: inputs.platform,
    sourceSha256: inputs.sourceSha256,
    patches: inputs.patches.map(({ name, sha256 }) => [name, sha256]),
    buildScriptSha256: inputs.buildScriptSha256,
    toolchainImageId: inputs.toolchainImageId,
    cmd: inputs.cmd,
    env: Object.entries(inputs.env).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  };
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex');
}

interface EntryRecord {
  format: string;
  inputs: CompileInputs;
  /** File name -> SHA-256 of its bytes. */
  files: Record<string, string>;
}

export type Lookup =
  | { outcome: 'hit' }
  | { outcome: 'miss' }
  /** The entry exists but does not verify; it has been removed. */
  | { outcome: 'corrupt'; why: string };

const RECORD = 'entry.json';
/** The log of the compile that made the entry, so a build that reuses it can still show it. */
const LOG = 'compile.log';

export function entryDir(cacheDir: string, key: string): string {
  return path.join(cacheDir, 'compiled', key);
}

/**
 * Copies the entry's files into `destination` and checks the copies against the recorded
 * digests, so what the build goes on with is exactly what was stored. A corrupt entry is removed.
 */
export async function restoreCompiled(cacheDir: string, key: string, names: readonly string[], destination: string): Promise<Lookup> {
  const dir = entryDir(cacheDir, key);
  const recordText = await readFile(path.join(dir, RECORD), 'utf8').catch(() => undefined);
  if (recordText === undefined) {
    // Entries appear complete (renamed into place): a directory without its record was damaged.
    const exists = await stat(dir).then(() => true, () => false);
    if (!exists) return { outcome: 'miss' };
    await discard(dir);
    return { outcome: 'corrupt', why: `${RECORD} is missing` };
  }
  const why = await verifyInto(dir, recordText, key, names, destination);
  if (why === undefined) return { outcome: 'hit' };
  await rm(destination, { recursive: true, force: true });
  await discard(dir);
  return { outcome: 'corrupt', why };
}

async function verifyInto(dir: string, recordText: string, key: string, names: readonly string[], destination: string): Promise<string | undefined> {
  let record: EntryRecord;
  try {
    record = JSON.parse(recordText) as EntryRecord;
  } catch {
    return `${RECORD} is not JSON`;
  }
  if (record.format !== FORMAT || compileCacheKey(record.inputs) !== key) return `${RECORD} does not describe key ${key.slice(0, 12)}`;
  await mkdir(destination, { recursive: true, mode: 0o700 });
  for (const name of names) {
    const expected = record.files?.[name];
    if (expected === undefined) return `${name} is not recorded`;
    const copy = path.join(destination, name);
    try {
      await copyFile(path.join(dir, 'bin', name), copy);
    } catch {
      return `${name} is missing`;
    }
    const actual = await sha256File(copy);
    if (actual !== expected) return `${name} has sha256 ${actual.slice(0, 12)}…, recorded ${expected.slice(0, 12)}…`;
  }
  return undefined;
}

/**
 * Stores freshly compiled binaries under `key`, replacing any entry of that key. Written into a
 * private directory and renamed into place, so a reader never sees half an entry; when another
 * build stored the same key at the same moment, either complete entry is as good as the other.
 */
export async function storeCompiled(
  cacheDir: string,
  key: string,
  inputs: CompileInputs,
  binariesDir: string,
  names: readonly string[],
  logFile: string,
): Promise<void> {
  const root = path.join(cacheDir, 'compiled');
  await mkdir(root, { recursive: true, mode: 0o700 });
  const temporary = path.join(root, `.incoming-${randomBytes(6).toString('hex')}`);
  try {
    await mkdir(path.join(temporary, 'bin'), { recursive: true, mode: 0o700 });
    const files: Record<string, string> = {};
    for (const name of names) {
      await copyFile(path.join(binariesDir, name), path.join(temporary, 'bin', name));
      files[name] = await sha256File(path.join(temporary, 'bin', name));
    }
    await copyFile(logFile, path.join(temporary, LOG));
    const record: EntryRecord = { format: FORMAT, inputs, files };
    await writeFile(path.join(temporary, RECORD), `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
    await discard(entryDir(cacheDir, key));
    await rename(temporary, entryDir(cacheDir, key)).catch(async (error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOTEMPTY' && error.code !== 'EEXIST') throw error;
    });
  } finally {
    await rm(temporary, { recursive: true, force: true });
  }
}

/** The log of the compile that made an entry (empty when there is none). */
export async function compiledLog(cacheDir: string, key: string): Promise<string> {
  return readFile(path.join(entryDir(cacheDir, key), LOG), 'utf8').catch(() => '');
}

/** Renames an entry out of the way first, so no reader sees it half-deleted. */
async function discard(dir: string): Promise<void> {
  const aside = `${path.dirname(dir)}/.discarded-${randomBytes(6).toString('hex')}`;
  try {
    await rename(dir, aside);
  } catch {
    return;
  }
  await rm(aside, { recursive: true, force: true });
}

/**
 * A record that a set of binaries already ran in a clean container of a base image, keyed by the
 * binaries' digests and the base image's id: the smoke test's result depends on nothing else.
 */
export function smokePassedFile(cacheDir: string, binaryDigests: readonly string[], baseImageId: string): string {
  const key = createHash('sha256').update(JSON.stringify([FORMAT, binaryDigests, baseImageId])).digest('hex');
  return path.join(cacheDir, 'smoke-passed', key);
}
