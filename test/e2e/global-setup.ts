import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { resolveSourceDateEpoch } from '../../builders/version.js';

/**
 * One scratch directory per test run, shared by every worker through the environment: the
 * end-to-end harness builds the assets into it once, on first request (test/e2e/harness.ts), so a
 * run of only the fast suites builds nothing.
 */
export default async function setup(): Promise<() => Promise<void>> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'sensu-tripwire-e2e-'));
  // Traversable by the unprivileged user of the non-root scenarios.
  await chmod(dir, 0o755);
  process.env.SENSU_TRIPWIRE_E2E_DIR = dir;
  // Every build of the run uses one SOURCE_DATE_EPOCH (the commit time when the run started), so
  // a commit made while a long run is going cannot make "the same inputs" differ.
  process.env.SENSU_TRIPWIRE_E2E_EPOCH = String(await resolveSourceDateEpoch());
  return async () => {
    if (process.env.SENSU_TRIPWIRE_KEEP_E2E !== '1') await rm(dir, { recursive: true, force: true });
  };
}
