import { rm } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { assetFileName } from '../../builders/artifacts.js';
import { loadCatalog } from '../../builders/catalog.js';
import { run } from '../../builders/commands/release.js';
import { TEST_REPOSITORY, makeDist, tempDir } from './synthetic-dist.js';

/** The checks `npm run release` makes before it talks to GitHub at all. */

const repo = `${TEST_REPOSITORY.owner}/${TEST_REPOSITORY.name}`;
let dist: string;
beforeAll(async () => {
  const catalog = await loadCatalog();
  dist = await tempDir('release-dist');
  await makeDist(dist, { version: 'v1.2.3', platforms: catalog.platforms.map((platform) => platform.name), catalog });
});

/** Runs the command with a given environment; GitHub is unreachable (no token or a dead URL). */
async function release(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ error?: Error; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((stderr += String(chunk)), true));
  try {
    await run(['--dist', dist, '--repo', repo, ...args], { GITHUB_API_URL: 'http://127.0.0.1:9', ...env });
    return { stdout, stderr };
  } catch (error) {
    return { error: error as Error, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

describe('npm run release, before any write', () => {
  it('refuses a tag that is not the version dist/ was built as, "v" included', async () => {
    const { error } = await release(['--tag', '1.2.3'], { GITHUB_TOKEN: 'ghp_not-a-real-token' });
    expect(error?.message).toMatch(/was built as version "v1\.2\.3", not "1\.2\.3": file names carry the tag verbatim/);
  });

  it('refuses a tag that is not semver', async () => {
    const { error } = await release(['--tag', 'latest']);
    expect(error?.message).toMatch(/not a release tag/);
  });

  it('refuses to run without GITHUB_TOKEN, except as a dry run', async () => {
    const { error } = await release(['--tag', 'v1.2.3']);
    expect(error?.message).toMatch(/GITHUB_TOKEN is not set/);
  });

  it('--dry-run without a token prints every file it would upload and changes nothing', async () => {
    const { error, stdout } = await release(['--tag', 'v1.2.3', '--dry-run']);
    expect(error).toBeUndefined();
    expect(stdout).toMatch(/^dry run, nothing changed:\ncreate draft release "sensu-tripwire v1\.2\.3" for tag v1\.2\.3 in octokit-fixture-org\/sensu-tripwire\n/);
    expect(stdout.match(/^ {2}upload {3}/gm)).toHaveLength(6 + 3);
    expect(stdout).toContain('sensu-tripwire-asset.yml');
    expect(stdout).toMatch(/GitHub was not consulted/);
  });

  it('refuses a dist/ with a missing artifact, naming it', async () => {
    const broken = await tempDir('release-broken');
    const catalog = await loadCatalog();
    await makeDist(broken, { version: 'v1.2.3', platforms: catalog.platforms.map((platform) => platform.name), catalog });
    await rm(path.join(broken, assetFileName('v1.2.3', 'alpine3.9')));
    const { error, stdout, stderr } = await release(['--tag', 'v1.2.3', '--dist', broken], { GITHUB_TOKEN: 'ghp_not-a-real-token' });
    expect(error?.message).toMatch(/not releasable.*alpine3\.9_linux_amd64\.tar\.gz, which is not in dist\//s);
    expect(`${error?.message}${stdout}${stderr}`).not.toContain('ghp_not-a-real-token');
  });
});
