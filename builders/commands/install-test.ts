import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DEFAULT_CATALOG_FILE, loadCatalog, selectPlatforms } from '../catalog.js';
import { UserError } from '../errors.js';
import { installTest, type PlatformResult } from '../install-test/install-test.js';
import { dockerClient, pingEngine } from '../lib/docker.js';
import { DEFAULT_DIST_DIR, parseCommandArgs } from './options.js';

const HELP = `usage: tsx builders/cli.ts install-test [--dist DIR] [--platform LIST] [--report FILE] [--require-run]

Installs each platform's asset from a built dist/ as a Sensu agent does (served over HTTP on
loopback, SHA-512 checked against the asset definition, unpacked into <cache>/<sha512>/, PATH,
LD_LIBRARY_PATH and CPATH set as the agent sets them) and runs the check cycle in a container of
the platform's base image, as root and as an unprivileged user: first run creates the baseline,
OK, a changed file is CRITICAL and named, tripwire-update.sh, OK; every --metrics format; --json.
A platform whose asset is not in dist/ or whose base image is not present is "not run".

options:
  --dist DIR        the built files (default: dist/)
  --platform LIST   platform names, "local" or "all" (default: all)
  --report FILE     also write the results as JSON
  --require-run     a platform that is not run is a failure (a release leg that just built it)
  --catalog FILE    platform catalog (default: platforms.yaml)
`;

export function resultLine(result: PlatformResult): string {
  const detail = result.reason === undefined ? `${result.seconds} s` : result.reason;
  return `${result.platform.padEnd(10)} ${result.outcome.padEnd(7)} ${result.image}: ${detail}`;
}

export async function run(args: string[]): Promise<void> {
  const { values } = parseCommandArgs('install-test', args, {
    help: { type: 'boolean', short: 'h' },
    dist: { type: 'string', default: DEFAULT_DIST_DIR },
    platform: { type: 'string', default: 'all' },
    report: { type: 'string' },
    'require-run': { type: 'boolean', default: false },
    catalog: { type: 'string', default: DEFAULT_CATALOG_FILE },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const platforms = selectPlatforms(await loadCatalog(values.catalog), values.platform);
  const docker = dockerClient();
  await pingEngine(docker);
  const results = await installTest(docker, { dist: path.resolve(values.dist), platforms, log: (line) => process.stderr.write(`${line}\n`) });
  if (values.report !== undefined) await writeFile(values.report, `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(`${results.map(resultLine).join('\n')}\n`);
  const failed = results.filter((result) => result.outcome === 'failed' || (values['require-run'] && result.outcome === 'not run'));
  if (failed.length > 0) throw new UserError(`install test: ${failed.map((result) => `${result.platform} ${result.outcome}`).join(', ')}`);
}
