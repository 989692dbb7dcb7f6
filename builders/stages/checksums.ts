import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { checksumsFileName } from '../artifacts.js';
import { need } from '../context.js';
import { formatChecksums } from '../lib/checksums.js';
import type { Stage } from '../stage.js';

/** `sensu-tripwire_<version>_sha512-checksums.txt`, from the digests taken while packaging. */
export const checksums: Stage = {
  name: 'checksums',
  async run(ctx) {
    const file = checksumsFileName(need(ctx.version, 'version'));
    await writeFile(path.join(need(ctx.stagingDir, 'stagingDir'), file), formatChecksums(ctx.artifacts), { mode: 0o644 });
    ctx.log.info(`  ${file}`);
  },
};
