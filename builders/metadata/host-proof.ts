import { evaluateFilters } from './filters.js';
import { entityOf, type HostReport } from './host-reports.js';
import { versionParts } from './host-sets.js';

/**
 * Proves a set of builds against real host reports: every host matches at most one build (so
 * the agent's selection rule and Bonsai's order cannot matter), the build matched is of the host's
 * architecture and C library and not newer than the host's C library, and a host whose C library
 * some build could run on gets a build.
 */

export interface ProvenBuild {
  name: string;
  arch: string;
  libc: 'glibc' | 'musl';
  libcVersion: string;
  filters: readonly string[];
}

export interface HostAssignment {
  host: HostReport;
  /** The build the host installs; undefined: none. */
  build: ProvenBuild | undefined;
}

export interface HostProof {
  assignments: HostAssignment[];
  problems: string[];
}

/** Whether binaries linked against `build`'s C library run on the host's. */
export function runsOn(build: Pick<ProvenBuild, 'arch' | 'libc' | 'libcVersion'>, host: HostReport): boolean {
  if (host.libc === undefined || host.system.os !== 'linux' || build.arch !== host.system.arch || build.libc !== host.libc.type) return false;
  const [need, have] = [versionParts(build.libcVersion), versionParts(host.libc.version)];
  for (let index = 0; index < Math.max(need.length, have.length); index += 1) {
    const [n, h] = [need[index] ?? 0, have[index] ?? 0];
    if (n !== h) return n < h;
  }
  return true;
}

export function proveHosts(builds: readonly ProvenBuild[], hosts: readonly HostReport[]): HostProof {
  const problems: string[] = [];
  const assignments = hosts.map((host): HostAssignment => {
    const matched: ProvenBuild[] = [];
    for (const build of builds) {
      const result = evaluateFilters(build.filters, entityOf(host));
      if ('error' in result) problems.push(`${host.label}: build ${build.name}: ${result.error} (the agent would refuse the whole asset)`);
      else if (result.matches) matched.push(build);
    }
    if (matched.length > 1) problems.push(`${host.label} matches ${matched.map((build) => build.name).join(' and ')}: builds must be disjoint`);
    const build = matched[0];
    if (build !== undefined && !runsOn(build, host)) {
      problems.push(`${host.label} (${describeLibc(host)}, ${host.system.arch}) gets ${build.name} (${build.libc} ${build.libcVersion}, ${build.arch}), which cannot run there`);
    }
    if (matched.length === 0) {
      const runnable = builds.filter((candidate) => runsOn(candidate, host)).map((candidate) => candidate.name);
      if (runnable.length > 0) problems.push(`${host.label} (${describeLibc(host)}) gets no build, although ${runnable.join(', ')} would run there`);
    }
    return { host, build: matched.length === 1 ? build : undefined };
  });
  return { assignments, problems };
}

export function describeLibc(host: HostReport): string {
  return host.libc === undefined ? 'no C library we build for' : `${host.libc.type} ${host.libc.version}`;
}
