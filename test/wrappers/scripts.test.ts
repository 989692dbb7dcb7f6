import { chmod, chown, mkdir, readdir, readFile, symlink } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { wrapperFiles } from '../../builders/lib/wrapper-files.js';
import { lazyAlpine } from './alpine.js';
import { assembleAsset, baseEnv, exists, isRoot, modeOf, run, runScript, SCRIPTS, SHELLS, tempRoot, WRAPPERS, writeTree } from './helpers.js';

/** The scripts' text, interface and policies: everything that needs no Tripwire run. */

let root: { dir: string; remove: () => Promise<void> };
let asset: string;

/** The real Alpine 3.9 userland (busybox 1.29) runs the per-shell tests beside the shells here. */
const alpine = lazyAlpine();

beforeAll(async () => {
  root = await tempRoot('wrappers-static');
  asset = await assembleAsset(path.join(root.dir, 'asset'));
  await alpine.start(root.dir);
}, 300_000);
afterAll(async () => {
  await alpine.remove();
  await root.remove();
});

async function shellFiles(): Promise<string[]> {
  const bin = (await readdir(path.join(WRAPPERS, 'bin'))).map((f) => path.join(WRAPPERS, 'bin', f));
  const lib = (await readdir(path.join(WRAPPERS, 'libexec', 'sensu-tripwire'))).map((f) => path.join(WRAPPERS, 'libexec', 'sensu-tripwire', f));
  return [...bin, ...lib];
}

