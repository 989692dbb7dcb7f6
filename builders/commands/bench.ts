import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFile, copyFile, cp, mkdir, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { create as createTar, extract } from 'tar';
import { assetFileName, readArtifactsManifest } from '../artifacts.js';
import { REPO_ROOT } from '../catalog.js';
import { UserError } from '../errors.js';
import { benchTable, evaluate, summarize, type BenchRow } from '../lib/bench-stats.js';
import { closeLog, openLog } from '../lib/build-log.js';
import { dockerClient, runIsolated } from '../lib/docker.js';
import { loadSourceManifest, PATCH_DIR } from '../lib/source-manifest.js';
import { BUILD_SCRIPT, DOCKERFILES_DIR } from '../lib/toolchain.js';
import { WRAPPERS_DIR } from '../lib/wrapper-files.js';
import { resolveSourceDateEpoch } from '../version.js';
import { COMPILE_SOURCE_DATE_EPOCH } from '../stages/compile.js';
import { defaultCacheDir, parseCommandArgs } from './options.js';

const HELP = `usage: npm run bench -- [options]

Measures, side by side in one run, what issue 11 sets goals for, and prints a table (medians,
min–max) and writes it as JSON to <cache-dir>/bench/results-<time>.json:
  cold build of --platform (pipeline, --no-cache) vs the bare build script in the same toolchain image
  no-op rebuild of the local platforms; rebuild after a wrapper-only change
  tripwire-check.sh vs bare tripwire --check on a generated tree of --files files
  first run (keys + baseline) vs bare twadmin --generate-keys x2, --create-cfgfile,
    --create-polfile and tripwire --init of the same tree
  the asset's size vs a prototype-style tarball of the same binaries (unstripped, with twtest
    and the toolchain's shared libstdc++ and libgcc_s)
Not a test: nothing here fails on a missed goal, it says NO in the table.

options:
  --runs N           runs of each quick measurement (default 5)
  --compile-runs N   cold build / bare compile pairs (default 3; each is a full compile)
  --platform NAME    the platform compiled and checked (default debian12; its binaries must run here)
  --files N          files in the generated tree (default 10000)
  --cache-dir DIR    as for build (default: $SENSU_TRIPWIRE_CACHE_DIR or .cache/)
`;

const VERSION = '0.0.0-bench';

