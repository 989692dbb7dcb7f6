import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type Docker from 'dockerode';
import { DEFAULT_CATALOG_FILE, loadCatalog, type Platform } from '../catalog.js';
import { UserError, describeError } from '../errors.js';
import { debianMirror } from '../lib/apt-mirror.js';
import { bootstrapImage, importRootfsImage, rootfsDir } from '../lib/bootstrap.js';
import { dockerClient, imageId, pingEngine } from '../lib/docker.js';
import { defaultCacheDir, parseCommandArgs } from './options.js';

const HELP = `usage: npm run images [-- SUITE|PLATFORM...]

Creates base images this machine can make without a registry, tagged exactly as the catalog
names them. Images already present are left alone.
  - platforms with "bootstrap:" in platforms.yaml: from Debian's signed archive (debootstrap),
    then imported through the Docker Engine API. The mirror is the one of this machine's apt
    configuration, or SENSU_TRIPWIRE_DEBIAN_MIRROR. Needs root.
  - platforms with "rootfs:": pulled when a registry answers, else imported from the pinned
    root file system in SENSU_TRIPWIRE_ROOTFS_DIR (its SHA-512 must match the catalog's).
Without arguments: every bootstrap platform, and the rootfs platforms when
SENSU_TRIPWIRE_ROOTFS_DIR is set. Arguments name suites (e.g. bookworm) or platforms (e.g. alpine3.9).

options:
  --catalog FILE   platform catalog (default: platforms.yaml)
`;

export async function run(args: string[]): Promise<void> {
  const { values, positionals } = parseCommandArgs('images', args, { help: { type: 'boolean', short: 'h' }, catalog: { type: 'string' } }, true);
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const catalog = await loadCatalog(path.resolve(values.catalog ?? DEFAULT_CATALOG_FILE));
  const makeable = catalog.platforms.filter((platform) => platform.bootstrap !== undefined || platform.rootfs !== undefined);
  const names = (platform: Platform) => [platform.name, ...(platform.bootstrap !== undefined ? [platform.bootstrap] : [])];
  const unknown = positionals.filter((wanted) => !makeable.some((platform) => names(platform).includes(wanted)));
  if (unknown.length > 0) {
    const suites = makeable.flatMap((platform) => (platform.bootstrap !== undefined ? [platform.bootstrap] : []));
    throw new UserError(
      `no platform's base image can be made from ${unknown.join(', ')}; known suites: ${suites.join(', ')}; platforms: ${makeable.map((platform) => platform.name).join(', ')}`,
    );
  }
  const wanted =
    positionals.length === 0
      ? makeable.filter((platform) => platform.bootstrap !== undefined || rootfsDir() !== undefined)
      : makeable.filter((platform) => names(platform).some((name) => positionals.includes(name)));

  const docker = dockerClient();
  await pingEngine(docker);
  const missing = [];
  for (const platform of wanted) {
    if ((await imageId(docker, platform.baseImage)) === undefined) missing.push(platform);
    else process.stderr.write(`images: ${platform.baseImage} present\n`);
  }
  for (const platform of missing.filter((candidate) => candidate.bootstrap === undefined)) await pullOrImport(docker, platform);
  const toBootstrap = missing.filter((platform) => platform.bootstrap !== undefined);
  if (toBootstrap.length === 0) return;

  const mirror = await debianMirror();
  const cacheDir = defaultCacheDir();
  const workRoot = path.join(cacheDir, 'work');
  const logRoot = path.join(cacheDir, 'logs');
  await mkdir(workRoot, { recursive: true, mode: 0o700 });
  await mkdir(logRoot, { recursive: true, mode: 0o700 });
  // The suites download in parallel: the archive, not the CPU, is the limit.
  await Promise.all(
    toBootstrap.map(async (platform) => {
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

/** A rootfs platform's base image: from its registry when one answers, else from the pinned file. */
async function pullOrImport(docker: Docker, platform: Platform): Promise<void> {
  const pin = platform.rootfs;
  if (pin === undefined) return;
  try {
    const stream = await docker.pull(platform.baseImage);
    await new Promise<void>((resolve, reject) => docker.modem.followProgress(stream, (error: Error | null) => (error ? reject(error) : resolve())));
    process.stderr.write(`images: ${platform.baseImage} pulled\n`);
    return;
  } catch (error) {
    process.stderr.write(`images: ${platform.baseImage} cannot be pulled (${describeError(error)})\n`);
  }
  const dir = rootfsDir();
  if (dir === undefined) {
    throw new UserError(
      `${platform.baseImage} is not present and cannot be pulled: set SENSU_TRIPWIRE_ROOTFS_DIR to a directory holding ${pin.file} (SHA-512 ${pin.sha512}) to import it`,
    );
  }
  process.stderr.write(`images: importing ${platform.baseImage} from ${path.join(dir, pin.file)}\n`);
  const id = await importRootfsImage(docker, { pin, dir, image: platform.baseImage, cmd: ['/bin/sh'] });
  process.stderr.write(`images: ${platform.baseImage} = ${id}\n`);
}
