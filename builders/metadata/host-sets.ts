/**
 * Which hosts a build serves, as catalog data (the `serves:` of a platform in platforms.yaml).
 *
 * A host is what the Sensu agent reports in `entity.system`: `platform` (gopsutil's platform id:
 * centos, redhat, debian, ubuntu, amazon, ...) and `platform_version`. Builds name platform ids,
 * never `platform_family`: the family of a platform changes with the agent's gopsutil (Rocky and
 * Alma report an empty family on older agents), and a host must get the same build from every
 * agent. The agent does not report the glibc version, so version ranges per platform id stand in
 * for it. A version range compares numerically at the precision written: `from: "3.9"` is 3.9 and
 * later, `to: "11"` is every 11.x. A version that is not a number is outside every bounded range.
 *
 * One glibc build and one musl build may be the `fallback`: it also serves every Linux host of its
 * C library whose platform id no build names, except the old releases listed under `except`
 * (known to have a C library older than the fallback's). A platform that some build names gets
 * exactly the builds its ranges say, and nothing outside them.
 */

export interface HostSet {
  /** gopsutil platform ids, as the agent reports them in entity.system.platform. */
  platforms: string[];
  /** Oldest version served (inclusive), at the precision written; absent: no lower bound. */
  from?: string;
  /** Newest version served (inclusive), at the precision written; absent: no upper bound. */
  to?: string;
}

export interface Serves {
  /** Go's GOARCH, as the agent reports it in entity.system.arch. */
  arch: string;
  hosts: HostSet[];
  /** Present when this build also serves every unnamed platform of its C library. */
  fallback?: { except: HostSet[] };
}

const PLATFORM_ID = /^[A-Za-z0-9_.-]+$/;
const VERSION = /^\d+(\.\d+)*$/;

/** Numeric components of a version bound ("3.9" -> [3, 9]). */
export function versionParts(version: string): number[] {
  return version.split('.').map((part) => Number.parseInt(part, 10));
}

/** Parses a platform's `serves:` mapping; `fail` throws the catalog's error for this platform. */
export function parseServes(value: unknown, fail: (message: string) => never): Serves {
  if (!isRecord(value)) return fail('expected a mapping with arch, hosts and optionally fallback');
  const unknown = Object.keys(value).filter((key) => !['arch', 'hosts', 'fallback'].includes(key));
  if (unknown.length > 0) fail(`unknown key(s): ${unknown.join(', ')} (allowed: arch, hosts, fallback)`);
  if (typeof value.arch !== 'string' || value.arch === '') fail('arch must be a GOARCH name such as amd64');
  if (!Array.isArray(value.hosts) || value.hosts.length === 0) fail('hosts must be a non-empty list of {platforms, from, to}');
  const serves: Serves = { arch: value.arch as string, hosts: (value.hosts as unknown[]).map((set, index) => parseHostSet(set, `hosts[${index}]`, fail)) };
  const fallback = value.fallback;
  if (fallback === true) {
    serves.fallback = { except: [] };
  } else if (isRecord(fallback) && Object.keys(fallback).every((key) => key === 'except') && (fallback.except === undefined || Array.isArray(fallback.except))) {
    const except = (fallback.except ?? []) as unknown[];
    serves.fallback = { except: except.map((set, index) => parseHostSet(set, `fallback.except[${index}]`, fail)) };
  } else if (fallback !== undefined && fallback !== false) {
    fail('fallback must be true or a mapping with an "except:" list of {platforms, from, to}');
  }
  return serves;
}

