import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ARCH, OS, assetFileName, buildLogName } from '../artifacts.js';
import { need, platformBuild, type BuildContext } from '../context.js';
import { UserError } from '../errors.js';
import { planEntries, writeAssetTarball, type AssetFile } from '../lib/asset-tarball.js';
import { wrapperFiles } from '../lib/wrapper-files.js';
import type { Stage } from '../stage.js';
import { SHIPPED_BINARIES } from './compile.js';

/**
 * Where the asset names the patches its binaries were built with, one file name per line. The
 * scripts read it: binaries with patch 0003 refuse data after a file's signed data themselves,
 * which spares each check a second verification of the database (see tw_find_binaries).
 */
export const PATCH_LIST_PATH = 'share/sensu-tripwire/tripwire-patches';

/**
 * One reproducible tar.gz per platform in the Sensu asset layout: bin/ holds the four binaries
 * and the wrapper scripts, the rest of wrappers/ keeps its place, and PATCH_LIST_PATH says how
 * the binaries were built. No lib/: the agent puts it on LD_LIBRARY_PATH, and the binaries need
 * only the host's C library.
 */
export const packageAssets: Stage = {
  name: 'package',
  async run(ctx) {
    const staging = need(ctx.stagingDir, 'stagingDir');
    const wrappers = await wrapperFiles(ctx.options.wrappersDir);
    const clash = wrappers.find((file) => file.path === PATCH_LIST_PATH || SHIPPED_BINARIES.some((binary) => file.path === `bin/${binary}`));
    if (clash !== undefined) throw new UserError(`wrappers/${clash.path} would replace the ${clash.path} the build makes`);
    // Written inside the private staging directory, and gone before it becomes dist/.
    const scratch = path.join(staging, '.package');
    await mkdir(scratch, { mode: 0o700 });
    try {
      const patchList = path.join(scratch, 'tripwire-patches');
      await writeFile(patchList, need(ctx.patches, 'patches').names.map((name) => `${name}\n`).join(''));
      const shared: AssetFile[] = [...wrappers, { path: PATCH_LIST_PATH, source: patchList, executable: false }];
      for (const platform of ctx.platforms) await packPlatform(ctx, platform.name, shared);
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
    ctx.artifacts.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  },
};

/** Packs one platform's binaries with the files every platform shares, and records the artifact. */
async function packPlatform(ctx: BuildContext, platform: string, shared: AssetFile[]): Promise<void> {
  const version = need(ctx.version, 'version');
  const source = need(ctx.source, 'source');
  const mtime = new Date(need(ctx.sourceDateEpoch, 'sourceDateEpoch') * 1000);
  const build = platformBuild(ctx, platform);
  const binariesDir = need(build.binariesDir, 'binariesDir');
  const files: AssetFile[] = [
    ...SHIPPED_BINARIES.map((name) => ({ path: `bin/${name}`, source: path.join(binariesDir, name), executable: true })),
    ...shared,
  ];
  const name = assetFileName(version, platform);
  const written = await writeAssetTarball(planEntries(files), path.join(need(ctx.stagingDir, 'stagingDir'), name), mtime);
  ctx.artifacts.push({
    name,
    platform,
    os: OS,
    arch: ARCH,
    size: written.size,
    sha512: written.sha512,
    sourceSha256: source.sha256,
    toolchainImageId: need(build.toolchainImage, 'toolchainImage').id,
    buildLog: buildLogName(platform),
    abi: need(build.abi, 'abi'),
  });
  ctx.log.info(`  ${name} (${written.size} bytes, sha512 ${written.sha512.slice(0, 16)}…)`);
}
