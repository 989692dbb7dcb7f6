import { selectPatches } from '../lib/patches.js';
import type { Stage } from '../stage.js';

/** Our patches to Tripwire (--patches, default tripwire-src/patches/), checked before any work. */
export const selectPatchesStage: Stage = {
  name: 'select-patches',
  async run(ctx) {
    ctx.patches = await selectPatches(ctx.options.patchesDir, ctx.options.unpatched === true);
    if (ctx.patches.names.length === 0) return { skipped: '--no-patches: upstream Tripwire as released (as non-root, checks report readable files as removed)' };
    ctx.log.info(`  ${ctx.patches.names.join(', ')}`);
  },
};
