/**
 * `entity.system` as real Sensu agents report it (gopsutil's platform detection, as summarised in
 * shared/reference/sensu-assets-and-bonsai.md §3), and the build each host must receive.
 */

export interface Host {
  label: string;
  system: { os: string; arch: string; platform: string; platform_family: string; platform_version: string; libc_type: string };
  /** The catalog platform whose build this host must install; undefined: none (unsupported). */
  expected: string | undefined;
}

const linux = (platform: string, family: string, version: string, libc = 'glibc'): Host['system'] => ({
  os: 'linux',
  arch: 'amd64',
  platform,
  platform_family: family,
  platform_version: version,
  libc_type: libc,
});

export const SUPPORTED_HOSTS: readonly Host[] = [
  { label: 'Alpine 3.9', system: linux('alpine', 'alpine', '3.9.5', 'musl'), expected: 'alpine3.9' },
  { label: 'CentOS 6.10', system: linux('centos', 'rhel', '6.10'), expected: 'centos6' },
  { label: 'CentOS 7.9', system: linux('centos', 'rhel', '7.9.2009'), expected: 'centos7' },
  { label: 'Debian 9', system: linux('debian', 'debian', '9.13'), expected: 'debian9' },
  { label: 'Debian 11', system: linux('debian', 'debian', '11.11'), expected: 'debian11' },
  { label: 'Debian 12', system: linux('debian', 'debian', '12.11'), expected: 'debian12' },
  { label: 'Ubuntu 18.04', system: linux('ubuntu', 'debian', '18.04'), expected: 'debian9' },
  { label: 'Ubuntu 22.04', system: linux('ubuntu', 'debian', '22.04'), expected: 'debian9' },
  { label: 'Rocky 8', system: linux('rocky', 'rhel', '8.9'), expected: 'centos7' },
  { label: 'Rocky 9', system: linux('rocky', 'rhel', '9.3'), expected: 'centos7' },
  { label: 'Alma 8', system: linux('almalinux', 'rhel', '8.9'), expected: 'centos7' },
  { label: 'Alma 9', system: linux('almalinux', 'rhel', '9.3'), expected: 'centos7' },
  // Agents older than sensu-go 6.5 (Rocky) and 6.7-6.9 (Alma) report an empty family.
  { label: 'Rocky 8 on an old agent', system: linux('rocky', '', '8.9'), expected: 'centos7' },
  { label: 'Alma 9 on a 6.9 agent', system: linux('almalinux', '', '9.3'), expected: 'centos7' },
  // Neighbours the fallbacks are meant for.
  { label: 'Debian 10', system: linux('debian', 'debian', '10.13'), expected: 'debian9' },
  { label: 'Debian 13', system: linux('debian', 'debian', '13.1'), expected: 'debian12' },
  { label: 'Alpine 3.18', system: linux('alpine', 'alpine', '3.18.4', 'musl'), expected: 'alpine3.9' },
];

/** Hosts no build fits: each must receive none rather than a binary that cannot run. */
export const UNSUPPORTED_HOSTS: readonly Host[] = [
  { label: 'Debian 12 on arm64', system: { ...linux('debian', 'debian', '12.11'), arch: 'arm64' }, expected: undefined },
  { label: 'Windows', system: { os: 'windows', arch: 'amd64', platform: 'Microsoft Windows Server 2019', platform_family: 'Server', platform_version: '10.0.17763', libc_type: '' }, expected: undefined },
  { label: 'macOS', system: { os: 'darwin', arch: 'amd64', platform: 'darwin', platform_family: 'Standalone Workstation', platform_version: '13.6', libc_type: '' }, expected: undefined },
  { label: 'CentOS 5', system: linux('centos', 'rhel', '5.11'), expected: undefined },
];

/** An entity as the agent hands it to filters: metadata hoisted to the top level beside `system`. */
export function entityOf(host: Host): Record<string, unknown> {
  return {
    name: `host-${host.label.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`,
    namespace: 'default',
    labels: {},
    annotations: {},
    entity_class: 'agent',
    subscriptions: ['tripwire'],
    system: { hostname: 'host', network: { interfaces: [] }, vm_system: '', vm_role: '', cloud_provider: '', processes: [], arm_version: 0, float_type: '', ...host.system },
  };
}
