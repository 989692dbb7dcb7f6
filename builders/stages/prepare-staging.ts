import { randomBytes } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { LOG_DIR } from '../artifacts.js';
import { need } from '../context.js';
import type { Stage } from '../stage.js';

/**
 * A private directory beside dist/ that receives every output. It replaces dist/ in one rename
 * when the whole build has succeeded, and is deleted otherwise, so dist/ never holds a
 * half-written build. Build logs go to the cache first, where they stay when the build fails.
 */
export const prepareStaging: Stage = {
  name: 'prepare-staging',
  async run(ctx) {
    const dist = path.resolve(ctx.options.distDir);
    const staging = path.join(path.dirname(dist), `.${path.basename(dist)}.staging-${randomBytes(6).toString('hex')}`);
    await mkdir(path.join(staging, LOG_DIR), { recursive: true, mode: 0o755 });
    ctx.stagingDir = staging;
    const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '');
    ctx.logDir = path.join(path.resolve(ctx.options.cacheDir), 'logs', `${stamp}-${randomBytes(3).toString('hex')}`);
    await mkdir(ctx.logDir, { recursive: true, mode: 0o700 });
    ctx.cleanups.push(async () => {
      // publish-dist renames the staging directory away; anything still here is unfinished.
      await rm(need(ctx.stagingDir, 'stagingDir'), { recursive: true, force: true });
    });
  },
};
