import { need } from '../context.js';
import { writeSensuMetadata } from '../metadata/sensu-files.js';
import { resolveRepository } from '../release/repository.js';
import type { Stage } from '../stage.js';

/**
 * Writes the Sensu asset definition (every built platform, with its GitHub download URL, SHA-512
 * and filters) and the example checks into the staging directory.
 */
export const assetDefinitionStage: Stage = {
  name: 'asset-definition',
  async run(ctx) {
    const { repository, source } = await resolveRepository();
    const written = await writeSensuMetadata(need(ctx.stagingDir, 'stagingDir'), {
      version: need(ctx.version, 'version'),
      repository,
      artifacts: ctx.artifacts,
      catalog: need(ctx.catalog, 'catalog'),
    });
    ctx.log.info(`  ${written.join(', ')} (downloads from github.com/${repository.owner}/${repository.name}, from ${source})`);
  },
};
