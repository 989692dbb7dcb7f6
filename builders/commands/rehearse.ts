import { spawn } from 'node:child_process';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { REPO_ROOT, loadCatalog, locallyBuildable } from '../catalog.js';
import { UserError } from '../errors.js';
import { dockerClient, pingEngine } from '../lib/docker.js';
import { rehearseBuilt, type BuiltLeg } from '../rehearsal/local.js';
import { summaryTable } from '../rehearsal/summary.js';
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
  const legs: BuiltLeg[] = [];
  for (const platform of locallyBuildable(catalog)) {
    const dist = path.join(work, `dist-${platform.name}`);
    process.stderr.write(`rehearse: building ${platform.name} as its release leg does\n`);
    const started = Date.now();
    const code = await cli(['build', '--platform', platform.name, '--version', version, '--dist', dist]);
    legs.push({ platform: platform.name, seconds: Math.round((Date.now() - started) / 1000), ...(code === 0 ? { dist } : {}) });
  }
  const rehearsal = await rehearseBuilt(docker, { catalog, version, legs, merged: path.join(work, 'dist'), log: (line) => process.stderr.write(`${line}\n`) });

  const names = catalog.platforms.map((platform) => platform.name);
  process.stdout.write(`${summaryTable(names, rehearsal.records, 'Local release rehearsal')}\n${rehearsal.notes.join('\n')}\nmerged dist/: ${rehearsal.merged}\n`);
  if (rehearsal.failed) throw new UserError('the rehearsal found problems: see the table above');
}
