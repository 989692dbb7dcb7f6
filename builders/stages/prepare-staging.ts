import { randomBytes } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { LOG_DIR } from '../artifacts.js';
import { UserError, describeError } from '../errors.js';
import { checkReplaceableDist } from '../lib/dist-dir.js';
import type { Stage } from '../stage.js';

/**
 * A private directory beside dist/ that receives every output. It replaces dist/ in one rename
 * when the whole build has succeeded, and is deleted otherwise, so dist/ never holds a
 * half-written build. Made before any work, so a --dist the build may not replace, or cannot
 * write beside, fails at once. Build logs go to the cache first, where they stay when the build
 * fails.
 */
export const prepareStaging: Stage = {
  name: 'prepare-staging',
  async run(ctx) {
    const dist = path.resolve(ctx.options.distDir);
    await checkReplaceableDist(dist);
    const parent = path.dirname(dist);
    const staging = path.join(parent, `.${path.basename(dist)}.staging-${randomBytes(6).toString('hex')}`);
    try {
      await mkdir(parent, { recursive: true });
      await mkdir(staging, { mode: 0o700 });
    } catch (error) {
      throw new UserError(
        `cannot write in ${parent} (${describeError(error)}): the build assembles its output beside --dist ${dist} and renames it into place; give a --dist in a writable directory`,
      );
    }
    ctx.stagingDir = staging;
    ctx.cleanups.push(async () => {
      // publish-dist renames the staging directory away; anything still here is unfinished.
      await rm(staging, { recursive: true, force: true });
    });
    await mkdir(path.join(staging, LOG_DIR), { mode: 0o755 });
    const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '');
    ctx.logDir = path.join(path.resolve(ctx.options.cacheDir), 'logs', `${stamp}-${randomBytes(3).toString('hex')}`);
    await mkdir(ctx.logDir, { recursive: true, mode: 0o700 });
  },
};