function parseHostSet(value: unknown, where: string, fail: (message: string) => never): HostSet {
  if (!isRecord(value)) return fail(`${where}: expected a mapping {platforms, from, to}`);
  const unknown = Object.keys(value).filter((key) => !['platforms', 'from', 'to'].includes(key));
  if (unknown.length > 0) fail(`${where}: unknown key(s): ${unknown.join(', ')} (allowed: platforms, from, to)`);
  const platforms = value.platforms;
  if (!Array.isArray(platforms) || platforms.length === 0 || !platforms.every((id) => typeof id === 'string' && PLATFORM_ID.test(id))) {
    fail(`${where}: platforms must be a non-empty list of platform ids (entity.system.platform, e.g. debian)`);
  }
  const set: HostSet = { platforms: platforms as string[] };
  for (const key of ['from', 'to'] as const) {
    const bound = value[key];
    if (bound === undefined) continue;
    if (typeof bound !== 'string' || !VERSION.test(bound)) fail(`${where}: ${key} must be a quoted version such as "7" or "3.9", not ${JSON.stringify(bound)}`);
    set[key] = bound as string;
  }
  if (set.from !== undefined && set.to !== undefined && compareBounds(versionParts(set.from), 0, versionParts(set.to), Infinity) > 0) {
    fail(`${where}: from ${set.from} is after to ${set.to}`);
  }
  return set;
}

/**
 * Compares two bounds, each padded beyond its precision (0 for a lower bound, Infinity for an
 * upper one: `to: "11"` reaches every 11.x).
 */
function compareBounds(a: number[], padA: number, b: number[], padB: number): number {
  for (let index = 0; index < Math.max(a.length, b.length); index += 1) {
    const x = a[index] ?? padA;
    const y = b[index] ?? padB;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/** Whether two version ranges have a version in common. */
function rangesOverlap(a: HostSet, b: HostSet): boolean {
  const low = (set: HostSet): number[] => (set.from === undefined ? [-Infinity] : versionParts(set.from));
  const high = (set: HostSet): number[] => (set.to === undefined ? [Infinity] : versionParts(set.to));
  return compareBounds(low(a), 0, high(b), Infinity) <= 0 && compareBounds(low(b), 0, high(a), Infinity) <= 0;
}

interface NamedServes {
  name: string;
  libc: string;
  serves: Serves;
}

/** Every platform id some build names in its hosts. */
export function namedPlatformIds(builds: readonly NamedServes[]): string[] {
  return [...new Set(builds.flatMap((build) => build.serves.hosts.flatMap((set) => set.platforms)))];
}

/**
 * What would let two builds serve one host: the same platform id in overlapping version ranges,
 * two fallbacks of one C library, a fallback exception for a platform some build names.
 */
export function hostSetsProblems(builds: readonly NamedServes[]): string[] {
  const problems: string[] = [];
  const claims = builds.flatMap((build) => build.serves.hosts.flatMap((set) => set.platforms.map((id) => ({ build: build.name, id, set }))));
  claims.forEach((claim, index) => {
    for (const other of claims.slice(index + 1)) {
      if (other.id === claim.id && rangesOverlap(claim.set, other.set)) {
        problems.push(`${claim.build} and ${other.build} both serve ${claim.id} ${describeRange(claim.set)} / ${describeRange(other.set)}: a host must match one build only`);
      }
    }
  });
  for (const libc of new Set(builds.map((build) => build.libc))) {
    const fallbacks = builds.filter((build) => build.libc === libc && build.serves.fallback !== undefined).map((build) => build.name);
    if (fallbacks.length > 1) problems.push(`${fallbacks.join(' and ')} are both the ${libc} fallback: only one build may serve the unnamed ${libc} hosts`);
  }
  const named = new Set(namedPlatformIds(builds));
  for (const build of builds) {
    for (const id of (build.serves.fallback?.except ?? []).flatMap((set) => set.platforms)) {
      if (named.has(id)) problems.push(`${build.name}: fallback.except names ${id}, which a build serves by name (the fallback never takes it)`);
    }
  }
  return problems;
}

/** "7 and later", "9 to 10", "every version": for messages and the README. */
export function describeRange(set: HostSet): string {
  if (set.from === undefined && set.to === undefined) return 'every version';
  if (set.from === undefined) return `up to ${set.to}`;
  if (set.to === undefined) return `${set.from} and later`;
  return set.from === set.to ? set.from : `${set.from} to ${set.to}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
