import { describe, expect, it } from 'vitest';
import { assetFileName } from '../../builders/artifacts.js';
import { loadCatalog } from '../../builders/catalog.js';
import { entitySystem, parseProbe } from '../../builders/install-test/host-system.js';
import { selectionProblem } from '../../builders/install-test/install-test.js';
import { buildFilters } from '../../builders/metadata/host-filters.js';

/** What the probe prints in each image (as read from debian:bookworm, alpine:3.9, centos images). */
const probe = (files: Record<string, string>, ldd: string): string =>
  `${Object.entries(files).map(([file, text]) => `==> ${file}\n${text}`).join('')}==> uname -m\nx86_64\n==> ldd --version\n${ldd}`;
const GLIBC = 'ldd (GNU libc) 2.17\nCopyright (C) 2012 Free Software Foundation, Inc.\n';
const BOOKWORM = probe({ '/etc/debian_version': '12.15\n', '/etc/os-release': 'ID=debian\nVERSION="12 (bookworm)"\n' }, 'ldd (Debian GLIBC 2.36-9+deb12u14) 2.36\n');
const ALPINE = probe({ '/etc/alpine-release': '3.9.6\n', '/etc/os-release': 'ID=alpine\nVERSION_ID=3.9.6\n' }, 'musl libc (x86_64)\nVersion 1.1.20\nDynamic Program Loader\n');

describe("the agent's entity.system, read from a base image", () => {
  it('follows gopsutil: debian_version, alpine-release, redhat-release, lsb-release for Ubuntu; family by map; libc from ldd', () => {
    expect(entitySystem(parseProbe(BOOKWORM))).toEqual({ os: 'linux', arch: 'amd64', platform: 'debian', platform_family: 'debian', platform_version: '12.15', libc_type: 'glibc' });
    expect(entitySystem(parseProbe(ALPINE))).toMatchObject({ platform: 'alpine', platform_family: 'alpine', platform_version: '3.9.6', libc_type: 'musl' });
    expect(entitySystem(parseProbe(probe({ '/etc/redhat-release': 'CentOS release 6.10 (Final)\n', '/etc/system-release': 'CentOS release 6.10 (Final)\n' }, 'ldd (GNU libc) 2.12\n')))).toMatchObject({
      platform: 'centos', platform_family: 'rhel', platform_version: '6.10', libc_type: 'glibc',
    });
    expect(entitySystem(parseProbe(probe({ '/etc/redhat-release': 'CentOS Linux release 7.9.2009 (Core)\n' }, GLIBC)))).toMatchObject({ platform: 'centos', platform_version: '7.9.2009' });
    expect(entitySystem(parseProbe(probe({ '/etc/redhat-release': 'Red Hat Enterprise Linux Server release 7.9 (Maipo)\n' }, GLIBC)))).toMatchObject({ platform: 'redhat', platform_family: 'rhel', platform_version: '7.9' });
    expect(entitySystem(parseProbe(probe({ '/etc/debian_version': 'bookworm/sid\n', '/etc/lsb-release': 'DISTRIB_ID=Ubuntu\nDISTRIB_RELEASE=24.04\n' }, 'ldd (Ubuntu GLIBC 2.39-0ubuntu8) 2.39\n')))).toMatchObject({
      platform: 'ubuntu', platform_family: 'debian', platform_version: '24.04',
    });
    expect(entitySystem(parseProbe(probe({ '/etc/debian_version': '12.15\n' }, 'sh: ldd: not found\n'))).libc_type).toBe('');
  });
});

describe("the build an agent on a platform's base image selects", async () => {
  const catalog = await loadCatalog();
  const builds = catalog.platforms.map((platform) => ({
    url: `https://github.com/o/sensu-tripwire/releases/download/1.0.0/${assetFileName('1.0.0', platform.name)}`,
    sha512: 'a'.repeat(128),
    filters: buildFilters(platform, catalog),
  }));

  it("is the platform's own build for debian:bookworm and alpine:3.9", () => {
    expect(selectionProblem(builds, entitySystem(parseProbe(BOOKWORM)), assetFileName('1.0.0', 'debian12'))).toBeUndefined();
    expect(selectionProblem(builds, entitySystem(parseProbe(ALPINE)), assetFileName('1.0.0', 'alpine3.9'))).toBeUndefined();
  });

  it('says which build an agent installs instead, or that it installs none', () => {
    expect(selectionProblem(builds, entitySystem(parseProbe(BOOKWORM)), assetFileName('1.0.0', 'debian11'))).toBe(
      `an agent on debian 12.15 (family "debian", amd64, libc "glibc") installs ${assetFileName('1.0.0', 'debian12')}, not ${assetFileName('1.0.0', 'debian11')}`,
    );
    const onlyDebian11 = builds.filter((build) => build.url.includes('_debian11_'));
    expect(selectionProblem(onlyDebian11, entitySystem(parseProbe(BOOKWORM)), assetFileName('1.0.0', 'debian12'))).toMatch(/installs no build of the asset$/);
  });
});
