import { chmod, copyFile } from 'node:fs/promises';
import path from 'node:path';
import { ARTIFACTS_FILE, PROJECT, SCHEMA_VERSION, checksumsFileName, writeArtifactsManifest } from '../artifacts.js';
import { need, platformBuild } from '../context.js';
import type { Stage } from '../stage.js';

/** dist/artifacts.json for the release stages, and each platform's build log beside it. */
export const artifactsManifest: Stage = {
  name: 'artifacts-manifest',
  async run(ctx) {
    const staging = need(ctx.stagingDir, 'stagingDir');
    const version = need(ctx.version, 'version');
    const source = need(ctx.source, 'source');
    for (const artifact of ctx.artifacts) {
      const copy = path.join(staging, artifact.buildLog);
      await copyFile(platformBuild(ctx, artifact.platform).logFile, copy);
      await chmod(copy, 0o644);
    }
    await writeArtifactsManifest(staging, {
      schemaVersion: SCHEMA_VERSION,
      project: PROJECT,
      version,
      sourceDateEpoch: need(ctx.sourceDateEpoch, 'sourceDateEpoch'),
      source: { name: source.name, tripwireVersion: source.tripwireVersion, sha256: source.sha256, treeSha256: source.treeSha256 },
      checksumsFile: checksumsFileName(version),
      artifacts: ctx.artifacts,
    });
    ctx.log.info(`  ${ARTIFACTS_FILE}`);
  },
};