export async function run(args: string[]): Promise<void> {
  const { values } = parseCommandArgs('bench', args, {
    runs: { type: 'string', default: '5' },
    'compile-runs': { type: 'string', default: '3' },
    platform: { type: 'string', default: 'debian12' },
    files: { type: 'string', default: '10000' },
    'cache-dir': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const runs = count('--runs', values.runs);
  const compileRuns = count('--compile-runs', values['compile-runs']);
  const files = count('--files', values.files);
  const platform = values.platform ?? 'debian12';
  const cacheDir = path.resolve(values['cache-dir'] ?? defaultCacheDir());
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '');
  const work = path.join(cacheDir, 'bench', stamp);
  await mkdir(work, { recursive: true, mode: 0o700 });
  const say = (message: string) => process.stderr.write(`bench: ${message}\n`);
  const env = { SOURCE_DATE_EPOCH: String(await resolveSourceDateEpoch()) };
  const build = (dist: string, extra: string[]) =>
    timed(() => cli(['build', '--version', VERSION, '--dist', dist, '--cache-dir', cacheDir, ...extra], env));

  say('warming up: build --platform local (fills the compile cache)');
  let warm = path.join(work, 'dist-warm');
  await build(warm, ['--platform', 'local']);
  if (!(await readArtifactsManifest(warm)).artifacts.some((entry) => entry.platform === platform)) {
    warm = path.join(work, 'dist-warm-platform');
    await build(warm, ['--platform', platform]);
  }
  const artifact = (await readArtifactsManifest(warm)).artifacts.find((entry) => entry.platform === platform);
  if (artifact === undefined) throw new UserError(`bench: the warm-up build made no ${platform} asset`);

  const rows: BenchRow[] = [];
  const push = (row: BenchRow) => {
    rows.push(row);
    say(`measured: ${benchTable([evaluate(row)]).split('\n')[1]}`);
  };

  say(`no-op rebuild of the local platforms, ${runs} runs`);
  const noop: number[] = [];
  for (let index = 0; index < runs; index += 1) noop.push(await build(path.join(work, 'dist-noop'), ['--platform', 'local']));
  push({ name: 'no-op rebuild (local platforms)', unit: 's', measured: summarize(noop), goal: { kind: 'absolute', limit: 3 } });

  say(`wrapper-only rebuild of the local platforms, ${runs} runs`);
  const wrappers = path.join(work, 'wrappers');
  await cp(WRAPPERS_DIR, wrappers, { recursive: true });
  const wrapperOnly: number[] = [];
  for (let index = 0; index < runs; index += 1) {
    await appendFile(path.join(wrappers, 'bin', 'tripwire-check.sh'), `# bench edit ${index}\n`);
    wrapperOnly.push(await build(path.join(work, 'dist-wrappers'), ['--platform', 'local', '--wrappers', wrappers]));
  }
  push({ name: 'wrapper-only rebuild (local platforms)', unit: 's', measured: summarize(wrapperOnly), goal: { kind: 'absolute', limit: 5 } });

  say(`generating ${files} files; first run and check vs bare Tripwire, ${runs} runs each`);
  const asset = path.join(work, 'asset');
  await mkdir(asset, { recursive: true });
  await extract({ file: path.join(warm, assetFileName(VERSION, platform)), cwd: asset, strict: true });
  const tree = await generateTree(path.join(work, 'tree'), files);
  const checkScript = path.join(asset, 'bin', 'tripwire-check.sh');
  // One first run up front: its state serves the checks, its texts the bare first runs.
  const state = path.join(work, 'state');
  // A new baseline is WARNING (exit 1) by default; the bench times it, it does not judge it.
  const firstRunArgs = ['--new-baseline-status', 'ok'];
  await exec([checkScript, '--state-dir', state, ...firstRunArgs, tree], {});
  const texts = await profileTexts(state);
  const firstRun: number[] = [];
  const bareFirst: number[] = [];
  for (let index = 0; index < runs; index += 1) {
    const pair = [
      async () => firstRun.push(await timed(() => exec([checkScript, '--state-dir', path.join(work, `first-${index}`), ...firstRunArgs, tree], {}))),
      async () => bareFirst.push(await timed(() => bareFirstRun(asset, path.join(work, `bare-first-${index}`), texts))),
    ];
    for (const step of index % 2 === 0 ? pair : pair.reverse()) await step();
  }
  push({ name: 'first run (keys + baseline)', unit: 's', measured: summarize(firstRun), baseline: { name: 'bare keygen + init', summary: summarize(bareFirst) }, goal: { kind: 'ratio', limit: 1.2 } });

  const check: number[] = [];
  const bareCheck: number[] = [];
  const profile = await onlyProfile(state);
  for (let index = 0; index < runs; index += 1) {
    const pair = [
      async () => check.push(await timed(() => exec([checkScript, '--state-dir', state, tree], {}))),
      async () => bareCheck.push(await timed(() => bareTripwireCheck(asset, state, profile))),
    ];
    for (const step of index % 2 === 0 ? pair : pair.reverse()) await step();
  }
  push({ name: `check of ${files} files`, unit: 's', measured: summarize(check), baseline: { name: 'bare tripwire --check', summary: summarize(bareCheck) }, goal: { kind: 'ratio', limit: 1.1 } });

  // The compiles last: the quick figures are on screen (below) long before these finish.
  say(`cold build vs bare compile of ${platform}, ${compileRuns} pairs (alternating order)`);
  const bareInputs = await bareCompileInputs(cacheDir, work);
  const cold: number[] = [];
  const bare: number[] = [];
  for (let index = 0; index < compileRuns; index += 1) {
    const pair = [
      async () => cold.push(await build(path.join(work, 'dist-cold'), ['--platform', platform, '--no-cache', '--jobs', '1'])),
      async () => bare.push(await timed(() => bareCompile(bareInputs, artifact.toolchainImageId, path.join(work, `bare-${index}.log`), ['sh', `/build/in/${BUILD_SCRIPT}`]))),
    ];
    for (const step of index % 2 === 0 ? pair : pair.reverse()) await step();
  }
  push({ name: `cold build (${platform})`, unit: 's', measured: summarize(cold), baseline: { name: 'bare compile', summary: summarize(bare) }, goal: { kind: 'ratio', limit: 1.1 } });

  say('prototype-style tarball of the same binaries (one more compile, not timed)');
  const prototypeSize = await prototypeTarballSize(bareInputs, artifact.toolchainImageId, work);
  push({
    name: `asset size (${platform})`,
    unit: 'MB',
    measured: summarize([artifact.size / 1e6]),
    baseline: { name: 'prototype-style', summary: summarize([prototypeSize / 1e6]) },
    goal: { kind: 'ratio', limit: 0.5 },
  });

  const results = rows.map(evaluate);
  const report = path.join(cacheDir, 'bench', `results-${stamp}.json`);
  await writeFile(report, `${JSON.stringify({ when: new Date().toISOString(), platform, files, runs, compileRuns, results }, null, 2)}\n`, { mode: 0o600 });
  process.stdout.write(`${benchTable(results)}\n`);
  say(`written to ${report}; scratch in ${work}`);
  await rm(path.join(work, 'tree'), { recursive: true, force: true });
}

function count(option: string, text: string | undefined): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new UserError(`bench: ${option} takes a whole number of at least 1, not "${text}"`, { exitCode: 2 });
  return value;
}

