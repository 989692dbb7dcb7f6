import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { UserError, describeError } from './errors.js';

/** How a package family installs its toolchain; selects dockerfiles/Dockerfile.<family>. */
export type PackageFamily = 'apk' | 'yum' | 'apt';
export type Libc = 'glibc' | 'musl';
/** How a toolchain image reaches packages once its distribution's mirrors dropped it. */
export type EolRepoFix = 'none' | 'debian-archive' | 'centos-vault';

export interface Platform {
  name: string;
  baseImage: string;
  family: PackageFamily;
  libc: Libc;
  libcVersion: string;
  eolRepoFix: EolRepoFix;
  /** The exact release an EOL repository serves, e.g. CentOS "6.10". */
  eolRelease?: string;
  /** The Debian suite `npm run images` can bootstrap to create baseImage locally. */
  bootstrap?: string;
  /** The base image's root file system, which `npm run images` can import (lib/bootstrap.ts). */
  rootfs?: RootfsPin;
  sensuFilters: string[];
}

/** A root file system tarball, by file name (looked up in SENSU_TRIPWIRE_ROOTFS_DIR) and SHA-512. */
export interface RootfsPin {
  file: string;
  sha512: string;
}

export interface Catalog {
  file: string;
  /** In catalog order, which is Sensu's build-selection order: most specific first. */
  platforms: Platform[];
}

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const DEFAULT_CATALOG_FILE = path.join(REPO_ROOT, 'platforms.yaml');

const FAMILIES: readonly PackageFamily[] = ['apk', 'yum', 'apt'];
const LIBCS: readonly Libc[] = ['glibc', 'musl'];
const EOL_FIXES: readonly EolRepoFix[] = ['none', 'debian-archive', 'centos-vault'];
const REQUIRED_KEYS = ['name', 'base_image', 'family', 'libc', 'libc_version', 'eol_repo_fix', 'sensu_filters'];
const OPTIONAL_KEYS = ['eol_release', 'bootstrap', 'rootfs'];
/** Platform names end up in file names, image tags and CLI lists. */
const NAME_PATTERN = /^[a-z][a-z0-9.]*[a-z0-9]$/;

export async function loadCatalog(file: string = DEFAULT_CATALOG_FILE): Promise<Catalog> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new UserError(`cannot read the platform catalog ${file}: ${describeError(error)}`);
  }
  let document: unknown;
  try {
    document = parse(text);
  } catch (error) {
    throw new UserError(`${file} is not valid YAML: ${describeError(error)}`);
  }
  return { file, platforms: validateCatalog(document, file) };
}

