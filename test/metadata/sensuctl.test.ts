import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { REPO_ROOT, loadCatalog } from '../../builders/catalog.js';
import { CHECKS_FILE, exampleChecks } from '../../builders/metadata/checks.js';
import { buildFilters } from '../../builders/metadata/host-filters.js';
import { ASSET_FILE } from '../../builders/metadata/sensu-asset.js';
import { sensuctlParts, sensuctlProblems } from '../../builders/metadata/sensuctl.js';
import { distProblems, loadDist } from '../../builders/metadata/verify.js';
import { TEST_REPOSITORY, makeDist, tempDir } from '../release/synthetic-dist.js';
import { buildGoHelper, type GoHelper } from './go-helpers.js';

const catalog = await loadCatalog();
const all = catalog.platforms.map((platform) => platform.name);

describe('sensuctl create -f, replayed (split at lines starting with ---, each part one resource)', () => {
  it('splits as sensu-go cli/resource/parse.go does: comment-only and blank parts are kept, "----" splits too, CRLF is one line end', () => {
    expect(sensuctlParts('# note\n---\na: 1\n---\n\n---\nb: 2\n')).toEqual(['# note\n', 'a: 1\n', '\n', 'b: 2\n']);
    expect(sensuctlParts('a: 1\r\n----\r\nb: 2')).toEqual(['a: 1\n', 'b: 2\n']);
    expect(sensuctlParts('---\n---\n')).toEqual([]);
  });

  it('refuses a comment before the first ---, the way the checks file used to be written', () => {
    const [first, second] = exampleChecks();
    const before = `# Example checks\n${[first, second].map((check) => `---\n${stringify(check)}`).join('')}`;
    expect(sensuctlProblems(before)).toEqual(['resource 1 of 3: is empty (only comments or blank lines): sensuctl cannot decode it as a resource']);
  });

  it('requires type, api_version, metadata.name and spec in every part', () => {
    expect(sensuctlProblems('type: CheckConfig\nmetadata: {}\n')).toEqual([
      'resource 1 of 1: "api_version" must be a non-empty string',
      'resource 1 of 1: "metadata.name" is required',
      'resource 1 of 1: "spec" must be a mapping (sensuctl: no spec provided)',
    ]);
    expect(sensuctlProblems('')).toEqual(['the file holds no resource']);
  });

  it('accepts every YAML file a build writes to dist/, each part a complete Sensu resource', async () => {
    const dir = await tempDir('sensuctl');
    await makeDist(dir, { version: 'v1.2.3', platforms: all, catalog });
    const yamlFiles = (await readdir(dir)).filter((name) => /\.ya?ml$/.test(name)).sort();
    expect(yamlFiles).toEqual([ASSET_FILE, CHECKS_FILE].sort());
    const types: string[] = [];
    for (const name of yamlFiles) {
      const text = await readFile(path.join(dir, name), 'utf8');
      expect(sensuctlProblems(text), name).toEqual([]);
      types.push(...sensuctlParts(text).map((part) => (parse(part) as { type: string }).type));
    }
    expect(types.sort()).toEqual(['Asset', 'CheckConfig', 'CheckConfig']);
  });

  it('makes npm run verify fail for a dist/ YAML file sensuctl would refuse', async () => {
    const dir = await tempDir('sensuctl');
    await makeDist(dir, { version: '1.2.3', platforms: all, catalog });
    await writeFile(path.join(dir, CHECKS_FILE), `# comment\n---\n${await readFile(path.join(dir, CHECKS_FILE), 'utf8')}`);
    const problems = await distProblems({ dist: await loadDist(dir), catalog, repository: TEST_REPOSITORY, bonsaiText: await readFile(path.join(REPO_ROOT, '.bonsai.yml'), 'utf8') });
    expect(problems).toEqual([`sensuctl create -f ${CHECKS_FILE} would fail: resource 1 of 3: is empty (only comments or blank lines): sensuctl cannot decode it as a resource`]);
  });
});

describe("sensuctl's own parser (test/metadata/sensuctl: the split of cli/resource/parse.go over ghodss/yaml and yaml.v2)", () => {
  let sensuctl: GoHelper | undefined;
  beforeAll(async () => {
    sensuctl = await buildGoHelper('sensuctl');
  }, 180_000);
  afterAll(async () => {
    await sensuctl?.remove();
  });

  interface Parsed {
    type?: string;
    api_version?: string;
    name?: string;
    spec?: Record<string, unknown>;
    error?: string;
  }
  const parseFile = async (file: string): Promise<Parsed[]> => {
    if (sensuctl === undefined) throw new Error('the sensuctl helper was not built');
    return JSON.parse(await sensuctl.run([file])) as Parsed[];
  };

  it('decodes every YAML file of dist/ into complete resources, the filters exactly as generated', async () => {
    const dir = await tempDir('sensuctl');
    await makeDist(dir, { version: 'v1.2.3', platforms: all, catalog });
    const resources: Parsed[] = [];
    for (const name of (await readdir(dir)).filter((file) => /\.ya?ml$/.test(file)).sort()) resources.push(...(await parseFile(path.join(dir, name))));
    expect(resources.map(({ spec: _spec, ...wrapper }) => wrapper)).toEqual([
      { type: 'Asset', api_version: 'core/v2', name: 'sensu-tripwire' },
      { type: 'CheckConfig', api_version: 'core/v2', name: 'tripwire-system' },
      { type: 'CheckConfig', api_version: 'core/v2', name: 'tripwire-web' },
    ]);
    const builds = (resources[0]?.spec as { builds: Array<{ filters: string[] }> }).builds;
    expect(builds.map((build) => build.filters)).toEqual(catalog.platforms.map((platform) => buildFilters(platform, catalog)));
    expect(resources.slice(1).map((check) => (check.spec as { command: string }).command)).toEqual(exampleChecks().map((check) => check.spec.command));
  });

  it('meets the empty resource the old checks file began with', async () => {
    const dir = await tempDir('sensuctl');
    const old = path.join(dir, 'old-checks.yml');
    await writeFile(old, `# Example checks\n${exampleChecks().map((check) => `---\n${stringify(check)}`).join('')}`);
    expect((await parseFile(old))[0]).toEqual({ error: 'null: not a resource' });
  });
});