async function timed(step: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await step();
  return (performance.now() - started) / 1000;
}

/** Runs a program to completion; a non-zero exit is an error carrying the end of its output. */
function exec(argv: string[], options: { input?: Buffer; env?: Record<string, string> }): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0] as string, argv.slice(1), { cwd: REPO_ROOT, env: { ...process.env, ...options.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-4000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new UserError(`bench: ${path.basename(argv[0] as string)} ${argv.slice(1, 3).join(' ')} exited ${code}:\n${output}`))));
    child.stdin.end(options.input ?? Buffer.alloc(0));
  });
}

function cli(args: string[], env: Record<string, string>): Promise<void> {
  return exec([process.execPath, '--import', 'tsx', path.join(REPO_ROOT, 'builders', 'cli.ts'), ...args], { env });
}

/** What the compile stage puts into its container: the verified source, our patches, the build script. */
async function bareCompileInputs(cacheDir: string, work: string): Promise<string> {
  const dir = path.join(work, 'bare-inputs');
  const inputs = path.join(dir, 'build', 'in');
  await mkdir(path.join(inputs, 'patches'), { recursive: true });
  const source = await loadSourceManifest();
  await copyFile(path.join(cacheDir, 'sources', source.fileName), path.join(inputs, 'source.tar.gz'));
  await copyFile(path.join(DOCKERFILES_DIR, BUILD_SCRIPT), path.join(inputs, BUILD_SCRIPT));
  for (const patch of (await readdir(PATCH_DIR)).filter((name) => name.endsWith('.patch'))) await copyFile(path.join(PATCH_DIR, patch), path.join(inputs, 'patches', patch));
  return dir;
}

/** The build script alone in the toolchain image: what any build of this platform must cost. */
async function bareCompile(inputsDir: string, imageId: string, logFile: string, cmd: string[], output?: { path: string; dir: string }): Promise<void> {
  const log = openLog(logFile);
  try {
    const code = await runIsolated(dockerClient(), {
      image: imageId,
      cmd,
      env: { SOURCE_DATE_EPOCH: COMPILE_SOURCE_DATE_EPOCH, LC_ALL: 'C', TZ: 'UTC' },
      inputDir: inputsDir,
      inputFiles: ['build'],
      outputPath: output?.path,
      outputDir: output?.dir,
      log,
    });
    if (code !== 0) throw new UserError(`bench: the bare compile failed (exit ${code}); see ${logFile}`);
  } finally {
    await closeLog(log);
  }
}

/**
 * The prototype's kind of tarball, for the size comparison: the same compile's binaries before
 * `strip`, Tripwire's twtest, and the toolchain's shared libstdc++ and libgcc_s copied beside them.
 */
