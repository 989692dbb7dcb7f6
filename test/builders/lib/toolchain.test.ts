import { describe, expect, it } from 'vitest';
import { loadCatalog, type Platform } from '../../../builders/catalog.js';
import { dockerfileName, howToProvideBaseImage, toolchainBuildArgs, toolchainTag } from '../../../builders/lib/toolchain.js';

async function platform(name: string): Promise<Platform> {
  const found = (await loadCatalog()).platforms.find((p) => p.name === name);
  if (found === undefined) throw new Error(`no ${name} in the catalog`);
  return found;
}

describe('toolchain images derived from the catalog', () => {
  it("pass the platform's base image and repository fix as build arguments", async () => {
    expect(toolchainBuildArgs(await platform('debian12'), {})).toEqual({ BASE_IMAGE: 'debian:bookworm', EOL_REPO_FIX: 'none' });
    expect(dockerfileName(await platform('centos7'))).toBe('Dockerfile.yum');
    expect(dockerfileName(await platform('alpine3.9'))).toBe('Dockerfile.apk');
  });

  it('take an EOL repository address from the environment, never from the repository', async () => {
    const args = toolchainBuildArgs(await platform('centos6'), { SENSU_TRIPWIRE_CENTOS_VAULT_MIRROR: 'https://vault.example.org/centos/' });
    expect(args).toEqual({ BASE_IMAGE: 'centos:6', EOL_REPO_FIX: 'centos-vault', EOL_MIRROR: 'https://vault.example.org/centos', EOL_RELEASE: '6.10' });
    const stretch = await platform('debian9');
    expect(() => toolchainBuildArgs(stretch, {})).toThrow(/debian9 .* set SENSU_TRIPWIRE_DEBIAN_ARCHIVE_MIRROR/);
  });

  it('get a new tag when any input changes, and the same tag otherwise', async () => {
    const p = await platform('debian12');
    const args = toolchainBuildArgs(p, {});
    const tag = toolchainTag(p, 'FROM x', args, 'sha256:1');
    expect(tag).toMatch(/^sensu-tripwire-toolchain:debian12-[0-9a-f]{16}$/);
    expect(toolchainTag(p, 'FROM x', { ...args }, 'sha256:1')).toBe(tag);
    expect(toolchainTag(p, 'FROM y', args, 'sha256:1')).not.toBe(tag);
    expect(toolchainTag(p, 'FROM x', args, 'sha256:2')).not.toBe(tag);
    expect(toolchainTag(p, 'FROM x', { ...args, EOL_RELEASE: '1' }, 'sha256:1')).not.toBe(tag);
  });

  it('tell the user how to provide a missing base image', async () => {
    expect(howToProvideBaseImage(await platform('debian11'))).toContain('npm run images -- bullseye');
    expect(howToProvideBaseImage(await platform('centos7'))).toContain('docker pull centos:7');
  });
});
