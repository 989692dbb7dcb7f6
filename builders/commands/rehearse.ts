import { spawn } from 'node:child_process';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { assetFileName } from '../artifacts.js';
import { REPO_ROOT, loadCatalog, locallyBuildable } from '../catalog.js';
import { UserError } from '../errors.js';
import { installTest } from '../install-test/install-test.js';
import { dockerClient, pingEngine } from '../lib/docker.js';
import { legRecord, type LegRecord } from '../rehearsal/leg.js';
import { allPassed, summaryTable } from '../rehearsal/summary.js';
import { verifyDist } from './verify.js';
import { defaultCacheDir, parseCommandArgs } from './options.js';

const HELP = `usage: npm run rehearse [-- --version VERSION]

Rehearses a release on this machine, as the rehearsal workflow does on GitHub's runners: builds
each locally buildable platform on its own (the release legs' command), merges them, verifies
the result, installs every asset as a Sensu agent does and runs the check cycle in each base
image present here, and prints the summary table. Platforms that only GitHub's runners can
build are listed as not built here; \`release --dry-run\` needs every platform, so only the
workflow runs it. Work and the merged dist/ are in <cache>/rehearsal/.

options:
  --version VERSION   the version to build the files as (default: 0.0.0-rehearsal)
`;

/** Runs our own command line in a child process, its progress on our stderr. */
function cli(args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'builders', 'cli.ts'), ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', reject);
    child.on('close', (code) => resolve(code ?? 1));
  });
}

export async function run(args: string[]): Promise<void> {
  const { values } = parseCommandArgs('rehearse', args, { help: { type: 'boolean', short: 'h' }, version: { type: 'string', default: '0.0.0-rehearsal' } });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const version = values.version;
  const catalog = await loadCatalog();
  const docker = dockerClient();
  await pingEngine(docker);
  const work = path.join(defaultCacheDir(), 'rehearsal');
  await rm(work, { recursive: true, force: true });
  await mkdir(work, { recursive: true, mode: 0o700 });

  // The release legs, one platform per build, one after the other.
  const local = locallyBuildable(catalog);
  const built: string[] = [];
  const records = new Map<string, LegRecord>();
  for (const platform of catalog.platforms.filter((entry) => !local.includes(entry))) {
    records.set(platform.name, { platform: platform.name, build: 'not run', install: { outcome: 'not run', reason: "built only on GitHub's runners", seconds: 0 } });
  }
  for (const platform of local) {
    const dist = path.join(work, `dist-${platform.name}`);
    process.stderr.write(`rehearse: building ${platform.name} as its release leg does\n`);
    const started = Date.now();
    const code = await cli(['build', '--platform', platform.name, '--version', version, '--dist', dist]);
    const outcome = code === 0 ? 'passed' : 'failed';
    if (code === 0) built.push(dist);
    records.set(platform.name, await legRecord({ platform: platform.name, build: outcome, buildSeconds: Math.round((Date.now() - started) / 1000), dist }));
  }

  const remote = catalog.platforms.filter((platform) => !local.includes(platform)).map((platform) => platform.name);
  const notes = remote.length === 0 ? [] : [
    `${remote.join(', ')}: built only on GitHub's runners: run the rehearsal workflow, and \`tsx builders/cli.ts install-test --dist DIR\` tests its dist artifact on the base images present here`,
  ];
  let failed = built.length < local.length;
  const merged = path.join(work, 'dist');
  if (built.length > 0 && (await cli(['merge', ...built, '--out', merged])) === 0) {
    // verify wants every platform; those only GitHub builds are expected to be missing here.
    const missingHere = catalog.platforms.filter((platform) => !local.includes(platform)).map((platform) => assetFileName(version, platform.name));
    const problems = (await verifyDist(merged)).filter((problem) => !missingHere.some((name) => problem.includes(name)));
    notes.push(problems.length === 0 ? `verify: ${merged} passes, but for the platforms built only on GitHub` : `verify: ${problems.length} problem(s):\n  ${problems.join('\n  ')}`);
    failed ||= problems.length > 0;

    for (const result of await installTest(docker, { dist: merged, platforms: local, log: (line) => process.stderr.write(`${line}\n`) })) {
      const record = records.get(result.platform) as LegRecord;
      record.install = { outcome: result.outcome, seconds: result.seconds, ...(result.reason === undefined ? {} : { reason: result.reason }) };
      failed ||= result.outcome === 'failed';
    }
  } else {
    notes.push('merge: nothing to verify or install (no build succeeded, or merge refused them)');
    failed = true;
  }
  notes.push(`release --dry-run: not run here (it needs every platform); the rehearsal workflow runs it`);

  const names = catalog.platforms.map((platform) => platform.name);
  process.stdout.write(`${summaryTable(names, [...records.values()], 'Local release rehearsal')}\n${notes.join('\n')}\n`);
  process.stdout.write(allPassed(names, [...records.values()]) ? 'every platform passed\n' : `merged dist/: ${merged}\n`);
  if (failed) throw new UserError('the rehearsal found problems: see the table above');
}
