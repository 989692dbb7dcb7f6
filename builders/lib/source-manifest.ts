import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT } from '../catalog.js';
import { UserError, describeError } from '../errors.js';

/**
 * tripwire-src/manifest.yaml: which Tripwire release we build and how to recognise its bytes.
 * `verify: sha256` means the mirror serves the pinned tarball byte for byte; `verify: tree`
 * means only its content is pinned (see tree-digest.ts). The content is checked for every mirror.
 */
export type Mirror = { kind: 'url'; url: string; verify: 'sha256' | 'tree' } | { kind: 'debian-pool'; poolPath: string; verify: 'sha256' | 'tree' };

export interface SourceManifest {
  file: string;
  tripwireVersion: string;
  upstreamCommit: string;
  fileName: string;
  sha256: string;
  treeSha256: string;
  mirrors: Mirror[];
}

export const SOURCE_DIR = path.join(REPO_ROOT, 'tripwire-src');
export const DEFAULT_SOURCE_MANIFEST = path.join(SOURCE_DIR, 'manifest.yaml');
export const PATCH_DIR = path.join(SOURCE_DIR, 'patches');

const HEX64 = /^[0-9a-f]{64}$/;

export async function loadSourceManifest(file: string = DEFAULT_SOURCE_MANIFEST): Promise<SourceManifest> {
  let document: unknown;
  try {
    document = parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new UserError(`cannot read the source manifest ${file}: ${describeError(error)}`);
  }
  const fail = (message: string): never => {
    throw new UserError(`${file}: ${message}`);
  };
  if (typeof document !== 'object' || document === null) return fail('expected a mapping');
  const doc = document as Record<string, unknown>;
  const text = (key: string): string => {
    const value = doc[key];
    if (typeof value !== 'string' || value === '') fail(`${key} must be a non-empty string`);
    return value as string;
  };
  const digest = (key: string): string => {
    const value = text(key);
    if (!HEX64.test(value)) fail(`${key} must be 64 lower-case hex digits`);
    return value;
  };
  if (!Array.isArray(doc.mirrors) || doc.mirrors.length === 0) fail('mirrors must be a non-empty list');
  const mirrors = (doc.mirrors as unknown[]).map((entry, index): Mirror => {
    const m = (entry ?? {}) as Record<string, unknown>;
    const verify = m.verify;
    if (verify !== 'sha256' && verify !== 'tree') return fail(`mirror #${index + 1}: verify must be sha256 or tree`);
    if (typeof m.url === 'string') return { kind: 'url', url: m.url, verify };
    if (typeof m.debian_pool === 'string') return { kind: 'debian-pool', poolPath: m.debian_pool, verify };
    return fail(`mirror #${index + 1}: needs url or debian_pool`);
  });
  return {
    file,
    tripwireVersion: text('tripwire_version'),
    upstreamCommit: text('upstream_commit'),
    fileName: text('file_name'),
    sha256: digest('sha256'),
    treeSha256: digest('tree_sha256'),
    mirrors,
  };
}
