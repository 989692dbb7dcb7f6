import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Parser, type ReadEntry } from 'tar';

/**
 * A source tarball read into memory as the tree it describes, and nothing else. Tar can say far
 * more than "these files with these bytes": hard links and symbolic links that point elsewhere,
 * devices, FIFOs, absolute or `..` names, the same name twice (the later entry wins on
 * extraction), a name below a file, entry types one tar skips and another extracts as a file.
 * A release tarball needs none of that, so every such entry is refused rather than interpreted:
 * what is accepted is one top-level directory holding directories and regular files with plain
 * names. The tarball is parsed in memory, never extracted, so unverified bytes never reach the
 * disk as files; the verified tree is re-packed (normalized-tarball.ts) for the compile.
 */

export type TreeEntry = { path: string; kind: 'directory' } | { path: string; kind: 'file'; executable: boolean; content: Buffer };

export interface SourceTree {
  /** The single top-level directory's name in the tarball (not part of the content). */
  topDirectory: string;
  /** Paths relative to the top directory; every directory listed (implied ones too); sorted. */
  entries: TreeEntry[];
}

/** The tarball describes something other than a plain tree of files: refused, never repaired. */
export class UnsafeTarballError extends Error {}

/** A Tripwire source tree is a few MB; these stop a decompression bomb from filling memory. */
const MAX_CONTENT_BYTES = 256 * 1024 * 1024;
const MAX_ENTRIES = 100_000;

/** Printable ASCII only: no control characters (a newline would forge digest lines), no NUL. */
const PLAIN_SEGMENT = /^[\x20-\x7e]+$/;

export async function readSourceTree(tarball: Buffer): Promise<SourceTree> {
  const read: Array<{ segments: string[]; entry: TreeEntry }> = [];
  const pending: Array<Promise<void>> = [];
  let refusal: UnsafeTarballError | undefined;
  let contentBytes = 0;
  // The first refusal stops the parse: nothing after it is read, however large.
  const refuse = (name: string, why: string): void => {
    if (refusal !== undefined) return;
    refusal = new UnsafeTarballError(`entry "${printable(name)}": ${why}`);
    parser.abort(refusal);
  };

  const parser = new Parser({
    // strict: a damaged or non-tar input is an error, not a shorter archive.
    strict: true,
    onReadEntry: (entry: ReadEntry) => {
      const accepted = read.length < MAX_ENTRIES ? acceptEntry(entry) : `more than ${MAX_ENTRIES} entries: not a source release`;
      if (typeof accepted === 'string') refuse(entry.path, accepted);
      if (refusal !== undefined || typeof accepted === 'string') {
        entry.resume();
        return;
      }
      const { kind, segments } = accepted;
      if (kind === 'directory') {
        read.push({ segments, entry: { path: segments.slice(1).join('/'), kind: 'directory' } });
        entry.resume();
        return;
      }
      const chunks: Buffer[] = [];
      pending.push(
        new Promise((resolve, reject) => {
          entry.on('data', (chunk: Buffer) => {
            contentBytes += chunk.length;
            if (contentBytes > MAX_CONTENT_BYTES) refuse(entry.path, `more than ${MAX_CONTENT_BYTES} bytes unpacked: not a source release`);
            else chunks.push(chunk);
          });
          entry.on('end', () => {
            const executable = ((entry.mode ?? 0) & 0o111) !== 0;
            read.push({ segments, entry: { path: segments.slice(1).join('/'), kind: 'file', executable, content: Buffer.concat(chunks) } });
            resolve();
          });
          entry.on('error', reject);
        }),
      );
    },
  });
  // node-tar skips entries of types it does not know; GNU tar extracts them as regular files.
  parser.on('ignoredEntry', (entry: ReadEntry) => refuse(entry.path, `an entry of type ${entry.type}, which tar programs disagree on`));
  try {
    await pipeline(Readable.from([tarball]), parser);
    await Promise.all(pending);
  } catch (error) {
    throw refusal ?? error;
  }
  if (refusal !== undefined) throw refusal;
  return assembleTree(read);
}

/** What the entry is and its name's segments, or why it is refused. */
function acceptEntry(entry: ReadEntry): { kind: 'directory' | 'file'; segments: string[] } | string {
  let kind: 'directory' | 'file';
  switch (entry.type) {
    case 'Directory':
      kind = 'directory';
      break;
    case 'File':
    case 'OldFile':
    case 'ContiguousFile':
      kind = 'file';
      break;
    case 'Link':
      return `a hard link to "${printable(entry.linkpath ?? '')}" (tar would give the file another file's bytes)`;
    case 'SymbolicLink':
      return `a symbolic link to "${printable(entry.linkpath ?? '')}" (the release has none; a link can lead later entries out of the tree)`;
    case 'CharacterDevice':
    case 'BlockDevice':
      return 'a device node';
    case 'FIFO':
      return 'a FIFO';
    default:
      return `an entry of type ${entry.type}`;
  }
  const segments = nameSegments(entry.path, kind === 'directory');
  return typeof segments === 'string' ? segments : { kind, segments };
}

/** The name's segments, or why it is refused. A directory's name may end in one slash. */
function nameSegments(name: string, directory: boolean): string[] | string {
  if (name.startsWith('/')) return 'an absolute name';
  const trimmed = directory && name.endsWith('/') ? name.slice(0, -1) : name;
  const segments = trimmed.split('/');
  if (segments.includes('..')) return 'a name that climbs out of the tree with ".."';
  if (segments.some((segment) => segment === '' || segment === '.')) return 'a name with an empty or "." segment';
  if (!segments.every((segment) => PLAIN_SEGMENT.test(segment))) return 'a name with control or non-ASCII characters';
  return segments;
}

function assembleTree(read: ReadonlyArray<{ segments: string[]; entry: TreeEntry }>): SourceTree {
  const tops = new Set(read.map(({ segments }) => segments[0] as string));
  if (tops.size !== 1) {
    throw new UnsafeTarballError(`expected one top-level directory, found ${tops.size === 0 ? 'none' : [...tops].map((top) => `"${printable(top)}"`).join(', ')}`);
  }
  const topDirectory = [...tops][0] as string;
  const entries = new Map<string, TreeEntry>();
  for (const { entry } of read) {
    if (entry.path === '') {
      if (entry.kind !== 'directory') throw new UnsafeTarballError(`entry "${topDirectory}": the top level is a file`);
      continue;
    }
    if (entries.has(entry.path)) throw new UnsafeTarballError(`entry "${topDirectory}/${entry.path}": appears twice (tar would let the later one win)`);
    entries.set(entry.path, entry);
  }
  // Directories an entry implies but the tarball does not list are part of the tree all the same.
  for (const entry of [...entries.values()]) {
    const segments = entry.path.split('/');
    for (let depth = 1; depth < segments.length; depth += 1) {
      const parent = segments.slice(0, depth).join('/');
      const existing = entries.get(parent);
      if (existing?.kind === 'file') throw new UnsafeTarballError(`entry "${topDirectory}/${entry.path}": lies below the file "${topDirectory}/${parent}"`);
      if (existing === undefined) entries.set(parent, { path: parent, kind: 'directory' });
    }
  }
  if (![...entries.values()].some((entry) => entry.kind === 'file')) throw new UnsafeTarballError('no files in it');
  return { topDirectory, entries: [...entries.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)) };
}

function printable(name: string): string {
  return JSON.stringify(name).slice(1, -1);
}
