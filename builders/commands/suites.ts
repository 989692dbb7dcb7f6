import { DEFAULT_CATALOG_FILE, loadCatalog, selectPlatforms } from '../catalog.js';
import { parseCommandArgs } from './options.js';

const HELP = `usage: tsx builders/cli.ts suites --platform LIST

Prints the Debian suites (space-separated, possibly none) whose base images \`npm run images\`
must bootstrap before the given platforms can be built: what scripts/setup.sh --platform
prepares, so that a release runner building alpine3.9 installs no debootstrap.

options:
  --platform LIST   platform names, "local" or "all" (as for build)
  --catalog FILE    platform catalog (default: platforms.yaml)
`;

/** The bootstrap suites of the selected platforms, in catalog order. */
export function bootstrapSuites(platforms: ReadonlyArray<{ bootstrap?: string }>): string[] {
  return platforms.flatMap((platform) => (platform.bootstrap === undefined ? [] : [platform.bootstrap]));
}

export async function run(args: string[]): Promise<void> {
  const { values } = parseCommandArgs('suites', args, {
    help: { type: 'boolean', short: 'h' },
    platform: { type: 'string', default: 'all' },
    catalog: { type: 'string', default: DEFAULT_CATALOG_FILE },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const platforms = selectPlatforms(await loadCatalog(values.catalog), values.platform);
  process.stdout.write(`${bootstrapSuites(platforms).join(' ')}\n`);
}
