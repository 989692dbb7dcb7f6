import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCatalog, locallyBuildable, selectPlatforms, validateCatalog } from '../../builders/catalog.js';
import { UserError } from '../../builders/errors.js';

const entry = (overrides: Record<string, unknown> = {}) => ({
  name: 'debian12',
  base_image: 'debian:bookworm',
  family: 'apt',
  libc: 'glibc',
  libc_version: '2.36',
  eol_repo_fix: 'none',
  bootstrap: 'bookworm',
  serves: { arch: 'amd64', hosts: [{ platforms: ['debian'], from: '12' }] },
  ...overrides,
});

function errorOf(document: unknown): string {
  try {
    validateCatalog(document, 'platforms.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(UserError);
    return (error as Error).message;
  }
  throw new Error('expected the catalog to be refused');
}

describe('the platform catalog', () => {
  it('loads the committed catalog with the release matrix and the local platforms', async () => {
    const catalog = await loadCatalog();
    const names = catalog.platforms.map((platform) => platform.name);
    for (const name of ['alpine3.9', 'centos6', 'centos7', 'debian9', 'debian11', 'debian12']) expect(names).toContain(name);
    expect(catalog.platforms.find((p) => p.name === 'debian9')?.baseImage).toBe('debian:stretch');
    expect(catalog.platforms.find((p) => p.name === 'alpine3.9')).toMatchObject({ baseImage: 'alpine:3.9', family: 'apk', libc: 'musl' });
    expect(locallyBuildable(catalog).map((p) => p.baseImage)).toEqual(['debian:bookworm', 'debian:bullseye']);
  });

  it('refuses an unknown key, naming the file, the entry and the allowed keys', () => {
    expect(errorOf({ platforms: [entry({ base_imge: 'x' })] })).toMatch(/^platforms\.yaml: platform "debian12": unknown key\(s\): base_imge \(allowed: name, base_image/);
  });

  it('refuses a missing field', () => {
    const { libc_version: _dropped, ...rest } = entry();
    expect(errorOf({ platforms: [rest] })).toBe('platforms.yaml: platform "debian12": missing field(s): libc_version');
  });

  it('refuses a duplicate name', () => {
    expect(errorOf({ platforms: [entry(), entry()] })).toBe('platforms.yaml: platform "debian12": duplicate name: each platform must appear once');
  });

  it('refuses values outside the known sets and names without a name by position', () => {
    expect(errorOf({ platforms: [entry({ family: 'pacman' })] })).toContain('family "pacman" is not one of apk, yum, apt');
    expect(errorOf({ platforms: [entry({ name: 7 })] })).toMatch(/^platforms\.yaml: platform #1: name must be a non-empty string/);
    expect(errorOf({ platforms: [entry({ serves: { arch: 'amd64', hosts: [] } })] })).toContain('serves: hosts must be a non-empty list');
    expect(errorOf({ platforms: [entry({ eol_repo_fix: 'centos-vault' })] })).toContain('centos-vault needs eol_release');
    expect(errorOf({ platforms: [entry({ name: 'Debian 12' })] })).toContain('name must match');
  });

  it('refuses a document that is not a platform list', () => {
    expect(errorOf({ platform: [] })).toBe('platforms.yaml: expected a top-level "platforms:" list');
    expect(errorOf({ platforms: [], extra: 1 })).toContain('unknown top-level key(s): extra');
  });

  it('reports an unreadable or malformed file with its path', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'catalog-'));
    await expect(loadCatalog(path.join(dir, 'absent.yaml'))).rejects.toThrow(/cannot read the platform catalog .*absent\.yaml/);
    await writeFile(path.join(dir, 'bad.yaml'), 'platforms: [\n');
    await expect(loadCatalog(path.join(dir, 'bad.yaml'))).rejects.toThrow(/bad\.yaml is not valid YAML/);
  });
});

