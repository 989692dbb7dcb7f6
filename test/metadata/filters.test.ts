import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REPO_ROOT, loadCatalog } from '../../builders/catalog.js';
import { evaluateFilters, filterProblem, matchingBuilds } from '../../builders/metadata/filters.js';
import { catalogBuilds } from '../../builders/metadata/host-filters.js';
import { proveHosts, type ProvenBuild } from '../../builders/metadata/host-proof.js';
import { HOST_REPORTS, entityOf, type HostReport } from '../../builders/metadata/host-reports.js';

const catalog = await loadCatalog();

/** The committed .bonsai.yml, as Bonsai serves it to agents, with each build's C library from the catalog. */
async function committedBuilds(): Promise<ProvenBuild[]> {
  const document = parse(await readFile(path.join(REPO_ROOT, '.bonsai.yml'), 'utf8')) as { builds: Array<{ platform: string; arch: string; filter: string[] }> };
  return document.builds.map((build) => {
    const platform = catalog.platforms.find((candidate) => candidate.name === build.platform);
    if (platform === undefined) throw new Error(`.bonsai.yml build ${build.platform} is not in the catalog`);
    return { name: build.platform, arch: build.arch, libc: platform.libc, libcVersion: platform.libcVersion, filters: build.filter };
  });
}

function host(label: string): HostReport {
  const found = HOST_REPORTS.find((candidate) => candidate.label === label);
  if (found === undefined) throw new Error(`no host ${label} in the table`);
  return found;
}

describe('the committed .bonsai.yml, replayed over real agent reports', async () => {
  const builds = await committedBuilds();
  const proof = proveHosts(builds, HOST_REPORTS);

  it('gives every host at most one build, of its architecture and C library, never newer than its C library, and a build wherever one runs', () => {
    expect(proof.problems).toEqual([]);
  });

  it.each([
    ['Amazon Linux 2', 'centos7'],
    ['Amazon Linux 2023', 'centos7'],
    ['CentOS 6.10', 'centos6'],
    ['Debian 7', 'centos6'],
    ['Debian 8', 'centos7'],
    ['Ubuntu 16.04', 'centos7'],
    ['Debian 10', 'debian9'],
    ['Debian 11', 'debian11'],
    ['Debian 12', 'debian12'],
    ['Debian 13', 'debian12'],
    ['Ubuntu 22.04', 'debian11'],
    ['Fedora 40', 'centos7'],
    ['openSUSE Leap 15.5', 'centos7'],
    ['SLES 15 SP5', 'centos7'],
    ['Arch Linux', 'centos7'],
    ['Arch Linux, agent 6.6', 'centos7'],
    ['Rocky Linux 9.3, agent 6.4', 'centos7'],
    ['AlmaLinux 8.9, agent 6.9', 'centos7'],
    ['Alpine 3.21', 'alpine3.9'],
  ])('%s installs %s', (label, expected) => {
    expect(proof.assignments.find((assignment) => assignment.host === host(label))?.build?.name).toBe(expected);
  });

  it.each(['SLES 11 SP4', 'CentOS 5.11', 'Debian 12 on arm64', 'Windows Server 2019'])('%s installs nothing (C library older than every build, or no build of its kind)', (label) => {
    expect(matchingBuilds(builds, entityOf(host(label)))).toEqual({ indexes: [] });
  });

  it('matches the same builds whatever order Bonsai serves them in (with one match at most, first-match and most-filters-wins agree)', () => {
    for (const report of HOST_REPORTS) {
      const entity = entityOf(report);
      const forward = matchingBuilds(builds, entity);
      const backward = matchingBuilds([...builds].reverse(), entity);
      expect('indexes' in forward && 'indexes' in backward).toBe(true);
      const names = (result: typeof forward, list: readonly ProvenBuild[]) => ('indexes' in result ? result.indexes.map((index) => list[index]?.name) : []);
      expect(names(backward, [...builds].reverse()), report.label).toEqual(names(forward, builds));
    }
  });

  it('never gives two builds to any entity of a grid of platform ids, versions (empty, absent, odd) and C library types', () => {
    const compiled = builds.map((build) => ({ name: build.name, tests: build.filters.map((filter) => new Function('entity', `return (${filter});`) as (entity: unknown) => unknown) }));
    const ids = [...new Set(catalog.platforms.flatMap((platform) => [...platform.serves.hosts, ...(platform.serves.fallback?.except ?? [])].flatMap((set) => set.platforms)))];
    const versions = [undefined, '', 'rolling', 'rawhide', 'trixie/sid', '15-SP5', '2023.6.20241212', ...['1', '2', '3', '5', '6', '7', '8', '9', '10', '11', '12', '13', '14', '16', '17', '18', '19', '20', '22', '24', '40'].flatMap((major) => [major, `${major}.0`, `${major}.2`, `${major}.9.1`, `${major}.04`])];
    let checked = 0;
    for (const platform of [...ids, 'fedora', 'opensuse-leap', 'sles', 'arch', 'gentoo', 'void', '', undefined]) {
      for (const version of versions) {
        for (const libc of ['glibc', 'musl', '', undefined]) {
          const system: Record<string, string> = { os: 'linux', arch: 'amd64' };
          if (platform !== undefined) system.platform = platform;
          if (version !== undefined) system.platform_version = version;
          if (libc !== undefined) system.libc_type = libc;
          const matched = compiled.filter((build) => build.tests.every((test) => test({ system })));
          expect(matched.length, `${JSON.stringify(system)} matches ${matched.map((build) => build.name).join(' and ')}`).toBeLessThanOrEqual(1);
          checked += 1;
        }
      }
    }
    expect(checked).toBeGreaterThan(1000);
  });

  it('is what the catalog generates, and every build is reached by some host', () => {
    expect(builds.map((build) => build.filters)).toEqual(catalogBuilds(catalog).map((build) => build.filters));
    const reached = new Set(proof.assignments.map((assignment) => assignment.build?.name));
    expect(builds.map((build) => build.name).filter((name) => !reached.has(name))).toEqual([]);
  });

  it('passes the ES5 gate with every filter', () => {
    for (const build of builds) for (const filter of build.filters) expect(filterProblem(filter), filter).toBeUndefined();
  });
});

