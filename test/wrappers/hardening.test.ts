import { spawn } from 'node:child_process';
import { appendFile, chmod, chown, copyFile, mkdir, readdir, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { assembleAsset, baseEnv, exists, isRoot, onlyProfile, run, runScript, type RunResult, type Shell } from './helpers.js';
import { expectCreated, expectStatus, scenarioSuite, type Scenario } from './scenario.js';

/**
 * The check under attack, faults and bad input (issue 10, points 1-11): real Tripwire runs on real
 * files, a real tmpfs for the full-disk cases, the real `nobody` user, under dash, busybox sh,
 * bash and Alpine 3.9's busybox side by side. Each test names the attack or fault it reproduces;
 * each failed on the code before the fix. A few need the host itself (a tmpfs mounted after the
 * Alpine container started, a process group to kill, commands shadowed on PATH, which busybox sh
 * runs as its own applets) and say so.
 */
const suite = scenarioSuite('wrappers-hardening');
beforeAll(suite.setUp);
afterAll(suite.tearDown);

/** The shells that run on this host (not in the Alpine container). */
const onHost = (shell: Shell): boolean => shell.run === undefined;
/** The host shells that run commands from PATH (busybox sh runs its own applets). */
const pathShells = (shell: Shell): boolean => onHost(shell) && shell.name !== 'busybox';

const DATA = { 'www/index.html': 'hi\n', 'www/app/main.js': 'run()\n' };
const KEY_FILES = ['site.key', 'local.key', 'site.passphrase', 'local.passphrase'];

function scenario(shell: Shell, name: string, files: Record<string, string> = DATA, keys = true): Promise<Scenario> {
  return suite.scenario(shell, name, { files, keys });
}

/** A new state directory `to` (0700) holding copies of the keys and passphrases in `from`. */
async function copyKeys(from: string, to: string): Promise<void> {
  await mkdir(to, { recursive: true, mode: 0o700 });
  await chmod(to, 0o700);
  for (const f of KEY_FILES) await copyFile(path.join(from, f), path.join(to, f));
}

/** A copy of the asset whose `tripwire` binary is replaced by a shell script around the real one. */
async function shimmedAsset(dir: string, shim: string): Promise<string> {
  const dest = await assembleAsset(path.join(dir, 'asset'));
  await rename(path.join(dest, 'bin', 'tripwire'), path.join(dest, 'bin', 'tripwire.real'));
  await writeFile(path.join(dest, 'bin', 'tripwire'), shim, { mode: 0o755 });
  return dest;
}

/** A PATH directory holding commands that shadow the system's (dash and bash run them; busybox sh runs its own applets). */
async function pathShims(dir: string, shims: Record<string, string>): Promise<NodeJS.ProcessEnv> {
  const bin = path.join(dir, 'shims');
  await mkdir(bin, { recursive: true, mode: 0o755 });
  for (const [name, text] of Object.entries(shims)) await writeFile(path.join(bin, name), text, { mode: 0o755 });
  return baseEnv({ PATH: `${bin}:${baseEnv().PATH}` });
}

describe.concurrent('the check under attack, faults and bad input', () => {
  test.runIf(isRoot)('1. an ACL granting another user access, a world-writable directory behind an SELinux marker and a passphrase file another user owns or can read are refused', async () => {
    await suite.acrossShells(async (shell) => {
      const sc = await scenario(shell, 'acl');
      expectCreated(await sc.check());
      // nobody gets rwx on the state directory through an ACL entry.
      expect((await run(['setfacl', '-m', 'u:nobody:rwx', sc.state])).code).toBe(0);
      const granted = await sc.check();
      expectStatus(granted, 2, 'CRITICAL');
      expect(granted.firstLine).toContain(`refusing state directory ${sc.state}`);
      // The same entry, masked to nothing: still an extended ACL entry, still refused where the
      // userland can see it (an ls marker or getfacl). Alpine's busybox has neither: there it
      // grants nothing (the group bits above are its mask), which is all that can be checked.
      if (onHost(shell)) {
        expect((await run(['setfacl', '-m', 'm::---', sc.state])).code).toBe(0);
        const masked = await sc.check();
        expectStatus(masked, 2, 'CRITICAL');
        expect(masked.firstLine).toMatch(/ACL/);
      }
      expect((await run(['setfacl', '-b', sc.state])).code).toBe(0);
      expectStatus(await sc.check(), 0, 'OK');

      // A passphrase file nobody can read through an ACL, and one nobody owns (and could rewrite).
      const pw = path.join(sc.dir, 'local.pw');
      await copyFile(path.join(sc.state, 'local.passphrase'), pw);
      await chmod(pw, 0o600);
      expect((await run(['setfacl', '-m', 'u:nobody:r', pw])).code).toBe(0);
      const readable = await sc.check(['--local-passphrase-file', pw]);
      expectStatus(readable, 3, 'UNKNOWN');
      expect(readable.firstLine).toContain(`refusing local passphrase file ${pw}`);
      expect((await run(['setfacl', '-b', pw])).code).toBe(0);
      await chmod(pw, 0o600);
      expectStatus(await sc.check(['--local-passphrase-file', pw]), 0, 'OK');
      await chown(pw, 65534, 65534);
      const foreign = await sc.check(['--local-passphrase-file', pw]);
      expectStatus(foreign, 3, 'UNKNOWN');
      expect(foreign.firstLine).toContain(`refusing local passphrase file ${pw}: owned by uid 65534`);
      await chown(pw, 0, 0);
      await symlink(pw, `${pw}.link`);
      const linked = await sc.check(['--local-passphrase-file', `${pw}.link`]);
      expectStatus(linked, 3, 'UNKNOWN');
      expect(linked.firstLine).toContain('it is a symbolic link');
    });
  });

  test('1. a world-writable state directory is refused where ls prints an SELinux context marker (drwxrwxrwx.)', async () => {
    // A CentOS/RHEL ls: the mode string ends in "." for a file with a security context. dash and
    // bash run this ls; busybox sh runs its own applet, which prints no marker.
    await suite.acrossShells(async (shell) => {
      const sc = await scenario(shell, 'selinux');
      const env = await pathShims(sc.dir, { ls: `#!/bin/sh\n/bin/ls "$@" | sed 's/^\\([-dlcbps][-rwxsStT]\\{9\\}\\) /\\1. /'\n` });
      const marked = await run(['sh', '-c', `ls -ldn ${sc.state}`], { env });
      expect(marked.stdout).toMatch(/^drwx------\. /);
      expectCreated(await sc.check([], { env }));
      expectStatus(await sc.check([], { env }), 0, 'OK');
      await chmod(sc.state, 0o777);
      const open = await sc.check([], { env });
      expectStatus(open, 2, 'CRITICAL');
      expect(open.firstLine).toContain(`refusing state directory ${sc.state}: writable by group or others`);
    }, pathShells);
  });

  test('2. tripwire-update.sh refuses a report the check did not sign (forged by someone without the passphrases); --recheck accepts what a signed check finds now', async () => {
    await suite.acrossShells(async (shell) => {
      const sc = await scenario(shell, 'forged-report');
      expectCreated(await sc.check());
      const pdir = await sc.profileDir();
      const db = path.join(pdir, 'db.twd');
      const before = await readFile(db);
      // The intruder's change, and an unsigned report of it made with the bundled tripwire.
      await writeFile(path.join(sc.data, 'www/index.html'), '<?php evil();\n');
      const forged = path.join(pdir, 'reports', '29990101T000000Z-1.twr');
      const made = await run([path.join(suite.asset(), 'bin', 'tripwire'), '--check', '-c', path.join(pdir, 'tw.cfg'), '-p', path.join(pdir, 'tw.pol'), '-d', db,
        '-S', path.join(sc.state, 'site.key'), '-L', path.join(sc.state, 'local.key'), '-r', forged], { cwd: sc.dir });
      expect(made.code, made.output).toBe(4);
      await writeFile(path.join(pdir, 'last-check'), `report=${path.basename(forged)}\nviolations=1\nadded=0\nremoved=0\nmodified=1\nexit=4\ntime=29990101T000000Z\n`);
      const refused = await sc.update();
      expect(refused.code, refused.output).toBe(1);
      expect(refused.stderr).toContain('is not signed');
      expect(await readFile(db)).toEqual(before);
      const still = await sc.check();
      expectStatus(still, 2, 'CRITICAL');
      expect(still.stdout).toContain(`"${sc.data}/www/index.html"`);
      const signedBefore = (await readFile(path.join(pdir, 'last-check'), 'utf8')).match(/^report=(.*)$/m)![1]!;
      // A signed report of another profile (same keys) is not this profile's either.
      const other = await sc.sh('tripwire-check.sh', ['--state-dir', sc.state, path.join(sc.data, 'www', 'app')]);
      expectCreated(other);
      await writeFile(path.join(sc.data, 'www/app/main.js'), 'changed()\n');
      expectStatus(await sc.sh('tripwire-check.sh', ['--state-dir', sc.state, path.join(sc.data, 'www', 'app')]), 2, 'CRITICAL');
      const otherDir = (await readdir(path.join(sc.state, 'profiles'))).find((p) => p !== path.basename(pdir))!;
      const otherReport = (await readdir(path.join(sc.state, 'profiles', otherDir, 'reports'))).sort().at(-1)!;
      await copyFile(path.join(sc.state, 'profiles', otherDir, 'reports', otherReport), path.join(pdir, 'reports', otherReport));
      await writeFile(path.join(pdir, 'last-check'), `report=${otherReport}\nviolations=1\nadded=0\nremoved=0\nmodified=1\nexit=4\ntime=29990101T000000Z\n`);
      const foreign = await sc.update();
      expect(foreign.code, foreign.output).toBe(1);
      expect(foreign.stderr).toMatch(/not a report of this profile|does not belong/);
      expect(await readFile(db)).toEqual(before);
      // --recheck: a signed check now, its changes listed and accepted.
      const rechecked = await sc.update(['--recheck']);
      expect(rechecked.code, rechecked.output).toBe(0);
      expect(rechecked.stdout).toContain(`${sc.data}/www/index.html`);
      expectStatus(await sc.check(), 0, 'OK');
      // A signed report of this profile made before that update cannot be replayed.
      await writeFile(path.join(pdir, 'last-check'), `report=${signedBefore}\nviolations=1\nadded=0\nremoved=0\nmodified=1\nexit=4\ntime=29990101T000000Z\n`);
      const replayed = await sc.update();
      expect(replayed.code, replayed.output).toBe(1);
      expect(replayed.stderr).toContain('a replayed report?');
      // A check without the local passphrase cannot sign its report, and says what to do instead.
      const lp = path.join(sc.dir, 'local.pw');
      await rename(path.join(sc.state, 'local.passphrase'), lp);
      await appendFile(path.join(sc.data, 'www/index.html'), 'deployed\n');
      const reportsBefore = await readdir(path.join(pdir, 'reports'));
      const unsigned = await sc.check();
      expectStatus(unsigned, 2, 'CRITICAL');
      expect(unsigned.stdout).toContain('accept changes with tripwire-update.sh --recheck');
      // Its report text does not outlive the run: only signed reports are kept.
      expect(await readdir(path.join(pdir, 'reports'))).toEqual(reportsBefore);
      const notProven = await sc.update(['--local-passphrase-file', lp]);
      expect(notProven.code, notProven.output).toBe(1);
      expect(notProven.stderr).toContain('had no local passphrase to sign its report');
      expect((await sc.update(['--recheck', '--local-passphrase-file', lp])).code).toBe(0);
      expectStatus(await sc.check(), 0, 'OK');
      // A baseline made again (never updated since, like the one the old report was made with)
      // does not take a report older than itself either.
      const forced = await sc.sh('tripwire-init.sh', ['--force', '--state-dir', sc.state, '--local-passphrase-file', lp, sc.data]);
      expect(forced.code, forced.output).toBe(0);
      await writeFile(path.join(pdir, 'last-check'), `report=${signedBefore}\nviolations=1\nadded=0\nremoved=0\nmodified=1\nexit=4\ntime=29990101T000000Z\n`);
      const older = await sc.update(['--local-passphrase-file', lp]);
      expect(older.code, older.output).toBe(1);
      expect(older.stderr).toContain('is older than the database');
    });
  });

  test("3. a validly signed configuration, policy and database of another profile copied over a profile are CRITICAL, and tripwire-update.sh refuses them", async () => {
    await suite.acrossShells(async (shell) => {
      const sc = await scenario(shell, 'swap');
      expectCreated(await sc.check());
      const pdir = await sc.profileDir();
      const app = path.join(sc.data, 'www', 'app');
      expectCreated(await sc.sh('tripwire-check.sh', ['--state-dir', sc.state, app]));
      const sibling = path.join(sc.state, 'profiles', (await readdir(path.join(sc.state, 'profiles'))).find((p) => p !== path.basename(pdir))!);
      const saved = Object.fromEntries(await Promise.all(['tw.pol', 'db.twd', 'tw.cfg'].map(async (f) => [f, await readFile(path.join(pdir, f))] as const)));
      for (const f of ['tw.pol', 'db.twd']) await copyFile(path.join(sibling, f), path.join(pdir, f));
      const swapped = await sc.check();
      expectStatus(swapped, 2, 'CRITICAL');
      expect(swapped.firstLine).toContain('baseline integrity failure');
      expect(swapped.firstLine).toContain(`profile ${path.basename(sibling)}`);
      const update = await sc.update();
      expect(update.code, update.output).toBe(1);
      expect(update.stderr).toContain('baseline integrity failure');
      expectStatus(await sc.check(), 2, 'CRITICAL');
      for (const f of ['tw.pol', 'db.twd']) await writeFile(path.join(pdir, f), saved[f]!);
      expectStatus(await sc.check(), 0, 'OK');
      await copyFile(path.join(sibling, 'tw.cfg'), path.join(pdir, 'tw.cfg'));
      const cfg = await sc.check();
      expectStatus(cfg, 2, 'CRITICAL');
      expect(cfg.firstLine).toMatch(/configuration .*tw\.cfg/);
      await writeFile(path.join(pdir, 'tw.cfg'), saved['tw.cfg']!);
      expectStatus(await sc.check(), 0, 'OK');
    });
  });

  test('4. an update or a policy update killed (SIGKILL) while Tripwire writes the database keeps the old baseline usable', async () => {
    // The shim runs the real tripwire --update, then leaves the database it wrote half-written and
    // kills the script, as a kill -9 in the middle of the write would.
    const shim = `#!/bin/sh
case " $* " in *" --update "* | *" --update-policy "*) ;; *) exec "$0.real" "$@" ;; esac
"$0.real" "$@"
db=""; prev=""
for a in "$@"; do [ "$prev" = -d ] && db=$a; prev=$a; done
size=$(wc -c <"$db")
dd if="$db" of="$db.cut" bs=$((size / 2)) count=1 2>/dev/null
cat "$db.cut" >"$db"; rm -f "$db.cut"
kill -9 $PPID
exit 137
`;
    await suite.acrossShells(async (shell) => {
      const dir = path.join(suite.root(), `killed-update-asset-${shell.name}`);
      await mkdir(dir);
      const killing = await shimmedAsset(dir, shim);
      const sc = await scenario(shell, 'killed-update');
      expectCreated(await sc.check());
      await writeFile(path.join(sc.data, 'www/index.html'), 'deployed\n');
      expectStatus(await sc.check(), 2, 'CRITICAL');
      const killed = await runScript(killing, shell, 'tripwire-update.sh', ['--state-dir', sc.state, sc.data]);
      expect(killed.code, killed.output).not.toBe(0);
      const after = await sc.check();
      expectStatus(after, 2, 'CRITICAL');
      expect(after.firstLine).toContain('0 added, 0 removed, 1 modified');
      const done = await sc.update();
      expect(done.code, done.output).toBe(0);
      expectStatus(await sc.check(), 0, 'OK');
      expect((await readdir(await sc.profileDir())).filter((f) => f.startsWith('db.twd'))).toEqual(['db.twd']);
      // The same during a policy update (another --severity: the same profile, another policy).
      const severity = ['--severity', '90'];
      expectStatus(await sc.check(severity), 1, 'WARNING');
      const killedPolicy = await runScript(killing, shell, 'tripwire-update.sh', ['--state-dir', sc.state, ...severity, sc.data]);
      expect(killedPolicy.code, killedPolicy.output).not.toBe(0);
      const drift = await sc.check(severity);
      expectStatus(drift, 1, 'WARNING');
      expect(drift.stdout).toContain('differs from the one in the baseline');
      expectStatus(await sc.check(), 0, 'OK');
      const applied = await sc.update(severity);
      expect(applied.code, applied.output).toBe(0);
      expectStatus(await sc.check(severity), 0, 'OK');
    });
  });

  test('5. five first runs with different paths started at once on an empty state directory all create their baselines', async () => {
    await suite.acrossShells(async (shell) => {
      const sc = await scenario(shell, 'parallel-first', { 'a/f': '1\n', 'b/f': '2\n', 'c/f': '3\n', 'd/f': '4\n', 'e/f': '5\n' }, false);
      const runs = await Promise.all(['a', 'b', 'c', 'd', 'e'].map((d) =>
        sc.sh('tripwire-check.sh', ['--state-dir', sc.state, '--key-size', '1024', '--lock-timeout', '600', path.join(sc.data, d)])));
      for (const r of runs) {
        expectCreated(r);
        expect(r.firstLine, r.output).toContain('baseline created, 2 objects');
      }
      expect(runs.filter((r) => r.output.includes('generated random site and local passphrases'))).toHaveLength(1);
      expect((await readdir(path.join(sc.state, 'baselines'))).length).toBe(5);
    });
  });

  test.runIf(isRoot)('6. a full file system is UNKNOWN with one line naming it, on a first run and on a run that finds a change; never WARNING or OK', async () => {
    await suite.acrossShells(async (shell) => {
      const sc = await scenario(shell, 'full-disk');
      const fs = path.join(sc.dir, 'fs');
      await mkdir(fs);
      expect((await run(['mount', '-t', 'tmpfs', '-o', 'size=1m,mode=0700', 'tmpfs', fs])).code).toBe(0);
      try {
        const state = path.join(fs, 'state');
        await copyKeys(sc.state, state);
        const fill = async (): Promise<void> => {
          await run(['dd', 'if=/dev/zero', `of=${path.join(fs, 'fill')}`, 'bs=4096']);
        };
        const check = (): Promise<RunResult> => sc.sh('tripwire-check.sh', ['--state-dir', state, sc.data]);
        await fill();
        const first = await check();
        expectStatus(first, 3, 'UNKNOWN');
        expect(first.firstLine).toMatch(/the file system of .* is full/);
        expect(await readdir(path.join(state, 'baselines')).catch(() => [])).toEqual([]);
        await rm(path.join(fs, 'fill'));
        expectCreated(await check());
        await writeFile(path.join(sc.data, 'www/index.html'), 'defaced\n');
        await fill();
        const full = await check();
        expectStatus(full, 3, 'UNKNOWN');
        expect(full.firstLine).toMatch(/the file system of .* is full/);
        // Space that runs out anywhere later in the run (writing the work files, the report, the
        // record of the last check): the change is either reported as such, or the run is UNKNOWN
        // naming the full file system; always one result line, never OK or WARNING.
        for (const freeKb of [4, 8, 12, 16, 24, 32, 48, 64, 96]) {
          await rm(path.join(fs, 'fill'), { force: true });
          const avail = Number((await run(['df', '-P', '-k', fs])).stdout.split('\n')[1]?.split(/\s+/)[3]);
          await run(['dd', 'if=/dev/zero', `of=${path.join(fs, 'fill')}`, 'bs=1024', `count=${Math.max(avail - freeKb, 0)}`]);
          const tight = await check();
          const lines = tight.stdout.split('\n').filter((l) => l.startsWith('TRIPWIRE '));
          expect(lines, `${freeKb} KB free:\n${tight.output}`).toHaveLength(1);
          if (tight.code === 2) expect(tight.firstLine, `${freeKb} KB free`).toContain('0 added, 0 removed, 1 modified');
          else {
            expectStatus(tight, 3, 'UNKNOWN');
            expect(tight.firstLine, `${freeKb} KB free`).toMatch(/the file system of .* is full/);
          }
        }
        await rm(path.join(fs, 'fill'));
        const freed = await check();
        expectStatus(freed, 2, 'CRITICAL');
        expect(freed.firstLine).toContain('0 added, 0 removed, 1 modified');
      } finally {
        await run(['umount', '-l', fs]);
      }
    }, onHost);
  });

  test('7. a check killed by a timeout (SIGKILL) leaves a work directory that the next run removes', async () => {
    await suite.acrossShells(async (shell) => {
      const sc = await scenario(shell, 'sigkill');
      expectCreated(await sc.check());
      const tmp = path.join(sc.state, 'tmp');
      const victim = spawn(shell.argv[0]!, [...shell.argv.slice(1), path.join(suite.asset(), 'bin', 'tripwire-check.sh'), '--state-dir', sc.state, sc.data],
        { detached: true, stdio: 'ignore', env: baseEnv(), cwd: '/' });
      const exited = new Promise((resolve) => victim.once('exit', resolve));
      // Wait until the run's work directory holds something, then kill the whole run at once.
      let stale: string[] = [];
      for (let i = 0; i < 600 && stale.length === 0; i++) {
        for (const d of await readdir(tmp).catch(() => [] as string[])) {
          if ((await readdir(path.join(tmp, d)).catch(() => [] as string[])).length > 0) stale = [d];
        }
        if (stale.length === 0) await new Promise((resolve) => setTimeout(resolve, 50));
      }
      process.kill(-victim.pid!, 'SIGKILL');
      await exited;
      expect(stale).toHaveLength(1);
      expect(await exists(path.join(tmp, stale[0]!))).toBe(true);
      const next = await sc.check();
      expectStatus(next, 0, 'OK');
      expect(await readdir(tmp)).toEqual([]);
    }, onHost);
  });

  test('8. an option value that is empty or looks like an option is a usage error that creates nothing', async () => {
    await suite.acrossShells(async (shell) => {
      const sc = await scenario(shell, 'empty-options', undefined, false);
      const xdg = path.join(sc.dir, 'xdg');
      const env = baseEnv({ XDG_STATE_HOME: xdg });
      const cases: string[][] = [
        ['--state-dir', '', sc.data],
        ['--state-dir=', sc.data],
        ['--state-dir', sc.state, '--policy', ''],
        ['--state-dir', sc.state, '--json', '--no-init', sc.data],
        ['--state-dir', sc.state, '--metrics', '--json', sc.data],
        ['--state-dir', '--no-init', sc.data],
        ['--state-dir', sc.state, '--local-passphrase-file', '', sc.data],
      ];
      for (const args of cases) {
        const r = await sc.sh('tripwire-check.sh', args, { env, cwd: sc.dir });
        expect(r.code, `${JSON.stringify(args)}\n${r.output}`).toBe(3);
        expect(r.firstLine, JSON.stringify(args)).toMatch(/^TRIPWIRE UNKNOWN - usage: /);
      }
      for (const script of ['tripwire-init.sh', 'tripwire-update.sh'] as const) {
        const r = await sc.sh(script, ['--state-dir', '', sc.data], { env, cwd: sc.dir });
        expect(r.code, r.output).toBe(2);
      }
      expect(await exists(xdg)).toBe(false);
      expect(await exists(sc.state)).toBe(false);
      expect(await readdir(sc.dir)).toEqual(['data']);
    });
  });

  test('8. a path with glob characters (dir[1]) is monitored literally, never expanded', async () => {
    await suite.acrossShells(async (shell) => {
      const sc = await scenario(shell, 'glob-chars', { 'd[1]/f': 'literal\n', 'd1/f': 'other\n', 'e*/g': 'star\n', 'ex/g': 'x\n' });
      const paths = [path.join(sc.data, 'd[1]'), path.join(sc.data, 'e*')];
      const check = (): Promise<RunResult> => sc.sh('tripwire-check.sh', ['--state-dir', sc.state, ...paths]);
      const first = await check();
      expectCreated(first);
      expect(first.firstLine).toContain('baseline created, 4 objects');
      await appendFile(path.join(sc.data, 'd1/f'), 'x');
      await appendFile(path.join(sc.data, 'ex/g'), 'x');
      expectStatus(await check(), 0, 'OK');
      await appendFile(path.join(sc.data, 'd[1]/f'), 'x');
      await appendFile(path.join(sc.data, 'e*/g'), 'x');
      const found = await check();
      expectStatus(found, 2, 'CRITICAL');
      expect(found.firstLine).toContain('0 added, 0 removed, 2 modified');
      expect(found.stdout).toContain(`"${sc.data}/d[1]/f"`);
      expect(found.stdout).toContain(`"${sc.data}/e*/g"`);
    });
  });

  test.runIf(isRoot)("9. tripwire.sh --tool twprint works in a private directory: from a directory the user cannot write, leaving nothing in the caller's", async () => {
    await suite.acrossShells(async (shell) => {
      const sc = await scenario(shell, 'twprint-cwd');
      await run(['chown', '-R', 'nobody:nogroup', sc.data, sc.state]);
      expectCreated(await sc.check([], { user: 'nobody' }));
      const profile = await onlyProfile(sc.state);
      const tw = (args: string[], cwd: string): Promise<RunResult> => sc.sh('tripwire.sh', ['--state-dir', sc.state, '--profile', profile, ...args], { user: 'nobody', cwd });
      const db = await tw(['--tool', 'twprint', '-m', 'd'], '/');
      expect(db.code, db.output).toBe(0);
      expect(db.stdout).toContain(`${sc.data}/www/index.html`);
      // From a directory of its own, with a relative file argument: it still names the caller's file.
      const caller = path.join(sc.dir, 'caller');
      await mkdir(caller);
      await run(['chown', 'nobody:nogroup', caller]);
      const pol = await tw(['--tool', 'twadmin', '--print-polfile'], caller);
      expect(pol.code, pol.output).toBe(0);
      await writeFile(path.join(caller, 'twpol.txt'), pol.stdout);
      const examined = await tw(['--tool', 'twadmin', '--examine', 'twpol.txt'], caller);
      expect(examined.output).toContain(path.join(caller, 'twpol.txt'));
      expect(await readdir(caller)).toEqual(['twpol.txt']);
    });
  });

  test('10. no passphrase length is visible on a command line (dd bs=...)', async () => {
    await suite.acrossShells(async (shell) => {
      const sc = await scenario(shell, 'pw-length', undefined, false);
      const log = path.join(sc.dir, 'dd.log');
      const shims = await pathShims(sc.dir, { dd: `#!/bin/sh\nprintf '%s\\n' "$*" >>'${log}'\nexec /bin/dd "$@"\n` });
      const site = 'a-site-passphrase-of-37-characters!!!';
      const local = 'local-of-23-characters!';
      const env = { ...shims, TRIPWIRE_SITE_PASSPHRASE: site, TRIPWIRE_LOCAL_PASSPHRASE: local };
      const init = await sc.sh('tripwire-init.sh', ['--state-dir', sc.state, '--key-size', '1024', sc.data], { env });
      expect(init.code, init.output).toBe(0);
      await appendFile(path.join(sc.data, 'www/index.html'), 'x');
      expectStatus(await sc.check([], { env }), 2, 'CRITICAL');
      expect((await sc.update([], { env })).code).toBe(0);
      const argv = await readFile(log, 'utf8');
      expect(argv.length).toBeGreaterThan(0);
      for (const pw of [site, local]) expect(argv).not.toMatch(new RegExp(`\\b${1024 - pw.length}\\b`));
    }, pathShells);
  });

  test("10. bytes appended after the signed data of the database, policy or configuration are CRITICAL (Debian's unpatched Tripwire: by the one-byte-shorter copies)", async () => {
    await suite.acrossShells(async (shell) => {
      const sc = await scenario(shell, 'appended');
      expectCreated(await sc.check());
      const pdir = await sc.profileDir();
      for (const f of ['db.twd', 'tw.pol', 'tw.cfg']) {
        const file = path.join(pdir, f);
        const good = await readFile(file);
        await appendFile(file, 'hidden payload\n');
        const found = await sc.check();
        expectStatus(found, 2, 'CRITICAL');
        expect(found.firstLine).toContain(`baseline integrity failure: bytes were appended after the signed data of ${file}`);
        await writeFile(file, good);
      }
      expectStatus(await sc.check(), 0, 'OK');
    });
  });

  test('11. a new baseline cannot be missed: its own line, a WARNING by default (--new-baseline-status chooses), and its creation time as a metric on every run', async () => {
    await suite.acrossShells(async (shell) => {
      const sc = await scenario(shell, 'new-baseline');
      const keys = path.join(sc.dir, 'keys');
      await copyKeys(sc.state, keys);
      const first = await sc.check(['--metrics', 'graphite_plaintext']);
      expectStatus(first, 1, 'WARNING');
      expect(first.firstLine).toMatch(/^TRIPWIRE WARNING - new baseline created, 5 objects \(profile paths-/);
      const created = Number(first.stdout.match(/\.baseline_created_time (\d+) /)?.[1]);
      expect(created).toBeGreaterThan(1_600_000_000);
      const later = await sc.check(['--metrics', 'graphite_plaintext']);
      expectStatus(later, 0, 'OK');
      expect(later.stdout).toMatch(/^the baseline was created at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/m);
      expect(Number(later.stdout.match(/\.baseline_created_time (\d+) /)?.[1])).toBe(created);
      // An intruder removes the whole state directory: the next run says so, and the time changes.
      await rm(sc.state, { recursive: true });
      await copyKeys(keys, sc.state);
      const reset = await sc.check(['--new-baseline-status', 'critical', '--metrics', 'graphite_plaintext']);
      expectStatus(reset, 2, 'CRITICAL');
      expect(reset.firstLine).toContain('new baseline created');
      expect(Number(reset.stdout.match(/\.baseline_created_time (\d+) /)?.[1])).toBeGreaterThan(created);
      await rm(sc.state, { recursive: true });
      await copyKeys(keys, sc.state);
      expectStatus(await sc.check(['--new-baseline-status', 'ok']), 0, 'OK');
      const bad = await sc.check(['--new-baseline-status', 'maybe']);
      expectStatus(bad, 3, 'UNKNOWN');
    });
  });
});
