import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REPO_ROOT, loadCatalog } from '../../builders/catalog.js';

const exec = promisify(execFile);

interface Step {
  id?: string;
  name?: string;
  if?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
interface Job {
  needs?: string | string[];
  if?: string;
  uses?: string;
  with?: Record<string, string>;
  permissions?: Record<string, string>;
  strategy?: { 'fail-fast'?: boolean; matrix?: unknown };
  env?: Record<string, string>;
  outputs?: Record<string, string>;
  steps?: Step[];
}
interface Workflow {
  on: Record<string, { tags?: string[]; paths?: string[]; inputs?: Record<string, unknown> } | null>;
  permissions?: Record<string, string>;
  defaults?: { run?: { shell?: string } };
  jobs: Record<string, Job>;
}

const WORKFLOWS = ['ci.yml', 'release.yml', 'rehearse.yml', 'build-platforms.yml'];
const SHARED = './.github/workflows/build-platforms.yml';

async function workflowText(name: string): Promise<string> {
  return readFile(path.join(REPO_ROOT, '.github', 'workflows', name), 'utf8');
}
async function workflow(name: string): Promise<Workflow> {
  return parse(await workflowText(name)) as Workflow;
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

const steps = (job: Job | undefined): Step[] => job?.steps ?? [];
const runs = (job: Job | undefined): string[] => steps(job).flatMap((step) => (step.run === undefined ? [] : [step.run]));

const release = await workflow('release.yml');
const rehearse = await workflow('rehearse.yml');
const shared = await workflow('build-platforms.yml');
const ci = await workflow('ci.yml');
const catalog = await loadCatalog();

describe('release workflow', () => {
  it('runs on version tags with or without a leading v, and not on other tags', () => {
    const filters = (release.on.push?.tags ?? []).map(tagFilter);
    const matches = (tag: string): boolean => filters.some((filter) => filter.test(tag));
    for (const tag of ['1.2.3', 'v1.2.3', 'v0.1.0-rc.1', '10.20.30']) expect(matches(tag), tag).toBe(true);
    for (const tag of ['latest', 'release-1.2.3', 'v1.2', 'x1.2.3']) expect(matches(tag), tag).toBe(false);
  });

  it('builds through the shared workflow, named after the tag, then publishes the merged, verified dist/', () => {
    expect(release.jobs.build).toEqual({ uses: SHARED, with: { version: '${{ github.ref_name }}' } });
    const publish = release.jobs.publish;
    expect(publish?.needs).toBe('build');
    expect(steps(publish).find((step) => step.uses?.startsWith('actions/download-artifact@'))?.with).toEqual({ name: 'dist', path: 'dist' });
    expect(runs(publish).filter((run) => run.startsWith('npm run '))).toEqual(['npm run verify', 'npm run release -- --tag "$GITHUB_REF_NAME"']);
  });

  it('gives the token write access only where the release is published', () => {
    expect(release.permissions).toEqual({ contents: 'read' });
    for (const [name, job] of Object.entries(release.jobs)) {
      expect(job.permissions, name).toEqual(name === 'publish' ? { contents: 'write' } : undefined);
      const usesToken = steps(job).some((step) => Object.values(step.env ?? {}).some((value) => value.includes('secrets.GITHUB_TOKEN')));
      expect(usesToken, name).toBe(name === 'publish');
    }
  });
});

describe('the shared build (build-platforms.yml), which release and rehearsal both run', () => {
  it('is only a reusable workflow, read-only, taking the version as input', () => {
    expect(Object.keys(shared.on)).toEqual(['workflow_call']);
    expect(Object.keys(shared.on.workflow_call?.inputs ?? {})).toEqual(['version']);
    expect(shared.permissions).toEqual({ contents: 'read' });
    for (const [name, job] of Object.entries(shared.jobs)) expect(job.permissions, name).toBeUndefined();
  });

  it('reads the matrix from the catalog: the matrix command lists every platform, and the legs take it whole', async () => {
    expect(shared.jobs.build?.strategy?.matrix).toBe('${{ fromJSON(needs.plan.outputs.matrix) }}');
    const { stdout } = await exec('npx', ['tsx', 'builders/cli.ts', 'matrix'], { cwd: REPO_ROOT });
    expect(JSON.parse(stdout)).toEqual({ platform: catalog.platforms.map((platform) => platform.name) });
  });

  it('lets every leg finish: fail-fast is off', () => {
    expect(shared.jobs.build?.strategy?.['fail-fast']).toBe(false);
  });

  it('prepares each leg for its platform only, and builds and install-tests that platform', () => {
    const build = shared.jobs.build;
    expect(build?.env?.PLATFORM).toBe('${{ matrix.platform }}');
    expect(build?.env?.VERSION).toBe('${{ inputs.version }}');
    const legRuns = runs(build).join('\n');
    expect(legRuns).toContain('npm run setup -- --platform "$PLATFORM"');
    expect(legRuns).not.toMatch(/npm run setup\s*$/m);
    expect(legRuns).toContain('npm run build -- --platform "$PLATFORM" --version "$VERSION"');
    expect(legRuns).toContain('builders/cli.ts install-test --platform "$PLATFORM" --require-run --report leg/install-test.json');
    const record = steps(build).find((step) => step.run?.includes('builders/cli.ts rehearsal-record'));
    expect(record?.if).toBe('always()');
    expect(steps(build).find((step) => step.uses?.startsWith('actions/upload-artifact@') && step.with?.name === 'leg-${{ matrix.platform }}')?.if).toBe('always()');
    expect(steps(build).find((step) => step.uses?.startsWith('actions/upload-artifact@') && step.with?.name === 'dist-${{ matrix.platform }}')).toBeDefined();
  });

  it('passes the mirror variables from repository variables to every leg', () => {
    for (const name of ['SENSU_TRIPWIRE_DEBIAN_MIRROR', 'SENSU_TRIPWIRE_CENTOS_VAULT_MIRROR', 'SENSU_TRIPWIRE_DEBIAN_ARCHIVE_MIRROR']) {
      expect(shared.jobs.build?.env?.[name]).toBe(`\${{ vars.${name} }}`);
    }
  });

  it('writes the summary table with our command, then merges and verifies only when every leg passed', () => {
    const merge = shared.jobs.merge;
    expect(merge?.if).toBe("always() && needs.plan.result == 'success'");
    const commands = runs(merge);
    const summary = commands.findIndex((run) => run.includes('builders/cli.ts rehearsal-summary --legs legs') && run.includes('>> "$GITHUB_STEP_SUMMARY"'));
    const gate = commands.findIndex((run) => run.includes('"$BUILD_RESULT" != success'));
    const mergeIndex = commands.indexOf('npm run merge -- parts/dist-* --out dist');
    expect(summary).toBeGreaterThanOrEqual(0);
    expect(gate).toBeGreaterThan(summary);
    expect(mergeIndex).toBeGreaterThan(gate);
    expect(commands.indexOf('npm run verify')).toBeGreaterThan(mergeIndex);
    expect(merge?.env?.BUILD_RESULT).toBe('${{ needs.build.result }}');
  });
});

describe('the matrix step fails where its command fails', () => {
  let work: string;
  const matrixScript = (): string => steps(shared.jobs.plan).find((step) => step.id === 'matrix')?.run as string;
  // The workflow's default shell: `shell: bash` runs `bash --noprofile --norc -eo pipefail {0}`.
  const runStep = async (extraPath?: string): Promise<{ code: number; output: string }> => {
    const output = path.join(work, `output-${Math.random().toString(16).slice(2)}`);
    await writeFile(output, '');
    const script = path.join(work, 'step.sh');
    await writeFile(script, matrixScript());
    const env = { ...process.env, GITHUB_OUTPUT: output, PATH: extraPath === undefined ? (process.env.PATH ?? '') : `${extraPath}:${process.env.PATH ?? ''}` };
    const code = await exec('bash', ['--noprofile', '--norc', '-eo', 'pipefail', script], { cwd: REPO_ROOT, env }).then(
      () => 0,
      (error: { code?: number }) => error.code ?? 1,
    );
    return { code, output: await readFile(output, 'utf8') };
  };

  beforeAll(async () => {
    work = await mkdtemp(path.join(os.tmpdir(), 'sensu-tripwire-matrix-step-'));
  });
  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('uses bash with pipefail in every workflow that runs commands', () => {
    for (const flow of [release, rehearse, shared]) expect(flow.defaults?.run?.shell).toBe('bash');
  });

  it('writes the catalog matrix to GITHUB_OUTPUT when the command succeeds', async () => {
    const result = await runStep();
    expect(result.code).toBe(0);
    expect(result.output).toBe(`matrix=${JSON.stringify({ platform: catalog.platforms.map((platform) => platform.name) })}\n`);
  });

  it('stops with the failing command and writes no matrix (instead of an empty one for fromJSON)', async () => {
    const bin = path.join(work, 'bin');
    await mkdir(bin, { recursive: true });
    await writeFile(path.join(bin, 'npx'), '#!/bin/sh\necho "error: platforms.yaml is not valid YAML" >&2\nexit 1\n');
    await chmod(path.join(bin, 'npx'), 0o755);
    const result = await runStep(bin);
    expect(result.code).toBe(1);
    expect(result.output).toBe('');
  });
});

describe('rehearsal workflow', () => {
  it('runs by hand and on pull requests that change what a build depends on', () => {
    expect(Object.keys(rehearse.on).sort()).toEqual(['pull_request', 'workflow_dispatch']);
    const paths = rehearse.on.pull_request?.paths ?? [];
    for (const wanted of ['platforms.yaml', 'dockerfiles/**', 'tripwire-src/**', 'wrappers/**', 'builders/**']) expect(paths).toContain(wanted);
  });

  it('runs the very build the release runs, under a version of its own', () => {
    const version = "${{ inputs.version || format('0.0.0-rehearsal.{0}', github.run_number) }}";
    expect(rehearse.jobs.build).toEqual({ uses: SHARED, with: { version } });
    expect(rehearse.jobs['dry-run']?.env?.VERSION).toBe(version);
  });

  it('publishes nothing: read-only token, no secrets, and release only with --dry-run', async () => {
    expect(rehearse.permissions).toEqual({ contents: 'read' });
    for (const [name, job] of Object.entries(rehearse.jobs)) expect(job.permissions, name).toBeUndefined();
    for (const name of ['rehearse.yml', 'build-platforms.yml']) expect(await workflowText(name), name).not.toMatch(/secrets\./);
    const releases = Object.values(rehearse.jobs).flatMap(runs).filter((run) => run.includes('npm run release'));
    expect(releases).toEqual(['npm run release -- --tag "$VERSION" --dry-run']);
    expect(Object.values(shared.jobs).flatMap(runs).join('\n')).not.toContain('npm run release');
  });

  it('shares every build step with the release: neither builds anything itself', async () => {
    for (const flow of [release, rehearse]) {
      const own = Object.values(flow.jobs).flatMap(runs).join('\n');
      for (const command of ['npm run build', 'npm run setup', 'npm run merge', 'install-test']) expect(own).not.toContain(command);
    }
    // Every workflow that builds a platform is the shared one.
    const builders: string[] = [];
    for (const name of await readdir(path.join(REPO_ROOT, '.github', 'workflows'))) {
      if ((await workflowText(name)).includes('npm run build -- --platform')) builders.push(name);
    }
    expect(builders).toEqual(['build-platforms.yml']);
  });
});

describe('ci workflow', () => {
  it("runs the README's test command on push and pull request, read-only", () => {
    expect(Object.keys(ci.on).sort()).toEqual(['pull_request', 'push']);
    expect(ci.permissions).toEqual({ contents: 'read' });
    expect(Object.values(ci.jobs).flatMap(runs).some((run) => /\bnpm test$/.test(run))).toBe(true);
  });
});

describe('every workflow', () => {
  it('pins each action by a full commit SHA, with the version it is in a comment, one SHA per action everywhere', async () => {
    const pins = new Map<string, Set<string>>();
    for (const name of WORKFLOWS) {
      const text = await workflowText(name);
      const uses = [...text.matchAll(/uses:\s*(\S+)(.*)$/gm)];
      expect(uses.length, name).toBeGreaterThan(0);
      for (const [, ref, rest] of uses) {
        if (ref === SHARED) continue;
        expect(ref, `${name}: ${ref}`).toMatch(/^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/);
        expect(rest, `${name}: ${ref}`).toMatch(/# v\d+\.\d+\.\d+/);
        const [action, sha] = (ref as string).split('@') as [string, string];
        pins.set(action, (pins.get(action) ?? new Set()).add(sha));
      }
    }
    for (const [action, shas] of pins) expect([...shas], action).toHaveLength(1);
  });

  it('lists exactly the workflows this test reads', async () => {
    expect((await readdir(path.join(REPO_ROOT, '.github', 'workflows'))).sort()).toEqual([...WORKFLOWS].sort());
  });
});
