import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../errors.js';
import { legRecord, outcomeOfStep } from '../rehearsal/leg.js';
import { DEFAULT_DIST_DIR, parseCommandArgs } from './options.js';

const HELP = `usage: tsx builders/cli.ts rehearsal-record --platform NAME --build OUTCOME --out FILE [options]

Writes one release-matrix leg's record for the summary table (rehearsal-summary): the build's
outcome and time, the asset's size and the ABI gate's figures from dist/artifacts.json, and the
install test's result from its report. Runs whatever happened before it (if: always()).

options:
  --platform NAME         the leg's platform
  --build OUTCOME         the build step's outcome: success, failure, cancelled or skipped
  --build-seconds N       how long the build took (omitted when unknown)
  --dist DIR              the leg's dist/ (default: dist/)
  --install-report FILE   the install test's --report
  --out FILE              where to write the record (JSON)
`;

export async function run(args: string[]): Promise<void> {
  const { values } = parseCommandArgs('rehearsal-record', args, {
    help: { type: 'boolean', short: 'h' },
    platform: { type: 'string' },
    build: { type: 'string' },
    'build-seconds': { type: 'string' },
    dist: { type: 'string', default: DEFAULT_DIST_DIR },
    'install-report': { type: 'string' },
    out: { type: 'string' },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  if (values.platform === undefined || values.build === undefined || values.out === undefined) {
    throw new UserError('rehearsal-record needs --platform, --build and --out (see --help)', { exitCode: 2 });
  }
  const seconds = values['build-seconds'] === undefined || values['build-seconds'] === '' ? undefined : Number(values['build-seconds']);
  if (seconds !== undefined && !Number.isInteger(seconds)) throw new UserError(`--build-seconds ${values['build-seconds']} is not a whole number`, { exitCode: 2 });
  const record = await legRecord({
    platform: values.platform,
    build: outcomeOfStep(values.build),
    ...(seconds === undefined ? {} : { buildSeconds: seconds }),
    dist: path.resolve(values.dist),
    ...(values['install-report'] === undefined ? {} : { installReport: values['install-report'] }),
  });
  await mkdir(path.dirname(path.resolve(values.out)), { recursive: true });
  await writeFile(values.out, `${JSON.stringify(record, null, 2)}\n`);
}
