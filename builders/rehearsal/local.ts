import path from 'node:path';
import type Docker from 'dockerode';
import { assetFileName } from '../artifacts.js';
import type { Catalog } from '../catalog.js';
import { verifyDist } from '../commands/verify.js';
import { describeError } from '../errors.js';
import { installTest, type PlatformResult } from '../install-test/install-test.js';
import { mergeDists } from '../merge/merge.js';
import { resolveRepository } from '../release/repository.js';
import { legRecord, type LegRecord } from './leg.js';

/**
 * What `npm run rehearse` does once the local release legs are built: merge them as the release's
 * merge job does, verify the result (the platforms only GitHub's runners build are expected to be
 * missing here, nothing else), install-test every built platform in its base image, and make one
 * leg record per catalog platform for the summary table.
 */

export interface BuiltLeg {
  platform: string;
  /** The leg's dist/, or undefined when its build failed. */
  dist?: string;
  seconds: number;
}

export interface LocalRehearsal {
  records: LegRecord[];
  notes: string[];
  /** Whether anything went wrong that a release would trip over. */
  failed: boolean;
  merged: string;
  /** The install test's full results (each user's steps), for whoever wants more than the table. */
  installResults: PlatformResult[];
}

export async function rehearseBuilt(docker: Docker, input: { catalog: Catalog; version: string; legs: readonly BuiltLeg[]; merged: string; log?: (line: string) => void }): Promise<LocalRehearsal> {
  const built = new Set(input.legs.map((leg) => leg.platform));
  const records = new Map<string, LegRecord>();
  for (const platform of input.catalog.platforms.filter((entry) => !built.has(entry.name))) {
    records.set(platform.name, { platform: platform.name, build: 'not run', install: { outcome: 'not run', reason: "built only on GitHub's runners", seconds: 0 } });
  }
  for (const leg of input.legs) {
    const dist = leg.dist ?? path.join(input.merged, 'no-such-dist');
    records.set(leg.platform, await legRecord({ platform: leg.platform, build: leg.dist === undefined ? 'failed' : 'passed', buildSeconds: leg.seconds, dist }));
  }
  const remote = input.catalog.platforms.filter((platform) => !built.has(platform.name)).map((platform) => platform.name);
  const notes =
    remote.length === 0
      ? []
      : [`${remote.join(', ')}: built only on GitHub's runners: run the rehearsal workflow; \`tsx builders/cli.ts install-test --dist DIR\` tests its dist artifact on the base images present here`];
  const dists = input.legs.flatMap((leg) => (leg.dist === undefined ? [] : [leg.dist]));
  let failed = dists.length < input.legs.length;
  try {
    if (dists.length === 0) throw new Error('no build succeeded');
    const { repository } = await resolveRepository();
    await mergeDists({ inputs: dists, out: input.merged, catalog: input.catalog, repository, force: true });
  } catch (error) {
    notes.push(`merge: ${describeError(error)}; nothing to verify or install`);
    return { records: orderedRecords(input.catalog, records), notes, failed: true, merged: input.merged, installResults: [] };
  }

  // verify wants every platform; those only GitHub builds are expected to be missing here.
  const missingHere = remote.map((platform) => assetFileName(input.version, platform));
  const problems = (await verifyDist(input.merged)).filter((problem) => !missingHere.some((name) => problem.includes(name)));
  notes.push(problems.length === 0 ? `verify: ${input.merged} passes, but for the platforms built only on GitHub` : `verify: ${problems.length} problem(s):\n  ${problems.join('\n  ')}`);
  failed ||= problems.length > 0;

  const platforms = input.catalog.platforms.filter((platform) => dists.length > 0 && built.has(platform.name));
  const installResults = await installTest(docker, { dist: input.merged, platforms, ...(input.log === undefined ? {} : { log: input.log }) });
  for (const result of installResults) {
    const record = records.get(result.platform) as LegRecord;
    record.install = { outcome: result.outcome, seconds: result.seconds, ...(result.reason === undefined ? {} : { reason: result.reason }) };
    failed ||= result.outcome !== 'passed' && record.build === 'passed';
  }
  notes.push('release --dry-run: not run here (it needs every platform); the rehearsal workflow runs it');
  return { records: orderedRecords(input.catalog, records), notes, failed, merged: input.merged, installResults };
}

function orderedRecords(catalog: Catalog, records: Map<string, LegRecord>): LegRecord[] {
  return catalog.platforms.flatMap((platform) => {
    const record = records.get(platform.name);
    return record === undefined ? [] : [record];
  });
}
