import type { Catalog } from '../catalog.js';
import { replaceBetweenMarkers } from '../lib/markers.js';
import { catalogBuilds } from './host-filters.js';
import { describeLibc, proveHosts, type HostAssignment } from './host-proof.js';
import { HOST_REPORTS } from './host-reports.js';
import { describeRange, type HostSet } from './host-sets.js';

export const HOSTS_BEGIN = '<!-- hosts:begin (generated from platforms.yaml and builders/metadata/host-reports.ts; npm run readme) -->';
export const HOSTS_END = '<!-- hosts:end -->';

function describeSets(sets: readonly HostSet[]): string {
  return sets.map((set) => `${set.platforms.map((id) => `\`${id}\``).join(', ')} ${describeRange(set)}`).join('; ');
}

/** What each build serves, in words, from the catalog's serves: data. */
function servesRows(catalog: Catalog): string[] {
  return catalog.platforms.map((platform) => {
    const fallback = platform.serves.fallback;
    let serves = describeSets(platform.serves.hosts);
    if (fallback !== undefined) {
      serves += `; and every other ${platform.libc} Linux host whose platform no build names`;
      if (fallback.except.length > 0) serves += `, except ${describeSets(fallback.except)}`;
    }
    return `| \`${platform.name}\` | ${platform.libc} ${platform.libcVersion} | ${platform.serves.arch} | ${serves} |`;
  });
}

/** A reported field as the filters see it: absent on agents before 6.7 when empty. */
function reported(value: string | undefined): string {
  if (value === undefined) return '(absent)';
  return value === '' ? '(empty)' : `\`${value}\``;
}

function whyNone(assignment: HostAssignment, arches: ReadonlySet<string>): string {
  const { system } = assignment.host;
  if (system.os !== 'linux') return 'none: not Linux';
  if (!arches.has(system.arch)) return `none: no ${system.arch} build`;
  return 'none: C library older than every build';
}

/** The README's host → build table: each real host of the table and what it installs. */
export function hostTable(catalog: Catalog): string {
  const builds = catalogBuilds(catalog);
  const { assignments, problems } = proveHosts(builds, HOST_REPORTS);
  if (problems.length > 0) throw new Error(`the catalog gives hosts the wrong builds: ${problems.join('; ')}`);
  const arches = new Set(builds.map((build) => build.arch));
  const hostRows = assignments.map((assignment) => {
    const { host, build } = assignment;
    const { platform, platform_family: family, platform_version: version, arch, libc_type: libcType } = host.system;
    const installs = build === undefined ? whyNone(assignment, arches) : `\`${build.name}\``;
    return `| ${host.label} | ${[platform, family, version, arch, libcType].map(reported).join(' | ')} | ${describeLibc(host)} | ${installs} |`;
  });
  return [
    HOSTS_BEGIN,
    '| build | C library (oldest it runs on) | arch | serves (`entity.system.platform` and version) |',
    '|---|---|---|---|',
    ...servesRows(catalog),
    '',
    '| host | platform | platform_family | platform_version | arch | libc_type | host C library | installs |',
    '|---|---|---|---|---|---|---|---|',
    ...hostRows,
    HOSTS_END,
  ].join('\n');
}

/** Replaces the host table between its markers in `readme`; throws when the markers are missing. */
export function withHostTable(readme: string, catalog: Catalog): string {
  return replaceBetweenMarkers(readme, { begin: HOSTS_BEGIN, end: HOSTS_END, content: hostTable(catalog), what: 'host table' });
}
