import path from 'node:path';
import { ARCH, OS, assetFileName, buildLogName } from '../artifacts.js';
import { need, platformBuild } from '../context.js';
import { UserError } from '../errors.js';
import { planEntries, writeAssetTarball, type AssetFile } from '../lib/asset-tarball.js';
import { wrapperFiles } from '../lib/wrapper-files.js';
import type { Stage } from '../stage.js';
import { SHIPPED_BINARIES } from './compile.js';

/**
 * One reproducible tar.gz per platform in the Sensu asset layout: bin/ holds the four binaries
 * and the wrapper scripts, the rest of wrappers/ keeps its place. No lib/: the agent puts it on
 * LD_LIBRARY_PATH, and the binaries need only the host's C library.
 */
export const packageAssets: Stage = {
  name: 'package',
  async run(ctx) {
    const version = need(ctx.version, 'version');
    const staging = need(ctx.stagingDir, 'stagingDir');
    const source = need(ctx.source, 'source');
    const mtime = new Date(need(ctx.sourceDateEpoch, 'sourceDateEpoch') * 1000);
    const wrappers = await wrapperFiles(ctx.options.wrappersDir);
    const clash = wrappers.find((file) => SHIPPED_BINARIES.some((binary) => file.path === `bin/${binary}`));
    if (clash !== undefined) throw new UserError(`wrappers/${clash.path} would replace the compiled ${clash.path}`);

    for (const platform of ctx.platforms) {
      const build = platformBuild(ctx, platform.name);
      const binariesDir = need(build.binariesDir, 'binariesDir');
      const files: AssetFile[] = [
        ...SHIPPED_BINARIES.map((name) => ({ path: `bin/${name}`, source: path.join(binariesDir, name), executable: true })),
        ...wrappers,
      ];
      const name = assetFileName(version, platform.name);
      const written = await writeAssetTarball(planEntries(files), path.join(staging, name), mtime);
      ctx.artifacts.push({
        name,
        platform: platform.name,
        os: OS,
        arch: ARCH,
        size: written.size,
        sha512: written.sha512,
        sourceSha256: source.sha256,
        toolchainImageId: need(build.toolchainImage, 'toolchainImage').id,
        buildLog: buildLogName(platform.name),
        abi: need(build.abi, 'abi'),
      });
      ctx.log.info(`  ${name} (${written.size} bytes, sha512 ${written.sha512.slice(0, 16)}…)`);
    }
    ctx.artifacts.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  },
};
