import { randomBytes } from 'node:crypto';
import { chmod, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { need } from '../context.js';
import { UserError, describeError } from '../errors.js';
import { checkReplaceableDist } from '../lib/dist-dir.js';
import type { Stage } from '../stage.js';

/**
 * Replaces dist/ with the finished staging directory: the old dist/ is moved aside, the staging
 * directory renamed into place, the old one deleted. dist/ is never seen half-written.
 */
export const publishDist: Stage = {
  name: 'publish-dist',
  async run(ctx) {
    const staging = need(ctx.stagingDir, 'stagingDir');
    const dist = path.resolve(ctx.options.distDir);
    const aside = `${staging}.previous-${randomBytes(3).toString('hex')}`;
    // Checked again: what is there now is what gets deleted.
    await checkReplaceableDist(dist);
    const hadDist = await stat(dist).then(
      () => true,
      () => false,
    );
    await chmod(staging, 0o755);
    if (hadDist) await rename(dist, aside);
    try {
      await rename(staging, dist);
    } catch (error) {
      // Put the previous dist/ back rather than leave none.
      if (hadDist) await rename(aside, dist);
      throw new UserError(`cannot move the finished build into ${dist} (${describeError(error)}); it is unchanged`);
    }
    // The new dist/ is in place: a previous one that cannot be deleted is left for the user.
    if (hadDist) {
      await rm(aside, { recursive: true, force: true }).catch((error: unknown) => ctx.log.info(`  warning: could not delete the previous output ${aside}: ${describeError(error)}`));
    }
    ctx.log.info(`  ${path.relative(process.cwd(), dist) || dist}: ${ctx.artifacts.map((artifact) => artifact.name).join(', ')}`);
  },
};
