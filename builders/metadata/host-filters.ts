import type { Catalog, Platform } from '../catalog.js';
import type { ProvenBuild } from './host-proof.js';
import { namedPlatformIds, versionParts, type HostSet } from './host-sets.js';

/**
 * The Sensu filters of each build, generated from the catalog's `serves:` data. They are ES5 for
 * otto and never throw for any entity an agent reports: fields can be empty strings, and agents
 * before 6.7 leave empty fields out altogether (sensu-go types/dynamic dropped omitempty fields
 * until #4579), so every read of a field that may be empty has a `|| ''` default.
 */

const PLATFORM = 'entity.system.platform';
const VERSION = "(entity.system.platform_version || '')";
const LIBC_TYPE = 'entity.system.libc_type';

/** The n-th numeric component of the reported version: NaN when absent or not a number. */
function versionPart(index: number): string {
  return `parseInt(${VERSION}.split('.')[${index}], 10)`;
}

/** `version >= bound` (or `<=`), numerically, at the precision of the bound. */
function versionCompare(bound: number[], op: '>=' | '<=', index = 0): string {
  const part = versionPart(index);
  const [head, ...rest] = bound;
  if (rest.length === 0) return `${part} ${op} ${head}`;
  const strict = op === '>=' ? '>' : '<';
  return `(${part} ${strict} ${head} || ${part} == ${head} && ${versionCompare(rest, op, index + 1)})`;
}

function platformTest(ids: readonly string[]): string {
  return ids.length === 1 ? `${PLATFORM} == ${quote(ids[0] ?? '')}` : `[${ids.map(quote).join(', ')}].indexOf(${PLATFORM}) >= 0`;
}

/** The test for one host set: its platform ids, then its version range. */
export function hostSetTest(set: HostSet): string {
  const tests = [platformTest(set.platforms)];
  const from = set.from === undefined ? undefined : versionParts(set.from);
  const to = set.to === undefined ? undefined : versionParts(set.to);
  if (from !== undefined && to !== undefined && from.length === 1 && set.from === set.to) {
    tests.push(`${versionPart(0)} == ${from[0]}`);
  } else {
    if (from !== undefined) tests.push(versionCompare(from, '>='));
    if (to !== undefined) tests.push(versionCompare(to, '<='));
  }
  return tests.join(' && ');
}

function anyOf(tests: readonly string[]): string {
  return tests.length === 1 ? (tests[0] ?? '') : tests.map((test) => `(${test})`).join(' || ');
}

/** Every unnamed platform of the build's C library, less the fallback's exceptions. */
function fallbackTest(platform: Platform, named: readonly string[]): string {
  const tests = [`[${named.map(quote).join(', ')}].indexOf(${PLATFORM}) < 0`];
  if (platform.libc === 'musl') tests.unshift(`${LIBC_TYPE} == 'musl'`);
  const except = platform.serves.fallback?.except ?? [];
  if (except.length > 0) tests.push(`!(${anyOf(except.map(hostSetTest))})`);
  return tests.join(' && ');
}

/** The filters of one build: all must hold (Sensu ANDs them). */
export function buildFilters(platform: Platform, catalog: Catalog): string[] {
  const filters = ["entity.system.os == 'linux'", `entity.system.arch == ${quote(platform.serves.arch)}`];
  // A glibc binary never goes to a host that says it is musl; older agents say nothing (undefined).
  if (platform.libc === 'glibc') filters.push(`${LIBC_TYPE} != 'musl'`);
  const tests = platform.serves.hosts.map(hostSetTest);
  if (platform.serves.fallback !== undefined) tests.push(fallbackTest(platform, namedPlatformIds(catalog.platforms)));
  filters.push(anyOf(tests));
  return filters;
}

function quote(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** Each catalog platform as a build with its generated filters, for proofs and the README. */
export function catalogBuilds(catalog: Catalog): ProvenBuild[] {
  return catalog.platforms.map((platform) => ({
    name: platform.name,
    arch: platform.serves.arch,
    libc: platform.libc,
    libcVersion: platform.libcVersion,
    filters: buildFilters(platform, catalog),
  }));
}
