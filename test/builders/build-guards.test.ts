import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS_FILE } from '../../builders/artifacts.js';
import { newContext } from '../../builders/context.js';
import { silentLogger } from '../../builders/log.js';
import { publishDist } from '../../builders/stages/publish-dist.js';
import { runCli } from '../support/cli.js';
import { writePreviousDist } from '../support/previous-dist.js';
import { snapshotDir } from '../support/snapshot.js';

/**
 * The build's checks on --patches and --dist run before it needs Docker. These runs point
 * DOCKER_HOST at nothing, so an input the build wrongly accepts shows up as "cannot reach the
 * Docker engine" instead of the expected refusal, and never starts a real compile.
 */
const exec = promisify(execFile);
const NO_ENGINE = { DOCKER_HOST: 'unix:///nonexistent/sensu-tripwire-test.sock' };
const ENGINE_ERROR = 'error: cannot reach the Docker engine';

let root: string;

const build = (args: string[]) => runCli(['build', '--version', '1.0.0', '--platform', 'debian12', '--cache-dir', path.join(root, 'cache'), ...args], NO_ENGINE);

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'sensu-tripwire-guards-'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('--patches', () => {
  it('refuses a directory that does not exist, before anything is built or created', async () => {
    const dist = path.join(root, 'patches-missing', 'dist');
    const result = await build(['--dist', dist, '--patches', path.join(root, 'no-such-patches')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/error: --patches .*no-such-patches: ENOENT.*; pass --no-patches to build upstream Tripwire unpatched on purpose/);
    expect(result.stderr).not.toContain(ENGINE_ERROR);
    await expect(readdir(path.join(root, 'patches-missing'))).rejects.toThrow(/ENOENT/);
  });

  it('refuses a directory without patches, and one holding a file that is not a *.patch', async () => {
    const empty = path.join(root, 'patches-empty');
    await mkdir(empty);
    const none = await build(['--dist', path.join(root, 'dist-a'), '--patches', empty]);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain(`error: --patches ${empty} holds no *.patch files; pass --no-patches`);

    const mixed = path.join(root, 'patches-mixed');
    await mkdir(mixed);
    await writeFile(path.join(mixed, '0001-a.patch'), '');
    await writeFile(path.join(mixed, '0002-b.diff'), '');
    const stray = await build(['--dist', path.join(root, 'dist-a'), '--patches', mixed]);
    expect(stray.code).toBe(1);
    expect(stray.stderr).toContain(`error: --patches ${mixed} holds 0002-b.diff, which is not a *.patch file`);
  });

  it('builds unpatched only when --no-patches asks for it, and not together with --patches', async () => {
    const unpatched = await build(['--dist', path.join(root, 'dist-a'), '--no-patches']);
    expect(unpatched.stdout + unpatched.stderr).toMatch(/select-patches\n.*skipped: --no-patches: upstream Tripwire as released/);
    expect(unpatched.stderr).toContain(ENGINE_ERROR);

    const both = await build(['--dist', path.join(root, 'dist-a'), '--no-patches', '--patches', path.join(root, 'patches-mixed')]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--patches and --no-patches contradict each other');
  });
});

describe('--dist', () => {
  it('refuses a directory that is neither empty nor a previous build, and leaves it alone', async () => {
    const home = path.join(root, 'home');
    await mkdir(path.join(home, '.ssh'), { recursive: true });
    await writeFile(path.join(home, '.ssh', 'id_ed25519'), 'precious\n');
    await writeFile(path.join(home, 'notes.txt'), 'precious\n');
    const before = await snapshotDir(root);
    const result = await build(['--dist', home]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`error: --dist ${home} is neither empty nor the output of a sensu-tripwire build (it has no artifacts.json of one)`);
    expect(result.stderr).not.toContain(ENGINE_ERROR);
    expect(await snapshotDir(root)).toEqual(before);
  });

  it('refuses a symbolic link and a file', async () => {
    const target = path.join(root, 'link-target');
    await writePreviousDist(target);
    await symlink(target, path.join(root, 'dist-link'));
    const link = await build(['--dist', path.join(root, 'dist-link')]);
    expect(link.code).toBe(1);
    expect(link.stderr).toContain('dist-link is a symbolic link');

    await writeFile(path.join(root, 'dist-file'), 'x\n');
    const file = await build(['--dist', path.join(root, 'dist-file')]);
    expect(file.code).toBe(1);
    expect(file.stderr).toContain('dist-file is not a directory: refusing to replace it');
  });

  it('accepts a new directory, an empty one and a previous build (and leaves no staging behind when the build then fails)', async () => {
    const parent = path.join(root, 'accepted');
    await mkdir(path.join(parent, 'empty'), { recursive: true });
    await writePreviousDist(path.join(parent, 'previous'));
    const before = await snapshotDir(parent);
    for (const dist of ['new', 'empty', 'previous']) {
      const result = await build(['--dist', path.join(parent, dist)]);
      expect(result.stderr).toContain(ENGINE_ERROR);
    }
    expect(await snapshotDir(parent)).toEqual(before);
  });

  it('is checked again just before it is replaced, in case something was put there during the build', async () => {
    const parent = path.join(root, 'late');
    const staging = path.join(parent, '.dist.staging-test');
    await mkdir(staging, { recursive: true });
    await writeFile(path.join(staging, ARTIFACTS_FILE), '{}');
    const dist = path.join(parent, 'dist');
    await mkdir(dist);
    await writeFile(path.join(dist, 'appeared-meanwhile.txt'), 'x\n');
    const before = await snapshotDir(parent);
    const ctx = newContext({ platforms: 'debian12', catalogFile: 'unused', patchesDir: 'unused', distDir: dist, cacheDir: 'unused' }, silentLogger);
    ctx.stagingDir = staging;
    await expect(publishDist.run(ctx)).rejects.toThrow(/is neither empty nor the output of a sensu-tripwire build/);
    expect(await snapshotDir(parent)).toEqual(before);
  });

  describe('in a read-only directory', () => {
    let readOnly: string;
    beforeAll(async () => {
      readOnly = path.join(root, 'read-only');
      await mkdir(readOnly);
      await exec('mount', ['-t', 'tmpfs', '-o', 'ro,size=1m', 'sensu-tripwire-test', readOnly]);
    });
    afterAll(async () => {
      await exec('umount', [readOnly]);
    });

    it('fails at once with what to do, not with an internal error after the work', async () => {
      const result = await build(['--dist', path.join(readOnly, 'dist')]);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(new RegExp(`error: cannot write in ${readOnly} \\(.*EROFS.*\\): the build assembles its output beside --dist`));
      expect(result.stderr).toContain('give a --dist in a writable directory');
      expect(result.stderr).not.toContain('internal error');
      expect(result.stderr).not.toContain(ENGINE_ERROR);
      expect(await readdir(readOnly)).toEqual([]);
    });
  });
});