describe('the wrapper scripts as files', () => {
  test('shellcheck -s sh finds nothing in any script or library', async () => {
    const files = await shellFiles();
    expect(files.length).toBeGreaterThanOrEqual(SCRIPTS.length + 3);
    const result = await run(['shellcheck', '-s', 'sh', ...files], { cwd: WRAPPERS });
    expect(result.output).toBe('');
    expect(result.code).toBe(0);
  });

  test('every script is POSIX sh with set -eu, and wrappers/ holds only bin, libexec and share', async () => {
    expect((await readdir(WRAPPERS)).sort()).toEqual(['bin', 'libexec', 'share']);
    for (const script of SCRIPTS) {
      const text = await readFile(path.join(WRAPPERS, 'bin', script), 'utf8');
      expect(text.startsWith('#!/bin/sh\n')).toBe(true);
      expect(text).toMatch(/^set -eu$/m);
      expect(await modeOf(path.join(WRAPPERS, 'bin', script)) & 0o111).not.toBe(0);
    }
    expect(await exists(path.join(WRAPPERS, 'lib'))).toBe(false);
  });
  test('every library a script sources is a file the asset ships, as a program', async () => {
    const shipped = new Map((await wrapperFiles()).map((f) => [f.path, f.executable]));
    const sourced = new Set<string>();
    for (const script of SCRIPTS) {
      const text = await readFile(path.join(WRAPPERS, 'bin', script), 'utf8');
      for (const match of text.matchAll(/^# shellcheck source=\.\.\/(libexec\/sensu-tripwire\/[a-z]+\.sh)$/gm)) sourced.add(match[1] ?? '');
    }
    expect([...sourced].sort()).toEqual(['common', 'policy', 'profile', 'report', 'secrets', 'state'].map((n) => `libexec/sensu-tripwire/${n}.sh`));
    for (const lib of sourced) expect(shipped.get(lib)).toBe(true);
  });
});

describe.each([...SHELLS, alpine.shell])('under $name', (shell) => {
  test.each(SCRIPTS)('%s --help prints its usage comment and exits 0', async (script) => {
    const result = await runScript(asset, shell, script, ['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^${script.replace('.', '\\.')} - `));
    expect(result.stdout).toContain(`Usage: ${script}`);
    expect(result.stdout).toContain('Exit status:');
    expect(result.stdout).not.toMatch(/^#/m);
  });

  test('the check reports a usage error as UNKNOWN (exit 3) on its first line', async () => {
    for (const args of [['--bogus'], ['--warning', 'lots'], ['--metrics', 'xml'], ['--warning', '100', '--critical', '50'], ['--state-dir']]) {
      const result = await runScript(asset, shell, 'tripwire-check.sh', args);
      expect(result.code, args.join(' ')).toBe(3);
      expect(result.firstLine).toMatch(/^TRIPWIRE UNKNOWN - usage: /);
    }
  });

  test('init and update report usage errors with exit 2, tripwire.sh with 8', async () => {
    expect((await runScript(asset, shell, 'tripwire-init.sh', ['--bogus'])).code).toBe(2);
    expect((await runScript(asset, shell, 'tripwire-update.sh', ['--profile', '../etc'])).code).toBe(2);
    const tw = await runScript(asset, shell, 'tripwire.sh', ['--tool', 'sh', '--check']);
    expect(tw.code).toBe(8);
    expect(tw.stderr).toContain('--tool is tripwire, twadmin or twprint');
  });

  test('a path that does not exist (a glob that matched nothing) is UNKNOWN, before any key is made', async () => {
    const state = path.join(root.dir, `nothing-${shell.name}`);
    const result = await runScript(asset, shell, 'tripwire-check.sh', ['--state-dir', state, path.join(root.dir, 'no-such-dir', '*')]);
    expect(result.code).toBe(3);
    expect(result.firstLine).toContain('no such file or directory (a glob that matched nothing?)');
    expect(await exists(path.join(state, 'site.key'))).toBe(false);
  });

  test('paths with .. and a --policy together with paths are refused', async () => {
    const state = path.join(root.dir, `refuse-${shell.name}`);
    const dots = await runScript(asset, shell, 'tripwire-check.sh', ['--state-dir', state, '/var/../etc']);
    expect(dots.code).toBe(3);
    expect(dots.firstLine).toContain("must not contain '..'");
    const both = await runScript(asset, shell, 'tripwire-init.sh', ['--state-dir', state, '--policy', '/etc/hostname', '/etc']);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('either PATH arguments or --policy FILE');
  });

  test('the state directory defaults to ~/.local/state/sensu-tripwire, created 0700, never under /tmp', async () => {
    const home = path.join(root.dir, `home-${shell.name}`);
    await mkdir(home, { mode: 0o755 });
    await writeTree(home, { 'www/index.html': 'hi\n' });
    const result = await runScript(asset, shell, 'tripwire-init.sh', ['--print-policy', path.join(home, 'www')], { env: baseEnv({ HOME: home }) });
    expect(result.code, result.output).toBe(0);
    const state = path.join(home, '.local', 'state', 'sensu-tripwire');
    expect(await modeOf(state)).toBe(0o700);
    const xdg = path.join(root.dir, `xdg-${shell.name}`);
    await mkdir(xdg, { mode: 0o755 });
    await runScript(asset, shell, 'tripwire-init.sh', ['--print-policy', path.join(home, 'www')], { env: baseEnv({ HOME: home, XDG_STATE_HOME: xdg }) });
    expect(await modeOf(path.join(xdg, 'sensu-tripwire'))).toBe(0o700);
    const none = await runScript(asset, shell, 'tripwire-check.sh', [path.join(home, 'www')], { env: baseEnv({ HOME: '/nonexistent' }) });
    expect(none.code).toBe(3);
    expect(none.firstLine).toContain('set TRIPWIRE_STATE_DIR or pass --state-dir');
  });

  test('a state directory that is a symlink, writable by others, below a writable directory or owned by another user is refused as CRITICAL', async () => {
    const base = path.join(root.dir, `hostile-${shell.name}`);
    await mkdir(path.join(base, 'real'), { recursive: true, mode: 0o700 });
    await chmod(base, 0o755);
    await symlink(path.join(base, 'real'), path.join(base, 'link'));
    const link = await runScript(asset, shell, 'tripwire-check.sh', ['--state-dir', path.join(base, 'link'), '/etc/hostname']);
    expect(link.code).toBe(2);
    expect(link.firstLine).toMatch(/^TRIPWIRE CRITICAL - refusing state directory .*symbolic link/);
    await mkdir(path.join(base, 'open'), { mode: 0o777 });
    await chmod(path.join(base, 'open'), 0o777);
    const open = await runScript(asset, shell, 'tripwire-check.sh', ['--state-dir', path.join(base, 'open'), '/etc/hostname']);
    expect(open.code).toBe(2);
    expect(open.firstLine).toContain('writable by group or others');
    const below = await runScript(asset, shell, 'tripwire-check.sh', ['--state-dir', path.join(base, 'open', 'state'), '/etc/hostname']);
    expect(below.code).toBe(2);
    expect(below.firstLine).toContain('without the sticky bit');
    expect(await exists(path.join(base, 'open', 'state'))).toBe(false);
    if (isRoot) {
      await mkdir(path.join(base, 'theirs'), { mode: 0o700 });
      await chown(path.join(base, 'theirs'), 65534, 65534);
      const theirs = await runScript(asset, shell, 'tripwire-check.sh', ['--state-dir', path.join(base, 'theirs'), '/etc/hostname']);
      expect(theirs.code).toBe(2);
      expect(theirs.firstLine).toContain('owned by uid 65534, not by the running user');
    }
  });
});

describe('generated policies', () => {
  const shell = SHELLS[0]!;

  test('command-line paths become one recursive rule each, quoted, at --severity', async () => {
    const data = path.join(root.dir, 'pol-data');
    await writeTree(data, { 'my site/a': '1\n', 'quo"te/b': '2\n' });
    const result = await runScript(asset, shell, 'tripwire-init.sh', [
      '--print-policy', '--severity', '42', '--state-dir', path.join(root.dir, 'pol-state'),
      path.join(data, 'my site'), path.join(data, 'quo"te') + '/',
    ]);
    expect(result.code, result.output).toBe(0);
    expect(result.stdout).toContain(`(rulename = "${data}/my site", severity = 42)`);
    expect(result.stdout).toContain(`"${data}/my site" -> $(ReadOnly) +Sc ;`);
    expect(result.stdout).toContain(`"${data}/quo\\"te" -> $(ReadOnly) +Sc ;`);
  });

  test('the state directory below a monitored path is a stop point, and monitoring the state itself is refused', async () => {
    const data = path.join(root.dir, 'pol-contains');
    await mkdir(data, { recursive: true, mode: 0o755 });
    const state = path.join(data, 'state');
    const result = await runScript(asset, shell, 'tripwire-init.sh', ['--print-policy', '--state-dir', state, data]);
    expect(result.code, result.output).toBe(0);
    expect(result.stdout).toContain(`!${state} ;`);
    const inside = await runScript(asset, shell, 'tripwire-init.sh', ['--print-policy', '--state-dir', state, path.join(state, 'profiles')]);
    expect(inside.code).toBe(2);
    expect(inside.stderr).toContain('refusing to monitor the state directory');
  });

  test("the default policy names only paths that exist on this host, with severities, and never /proc, /sys, /run or /tmp", async () => {
    const result = await runScript(asset, shell, 'tripwire-init.sh', ['--print-policy', '--state-dir', path.join(root.dir, 'pol-default')]);
    expect(result.code, result.output).toBe(0);
    expect(result.stdout).toContain('default policy for the debian family');
    const objects = [...result.stdout.matchAll(/^\s*(\/\S*)\s+->/gm)].map((m) => m[1] ?? '');
    expect(objects.length).toBeGreaterThan(10);
    expect(objects).toContain('/etc');
    for (const object of objects) {
      expect(await exists(object), object).toBe(true);
      expect(object).not.toMatch(/^\/(proc|sys|run|tmp|dev)(\/|$)|^\/var\/tmp/);
    }
    expect(new Set(objects).size).toBe(objects.length);
    expect(result.stdout).toMatch(/severity = 100/);
    expect(result.stdout).toMatch(/severity = 66/);
    // An entry for a path this host lacks is left out.
    for (const maybe of ['/etc/doas.conf', '/etc/rc.local', '/lib32', '/etc/selinux']) {
      if (!(await exists(maybe))) expect(result.stdout).not.toContain(`${maybe} `);
    }
  });
  test("on Alpine 3.9 the default policy is the Alpine family's, generated by busybox sh", async () => {
    const state = path.join(root.dir, 'alpine-default');
    const result = await runScript(asset, alpine.shell, 'tripwire-init.sh', ['--state-dir', state, '--print-policy']);
    expect(result.code, result.output).toBe(0);
    expect(result.stdout).toContain('default policy for the alpine family');
    expect(result.stdout).toMatch(/^  \/etc\/apk\/keys +-> \$\(ReadOnly\) \+Sc ;$/m);
    expect(result.stdout).toMatch(/^  \/bin +-> \$\(ReadOnly\) \+Sc ;$/m);
    expect(result.stdout).not.toMatch(/^  \/etc\/debian_version|^  \/etc\/alternatives/m);
  });
});
