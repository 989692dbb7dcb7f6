import { createReadStream } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Parser, type ReadEntry } from 'tar';
import type { ArtifactsManifest } from '../artifacts.js';
import type { Catalog } from '../catalog.js';
import { describeError } from '../errors.js';
import { SHIPPED_BINARIES } from '../stages/compile.js';
import { abiFigures, binaryAbiProblems, formatAbiFigures, readBinaryAbi, type BinaryAbi } from './abi.js';

const SHIPPED: readonly string[] = SHIPPED_BINARIES;

/** The ELF files under bin/ of an asset tarball, read into memory (a few MB each). */
async function elfBinaries(file: string): Promise<Map<string, Buffer>> {
  const found = new Map<string, Buffer>();
  const parser = new Parser({
    onReadEntry: (entry: ReadEntry) => {
      const name = entry.path.replace(/^\.\//, '');
      if (entry.type !== 'File' || !name.startsWith('bin/')) {
        entry.resume();
        return;
      }
      const chunks: Buffer[] = [];
      entry.on('data', (chunk: Buffer) => chunks.push(chunk));
      entry.on('end', () => {
        const bytes = Buffer.concat(chunks);
        if (bytes.subarray(0, 4).toString('latin1') === '\x7fELF') found.set(name.slice('bin/'.length), bytes);
      });
    },
  });
  await pipeline(createReadStream(file), parser);
  return found;
}

/**
 * The ABI gate replayed on a finished dist/ (a merged release included): every ELF binary in each
 * asset's bin/ against its platform's rules. Where artifacts.json carries the gate's figures (every
 * build since the gate), all shipped binaries must be there and the figures must match them.
 */
export async function distAbiProblems(dir: string, manifest: ArtifactsManifest, catalog: Catalog): Promise<string[]> {
  const problems: string[] = [];
  for (const artifact of manifest.artifacts) {
    const platform = catalog.platforms.find((candidate) => candidate.name === artifact.platform);
    if (platform === undefined) continue; // reported by the catalog checks
    let files: Map<string, Buffer>;
    try {
      files = await elfBinaries(path.join(dir, artifact.name));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue; // reported by the file checks
      problems.push(`${artifact.name}: cannot read its binaries: ${describeError(error)}`);
      continue;
    }
    const binaries: BinaryAbi[] = [];
    for (const [name, bytes] of [...files.entries()].sort()) {
      try {
        binaries.push(readBinaryAbi(name, bytes));
      } catch (error) {
        problems.push(`${artifact.name}: bin/${name}: ${describeError(error)}`);
      }
    }
    problems.push(...binaries.flatMap((binary) => binaryAbiProblems(binary, platform)).map((problem) => `${artifact.name}: ${problem}`));
    if (artifact.abi === undefined) continue;
    const missing = SHIPPED.filter((name) => !files.has(name));
    if (missing.length > 0) {
      problems.push(`${artifact.name}: bin/ lacks ${missing.join(', ')}`);
      continue;
    }
    const measured = formatAbiFigures(abiFigures(binaries.filter((binary) => SHIPPED.includes(binary.name))));
    const recorded = formatAbiFigures(artifact.abi);
    if (measured !== recorded) problems.push(`${artifact.name}: artifacts.json says "${recorded}", its binaries show "${measured}"`);
  }
  return problems;
}
