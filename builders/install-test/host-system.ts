/**
 * What the Sensu agent reports as `entity.system` on a platform's base image, worked out as the
 * agent works it out (sensu-go system/system.go with gopsutil host/host_linux.go, the rules that
 * builders/metadata/host-reports.ts describes): the first release file that exists names the
 * platform and its version, a fixed map the family, `ldd --version` the C library. The install
 * test reads those files in the image and lets the asset definition's filters choose the build,
 * as an agent would, before installing anything.
 */

/** Run in the image with its own shell: each release file gopsutil reads, then `ldd --version`. */
export const SYSTEM_PROBE = [
  'for f in /etc/oracle-release /etc/debian_version /etc/lsb-release /etc/redhat-release /etc/system-release /etc/alpine-release /etc/os-release; do',
  '  if [ -f "$f" ]; then echo "==> $f"; cat "$f"; fi',
  'done',
  'echo "==> uname -m"; uname -m',
  'echo "==> ldd --version"; ldd --version 2>&1',
  'exit 0',
].join('\n');

/** The probe's output as file name → content. */
export function parseProbe(output: string): Map<string, string> {
  const sections = new Map<string, string>();
  let current: string | undefined;
  for (const line of output.split('\n')) {
    const header = /^==> (.+)$/.exec(line);
    if (header !== null) {
      current = header[1] as string;
      sections.set(current, '');
    } else if (current !== undefined) {
      sections.set(current, `${sections.get(current)}${line}\n`);
    }
  }
  return sections;
}

const FAMILIES: Record<string, string> = {
  debian: 'debian', ubuntu: 'debian', linuxmint: 'debian', raspbian: 'debian',
  centos: 'rhel', redhat: 'rhel', oracle: 'rhel', rocky: 'rhel', almalinux: 'rhel', scientific: 'rhel', amazon: 'rhel',
  fedora: 'fedora', alpine: 'alpine', opensuse: 'suse', sles: 'suse', arch: 'arch',
};

function field(text: string, name: string): string | undefined {
  const value = new RegExp(`^${name}=(.*)$`, 'm').exec(text)?.[1];
  return value?.trim().replace(/^"(.*)"$/, '$1');
}

/** gopsutil's `release (\w[\d.]*)` on the lower-cased text. */
function releaseVersion(text: string): string {
  return /release (\w[\d.]*)/.exec(text.toLowerCase())?.[1] ?? '';
}

function firstLine(text: string): string {
  return (text.split('\n', 1)[0] ?? '').trim();
}

export interface EntitySystem {
  os: string;
  arch: string;
  platform: string;
  platform_family: string;
  platform_version: string;
  libc_type: string;
}

/** entity.system from the probe's sections (gopsutil's order of release files). */
export function entitySystem(sections: Map<string, string>): EntitySystem {
  const lsb = sections.get('/etc/lsb-release') ?? '';
  let platform = '';
  let version = '';
  const oracle = sections.get('/etc/oracle-release');
  const debian = sections.get('/etc/debian_version');
  const redhat = sections.get('/etc/redhat-release') ?? sections.get('/etc/system-release');
  const alpine = sections.get('/etc/alpine-release');
  const osRelease = sections.get('/etc/os-release');
  if (oracle !== undefined) {
    [platform, version] = ['oracle', releaseVersion(oracle)];
  } else if (debian !== undefined) {
    const id = field(lsb, 'DISTRIB_ID');
    if (id === 'Ubuntu' || id === 'LinuxMint') [platform, version] = [id.toLowerCase(), field(lsb, 'DISTRIB_RELEASE') ?? ''];
    else [platform, version] = ['debian', firstLine(debian)];
  } else if (redhat !== undefined) {
    const name = redhat.toLowerCase();
    platform = name.startsWith('red hat') ? 'redhat' : (name.split(/\s+/, 1)[0] ?? '');
    version = releaseVersion(redhat);
  } else if (alpine !== undefined) {
    [platform, version] = ['alpine', firstLine(alpine)];
  } else if (osRelease !== undefined) {
    [platform, version] = [field(osRelease, 'ID') ?? '', field(osRelease, 'VERSION') ?? ''];
  }
  const ldd = (sections.get('ldd --version') ?? '').toLowerCase();
  const libc = ldd.includes('gnu') || ldd.includes('glibc') ? 'glibc' : ldd.includes('musl') ? 'musl' : '';
  const machine = firstLine(sections.get('uname -m') ?? '');
  const arch = ({ x86_64: 'amd64', aarch64: 'arm64', i686: '386' } as Record<string, string>)[machine] ?? machine;
  return { os: 'linux', arch, platform, platform_family: FAMILIES[platform] ?? '', platform_version: version, libc_type: libc };
}
