import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, loadCatalog } from '../../builders/catalog.js';

const exec = promisify(execFile);

/** scripts/setup.sh for real (everything is already in place after `pretest`, so it only checks). */
async function setup(args: string[]): Promise<{ code: number; stderr: string }> {
  return exec('sh', ['scripts/setup.sh', ...args], { cwd: REPO_ROOT }).then(
    ({ stderr }) => ({ code: 0, stderr }),
    (error: { code?: number; stderr?: string }) => ({ code: error.code ?? 1, stderr: error.stderr ?? '' }),
  );
}

describe('scripts/setup.sh --platform: each release leg prepares only what its platform needs', () => {
  it('prepares no Debian base image (so neither debootstrap nor a Debian mirror) for alpine3.9, centos6 and centos7', async () => {
    const result = await setup(['--platform', 'alpine3.9,centos6,centos7']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).not.toContain('images:');
    expect(result.stderr).not.toContain('debootstrap');
  });

  it("prepares a bootstrapped platform's base image, and only that one", async () => {
    const debian12 = (await loadCatalog()).platforms.find((platform) => platform.name === 'debian12');
    const result = await setup(['--platform', 'debian12']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(`images: ${debian12?.baseImage} present`);
    expect(result.stderr.match(/^images: /gm)).toHaveLength(1);
  });

  it('refuses an unknown platform and a bad argument, saying what is known and how to call it', async () => {
    const unknown = await setup(['--platform', 'solaris']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('error: unknown platform(s): solaris. Known platforms');
    const bad = await setup(['--plaform', 'debian12']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('unknown argument: --plaform (usage: sh scripts/setup.sh [--platform LIST])');
  });
});
