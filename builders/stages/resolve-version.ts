import type { Stage } from '../stage.js';
import { resolveSourceDateEpoch, resolveVersion as resolveTag } from '../version.js';

/** The release tag (verbatim, semver with an optional `v`) and the archives' fixed mtime. */
export const resolveVersion: Stage = {
  name: 'resolve-version',
  async run(ctx) {
    ctx.version = await resolveTag(ctx.options.version);
    ctx.sourceDateEpoch = await resolveSourceDateEpoch();
    ctx.log.info(`  version ${ctx.version}, SOURCE_DATE_EPOCH ${ctx.sourceDateEpoch}`);
  },
};
