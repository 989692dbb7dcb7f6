import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, loadCatalog, type Catalog } from '../../builders/catalog.js';
import { HOST_REPORTS } from '../../builders/metadata/host-reports.js';
import { hostTable, withHostTable } from '../../builders/metadata/host-table.js';

const catalog = await loadCatalog();

describe("the README's host → build table", () => {
  it('is what platforms.yaml and the host reports yield (run `npm run readme` when this fails)', async () => {
    const readme = await readFile(path.join(REPO_ROOT, 'README.md'), 'utf8');
    expect(readme).toBe(withHostTable(readme, catalog));
  });

  it('has a row per host report, naming its build or why it gets none', () => {
    const rows = hostTable(catalog).split('\n').filter((line) => HOST_REPORTS.some((host) => line.startsWith(`| ${host.label} |`)));
    expect(rows).toHaveLength(HOST_REPORTS.length);
    const installs = (label: string) => rows.find((row) => row.startsWith(`| ${label} |`))?.split(' | ').at(-1);
    expect(installs('Amazon Linux 2')).toBe('`centos7` |');
    expect(installs('Debian 12 on arm64')).toBe('none: no arm64 build |');
    expect(installs('SLES 11 SP4')).toBe('none: C library older than every build |');
    expect(installs('Windows Server 2019')).toBe('none: not Linux |');
  });

  it('refuses to render a catalog that gives a host two builds', () => {
    const overlapping: Catalog = {
      ...catalog,
      platforms: catalog.platforms.map((platform) => (platform.name === 'debian9' ? { ...platform, serves: { ...platform.serves, hosts: [{ platforms: ['debian'], from: '9' }] } } : platform)),
    };
    expect(() => hostTable(overlapping)).toThrow(/Debian 12 matches debian12 and debian9: builds must be disjoint/);
  });
});
