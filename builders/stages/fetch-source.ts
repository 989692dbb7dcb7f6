import { fetchVerifiedSource } from '../lib/source-fetch.js';
import { loadSourceManifest } from '../lib/source-manifest.js';
import type { Stage } from '../stage.js';

/** The pinned Tripwire tarball, from --source or the mirrors, verified before any use. */
export const fetchSource: Stage = {
  name: 'fetch-source',
  async run(ctx) {
    const manifest = await loadSourceManifest();
    ctx.source = await fetchVerifiedSource(manifest, {
      cacheDir: ctx.options.cacheDir,
      sourcePath: ctx.options.sourcePath,
      log: ctx.log,
      signal: ctx.signal,
    });
    ctx.log.info(`  ${ctx.source.name} verified (sha256 ${ctx.source.sha256.slice(0, 16)}…, content ${ctx.source.treeSha256.slice(0, 16)}…)`);
  },
};
