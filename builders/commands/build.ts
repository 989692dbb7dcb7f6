import path from 'node:path';
import { DEFAULT_CATALOG_FILE } from '../catalog.js';
import { PATCH_DIR } from '../lib/source-manifest.js';
import { newContext, type BuildOptions } from '../context.js';
import { UserError } from '../errors.js';
import { summaryRows, summaryTable } from '../lib/build-summary.js';
import { createProgress } from '../lib/progress.js';
import { buildPipeline } from '../pipeline.js';
import { runStages } from '../stage.js';
import { DEFAULT_DIST_DIR, defaultCacheDir, defaultJobs, parseCommandArgs, parseJobs } from './options.js';

const HELP = `usage: npm run build -- [options]

Compiles Tripwire for each selected platform in Docker and writes to dist/:
  sensu-tripwire_<version>_<platform>_linux_amd64.tar.gz   one Sensu asset per platform
  sensu-tripwire_<version>_sha512-checksums.txt            sha512sum format, sorted
  artifacts.json, logs/<platform>.build.log                for the release stages
dist/ is replaced only when every platform succeeded.

options:
  --version TAG      release tag, used verbatim in file names (semver, optional leading v);
                     default: git describe --tags
  --platform LIST    comma-separated platform names, "local" (bootstrappable here) or "all" (default)
  --source PATH      a local Tripwire tarball instead of the mirrors (verified the same way)
  --dist DIR         output directory (default: dist/); replaced only when it is new, empty or
                     a previous build's output (has its artifacts.json)
  --cache-dir DIR    downloads, logs, scratch (default: $SENSU_TRIPWIRE_CACHE_DIR or .cache/)
  --catalog FILE     platform catalog (default: platforms.yaml)
  --patches DIR      patches to apply, in name order (default: tripwire-src/patches/); to try a
                     candidate patch set before committing it. Every file in DIR must be a
                     *.patch file; a missing or empty DIR is an error
  --no-patches       build upstream Tripwire unpatched, on purpose (not for release: as non-root
                     its checks report readable files as removed)
  --wrappers DIR     the scripts and data packed beside the binaries (default: wrappers/); to
                     try changed scripts (the compiled binaries come from the cache)
  --jobs N           build up to N platforms at once (default: ${defaultJobs()} on this machine)
  --no-cache         compile even when the compile cache has binaries of the same inputs, and
                     store the fresh ones (the cache is <cache-dir>/compiled/)
  --debug            stack traces on errors

environment: DOCKER_HOST, SOURCE_DATE_EPOCH, SENSU_TRIPWIRE_DEBIAN_MIRROR,
  SENSU_TRIPWIRE_DEBIAN_ARCHIVE_MIRROR, SENSU_TRIPWIRE_CENTOS_VAULT_MIRROR
`;

export async function run(args: string[]): Promise<void> {
  const { values } = parseCommandArgs('build', args, {
    version: { type: 'string' },
    platform: { type: 'string', default: 'all' },
    source: { type: 'string' },
    dist: { type: 'string' },
    'cache-dir': { type: 'string' },
    catalog: { type: 'string' },
    patches: { type: 'string' },
    'no-patches': { type: 'boolean' },
    wrappers: { type: 'string' },
    jobs: { type: 'string' },
    'no-cache': { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  if (values['no-patches'] && values.patches !== undefined) {
    throw new UserError('build: --patches and --no-patches contradict each other (see `build --help`)', { exitCode: 2 });
  }
  const options: BuildOptions = {
    version: values.version,
    platforms: values.platform ?? 'all',
    sourcePath: values.source,
    distDir: path.resolve(values.dist ?? DEFAULT_DIST_DIR),
    cacheDir: path.resolve(values['cache-dir'] ?? defaultCacheDir()),
    catalogFile: path.resolve(values.catalog ?? DEFAULT_CATALOG_FILE),
    patchesDir: path.resolve(values.patches ?? PATCH_DIR),
    unpatched: values['no-patches'] === true,
    wrappersDir: values.wrappers === undefined ? undefined : path.resolve(values.wrappers),
    noCache: values['no-cache'] === true,
    jobs: values.jobs === undefined ? defaultJobs() : parseJobs(values.jobs),
  };

  // Ctrl-C (or a CI cancel) aborts the running step; the stages unwind and clean up. The handler
  // stays installed until the end: a second Ctrl-C must not kill the process half-way through
  // removing its containers and staging directory.
  const abort = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (abort.signal.aborted) {
      process.stderr.write(`${signal}: already stopping; removing containers and unfinished output first…\n`);
      return;
    }
    process.stderr.write(`\n${signal}: stopping, removing containers and unfinished output…\n`);
    abort.abort(new Error(`interrupted by ${signal}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const progress = createProgress({ stream: process.stderr, debug: process.argv.includes('--debug') });
  try {
    const ctx = newContext(options, progress.log, abort.signal);
    ctx.progress = progress;
    await runStages(ctx, buildPipeline);
    progress.stop();
    // Per platform: how long it took, its asset's size, whether its binaries came from the cache.
    // A signal that arrives after the last stage changes nothing: dist/ is already published.
    for (const line of summaryTable(summaryRows(ctx)).split('\n')) progress.log.info(`  ${line}`);
  } catch (error) {
    if (abort.signal.aborted) throw new UserError('build interrupted; dist/ is unchanged', { exitCode: 130 });
    throw error;
  } finally {
    progress.stop();
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
}
