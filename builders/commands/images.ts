import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { DEFAULT_CATALOG_FILE, loadCatalog, locallyBuildable } from '../catalog.js';
import { UserError } from '../errors.js';
import { debianMirror } from '../lib/apt-mirror.js';
import { bootstrapImage } from '../lib/bootstrap.js';
import { dockerClient, imageId, pingEngine } from '../lib/docker.js';
import { defaultCacheDir, parseCommandArgs } from './options.js';

const HELP = `usage: npm run images [-- SUITE...]

Creates the base images of the locally buildable platforms (those with "bootstrap:" in
platforms.yaml) from Debian's signed archive: debootstrap, then import through the Docker Engine
API, tagged exactly as the catalog names them. Images already present are left alone.
With SUITEs (e.g. bookworm), only those. The mirror is the one of this machine's apt
configuration, or SENSU_TRIPWIRE_DEBIAN_MIRROR. Needs root.

options:
  --catalog FILE   platform catalog (default: platforms.yaml)
`;

export async function run(args: string[]): Promise<void> {
  const { values, positionals } = parseCommandArgs('images', args, { help: { type: 'boolean', short: 'h' }, catalog: { type: 'string' } }, true);
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const candidates = locallyBuildable(await loadCatalog(path.resolve(values.catalog ?? DEFAULT_CATALOG_FILE)));
  const known = candidates.map((platform) => platform.bootstrap);
  const unknown = positionals.filter((suite) => !known.includes(suite));
  if (unknown.length > 0) throw new UserError(`no platform bootstraps ${unknown.join(', ')}; known suites: ${known.join(', ')}`);
  const wanted = positionals.length === 0 ? candidates : candidates.filter((platform) => positionals.includes(platform.bootstrap ?? ''));

  const docker = dockerClient();
  await pingEngine(docker);
  const missing = [];
  for (const platform of wanted) {
    if ((await imageId(docker, platform.baseImage)) === undefined) missing.push(platform);
    else process.stderr.write(`images: ${platform.baseImage} present\n`);
  }
  if (missing.length === 0) return;

  const mirror = await debianMirror();
  const cacheDir = defaultCacheDir();
  const workRoot = path.join(cacheDir, 'work');
  const logRoot = path.join(cacheDir, 'logs');
  await mkdir(workRoot, { recursive: true, mode: 0o700 });
  await mkdir(logRoot, { recursive: true, mode: 0o700 });
  // The suites download in parallel: the archive, not the CPU, is the limit.
  await Promise.all(
    missing.map(async (platform) => {
      const suite = platform.bootstrap as string;
      process.stderr.write(`images: bootstrapping ${platform.baseImage} (${suite}) from ${mirror}\n`);
      const id = await bootstrapImage(docker, {
        suite,
        image: platform.baseImage,
        mirror,
        workRoot,
        logFile: path.join(logRoot, `bootstrap-${suite}.log`),
      });
      process.stderr.write(`images: ${platform.baseImage} = ${id}\n`);
    }),
  );
}
