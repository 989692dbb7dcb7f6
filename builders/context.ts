import type Docker from 'dockerode';
import type { Artifact, SourceRecord } from './artifacts.js';
import type { Catalog, Platform } from './catalog.js';
import type { AbiFigures } from './lib/abi.js';
import type { PatchSet } from './lib/patches.js';
import { UserError } from './errors.js';
import type { Logger } from './log.js';
import type { Progress } from './lib/progress.js';

/** What the user asked for: the `build` command's options, with defaults applied. */
export interface BuildOptions {
  /** The release tag, verbatim; undefined means `git describe --tags`. */
  version?: string;
  /** `all`, `local`, or a comma-separated list of platform names. */
  platforms: string;
  /** A local Tripwire tarball instead of the mirrors (verified the same way). */
  sourcePath?: string;
  catalogFile: string;
  /** Our patches to the Tripwire source, applied in file-name order. */
  patchesDir: string;
  /** --no-patches: build upstream Tripwire as released, ignoring patchesDir. */
  unpatched?: boolean;
  distDir: string;
  /** Downloads, failed-build logs and scratch space; private to the user running the build. */
  cacheDir: string;
  /** --no-cache: compile even when the compile cache holds binaries of the same inputs (and refresh it). */
  noCache?: boolean;
  /** The asset's scripts and data (default: wrappers/ of this repository). */
  wrappersDir?: string;
  /** --jobs: how many platforms are built at once (default 1). */
  jobs?: number;
}

/** One platform's progress through the pipeline. */
export interface PlatformBuild {
  platform: Platform;
  toolchainImage?: { tag: string; id: string };
  /** Directory holding the compiled, stripped binaries. */
  binariesDir?: string;
  /** abi-gate: what the shipped binaries need from the host (loader, NEEDED, newest GLIBC). */
  abi?: AbiFigures;
  /** Where the compile log is written while building. */
  logFile: string;
  /** compile: where the binaries came from (`forced`: compiled because of --no-cache). */
  cache?: 'hit' | 'miss' | 'forced';
  /** platform-builds: wall time of this platform's own stages. */
  elapsedMs?: number;
}

/** A verified source tarball on disk. */
export interface VerifiedSource extends SourceRecord {
  /** The tarball as downloaded or given (its bytes are `sha256`). */
  file: string;
  /** The verified tree re-packed (lib/normalized-tarball.ts): what the compile unpacks. */
  normalized: Buffer;
}

/**
 * The one typed context every stage reads and writes. Stages run in order; a field is filled by
 * the stage named beside it, and read through `need()` by the stages after it.
 */
export interface BuildContext {
  options: BuildOptions;
  log: Logger;
  /** The build command's progress display (live lines or time-stamped ones); none in tests of one stage. */
  progress?: Progress;
  /** load-catalog */
  catalog?: Catalog;
  /** load-catalog: the selected platforms, in catalog order */
  platforms: Platform[];
  /** resolve-version */
  version?: string;
  /** resolve-version: one fixed mtime for every archive entry */
  sourceDateEpoch?: number;
  /** select-patches: the patch files the compile applies */
  patches?: PatchSet;
  /** connect-docker */
  docker?: Docker;
  /** fetch-source */
  source?: VerifiedSource;
  /** prepare-staging: where outputs are written before they replace dist/ in one step */
  stagingDir?: string;
  /** prepare-staging: this run's build logs, kept in the cache even when the build fails */
  logDir?: string;
  /** Aborted on Ctrl-C: running containers are removed and the pipeline unwinds. */
  signal: AbortSignal;
  /** toolchain-images, compile */
  builds: Map<string, PlatformBuild>;
  /** package */
  artifacts: Artifact[];
  /** Cleanup actions registered by stages, run in reverse order when the pipeline ends. */
  cleanups: Array<() => Promise<void>>;
}

export function newContext(options: BuildOptions, log: Logger, signal: AbortSignal = new AbortController().signal): BuildContext {
  return { options, log, signal, platforms: [], builds: new Map(), artifacts: [], cleanups: [] };
}

/** Reads a field an earlier stage must have set; a missing one is a pipeline-order bug. */
export function need<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`pipeline bug: ${what} is not set yet (stage order?)`);
  return value;
}

export function platformBuild(ctx: BuildContext, name: string): PlatformBuild {
  const build = ctx.builds.get(name);
  if (build === undefined) throw new UserError(`pipeline bug: no build state for platform ${name}`);
  return build;
}