describe('the host proof', () => {
  const linuxAmd64 = "entity.system.os == 'linux' && entity.system.arch == 'amd64'";
  const build = (name: string, filter: string, libcVersion = '2.17', libc: 'glibc' | 'musl' = 'glibc', arch = 'amd64'): ProvenBuild => ({ name, arch, libc, libcVersion, filters: [linuxAmd64, filter] });
  const debian12 = [host('Debian 12')];

  it('refuses overlapping builds', () => {
    const { problems } = proveHosts([build('a', "entity.system.platform == 'debian'"), build('b', "entity.system.platform_family == 'debian'", '2.24')], debian12);
    expect(problems).toEqual(['Debian 12 matches a and b: builds must be disjoint']);
  });

  it('refuses a build whose C library is newer than the host’s, of another C library or another architecture', () => {
    expect(proveHosts([build('new', 'true', '2.41')], debian12).problems).toEqual([expect.stringMatching(/^Debian 12 \(glibc 2\.36, amd64\) gets new \(glibc 2\.41, amd64\), which cannot run there$/)]);
    expect(proveHosts([build('musl', 'true', '1.1.20', 'musl')], debian12).problems).toEqual([expect.stringMatching(/gets musl \(musl 1\.1\.20/)]);
    expect(proveHosts([{ ...build('arm', 'true'), filters: ['true'], arch: 'arm64' }], debian12).problems).toEqual([expect.stringMatching(/gets arm .*arm64\), which cannot run there/)]);
  });

  it('refuses to leave a host without a build when one would run there', () => {
    expect(proveHosts([build('c7', "entity.system.platform == 'centos'")], debian12).problems).toEqual(['Debian 12 (glibc 2.36) gets no build, although c7 would run there']);
  });

  it('reports a filter that throws, which would make the agent refuse the whole asset', () => {
    const arch = [host('Arch Linux, agent 6.6')];
    expect(proveHosts([build('old', "entity.system.platform_version.split('.')[0] == '7'")], arch).problems).toEqual([
      expect.stringMatching(/^Arch Linux, agent 6\.6: build old: filter .* threw: .*undefined/),
      expect.stringMatching(/gets no build/),
    ]);
  });
});

describe('the ES5 gate (otto runs every filter as an ES5 program)', () => {
  it.each([
    ["entity.system.os == 'linux') || (true", /not an ES5 expression/],
    ['parseInt(entity.system.platform_version, 10) ** 2 > 4', /not an ES5 expression/],
    ["['a'].some(p => p == entity.system.platform)", /not an ES5 expression/],
    ['entity.system.os == `linux`', /not an ES5 expression/],
    ["['centos', 'rocky'].includes(entity.system.platform)", /\.includes\(\) is not an ES5 method otto has/],
    ["entity.system.platform_version.split('.').at(0) == '7'", /\.at\(\) is not an ES5 method otto has/],
    ["Object.values(entity.system).indexOf('linux') >= 0", /unknown name "Object"/],
    ["entity.system.os == 'linux'; true", /exactly one expression/],
    ["entity.system.os = 'linux'", /AssignmentExpression is not allowed/],
    ['(function () { return true; })()', /only named functions and methods may be called/],
    ['', /empty/],
  ])('rejects %s', (filter, problem) => {
    expect(filterProblem(filter)).toMatch(problem);
  });

  it('accepts ES5 expressions over entity with methods otto has, and string contents that merely look like code', () => {
    expect(filterProblem("parseInt((entity.system.platform_version || '').split('.')[0], 10) >= 7")).toBeUndefined();
    expect(filterProblem("['centos', 'rocky'].indexOf(entity.system.platform) >= 0 && !(entity.system.libc_type == 'musl')")).toBeUndefined();
    expect(filterProblem("entity.system.platform == 'a;b => c'")).toBeUndefined();
  });

  it('evaluates a filter as the agent does: a throw is an error, not a mismatch', () => {
    expect(evaluateFilters(["entity.system.platform_version.split('.')[0] == '7'"], { system: {} })).toEqual({ error: expect.stringMatching(/threw/) });
    expect(evaluateFilters(["(entity.system.platform_version || '').split('.')[0] == '7'"], { system: {} })).toEqual({ matches: false });
  });
});
