import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, loadCatalog } from '../../../builders/catalog.js';
import { platformTable, withPlatformTable } from '../../../builders/lib/platform-table.js';

describe("the README's platform table", () => {
  it('is what platforms.yaml yields (run `npm run readme` when this fails)', async () => {
    const readme = await readFile(path.join(REPO_ROOT, 'README.md'), 'utf8');
    const catalog = await loadCatalog();
    expect(readme).toBe(withPlatformTable(readme, catalog));
  });

  it('has a row per platform, in catalog order, naming the EOL repository variable where one is needed', async () => {
    const catalog = await loadCatalog();
    const rows = platformTable(catalog).split('\n').filter((line) => line.startsWith('| `'));
    expect(rows.map((row) => /^\| `([^`]+)`/.exec(row)?.[1])).toEqual(catalog.platforms.map((p) => p.name));
    expect(rows.find((row) => row.startsWith('| `centos6`'))).toContain('SENSU_TRIPWIRE_CENTOS_VAULT_MIRROR');
  });
});
