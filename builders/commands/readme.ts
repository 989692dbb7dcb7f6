import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { REPO_ROOT, loadCatalog } from '../catalog.js';
import { withPlatformTable } from '../lib/platform-table.js';
import { withHostTable } from '../metadata/host-table.js';

/** Rewrites the README's platform table and host → build table from platforms.yaml. */
export async function run(): Promise<void> {
  const file = path.join(REPO_ROOT, 'README.md');
  const catalog = await loadCatalog();
  const updated = withHostTable(withPlatformTable(await readFile(file, 'utf8'), catalog), catalog);
  await writeFile(file, updated);
  process.stderr.write('README.md: platform and host tables updated from platforms.yaml\n');
}
