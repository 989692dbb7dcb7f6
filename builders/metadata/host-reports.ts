/**
 * Real hosts as Sensu agents report them in `entity.system`, with the C library each one really
 * has. The build assignment is proven over this table (host-proof.ts) and the README's host table
 * is generated from it.
 *
 * How the values arise. sensu-go's system.Info() (system/system.go) copies gopsutil's
 * host.Info(): os is runtime.GOOS, arch runtime.GOARCH; platform, platform_family and
 * platform_version come from host.PlatformInformation (host/host_linux.go), which takes the first
 * of these files that exists: oracle-release (platform "oracle", version by the regex
 * `release (\w[\d.]*)` on the lower-cased text), debian_version (Ubuntu and Linux Mint by
 * DISTRIB_ID and DISTRIB_RELEASE of /etc/lsb-release; otherwise "debian" and the file's first
 * line), redhat-release then system-release (platform: the first word lower-cased, "red hat"
 * giving "redhat"; version: the regex), SuSE-release (VERSION = and PATCHLEVEL = joined by "."),
 * arch-release (version: DISTRIB_RELEASE of lsb-release, empty without one), alpine-release (its
 * first line), os-release (ID, and VERSION: gopsutil up to v3.23.x reads VERSION, not
 * VERSION_ID; "amzn" becomes "amazon" from v3.23.2). The family comes from a fixed map of
 * platforms. libc_type (sensu-go 5.19 and later) is "glibc" or "musl" from `ldd --version`.
 *
 * Unless a row says otherwise it is what sensu-go 6.10 to 6.12 report (gopsutil v3.23.2).
 * Agents before 6.7 leave empty fields out of the entity that filters see (types/dynamic dropped
 * omitempty fields until sensu-go #4579), so a row for an older agent omits the field.
 */

export interface HostReport {
  label: string;
  /** entity.system as the filters see it; a field left out is absent (older agents). */
  system: { os: string; arch: string; platform?: string; platform_family?: string; platform_version?: string; libc_type?: string };
  /** The C library the host really has (not reported by the agent). */
  libc: { type: 'glibc' | 'musl'; version: string } | undefined;
  /** The file gopsutil reads and what it holds: how the platform fields came to be. */
  source: string;
}

interface LinuxFields {
  platform: string;
  family: string;
  version: string;
  libc: 'glibc' | 'musl';
  libcVersion: string;
  source: string;
}

function linux(label: string, fields: LinuxFields, arch = 'amd64'): HostReport {
  return {
    label,
    system: { os: 'linux', arch, platform: fields.platform, platform_family: fields.family, platform_version: fields.version, libc_type: fields.libc },
    libc: { type: fields.libc, version: fields.libcVersion },
    source: fields.source,
  };
}

const rhel = (platform: string, version: string, libcVersion: string, source: string): LinuxFields => ({ platform, family: 'rhel', version, libc: 'glibc', libcVersion, source });
const debian = (version: string, libcVersion: string): LinuxFields => ({ platform: 'debian', family: 'debian', version, libc: 'glibc', libcVersion, source: `/etc/debian_version: ${version}` });
const ubuntu = (version: string, libcVersion: string): LinuxFields => ({ platform: 'ubuntu', family: 'debian', version, libc: 'glibc', libcVersion, source: `/etc/lsb-release: DISTRIB_ID=Ubuntu, DISTRIB_RELEASE=${version}` });

/** Leaves out a field: agents before 6.7 do when it is empty, agents before 5.19 never report libc_type. */
function withoutField(host: HostReport, field: 'platform_family' | 'platform_version' | 'libc_type', label: string): HostReport {
  const system = { ...host.system };
  delete system[field];
  return { ...host, label, system };
}

const rocky9 = linux('Rocky Linux 9.3', rhel('rocky', '9.3', '2.34', '/etc/redhat-release: Rocky Linux release 9.3 (Blue Onyx)'));
const alma8 = linux('AlmaLinux 8.9', rhel('almalinux', '8.9', '2.28', '/etc/redhat-release: AlmaLinux release 8.9 (Midnight Oncilla)'));
const centos7 = linux('CentOS 7.9', rhel('centos', '7.9.2009', '2.17', '/etc/redhat-release: CentOS Linux release 7.9.2009 (Core)'));
const alpine39 = linux('Alpine 3.9', { platform: 'alpine', family: 'alpine', version: '3.9.6', libc: 'musl', libcVersion: '1.1.20', source: '/etc/alpine-release: 3.9.6' });
const arch = linux('Arch Linux', { platform: 'arch', family: 'arch', version: '', libc: 'glibc', libcVersion: '2.41', source: '/etc/arch-release (empty), no /etc/lsb-release: version ""' });

