import { copyFile, mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { readArtifactsManifest, writeArtifactsManifest, type ArtifactsManifest } from '../artifacts.js';
import type { Catalog } from '../catalog.js';
import { UserError } from '../errors.js';
import { formatChecksums } from '../lib/checksums.js';
import { fileDigests } from '../metadata/digest.js';
import { writeSensuMetadata } from '../metadata/sensu-files.js';
import type { Repository } from '../release/repository.js';
import { mergeProblems, mergedManifest, type Part } from './manifests.js';

/**
 * `npm run merge -- DIR... --out dist`: the dist/ directories of builds made on separate machines
 * become one, with the artifacts.json, checksums file and asset definition a single build of all
 * their platforms writes. Every tarball's SHA-512 is checked against its manifest on the way, and
 * the result replaces the output directory in one rename.
 */
export async function mergeDists(options: { inputs: readonly string[]; out: string; catalog: Catalog; repository: Repository; force?: boolean }): Promise<ArtifactsManifest> {
  const out = path.resolve(options.out);
  const inputs = options.inputs.map((dir) => path.resolve(dir));
  if (inputs.includes(out)) throw new UserError(`--out ${out} is also an input: write the merge somewhere else`);
  if (!options.force && (await nonEmptyDir(out))) throw new UserError(`${out} exists and is not empty: remove it, or pass --force to replace it`);

  const parts: Part[] = [];
  for (const dir of inputs) parts.push({ dir, manifest: await readArtifactsManifest(dir) });
  const problems = mergeProblems(parts, options.catalog);
  if (problems.length > 0) throw new UserError(`cannot merge:\n  ${problems.join('\n  ')}`);

  const staging = `${out}.merging-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  try {
    for (const part of parts) {
      for (const artifact of part.manifest.artifacts) {
        const source = path.join(part.dir, artifact.name);
        const target = path.join(staging, artifact.name);
        await copyFile(source, target).catch((error: unknown) => {
          throw new UserError(`${part.dir}: cannot read ${artifact.name}: ${String(error)}`);
        });
        // Checked on the copy, so that what is verified is what is released.
        const digests = await fileDigests(target);
        if (digests.sha512 !== artifact.sha512 || digests.size !== artifact.size) {
          throw new UserError(`${source} does not match its artifacts.json (SHA-512 ${digests.sha512.slice(0, 12)}…, ${digests.size} bytes; expected ${artifact.sha512.slice(0, 12)}…, ${artifact.size} bytes): corrupted in transfer? Rebuild or re-download it`);
        }
        const log = path.join(part.dir, artifact.buildLog);
        if (await exists(log)) {
          await mkdir(path.dirname(path.join(staging, artifact.buildLog)), { recursive: true });
          await copyFile(log, path.join(staging, artifact.buildLog));
        }
      }
    }
    const manifest = mergedManifest(parts);
    await writeFile(path.join(staging, manifest.checksumsFile), formatChecksums(manifest.artifacts), { mode: 0o644 });
    await writeArtifactsManifest(staging, manifest);
    await writeSensuMetadata(staging, { version: manifest.version, repository: options.repository, artifacts: manifest.artifacts, catalog: options.catalog });
    await swapInto(staging, out);
    return manifest;
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

async function swapInto(staging: string, out: string): Promise<void> {
  const old = `${out}.old-${process.pid}`;
  const hadOut = await exists(out);
  if (hadOut) await rename(out, old);
  await rename(staging, out);
  if (hadOut) await rm(old, { recursive: true, force: true });
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

async function nonEmptyDir(dir: string): Promise<boolean> {
  return readdir(dir).then(
    (entries) => entries.length > 0,
    () => false,
  );
}
