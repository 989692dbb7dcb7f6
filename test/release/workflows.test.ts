import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REPO_ROOT, loadCatalog } from '../../builders/catalog.js';

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
interface Job {
  needs?: string | string[];
  permissions?: Record<string, string>;
  strategy?: { matrix?: unknown };
  env?: Record<string, string>;
  outputs?: Record<string, string>;
  steps: Step[];
}
interface Workflow {
  on: Record<string, { tags?: string[] } | null>;
  permissions?: Record<string, string>;
  jobs: Record<string, Job>;
}

async function workflow(name: string): Promise<Workflow> {
  return parse(await readFile(path.join(REPO_ROOT, '.github', 'workflows', name), 'utf8')) as Workflow;
}

/** GitHub's filter-pattern syntax for tags (*, +, ?, [...]), as a regular expression. */
function tagFilter(pattern: string): RegExp {
  let source = '';
  for (const char of pattern) {
    if (char === '*') source += '[^/]*';
    else if (char === '+' || char === '?') source += char;
    else if (char === '[' || char === ']' || char === '-' || /[0-9a-z]/i.test(char)) source += char;
    else source += `\\${char}`;
  }
  return new RegExp(`^${source}$`);
}

const release = await workflow('release.yml');
const ci = await workflow('ci.yml');

describe('release workflow', () => {
  it('runs on version tags with or without a leading v, and not on other tags', () => {
    const filters = (release.on.push?.tags ?? []).map(tagFilter);
    const matches = (tag: string): boolean => filters.some((filter) => filter.test(tag));
    for (const tag of ['1.2.3', 'v1.2.3', 'v0.1.0-rc.1', '10.20.30']) expect(matches(tag), tag).toBe(true);
    for (const tag of ['latest', 'release-1.2.3', 'v1.2', 'x1.2.3']) expect(matches(tag), tag).toBe(false);
  });

  it('builds the matrix from the catalog: the plan job prints it with the matrix command, which lists every platform', async () => {
    const plan = release.jobs.plan;
    expect(plan?.steps.some((step) => step.run?.includes('builders/cli.ts matrix') && step.run.includes('$GITHUB_OUTPUT'))).toBe(true);
    expect(release.jobs.build?.strategy?.matrix).toBe('${{ fromJSON(needs.plan.outputs.matrix) }}');
    const { stdout } = await promisify(execFile)('npx', ['tsx', 'builders/cli.ts', 'matrix'], { cwd: REPO_ROOT });
    const catalog = await loadCatalog();
    expect(JSON.parse(stdout)).toEqual({ platform: catalog.platforms.map((platform) => platform.name) });
  });

  it('builds one platform per runner, keeps each as an artifact, then merges, verifies and publishes in one job', () => {
    const build = release.jobs.build;
    expect(build?.env?.PLATFORM).toBe('${{ matrix.platform }}');
    expect(build?.steps.some((step) => step.run?.includes('npm run build -- --platform "$PLATFORM" --version "$GITHUB_REF_NAME"'))).toBe(true);
    expect(build?.steps.find((step) => step.uses?.startsWith('actions/upload-artifact@'))?.with?.name).toBe('dist-${{ matrix.platform }}');
    const runs = (release.jobs.publish?.steps ?? []).map((step) => step.run ?? '').filter((run) => run !== '');
    expect(runs.filter((run) => run.startsWith('npm run '))).toEqual(['npm run merge -- parts/dist-* --out dist', 'npm run verify', 'npm run release -- --tag "$GITHUB_REF_NAME"']);
  });

  it('passes the EOL mirrors from repository variables to the builds', () => {
    for (const name of ['SENSU_TRIPWIRE_CENTOS_VAULT_MIRROR', 'SENSU_TRIPWIRE_DEBIAN_ARCHIVE_MIRROR']) {
      expect(release.jobs.build?.env?.[name]).toBe(`\${{ vars.${name} }}`);
    }
  });

  it('gives the token write access only where the release is published', () => {
    expect(release.permissions).toEqual({ contents: 'read' });
    for (const [name, job] of Object.entries(release.jobs)) {
      expect(job.permissions, name).toEqual(name === 'publish' ? { contents: 'write' } : undefined);
      const usesToken = job.steps.some((step) => Object.values(step.env ?? {}).some((value) => value.includes('secrets.GITHUB_TOKEN')));
      expect(usesToken, name).toBe(name === 'publish');
    }
  });
});

describe('ci workflow', () => {
  it("runs the README's test command on push and pull request, read-only", () => {
    expect(Object.keys(ci.on).sort()).toEqual(['pull_request', 'push']);
    expect(ci.permissions).toEqual({ contents: 'read' });
    expect(Object.values(ci.jobs).flatMap((job) => job.steps).some((step) => /\bnpm test$/.test(step.run ?? ''))).toBe(true);
  });
});

describe('every workflow', () => {
  it('pins each action by a full commit SHA, with the version it is in a comment', async () => {
    for (const name of ['ci.yml', 'release.yml']) {
      const text = await readFile(path.join(REPO_ROOT, '.github', 'workflows', name), 'utf8');
      const uses = [...text.matchAll(/uses:\s*(\S+)(.*)$/gm)];
      expect(uses.length, name).toBeGreaterThan(0);
      for (const [, ref, rest] of uses) {
        expect(ref, `${name}: ${ref}`).toMatch(/^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/);
        expect(rest, `${name}: ${ref}`).toMatch(/# v\d+\.\d+\.\d+/);
      }
    }
  });
});
