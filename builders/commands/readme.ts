import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { REPO_ROOT, loadCatalog } from '../catalog.js';
import { withPlatformTable } from '../lib/platform-table.js';

/** Rewrites the README's platform table from platforms.yaml. */
export async function run(): Promise<void> {
  const file = path.join(REPO_ROOT, 'README.md');
  const updated = withPlatformTable(await readFile(file, 'utf8'), await loadCatalog());
  await writeFile(file, updated);
  process.stderr.write('README.md: platform table updated from platforms.yaml\n');
}
