import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REPO_ROOT, loadCatalog } from '../../builders/catalog.js';
import { evaluateFilters, filterProblem, selectBuild } from '../../builders/metadata/filters.js';
import { SUPPORTED_HOSTS, UNSUPPORTED_HOSTS, entityOf } from './hosts.js';

interface BonsaiBuild {
  platform: string;
  filter: string[];
}

/** The committed .bonsai.yml, as Bonsai serves it to agents: builds in file order. */
async function committedBuilds(): Promise<Array<{ platform: string; filters: string[] }>> {
  const document = parse(await readFile(path.join(REPO_ROOT, '.bonsai.yml'), 'utf8')) as { builds: BonsaiBuild[] };
  return document.builds.map((build) => ({ platform: build.platform, filters: build.filter }));
}

describe('build selection, replayed as a Sensu agent does it (first build whose filters all match)', async () => {
  const builds = await committedBuilds();

  it.each(SUPPORTED_HOSTS.map((host) => [host.label, host] as const))('%s receives its build', (_label, host) => {
    const result = selectBuild(builds, entityOf(host));
    expect(result).not.toHaveProperty('error');
    const index = 'index' in result ? result.index : -1;
    expect(index, `${host.label} matched no build`).toBeGreaterThanOrEqual(0);
    expect(builds[index]?.platform).toBe(host.expected);
  });

  it.each(UNSUPPORTED_HOSTS.map((host) => [host.label, host] as const))('%s receives no build', (_label, host) => {
    expect(selectBuild(builds, entityOf(host))).toEqual({ index: -1 });
  });

  it('never throws for any host: a throwing filter would abort the whole asset on that agent', () => {
    for (const host of [...SUPPORTED_HOSTS, ...UNSUPPORTED_HOSTS]) {
      for (const build of builds) expect(evaluateFilters(build.filters, entityOf(host))).not.toHaveProperty('error');
    }
  });

  it('gives every platform of the catalog at least one supported host, so no build is dead weight', async () => {
    const catalog = await loadCatalog();
    const reached = new Set(SUPPORTED_HOSTS.map((host) => host.expected));
    expect(catalog.platforms.map((platform) => platform.name).filter((name) => !reached.has(name))).toEqual([]);
  });

  it('is decided by order: each host also matches the broad fallbacks listed after its own build', () => {
    const debian12 = SUPPORTED_HOSTS.find((host) => host.label === 'Debian 12');
    const fallback = builds.find((build) => build.platform === 'debian9');
    expect(debian12 && fallback && evaluateFilters(fallback.filters, entityOf(debian12))).toEqual({ matches: true });
  });
});

describe('filter syntax as otto (ES5) will see it', () => {
  it('accepts the expressions the catalog uses', () => {
    expect(filterProblem("entity.system.platform_version.split('.')[0] == '6'")).toBeUndefined();
    expect(filterProblem("['centos', 'rocky'].indexOf(entity.system.platform) >= 0")).toBeUndefined();
  });

  it('rejects what otto cannot run or what is not one expression', () => {
    expect(filterProblem("['a'].includes(entity.system.platform)")).toMatch(/ES5/);
    expect(filterProblem('entity.system.os == `linux`')).toMatch(/ES5/);
    expect(filterProblem("entity.system.os == 'linux'; true")).toMatch(/one expression/);
    expect(filterProblem("entity.system.os == 'linux') || (true")).toBeUndefined();
    expect(filterProblem("entity.system.os == 'linux'))")).toMatch(/not a valid JavaScript expression/);
    expect(filterProblem('')).toMatch(/empty/);
  });

  it('does not mistake string contents for code', () => {
    expect(filterProblem("entity.system.platform == 'a;b => c'")).toBeUndefined();
  });
});