export const HOST_REPORTS: readonly HostReport[] = [
  linux('CentOS 6.10', rhel('centos', '6.10', '2.12', '/etc/redhat-release: CentOS release 6.10 (Final)')),
  centos7,
  withoutField(centos7, 'libc_type', 'CentOS 7.9, agent 5.16'),
  linux('RHEL 7.9', rhel('redhat', '7.9', '2.17', '/etc/redhat-release: Red Hat Enterprise Linux Server release 7.9 (Maipo)')),
  linux('RHEL 8.10', rhel('redhat', '8.10', '2.28', '/etc/redhat-release: Red Hat Enterprise Linux release 8.10 (Ootpa)')),
  linux('RHEL 9.4', rhel('redhat', '9.4', '2.34', '/etc/redhat-release: Red Hat Enterprise Linux release 9.4 (Plow)')),
  linux('Rocky Linux 8.9', rhel('rocky', '8.9', '2.28', '/etc/redhat-release: Rocky Linux release 8.9 (Green Obsidian)')),
  rocky9,
  // gopsutil maps rocky to rhel from v3.21.7 (sensu-go 6.5); before, the family is empty.
  withoutField(rocky9, 'platform_family', 'Rocky Linux 9.3, agent 6.4'),
  alma8,
  // gopsutil maps almalinux to rhel from v3.22.1; sensu-go 6.7 to 6.9 pin v3.21.12: empty family.
  { ...alma8, label: 'AlmaLinux 8.9, agent 6.9', system: { ...alma8.system, platform_family: '' } },
  linux('AlmaLinux 9.3', rhel('almalinux', '9.3', '2.34', '/etc/redhat-release: AlmaLinux release 9.3 (Shamrock Pampas Cat)')),
  linux('Oracle Linux 8.9', rhel('oracle', '8.9', '2.28', '/etc/oracle-release: Oracle Linux Server release 8.9')),
  linux('Amazon Linux 2', rhel('amazon', '2', '2.26', '/etc/system-release: Amazon Linux release 2 (Karoo)')),
  linux('Amazon Linux 2023', rhel('amazon', '2023.6.20241212', '2.34', '/etc/system-release: Amazon Linux release 2023.6.20241212 (Amazon Linux)')),
  linux('Fedora 40', { platform: 'fedora', family: 'fedora', version: '40', libc: 'glibc', libcVersion: '2.39', source: '/etc/redhat-release: Fedora release 40 (Forty)' }),
  linux('openSUSE Leap 15.5', { platform: 'opensuse-leap', family: 'suse', version: '15.5', libc: 'glibc', libcVersion: '2.31', source: '/etc/os-release: ID="opensuse-leap", VERSION="15.5" (no SuSE-release since 15)' }),
  linux('SLES 15 SP5', { platform: 'sles', family: 'suse', version: '15-SP5', libc: 'glibc', libcVersion: '2.31', source: '/etc/os-release: ID="sles", VERSION="15-SP5" (no SuSE-release since 15)' }),
  linux('SLES 12 SP5', { platform: 'suse', family: 'suse', version: '12.5', libc: 'glibc', libcVersion: '2.22', source: '/etc/SuSE-release: SUSE Linux Enterprise Server 12 (x86_64), VERSION = 12, PATCHLEVEL = 5' }),
  linux('SLES 11 SP4', { platform: 'suse', family: 'suse', version: '11.4', libc: 'glibc', libcVersion: '2.11', source: '/etc/SuSE-release: SUSE Linux Enterprise Server 11 (x86_64), VERSION = 11, PATCHLEVEL = 4' }),
  arch,
  withoutField(arch, 'platform_version', 'Arch Linux, agent 6.6'),
  linux('Debian 7', debian('7.11', '2.13')),
  linux('Debian 8', debian('8.11', '2.19')),
  linux('Debian 9', debian('9.13', '2.24')),
  linux('Debian 10', debian('10.13', '2.28')),
  linux('Debian 11', debian('11.11', '2.31')),
  linux('Debian 12', debian('12.11', '2.36')),
  linux('Debian 13', debian('13.1', '2.41')),
  linux('Ubuntu 14.04', ubuntu('14.04', '2.19')),
  linux('Ubuntu 16.04', ubuntu('16.04', '2.23')),
  linux('Ubuntu 18.04', ubuntu('18.04', '2.27')),
  linux('Ubuntu 20.04', ubuntu('20.04', '2.31')),
  linux('Ubuntu 22.04', ubuntu('22.04', '2.35')),
  linux('Ubuntu 24.04', ubuntu('24.04', '2.39')),
  linux('Linux Mint 21.3', { platform: 'linuxmint', family: 'debian', version: '21.3', libc: 'glibc', libcVersion: '2.35', source: '/etc/lsb-release: DISTRIB_ID=LinuxMint, DISTRIB_RELEASE=21.3' }),
  alpine39,
  withoutField(alpine39, 'libc_type', 'Alpine 3.9, agent 5.16'),
  linux('Alpine 3.21', { platform: 'alpine', family: 'alpine', version: '3.21.0', libc: 'musl', libcVersion: '1.2.5', source: '/etc/alpine-release: 3.21.0' }),
  linux('CentOS 5.11', rhel('centos', '5.11', '2.5', '/etc/redhat-release: CentOS release 5.11 (Final)')),
  linux('Debian 12 on arm64', debian('12.11', '2.36'), 'arm64'),
  {
    label: 'Windows Server 2019',
    system: { os: 'windows', arch: 'amd64', platform: 'Microsoft Windows Server 2019 Standard', platform_family: 'Server', platform_version: '10.0.17763 Build 17763', libc_type: '' },
    libc: undefined,
    source: 'gopsutil host_windows.go (registry)',
  },
];

/** An entity as the agent hands it to filters: metadata hoisted to the top level beside `system`. */
export function entityOf(host: HostReport): Record<string, unknown> {
  return {
    name: `host-${host.label.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`,
    namespace: 'default',
    labels: {},
    annotations: {},
    entity_class: 'agent',
    subscriptions: ['tripwire'],
    system: { hostname: 'host', network: { interfaces: [] }, ...host.system },
  };
}
