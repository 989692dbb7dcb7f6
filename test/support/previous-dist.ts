import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ARTIFACTS_FILE, PROJECT, SCHEMA_VERSION } from '../../builders/artifacts.js';

/**
 * Makes `dir` look like a previous build's output, the only non-empty directory a build may
 * replace: its artifacts.json, a tarball and a log.
 */
export async function writePreviousDist(dir: string): Promise<void> {
  await mkdir(path.join(dir, 'logs'), { recursive: true });
  await writeFile(path.join(dir, ARTIFACTS_FILE), `${JSON.stringify({ schemaVersion: SCHEMA_VERSION, project: PROJECT, version: '0.9.0', artifacts: [] })}\n`);
  await writeFile(path.join(dir, 'sensu-tripwire_0.9.0_debian12_linux_amd64.tar.gz'), 'a previous build\n');
  await writeFile(path.join(dir, 'logs', 'debian12.build.log'), 'a previous log\n');
}
