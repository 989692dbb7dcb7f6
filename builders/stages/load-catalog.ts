import { loadCatalog, selectPlatforms } from '../catalog.js';
import { toolchainBuildArgs } from '../lib/toolchain.js';
import type { Stage } from '../stage.js';

/** Reads the platform catalog and selects the platforms asked for (catalog order kept). */
export const loadCatalogStage: Stage = {
  name: 'load-catalog',
  async run(ctx) {
    ctx.catalog = await loadCatalog(ctx.options.catalogFile);
    ctx.platforms = selectPlatforms(ctx.catalog, ctx.options.platforms);
    if (ctx.platforms.length === 0) {
      return { skipped: `no platform of ${ctx.catalog.file} matches "${ctx.options.platforms}"` };
    }
    // An EOL platform's archive repository address (from the environment) is bad input too:
    // refused here, with the expected form, before anything is downloaded or started.
    for (const platform of ctx.platforms) toolchainBuildArgs(platform);
    ctx.log.info(`  platforms: ${ctx.platforms.map((platform) => platform.name).join(', ')}`);
    return undefined;
  },
};
