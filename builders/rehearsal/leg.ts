import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { readArtifactsManifest } from '../artifacts.js';
import type { Outcome, PlatformResult } from '../install-test/install-test.js';

/**
 * One platform's leg of a rehearsal (or release) run, as the summary shows it: did it build, in
 * how long, how big is its asset, what ABI the ABI gate recorded, and did the agent-style install
 * test pass. Each release-matrix leg writes one as JSON; `npm run rehearse` makes them in-process.
 */
export interface LegRecord {
  platform: string;
  build: Outcome;
  buildSeconds?: number;
  asset?: { name: string; size: number };
  /** What the ABI gate wrote into artifacts.json for this artifact (its `abi` field), when it did. */
  abi?: Record<string, unknown>;
  install: { outcome: Outcome; reason?: string; seconds: number };
}

/** GitHub's step outcome (success, failure, cancelled, skipped) as a leg result. */
export function outcomeOfStep(stepOutcome: string): Outcome {
  if (stepOutcome === 'success') return 'passed';
  if (stepOutcome === 'failure' || stepOutcome === 'cancelled') return 'failed';
  return 'not run';
}

/** Reads what a leg left behind: the built dist/ (if any) and the install test's report (if any). */
export async function legRecord(input: {
  platform: string;
  build: Outcome;
  buildSeconds?: number;
  dist: string;
  installReport?: string;
}): Promise<LegRecord> {
  const record: LegRecord = {
    platform: input.platform,
    build: input.build,
    ...(input.buildSeconds === undefined ? {} : { buildSeconds: input.buildSeconds }),
    install: { outcome: 'not run', reason: input.build === 'passed' ? 'the install test left no report' : 'nothing was built', seconds: 0 },
  };
  if (input.build === 'passed') {
    const artifact = await readArtifactsManifest(input.dist)
      .then((manifest) => manifest.artifacts.find((entry) => entry.platform === input.platform))
      .catch(() => undefined);
    if (artifact !== undefined) {
      record.asset = { name: artifact.name, size: artifact.size };
      const abi = (artifact as unknown as { abi?: unknown }).abi;
      if (typeof abi === 'object' && abi !== null) record.abi = abi as Record<string, unknown>;
    }
  }
  if (input.installReport !== undefined) {
    const results = await readFile(input.installReport, 'utf8')
      .then((text) => JSON.parse(text) as PlatformResult[])
      .catch(() => undefined);
    const result = results?.find((entry) => entry.platform === input.platform);
    if (result !== undefined) {
      record.install = { outcome: result.outcome, seconds: result.seconds, ...(result.reason === undefined ? {} : { reason: result.reason }) };
    }
  }
  return record;
}

/** Every `*.json` leg record under `dir` (recursively: one artifact directory per leg). */
export async function readLegRecords(dir: string): Promise<LegRecord[]> {
  const records: LegRecord[] = [];
  const entries = await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => []);
  for (const entry of entries) {
    if (!entry.isFile() || !entry.name.endsWith('.json')) continue;
    const parsed = JSON.parse(await readFile(path.join(entry.parentPath, entry.name), 'utf8')) as Partial<LegRecord>;
    if (typeof parsed.platform === 'string' && typeof parsed.build === 'string' && parsed.install !== undefined) records.push(parsed as LegRecord);
  }
  return records;
}