async function prototypeTarballSize(inputsDir: string, imageId: string, work: string): Promise<number> {
  const script = [
    `sh /build/in/${BUILD_SCRIPT}`,
    'cd /build/tripwire',
    'make -C src SUBDIRS=twtest >/dev/null',
    'mkdir -p /build/proto/bin /build/proto/lib',
    'for program in tripwire twadmin twprint siggen twtest; do cp "$(find bin -type f -name "$program" | head -n 1)" /build/proto/bin/; done',
    'cp -L "$(g++ -print-file-name=libstdc++.so.6)" "$(gcc -print-file-name=libgcc_s.so.1)" /build/proto/lib/',
  ].join(' && ');
  const out = path.join(work, 'prototype');
  await bareCompile(inputsDir, imageId, path.join(work, 'prototype.log'), ['sh', '-c', script], { path: '/build/proto', dir: out });
  const tarball = path.join(work, 'prototype.tar.gz');
  await createTar({ gzip: true, file: tarball, cwd: out, portable: true }, ['proto']);
  return (await stat(tarball)).size;
}

async function generateTree(root: string, files: number): Promise<string> {
  await rm(root, { recursive: true, force: true });
  for (let index = 0; index < files; index += 1) {
    const dir = path.join(root, `d${String(Math.floor(index / 100)).padStart(3, '0')}`);
    if (index % 100 === 0) await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, `f${index}`), randomBytes(200 + (index % 800)));
  }
  return root;
}

async function onlyProfile(state: string): Promise<string> {
  const [name, ...more] = await readdir(path.join(state, 'profiles'));
  if (name === undefined || more.length > 0) throw new UserError(`bench: expected one profile in ${state}`);
  return path.join(state, 'profiles', name);
}

interface ProfileTexts {
  twcfg: string;
  twpol: string;
  profile: string;
  state: string;
}

async function profileTexts(state: string): Promise<ProfileTexts> {
  const profile = await onlyProfile(state);
  return { twcfg: await readFile(path.join(profile, 'twcfg.txt'), 'utf8'), twpol: await readFile(path.join(profile, 'twpol.txt'), 'utf8'), profile, state };
}

/** Passphrases as Tripwire reads them from a pipe: one 1024-byte block per prompt (as the scripts feed them). */
function feed(...passphrases: string[]): Buffer {
  return Buffer.concat(passphrases.map((passphrase) => Buffer.concat([Buffer.from(passphrase), Buffer.alloc(1024 - passphrase.length)])));
}

/** What a first run must do at the least, with the same binaries, configuration and policy text. */
async function bareFirstRun(asset: string, dir: string, texts: ProfileTexts): Promise<void> {
  await mkdir(path.join(dir, 'tmp'), { recursive: true, mode: 0o700 });
  const [site, local] = [randomBytes(24).toString('hex'), randomBytes(24).toString('hex')];
  const twadmin = path.join(asset, 'bin', 'twadmin');
  const files = { cfg: path.join(dir, 'tw.cfg'), pol: path.join(dir, 'tw.pol'), db: path.join(dir, 'db.twd'), site: path.join(dir, 'site.key'), local: path.join(dir, 'local.key') };
  // The profile's configuration with its own paths (profile directory, then state directory) made ours.
  await writeFile(path.join(dir, 'twcfg.txt'), texts.twcfg.split(texts.profile).join(dir).split(texts.state).join(dir));
  await writeFile(path.join(dir, 'twpol.txt'), texts.twpol);
  await exec([twadmin, '--generate-keys', '-K', '2048', '-S', files.site], { input: feed(site, site) });
  await exec([twadmin, '--generate-keys', '-K', '2048', '-L', files.local], { input: feed(local, local) });
  await exec([twadmin, '--create-cfgfile', '-c', files.cfg, '-S', files.site, path.join(dir, 'twcfg.txt')], { input: feed(site) });
  await exec([twadmin, '--create-polfile', '-c', files.cfg, '-S', files.site, path.join(dir, 'twpol.txt')], { input: feed(site) });
  await exec([path.join(asset, 'bin', 'tripwire'), '--init', '-c', files.cfg, '-p', files.pol, '-d', files.db, '-S', files.site, '-L', files.local], { input: feed(local) });
}

/** tripwire --check with the profile's own configuration, policy, database and keys; no report signing. */
function bareTripwireCheck(asset: string, state: string, profile: string): Promise<void> {
  const argv = [path.join(asset, 'bin', 'tripwire'), '--check', '-c', path.join(profile, 'tw.cfg'), '-p', path.join(profile, 'tw.pol'), '-d', path.join(profile, 'db.twd')];
  return exec([...argv, '-S', path.join(state, 'site.key'), '-L', path.join(state, 'local.key')], {});
}