describe("the catalog's serves: data (which hosts each build is for)", () => {
  const serving = (name: string, hosts: unknown[], extra: Record<string, unknown> = {}) => entry({ name, serves: { arch: 'amd64', hosts, ...extra } });

  it('refuses two builds that serve one platform id in overlapping version ranges: a host would match both', () => {
    const overlapping = { platforms: [serving('debian12', [{ platforms: ['debian'], from: '12' }]), serving('debian9', [{ platforms: ['debian'], from: '9' }])] };
    expect(errorOf(overlapping)).toBe('platforms.yaml: debian12 and debian9 both serve debian 12 and later / 9 and later: a host must match one build only');
    const adjacent = { platforms: [serving('debian12', [{ platforms: ['debian'], from: '12' }]), serving('debian9', [{ platforms: ['debian'], from: '9', to: '11' }])] };
    expect(() => validateCatalog(adjacent, 'platforms.yaml')).not.toThrow();
    const minor = { platforms: [serving('one', [{ platforms: ['alpine'], from: '3.9' }]), serving('two', [{ platforms: ['alpine'], to: '3' }])] };
    expect(errorOf(minor)).toMatch(/one and two both serve alpine 3\.9 and later \/ up to 3:/);
  });

  it('refuses two fallbacks of one C library and a fallback exception for a platform a build names', () => {
    const twoFallbacks = { platforms: [serving('one', [{ platforms: ['centos'] }], { fallback: true }), serving('two', [{ platforms: ['debian'] }], { fallback: true })] };
    expect(errorOf(twoFallbacks)).toMatch(/one and two are both the glibc fallback/);
    const pointless = { platforms: [serving('one', [{ platforms: ['centos'] }], { fallback: { except: [{ platforms: ['centos'], to: '5' }] } })] };
    expect(errorOf(pointless)).toMatch(/fallback\.except names centos, which a build serves by name/);
  });

  it('refuses malformed host sets, naming the platform and the place', () => {
    expect(errorOf({ platforms: [serving('one', [{ platforms: ['debian'], from: 9 }])] })).toBe('platforms.yaml: platform "one": serves: hosts[0]: from must be a quoted version such as "7" or "3.9", not 9');
    expect(errorOf({ platforms: [serving('one', [{ platforms: ['debian'], from: '11', to: '9' }])] })).toContain('hosts[0]: from 11 is after to 9');
    expect(errorOf({ platforms: [serving('one', [{ platform: ['debian'] }])] })).toContain('hosts[0]: unknown key(s): platform');
    expect(errorOf({ platforms: [serving('one', [{ platforms: [] }])] })).toContain('hosts[0]: platforms must be a non-empty list');
    expect(errorOf({ platforms: [entry({ serves: { arch: 'arm64', hosts: [{ platforms: ['debian'] }] } })] })).toContain('serves: arch "arm64": only amd64 builds exist');
    expect(errorOf({ platforms: [serving('one', [{ platforms: ['debian'] }], { fallback: 'yes' })] })).toContain('fallback must be true or a mapping');
  });
});

describe('selecting platforms', () => {
  it('keeps catalog order for a list, and knows "all" and "local"', async () => {
    const catalog = await loadCatalog();
    expect(selectPlatforms(catalog, 'debian11,debian12').map((p) => p.name)).toEqual(['debian12', 'debian11']);
    expect(selectPlatforms(catalog, 'all')).toHaveLength(catalog.platforms.length);
    expect(selectPlatforms(catalog, 'local').map((p) => p.name)).toEqual(['debian12', 'debian11']);
  });

  it('names unknown platforms and lists the known ones', async () => {
    const catalog = await loadCatalog();
    expect(() => selectPlatforms(catalog, 'debian12,solaris')).toThrow(/unknown platform\(s\): solaris\. Known platforms \(.*platforms\.yaml\): alpine3\.9, centos6/);
    expect(() => selectPlatforms(catalog, ' , ')).toThrow(/--platform is empty/);
  });
});