/** Checks the parsed YAML and converts it to typed platforms; every error names file and entry. */
export function validateCatalog(document: unknown, file: string): Platform[] {
  if (!isRecord(document) || !Array.isArray(document.platforms)) {
    throw new UserError(`${file}: expected a top-level "platforms:" list`);
  }
  const extraTop = Object.keys(document).filter((key) => key !== 'platforms');
  if (extraTop.length > 0) throw new UserError(`${file}: unknown top-level key(s): ${extraTop.join(', ')}`);
  if (document.platforms.length === 0) throw new UserError(`${file}: the platforms list is empty`);

  const seen = new Set<string>();
  return document.platforms.map((entry: unknown, index: number) => {
    const label = isRecord(entry) && typeof entry.name === 'string' ? `platform "${entry.name}"` : `platform #${index + 1}`;
    const fail = (message: string): never => {
      throw new UserError(`${file}: ${label}: ${message}`);
    };
    if (!isRecord(entry)) return fail('expected a mapping');

    const unknown = Object.keys(entry).filter((key) => !REQUIRED_KEYS.includes(key) && !OPTIONAL_KEYS.includes(key));
    if (unknown.length > 0) fail(`unknown key(s): ${unknown.join(', ')} (allowed: ${[...REQUIRED_KEYS, ...OPTIONAL_KEYS].join(', ')})`);
    const missing = REQUIRED_KEYS.filter((key) => entry[key] === undefined || entry[key] === null);
    if (missing.length > 0) fail(`missing field(s): ${missing.join(', ')}`);

    const text = (key: string): string => {
      const value = entry[key];
      if (typeof value !== 'string' || value.trim() === '') fail(`${key} must be a non-empty string`);
      return value as string;
    };
    const oneOf = <T extends string>(key: string, allowed: readonly T[]): T => {
      const value = text(key);
      if (!allowed.includes(value as T)) fail(`${key} "${value}" is not one of ${allowed.join(', ')}`);
      return value as T;
    };

    const name = text('name');
    if (!NAME_PATTERN.test(name)) fail(`name must match ${NAME_PATTERN} (lower case, digits and dots)`);
    if (seen.has(name)) fail('duplicate name: each platform must appear once');
    seen.add(name);

    const filters = entry.sensu_filters;
    if (!Array.isArray(filters) || filters.length === 0 || !filters.every((f) => typeof f === 'string' && f.trim() !== '')) {
      fail('sensu_filters must be a non-empty list of JavaScript expressions');
    }

    const platform: Platform = {
      name,
      baseImage: text('base_image'),
      family: oneOf('family', FAMILIES),
      libc: oneOf('libc', LIBCS),
      libcVersion: text('libc_version'),
      eolRepoFix: oneOf('eol_repo_fix', EOL_FIXES),
      sensuFilters: filters as string[],
    };
    if (entry.eol_release !== undefined) platform.eolRelease = text('eol_release');
    if (entry.bootstrap !== undefined) platform.bootstrap = text('bootstrap');
    if (entry.rootfs !== undefined) platform.rootfs = parseRootfs(entry.rootfs, fail);
    if (platform.eolRepoFix === 'centos-vault' && platform.eolRelease === undefined) {
      fail('eol_repo_fix centos-vault needs eol_release (the vault serves one exact release)');
    }
    return platform;
  });
}

/** Platforms whose base image can be made on this machine from a distro archive. */
export function locallyBuildable(catalog: Catalog): Platform[] {
  return catalog.platforms.filter((platform) => platform.bootstrap !== undefined);
}

/**
 * Resolves a --platform argument: `all`, `local` (the locally bootstrappable platforms) or a
 * comma-separated list of names. The result keeps catalog order.
 */
export function selectPlatforms(catalog: Catalog, selection: string): Platform[] {
  const wanted = selection.split(',').map((name) => name.trim()).filter((name) => name !== '');
  if (wanted.length === 0) throw new UserError('--platform is empty: name platforms, or use "all" or "local"');
  if (wanted.includes('all')) return catalog.platforms;
  if (wanted.includes('local')) return locallyBuildable(catalog);
  const known = new Set(catalog.platforms.map((platform) => platform.name));
  const unknown = wanted.filter((name) => !known.has(name));
  if (unknown.length > 0) {
    throw new UserError(
      `unknown platform(s): ${unknown.join(', ')}. Known platforms (${catalog.file}): ${[...known].join(', ')}; or "all", "local"`,
    );
  }
  return catalog.platforms.filter((platform) => wanted.includes(platform.name));
}

function parseRootfs(value: unknown, fail: (message: string) => never): RootfsPin {
  const expected = 'rootfs must be { file: NAME.tar.gz, sha512: <128 hex digits> }';
  if (!isRecord(value) || Object.keys(value).sort().join(',') !== 'file,sha512') return fail(expected);
  const { file, sha512 } = value;
  if (typeof file !== 'string' || !/^[A-Za-z0-9._+-]+\.tar(\.gz|\.xz)?$/.test(file)) return fail(`${expected}: bad file name`);
  if (typeof sha512 !== 'string' || !/^[0-9a-f]{128}$/.test(sha512)) return fail(`${expected}: bad sha512`);
  return { file, sha512 };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
