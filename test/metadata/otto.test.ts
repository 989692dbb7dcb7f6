import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REPO_ROOT } from '../../builders/catalog.js';
import { filterProblem, matchingBuilds } from '../../builders/metadata/filters.js';
import { HOST_REPORTS, entityOf } from '../../builders/metadata/host-reports.js';
import { buildGoHelper, type GoHelper } from './go-helpers.js';

/**
 * The filters in the interpreter the agent really uses: otto, from Debian's
 * golang-github-robertkrimen-otto-dev (ef014fd, 2020; sensu-go pinned 15f95af, c382bd3, 201ab5b
 * and v0.2.1 over its releases), driven by test/metadata/otto/main.go the way sensu-go drives it.
 */

let helper: GoHelper | undefined;

interface OttoResult {
  matches: string[];
  errors: string[];
}

async function otto(builds: ReadonlyArray<{ name: string; filters: readonly string[] }>, hosts: ReadonlyArray<{ label: string; entity: unknown }>): Promise<Record<string, OttoResult>> {
  if (helper === undefined) throw new Error('the otto helper was not built');
  return JSON.parse(await helper.run([], JSON.stringify({ builds, hosts }))) as Record<string, OttoResult>;
}

beforeAll(async () => {
  helper = await buildGoHelper('otto');
}, 180_000);

afterAll(async () => {
  await helper?.remove();
});

describe('the filters, run in otto as the agent runs them', () => {
  it('give every host of the table the same builds in otto as in the proof, never an error, never two builds', async () => {
    const document = parse(await readFile(path.join(REPO_ROOT, '.bonsai.yml'), 'utf8')) as { builds: Array<{ platform: string; filter: string[] }> };
    const builds = document.builds.map((build) => ({ name: build.platform, filters: build.filter }));
    const results = await otto(builds, HOST_REPORTS.map((host) => ({ label: host.label, entity: entityOf(host) })));
    for (const host of HOST_REPORTS) {
      const proof = matchingBuilds(builds, entityOf(host));
      const expected = 'indexes' in proof ? proof.indexes.map((index) => builds[index]?.name) : [];
      expect(results[host.label], host.label).toEqual({ matches: expected, errors: [] });
      expect(expected.length, host.label).toBeLessThanOrEqual(1);
    }
  });

  it('fail in otto exactly where the ES5 gate refuses them', async () => {
    const refused = [
      "entity.system.os == 'linux') || (true",
      'parseInt(entity.system.platform_version, 10) ** 2 > 4',
      "['a'].some(p => p == entity.system.platform)",
      'entity.system.os == `linux`',
      "['centos', 'rocky'].includes(entity.system.platform)",
      "entity.system.platform_version.split('.').at(0) == '7'",
      "Object.values(entity.system).indexOf('linux') >= 0",
    ];
    const accepted = ["parseInt((entity.system.platform_version || '').split('.')[1], 10) >= 9", "['centos'].indexOf(entity.system.platform) >= 0"];
    const builds = [...refused, ...accepted].map((filter) => ({ name: filter, filters: [filter] }));
    const [host] = HOST_REPORTS;
    if (host === undefined) throw new Error('no host reports');
    const result = (await otto(builds, [{ label: 'host', entity: entityOf(host) }])).host;
    for (const filter of refused) {
      expect(filterProblem(filter), filter).toBeDefined();
      expect(result?.errors.some((error) => error.startsWith(`${filter}: `)), `otto runs ${filter}`).toBe(true);
    }
    for (const filter of accepted) expect(filterProblem(filter), filter).toBeUndefined();
    expect(result?.errors).toHaveLength(refused.length);
  });
});
