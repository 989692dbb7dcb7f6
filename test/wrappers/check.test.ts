import { spawn } from 'node:child_process';
import { appendFile, chmod, chown, copyFile, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  assembleAsset,
  baseEnv,
  exists,
  giveToNobody,
  isRoot,
  modeOf,
  onlyProfile,
  run,
  runScript,
  storedPassphrases,
  writeTree,
  type RunResult,
  type Script,
  type Shell,
} from './helpers.js';
import { expectCreated, expectNoSecrets, expectStatus, scenarioSuite, type Scenario } from './scenario.js';
import { parseGraphite, parseInflux, parseNagios, parseOpenTsdb, parsePrometheus, type Point } from '../../builders/install-test/sensu-metric-parsers.js';

/**
 * The check's behaviour, scenario by scenario, against a real Tripwire on real files. Every test
 * runs its scenario under dash, busybox sh and bash side by side, and in the real Alpine 3.9
 * userland (a container; see alpine.ts), each in its own directories, and fails naming the shells
 * it failed under.
 *
 * Speed: Tripwire sleeps 2 s each time it takes a passphrase and spends most of a second of CPU
 * on each start, so the keys are made once and copied into each scenario's state directory (the
 * first-run scenarios make their own), and everything runs concurrently. No assertion depends on
 * timing.
 */
const suite = scenarioSuite('wrappers-check');
beforeAll(() => suite.setUp(), 300_000);
afterAll(async () => {
  // No output of any scenario, under any shell, ever held one of its passphrases.
  await suite.expectNoSecrets();
  await suite.tearDown();
});
const acrossShells = suite.acrossShells;

/** A scenario with the given files (default: a small web tree), with the shared keys unless keys is false. */
function scenario(shell: Shell, name: string, files?: Record<string, string>, keys = true): Promise<Scenario> {
  return suite.scenario(shell, name, { files, keys });
}

async function twadmin(args: string[]): Promise<RunResult> {
  return run([path.join(suite.asset(), 'bin', 'twadmin'), ...args], { cwd: suite.root() });
}

/**
 * A live process where the shell runs (this host, or the Alpine container with its own process
 * ids): its pid, its start time (field 22 of /proc/PID/stat) and a way to end it.
 */
async function liveProcess(shell: Shell): Promise<{ pid: string; start: string; kill: () => Promise<void> }> {
  const startOf = (stat: string): string => stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? '';
  if (shell.run === undefined) {
    const child = spawn('sleep', ['600'], { stdio: 'ignore' });
    const pid = String(child.pid);
    return {
      pid,
      start: startOf(await readFile(`/proc/${pid}/stat`, 'utf8')),
      kill: async () => {
        child.kill('SIGKILL');
        await new Promise((resolve) => child.once('exit', resolve));
      },
    };
  }
  const run = shell.run;
  const started = await run(['/bin/sh', '-c', 'sleep 600 >/dev/null 2>&1 & echo "$!"; cat "/proc/$!/stat"']);
  const [pid = '', stat = ''] = started.stdout.split('\n');
  if (started.code !== 0 || pid === '') throw new Error(`cannot start a process in the container: ${started.output}`);
  return { pid, start: startOf(stat), kill: async () => void (await run(['kill', '-9', pid])) };
}

describe.concurrent('the check, under dash, busybox sh and bash', () => {
  test('the first run generates keys and passphrases, creates a signed baseline and says so; the next run is OK', async () => {
    await acrossShells(async (shell) => {
      const sc = await scenario(shell, 'first-run', undefined, false);
      const first = await sc.check();
      expectStatus(first, 1, 'WARNING');
      expect(first.firstLine).toMatch(/^TRIPWIRE WARNING - new baseline created, 5 objects \(profile paths-[0-9a-f]{16}\)$/);
      expect(first.stdout).toContain(`generated random site and local passphrases, stored (mode 0600) in ${sc.state}/site.passphrase and ${sc.state}/local.passphrase`);
      expect(await modeOf(sc.state)).toBe(0o700);
      for (const f of ['site.key', 'local.key', 'site.passphrase', 'local.passphrase']) expect(await modeOf(path.join(sc.state, f)), f).toBe(0o600);
      const secrets = await storedPassphrases(sc.state);
      expect(secrets).toHaveLength(2);
      for (const s of secrets) expect(s).toMatch(/^[0-9a-f]{48}$/);
      const pdir = await sc.profileDir();
      for (const f of ['tw.cfg', 'tw.pol', 'db.twd']) expect(await modeOf(path.join(pdir, f)), f).toBe(0o600);
      const examined = await twadmin(['--examine', '-c', path.join(pdir, 'tw.cfg'), '-S', path.join(sc.state, 'site.key'), '-L', path.join(sc.state, 'local.key'),
        path.join(pdir, 'tw.cfg'), path.join(pdir, 'tw.pol'), path.join(pdir, 'db.twd')]);
      expect(examined.stdout.match(/Encoding: Asymmetric Encryption/g)).toHaveLength(3);
      expect(examined.stdout).toContain(`Local Keyfile: ${sc.state}/local.key`);
      const second = await sc.check();
      expectStatus(second, 0, 'OK');
      expect(second.firstLine).toMatch(/^TRIPWIRE OK - 0 added, 0 removed, 0 modified, max severity 0, 5 objects scanned \(profile paths-/);
      await expectNoSecrets(sc);
    });
  });

  test('added, removed and modified objects are CRITICAL with their paths listed by kind, a permission-only change too, and tripwire-update.sh accepts them', async () => {
    await acrossShells(async (shell) => {
      const sc = await scenario(shell, 'changes', { 'www/index.html': 'hi\n', 'www/app/main.js': 'run()\n', 'www/app/lib.js': 'lib()\n' });
      expectCreated(await sc.check());
      const at = (p: string): string => path.join(sc.data, p);
      await writeFile(at('www/app/evil.php'), '<?php system($_GET[1]);\n');
      await rm(at('www/index.html'));
      await appendFile(at('www/app/main.js'), 'steal()\n');
      const found = await sc.check();
      expectStatus(found, 2, 'CRITICAL');
      expect(found.firstLine).toMatch(/^TRIPWIRE CRITICAL - 1 added, 1 removed, 1 modified, max severity 100, 6 objects scanned \(profile paths-/);
      const rule = `(rule ${sc.data}, severity 100)`;
      expect(found.stdout).toContain(
        `Added (1):\n  "${at('www/app/evil.php')}" ${rule}\nRemoved (1):\n  "${at('www/index.html')}" ${rule}\nModified (1):\n  "${at('www/app/main.js')}" (rule ${sc.data}, severity 100; changed: Size, Modify Time, Change Time, CRC32, MD5, SHA)\n`,
      );
      expect(found.stdout).toContain('accept legitimate changes with tripwire-update.sh');
      const accepted = await sc.update();
      expect(accepted.code, accepted.output).toBe(0);
      expect(accepted.stdout).toContain('accepting the changes found by the check');
      for (const p of ['www/app/evil.php', 'www/index.html', 'www/app/main.js']) expect(accepted.stdout).toContain(at(p));
      expectStatus(await sc.check(), 0, 'OK');
      await chmod(at('www/app/lib.js'), 0o666);
      const perms = await sc.check();
      expectStatus(perms, 2, 'CRITICAL');
      expect(perms.firstLine).toContain('0 added, 0 removed, 1 modified');
      expect(perms.stdout).toContain(`Modified (1):\n  "${at('www/app/lib.js')}" (rule ${sc.data}, severity 100; changed: Mode, Change Time)\n`);
      expect((await sc.update()).code).toBe(0);
      expectStatus(await sc.check(), 0, 'OK');
      const again = await sc.update();
      expect(again.code).toBe(0);
      expect(again.stderr).toContain('nothing to accept');
      await expectNoSecrets(sc);
    });
  });

  test('violations map by the highest violated severity: below --warning OK but listed, then WARNING, then CRITICAL', async () => {
    await acrossShells(async (shell) => {
      const sc = await scenario(shell, 'severity', { 'low/f': '1\n', 'mid/f': '2\n', 'high/f': '3\n' });
      const policy = path.join(sc.dir, 'policy.txt');
      await writeFile(policy, ['low:33', 'mid:66', 'high:100'].map((s) => {
        const [dir, sev] = s.split(':');
        return `(rulename = "${dir}", severity = ${sev})\n{\n  ${sc.data}/${dir} -> $(ReadOnly) ;\n}\n`;
      }).join('\n'));
      const args = ['--policy', policy];
      expectCreated(await sc.check(args));
      await appendFile(path.join(sc.data, 'low/f'), 'x');
      const low = await sc.check(args);
      expectStatus(low, 0, 'OK');
      expect(low.firstLine).toContain('1 modified, max severity 33');
      expect(low.stdout).toContain(`"${sc.data}/low/f" (rule low, severity 33; changed: Size, Modify Time, CRC32, MD5)\n`);
      expectStatus(await sc.check([...args, '--warning', '30']), 1, 'WARNING');
      await appendFile(path.join(sc.data, 'mid/f'), 'x');
      const mid = await sc.check(args);
      expectStatus(mid, 1, 'WARNING');
      expect(mid.firstLine).toContain('2 modified, max severity 66');
      await appendFile(path.join(sc.data, 'high/f'), 'x');
      expectStatus(await sc.check(args), 2, 'CRITICAL');
    });
  });

  test('command-line paths take --severity: 50 is listed but OK, 70 is a WARNING', async () => {
    await acrossShells(async (shell) => {
      const sc = await scenario(shell, 'cli-severity');
      expectCreated(await sc.check(['--severity', '50']));
      await writeFile(path.join(sc.data, 'www/new.html'), 'new\n');
      const fifty = await sc.check(['--severity', '50']);
      expectStatus(fifty, 0, 'OK');
      expect(fifty.firstLine).toContain('1 added, 0 removed, 0 modified, max severity 50');
      expect(fifty.stdout).toContain(`"${sc.data}/www/new.html" (rule ${sc.data}, severity 50)`);
      const sc2 = await scenario(shell, 'cli-severity-70');
      expectCreated(await sc2.check(['--severity', '70']));
      await writeFile(path.join(sc2.data, 'www/new.html'), 'new\n');
      const seventy = await sc2.check(['--severity', '70']);
      expectStatus(seventy, 1, 'WARNING');
      expect(seventy.firstLine).toContain('max severity 70');
    });
  });

  test('a deleted database is CRITICAL on every run, never silently re-created, until tripwire-init.sh --force', async () => {
    await acrossShells(async (shell) => {
      const sc = await scenario(shell, 'deleted-db');
      expectCreated(await sc.check());
      await rm(path.join(await sc.profileDir(), 'db.twd'));
      for (let i = 0; i < 2; i++) {
        const found = await sc.check();
        expectStatus(found, 2, 'CRITICAL');
        expect(found.firstLine).toMatch(/baseline integrity failure: the database .*db\.twd is missing/);
        expect(found.firstLine).toContain('tripwire-init.sh --force');
      }
      const refused = await sc.sh('tripwire-init.sh', ['--state-dir', sc.state, sc.data]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('already has a baseline');
      const update = await sc.update();
      expect(update.code).toBe(1);
      expect(update.stderr).toContain('baseline integrity failure');
      const forced = await sc.sh('tripwire-init.sh', ['--force', '--state-dir', sc.state, sc.data]);
      expect(forced.code, forced.output).toBe(0);
      expect(forced.stdout).toContain('baseline created for profile paths-');
      expectStatus(await sc.check(), 0, 'OK');
    });
  });

  test('a corrupted database is CRITICAL, wherever the damage is', async () => {
    await acrossShells(async (shell) => {
      const sc = await scenario(shell, 'corrupt-db');
      expectCreated(await sc.check());
      const db = path.join(await sc.profileDir(), 'db.twd');
      const good = await readFile(db);
      for (const at of [300, good.length - 40]) {
        const bad = Buffer.from(good);
        bad.write('XXXX', at);
        await writeFile(db, bad);
        const found = await sc.check();
        expectStatus(found, 2, 'CRITICAL');
        expect(found.firstLine).toContain('baseline integrity failure');
        expect(found.firstLine).toContain('db.twd');
      }
      await writeFile(db, good.subarray(0, 1000));
      expectStatus(await sc.check(), 2, 'CRITICAL');
    });
  });

  // The check leaves the database's signature to tripwire --check (no second verification of
  // every block): an unsigned database, which tripwire only warns about, and one signed with
  // another local key must still be CRITICAL, and keep no report.
  test('a database made unsigned, or signed with another local key, is CRITICAL', async () => {
    await acrossShells(async (shell) => {
      const sc = await scenario(shell, 'unsigned-db');
      expectCreated(await sc.check());
      const pdir = await sc.profileDir();
      const db = path.join(pdir, 'db.twd');
      const good = await readFile(db);
      const reports = async (): Promise<string[]> => readdir(path.join(pdir, 'reports'));
      const before = await reports();
      // Whoever knows the local passphrase could do this; what matters is that the check sees it.
      const localPw = (await readFile(path.join(sc.state, 'local.passphrase'), 'utf8')).trim();
      const stripped = await run([path.join(suite.asset(), 'bin', 'twadmin'), '--remove-encryption', '-c', path.join(pdir, 'tw.cfg'), '-L', path.join(sc.state, 'local.key'), db], { cwd: sc.dir, stdin: `${localPw}\n` });
      expect(stripped.code, stripped.output).toBe(0);
      const unsigned = await sc.check();
      expectStatus(unsigned, 2, 'CRITICAL');
      expect(unsigned.firstLine).toMatch(/baseline integrity failure: the database .*db\.twd is not signed/);
      expect(await reports()).toEqual(before);
      // A validly signed database of another state directory (another local key).
      const other = await scenario(shell, 'unsigned-db-other-key', { 'x': 'x\n' }, false);
      expectCreated(await other.check(['--key-size', '1024']));
      await copyFile(path.join(await other.profileDir(), 'db.twd'), db);
      const foreign = await sc.check();
      expectStatus(foreign, 2, 'CRITICAL');
      expect(foreign.firstLine).toContain('baseline integrity failure');
      expect(foreign.firstLine).toContain('db.twd');
      expect(await reports()).toEqual(before);
      await writeFile(db, good);
      expectStatus(await sc.check(), 0, 'OK');
    });
  });

  test('a tampered policy is CRITICAL: an unsigned one, and one signed with another site key', async () => {
    await acrossShells(async (shell) => {
      const sc = await scenario(shell, 'tampered-policy');
      expectCreated(await sc.check());
      const pdir = await sc.profileDir();
      const pol = path.join(pdir, 'tw.pol');
      const good = await readFile(pol);
      // An attacker's policy that no longer looks at the web root, written without any passphrase.
      const mine = path.join(sc.dir, 'mine.txt');
      await writeFile(mine, `(rulename = "x")\n{\n  ${sc.dir}/nothing -> $(ReadOnly) ;\n}\n`);
      const forged = await run([path.join(suite.asset(), 'bin', 'twadmin'), '--create-polfile', '-e', '-c', path.join(pdir, 'tw.cfg'), '-p', path.join(sc.dir, 'forged.pol'), mine], { cwd: sc.dir });
      expect(forged.code, forged.output).toBe(0);
      await copyFile(path.join(sc.dir, 'forged.pol'), pol);
      const unsigned = await sc.check();
      expectStatus(unsigned, 2, 'CRITICAL');
      expect(unsigned.firstLine).toMatch(/the policy .*tw\.pol is not signed/);
      // The same policy signed with another state directory's site key.
      const other = await scenario(shell, 'tampered-policy-other-key', { 'x': 'x\n' }, false);
      expectCreated(await other.check(['--key-size', '1024']));
      await copyFile(path.join(await other.profileDir(), 'tw.pol'), pol);
      const foreign = await sc.check();
      expectStatus(foreign, 2, 'CRITICAL');
      expect(foreign.firstLine).toContain('baseline integrity failure');
      // A validly signed policy of another profile in the same state directory.
      const third = await sc.sh('tripwire-check.sh', ['--state-dir', sc.state, path.join(sc.data, 'www', 'app')]);
      expectCreated(third);
      const profiles = await readdir(path.join(sc.state, 'profiles'));
      const sibling = profiles.find((p) => p !== path.basename(pdir))!;
      await copyFile(path.join(sc.state, 'profiles', sibling, 'tw.pol'), pol);
      const swapped = await sc.check();
      expectStatus(swapped, 2, 'CRITICAL');
      expect(swapped.firstLine).toContain(`it was made for profile ${sibling}`);
      await copyFile(path.join(sc.state, 'profiles', sibling, 'db.twd'), path.join(pdir, 'db.twd'));
      const both = await sc.check();
      expect(both.code, both.output).toBeGreaterThanOrEqual(1);
      expect(both.stdout).toContain('differ');
      await writeFile(pol, good);
    });
  });

  test('a missing key, configuration or baseline record is CRITICAL', async () => {
    await acrossShells(async (shell) => {
      const sc = await scenario(shell, 'missing-files');
      expectCreated(await sc.check());
      const pdir = await sc.profileDir();
      for (const [file, what] of [[path.join(sc.state, 'local.key'), 'local key'], [path.join(sc.state, 'site.key'), 'site key'], [path.join(pdir, 'tw.cfg'), 'configuration']] as const) {
        await rename(file, `${file}.away`);
        const found = await sc.check();
        expectStatus(found, 2, 'CRITICAL');
        expect(found.firstLine).toContain(`the ${what} ${file} is missing`);
        await rename(`${file}.away`, file);
      }
      const marker = path.join(sc.state, 'baselines', path.basename(pdir));
      await rename(marker, `${marker}.away`);
      const unrecorded = await sc.check();
      expectStatus(unrecorded, 2, 'CRITICAL');
      expect(unrecorded.firstLine).toContain('no record of their creation');
      await rename(`${marker}.away`, marker);
      expectStatus(await sc.check(), 0, 'OK');
    });
  });

  test.runIf(isRoot)('a file the check cannot read is a WARNING that names it (as nobody)', async () => {
    await acrossShells(async (shell) => {
      const sc = await scenario(shell, 'unreadable', { 'www/index.html': 'hi\n', 'www/secret.key': 'root only\n' });
      await giveToNobody(sc.data);
      await giveToNobody(sc.state);
      const secret = path.join(sc.data, 'www/secret.key');
      await chown(secret, 0, 0);
      await chmod(secret, 0o600);
      const first = await sc.check([], { user: 'nobody' });
      expectStatus(first, 1, 'WARNING');
      expect(first.firstLine).toMatch(/baseline created, \d+ objects, 1 scan errors/);
      const found = await sc.check([], { user: 'nobody' });
      expectStatus(found, 1, 'WARNING');
      expect(found.firstLine).toContain('0 added, 0 removed, 0 modified, max severity 0');
      expect(found.firstLine).toContain('1 scan errors');
      expect(found.stdout).toContain(`Scan errors (1):\n  ${secret}: File could not be opened. (Permission denied)`);
    });
  });

  test.runIf(isRoot)("Debian's unpatched tripwire cannot list root's directories as nobody: a WARNING, not a silent OK", async () => {
    await acrossShells(async (shell) => {
      const sc = await scenario(shell, 'noatime-bug');
      await giveToNobody(sc.state);
      const found = await sc.check([], { user: 'nobody' });
      expectStatus(found, 1, 'WARNING');
      expect(found.stdout).toContain(`${sc.data}: Could not access directory contents. (Operation not permitted)`);
    });
  });

  test('two checks at once on one profile: one waits for the other, a held lock times out as UNKNOWN, a stale one is taken over', async () => {
    await acrossShells(async (shell) => {
      const sc = await scenario(shell, 'concurrent');
      // A generous --lock-timeout: the machine may be busy, and waiting is the point.
      const wait = ['--lock-timeout', '600'];
      const firsts = await Promise.all([sc.check(wait), sc.check(wait)]);
      expect(firsts.map((r) => r.code).sort()).toEqual([0, 1]);
      expect(firsts.filter((r) => r.firstLine.includes('baseline created'))).toHaveLength(1);
      expect(firsts.filter((r) => r.firstLine.includes('0 added, 0 removed, 0 modified'))).toHaveLength(1);
      // A lock held by a live process: give up after --lock-timeout, as UNKNOWN.
      const locks = path.join(sc.state, 'locks');
      const profile = await onlyProfile(sc.state);
      const holder = await liveProcess(shell);
      try {
        const { pid, start } = holder;
        const boot = (await readFile('/proc/sys/kernel/random/boot_id', 'utf8')).trim();
        await mkdir(path.join(locks, profile));
        await writeFile(path.join(locks, profile, 'owner'), `${pid} ${start} ${boot} ${Math.floor(Date.now() / 1000)} tripwire-update.sh\n`);
        const blocked = await sc.check(['--lock-timeout', '1']);
        expectStatus(blocked, 3, 'UNKNOWN');
        expect(blocked.firstLine).toContain(`profile ${profile} is locked by tripwire-update.sh (pid ${pid})`);
      } finally {
        await holder.kill();
      }
      // Its owner is gone now: the lock is stale and is taken over.
      const after = await sc.check(['--lock-timeout', '5']);
      expectStatus(after, 0, 'OK');
      // Taking over a stale lock does not change the result: it is not in the check's output.
      expect(after.output).not.toContain('stale lock');
      expect(await exists(path.join(locks, profile))).toBe(false);
    });
  });

  test('several checks with different paths keep separate baselines in one state directory', async () => {
    await acrossShells(async (shell) => {
      const sc = await scenario(shell, 'two-profiles', { 'web/a': '1\n', 'etc/b': '2\n' });
      const web = path.join(sc.data, 'web');
      const etc = path.join(sc.data, 'etc');
      const check = (p: string): Promise<RunResult> => sc.sh('tripwire-check.sh', ['--state-dir', sc.state, p]);
      const [w, e] = await Promise.all([check(web), check(etc)]);
      expectCreated(w);
      expectCreated(e);
      expect((await readdir(path.join(sc.state, 'profiles'))).length).toBe(2);
      for (const f of ['shell.php', 'b.php', 'c.php']) await writeFile(path.join(web, f), 'x\n');
      const found = await sc.sh('tripwire-check.sh', ['--state-dir', sc.state, '--max-list', '2', web]);
      expectStatus(found, 2, 'CRITICAL');
      expect(found.stdout).toMatch(/^Added \(3\):\n  ".*"\s.*\n  ".*"\s.*\n  \u2026 and 1 more\n/m);
      expectStatus(await check(etc), 0, 'OK');
    });
  });

  test('a glob that now expands to one more directory: under a fixed --profile the new path is reported as added until tripwire-update.sh; without one, the new set gets its own baseline, never silently', async () => {
    await acrossShells(async (shell) => {
      const sc = await scenario(shell, 'glob', { 'www/a/index.html': 'a\n', 'www/b/index.html': 'b\n' });
      const glob = async (): Promise<string[]> => (await readdir(path.join(sc.data, 'www'))).sort().map((d) => path.join(sc.data, 'www', d));
      const check = async (extra: string[] = []): Promise<RunResult> => sc.sh('tripwire-check.sh', ['--state-dir', sc.state, ...extra, ...(await glob())]);
      const named = ['--profile', 'web'];
      expect((await check(named)).firstLine).toMatch(/baseline created/);
      expect((await check()).firstLine).toMatch(/baseline created/);
      await writeTree(sc.data, { 'www/c/index.html': 'c\n' });
      await appendFile(path.join(sc.data, 'www/a/index.html'), 'defaced\n');
      const found = await check(named);
      expectStatus(found, 2, 'CRITICAL');
      expect(found.firstLine).toContain('1 added, 0 removed, 1 modified');
      expect(found.stdout).toContain(`"${sc.data}/www/c" (rule command line, severity 100)`);
      expect(found.stdout).toContain(`"${sc.data}/www/a/index.html"`);
      const accepted = await sc.sh('tripwire-update.sh', ['--state-dir', sc.state, ...named, ...(await glob())]);
      expect(accepted.code, accepted.output).toBe(0);
      expectStatus(await check(named), 0, 'OK');
      // Without --profile, {a, b, c} is a new set: its own baseline, a WARNING that names the overlap.
      const unnamed = await check();
      expectStatus(unnamed, 1, 'WARNING');
      expect(unnamed.firstLine).toMatch(/baseline created, \d+ objects; these paths overlap those of profile paths-[0-9a-f]+ \(profile paths-[0-9a-f]+\)$/);
      expect(unnamed.stdout).toContain(`overlapping those of profile `);
      expect(unnamed.stdout).toContain(`(${sc.data}/www/a, ${sc.data}/www/b): if this is a glob that now expands differently`);
      expectStatus(await check(), 0, 'OK');
    });
  });

  test('other paths under a fixed --profile and an edited --policy are reported until tripwire-update.sh applies them', async () => {
    await acrossShells(async (shell) => {
      const sc = await scenario(shell, 'drift', { 'a/f': '1\n', 'b/f': '2\n', 'c/f': '3\n' });
      const prof = (dirs: string[]): Promise<RunResult> => sc.sh('tripwire-check.sh', ['--state-dir', sc.state, '--profile', 'web', ...dirs.map((d) => path.join(sc.data, d))]);
      expectCreated(await prof(['a', 'b']));
      const moved = await prof(['a', 'c']);
      expectStatus(moved, 2, 'CRITICAL');
      expect(moved.stdout).toContain(`"${sc.data}/c" (rule command line, severity 100)`);
      expect(moved.stdout).toContain(`no longer given: ${sc.data}/b`);
      const applied = await sc.sh('tripwire-update.sh', ['--state-dir', sc.state, '--profile', 'web', path.join(sc.data, 'a'), path.join(sc.data, 'c')]);
      expect(applied.code, applied.output).toBe(0);
      expect(applied.stdout).toContain(`new path: ${sc.data}/c`);
      expectStatus(await prof(['a', 'c']), 0, 'OK');
      const policy = path.join(sc.dir, 'policy.txt');
      await writeFile(policy, `(rulename = "A", severity = 50)\n{\n  ${sc.data}/a -> $(ReadOnly) ;\n}\n`);
      expectCreated(await sc.check(['--policy', policy]));
      await writeFile(policy, `(rulename = "A", severity = 50)\n{\n  ${sc.data}/a -> $(ReadOnly) ;\n  ${sc.data}/b -> $(ReadOnly) ;\n}\n`);
      const edited = await sc.check(['--policy', policy]);
      expectStatus(edited, 1, 'WARNING');
      expect(edited.stdout).toContain(`the policy file ${policy} differs from the policy in the baseline`);
      const done = await sc.update(['--policy', policy]);
      expect(done.code, done.output).toBe(0);
      expect(done.stdout).toContain('applied the new policy');
      const after = await sc.check(['--policy', policy]);
      expectStatus(after, 0, 'OK');
      expect(after.firstLine).toContain('4 objects scanned');
    });
  });

  test('passphrases from the environment are used, never stored, and appear in no output and on no command line', async () => {
    await acrossShells(async (shell) => {
      const sc = await scenario(shell, 'env-passphrases', undefined, false);
      // Shims in front of the binaries record every command line the scripts run.
      const shimmed = path.join(sc.dir, 'asset');
      await assembleAsset(shimmed);
      const log = path.join(sc.dir, 'argv.log');
      for (const bin of ['tripwire', 'twadmin', 'twprint']) {
        await rename(path.join(shimmed, 'bin', bin), path.join(shimmed, 'bin', `${bin}.real`));
        await writeFile(path.join(shimmed, 'bin', bin), `#!/bin/sh\nprintf '%s\\n' "$0 $*" >>'${log}'\nexec "$0.real" "$@"\n`, { mode: 0o755 });
      }
      const site = 'Site passphrase: "quoted" \\ back$lash and spaces';
      const local = `local-${Math.random().toString(36).slice(2)}-ümlaut`;
      const env = baseEnv({ TRIPWIRE_SITE_PASSPHRASE: site, TRIPWIRE_LOCAL_PASSPHRASE: local });
      const go = async (script: Script, extra: string[] = []): Promise<RunResult> => {
        const r = await runScript(shimmed, shell, script, ['--state-dir', sc.state, ...extra, sc.data], { env });
        sc.outputs.push(r.output);
        return r;
      };
      const init = await go('tripwire-init.sh', ['--key-size', '1024']);
      expect(init.code, init.output).toBe(0);
      expect(init.output).not.toContain('generated');
      expect(await storedPassphrases(sc.state)).toEqual([]);
      await writeFile(path.join(sc.data, 'www/new.html'), 'x\n');
      const found = await go('tripwire-check.sh', ['--json', path.join(sc.dir, 'r.json')]);
      expectStatus(found, 2, 'CRITICAL');
      expect(found.output).not.toContain('not signed');
      expect((await go('tripwire-update.sh')).code).toBe(0);
      expectStatus(await go('tripwire-check.sh'), 0, 'OK');
      // A wrong passphrase is an error that names its source, not the passphrase.
      const wrong = await runScript(shimmed, shell, 'tripwire-check.sh', ['--state-dir', sc.state, sc.data], { env: baseEnv({ TRIPWIRE_LOCAL_PASSPHRASE: 'wrong' }) });
      expectStatus(wrong, 3, 'UNKNOWN');
      expect(wrong.firstLine).toContain('the local passphrase (from TRIPWIRE_LOCAL_PASSPHRASE) does not open');
      const argv = await readFile(log, 'utf8');
      expect(argv).toContain('--generate-keys');
      expect(argv).toContain('--init');
      expect(argv).toContain('--update');
      await expectNoSecrets(sc, [site, local]);
      for (const secret of [site, local]) expect(argv).not.toContain(secret);
      expect(argv).not.toMatch(/ -[PQ] /);
      expect(await readFile(path.join(sc.dir, 'r.json'), 'utf8')).not.toContain(local);
    });
  });

  test('every Sensu metrics format is read back by its parser with the right values, and --json has the details', async () => {
    await acrossShells(async (shell) => {
      const sc = await scenario(shell, 'metrics');
      expectCreated(await sc.check());
      await writeFile(path.join(sc.data, 'www/pipe|name.html'), 'x\n');
      await rm(path.join(sc.data, 'www/index.html'));
      const want = { added: 1, removed: 1, modified: 0, violations: 2, max_severity: 100, objects_scanned: 5, scan_errors: 0, baseline_created_time: expect.any(Number) as number };
      const profile = await onlyProfile(sc.state);
      const byName = (points: Point[], prefix: string): Record<string, number> =>
        Object.fromEntries(points.map((p) => [p.name.slice(prefix.length), p.value]));
      const json = path.join(sc.dir, 'result.json');
      const formats: [string, (out: string) => Record<string, number>][] = [
        ['nagios_perfdata', (out) => byName(parseNagios(out), '')],
        ['graphite_plaintext', (out) => byName(parseGraphite(out), `tripwire.${profile}.`)],
        ['influxdb_line', (out) => byName(parseInflux(out), 'tripwire.')],
        ['opentsdb_line', (out) => byName(parseOpenTsdb(out), 'tripwire.')],
        ['prometheus_text', (out) => {
          const parsed = parsePrometheus(out);
          expect(parsed.error).toBeUndefined();
          return byName(parsed.points, 'tripwire_');
        }],
      ];
      for (const [format, parse] of formats) {
        const result = await sc.check(['--metrics', format, '--json', json]);
        expect(result.code, result.output).toBe(2);
        expect(parse(result.stdout), format).toEqual(want);
        if (format === 'prometheus_text') {
          expect(result.firstLine).toMatch(/^# TRIPWIRE CRITICAL - 1 added, 1 removed/);
          expect(parsePrometheus(result.stdout).points[0]?.tags).toEqual({ profile });
        } else {
          expectStatus(result, 2, 'CRITICAL');
        }
        if (format === 'nagios_perfdata') {
          expect(result.stdout.split('|')).toHaveLength(2);
          expect(result.stdout).toContain('pipe\u00a6name.html');
        }
        if (format === 'opentsdb_line') expect(parseOpenTsdb(result.stdout)[0]?.tags).toEqual({ profile });
        // Every run writes its own complete JSON document (removed before, so no earlier one passes).
        const doc = JSON.parse(await readFile(json, 'utf8'));
        await rm(json);
        expect(doc, format).toMatchObject({ status: 2, state: 'CRITICAL', baseline_created: false, baseline_created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/), max_severity: 100, counts: { added: 1, removed: 1, modified: 0, objects_scanned: 5 } });
        expect(doc.rules).toEqual([{ name: sc.data, start: sc.data, severity: 100, added: [`${sc.data}/www/pipe|name.html`], removed: [`${sc.data}/www/index.html`], modified: [], changed: {} }]);
        expect(doc.errors).toEqual([]);
        expect(doc.report).toMatch(/reports\/\d{8}T\d{6}Z-\d+\.twr$/);
      }
      const last = await sc.check(['--json', json]);
      expectStatus(last, 2, 'CRITICAL');
      expect(await modeOf(json)).toBe(0o600);
    });
  });

  test('a --json file that cannot be written is never left empty or partial, and the result says so: UNKNOWN, or still CRITICAL', async () => {
    await acrossShells(async (shell) => {
      const sc = await scenario(shell, 'json-fail');
      const json = path.join(sc.dir, 'no-such-dir', 'result.json');
      const usage = await sc.check(['--json', path.join(sc.dir, 'usage.json'), '--warning', 'x']);
      expectStatus(usage, 3, 'UNKNOWN');
      expect(JSON.parse(await readFile(path.join(sc.dir, 'usage.json'), 'utf8'))).toMatchObject({ status: 3, state: 'UNKNOWN' });
      const first = await sc.check(['--json', json]);
      expectStatus(first, 3, 'UNKNOWN');
      expect(first.firstLine).toMatch(/^TRIPWIRE UNKNOWN - new baseline created, 5 objects \(profile [^)]*\); could not write the JSON result to /);
      expect(first.firstLine).toContain(json);
      const ok = await sc.check(['--json', json]);
      expectStatus(ok, 3, 'UNKNOWN');
      expect(ok.firstLine).toContain('0 added, 0 removed, 0 modified');
      await writeFile(path.join(sc.data, 'www/shell.php'), 'x\n');
      const found = await sc.check(['--json', json]);
      expectStatus(found, 2, 'CRITICAL');
      expect(found.firstLine).toContain(`1 added, 0 removed, 0 modified, max severity 100, 6 objects scanned (profile ${await onlyProfile(sc.state)}); could not write the JSON result to ${json}`);
      expect(await exists(path.dirname(json))).toBe(false);
      expect((await readdir(sc.dir)).filter((n) => n.startsWith('.tripwire-json'))).toEqual([]);
    });
  });

  test('reports stay in the state directory, signed, and --keep-reports keeps only the newest', async () => {
    await acrossShells(async (shell) => {
      const sc = await scenario(shell, 'reports');
      expectCreated(await sc.check());
      for (let i = 0; i < 2; i++) expectStatus(await sc.check(['--keep-reports', '1']), 0, 'OK');
      const reports = path.join(await sc.profileDir(), 'reports');
      const names = (await readdir(reports)).filter((n) => n.endsWith('.twr'));
      expect(names).toHaveLength(1);
      const last = (await readFile(path.join(await sc.profileDir(), 'last-check'), 'utf8')).match(/^report=(.*)$/m)?.[1];
      expect(names[0]).toBe(last);
      const examined = await twadmin(['--examine', '-c', path.join(await sc.profileDir(), 'tw.cfg'), '-S', path.join(sc.state, 'site.key'), '-L', path.join(sc.state, 'local.key'), path.join(reports, names[0]!)]);
      expect(examined.stdout).toContain('Encoding: Asymmetric Encryption');
      expect((await stat(path.join(reports, names[0]!))).mode & 0o077).toBe(0);
    });
  });

  test('tripwire.sh runs the bundled tripwire with the profile configuration, and refuses a tampered one', async () => {
    await acrossShells(async (shell) => {
      const sc = await scenario(shell, 'tripwire-sh');
      expectCreated(await sc.check());
      const profile = await onlyProfile(sc.state);
      const tw = (args: string[]): Promise<RunResult> => sc.sh('tripwire.sh', ['--state-dir', sc.state, '--profile', profile, ...args]);
      await writeFile(path.join(sc.data, 'www/added.txt'), 'x\n');
      const checked = await tw(['--check', '--no-tty-output']);
      expect(checked.code, checked.output).toBe(1);
      const db = await tw(['--tool', 'twprint', '-m', 'd']);
      expect(db.code, db.output).toBe(0);
      expect(db.stdout).toContain(`${sc.data}/www/index.html`);
      const pol = await tw(['--tool', 'twadmin', '--print-polfile']);
      expect(pol.stdout).toContain(`(rulename = "${sc.data}", severity = 100)`);
      await rm(path.join(await sc.profileDir(), 'db.twd'));
      const refused = await tw(['--check']);
      expect(refused.code).toBe(8);
      expect(refused.stderr).toContain('baseline integrity failure');
    });
  });

  test('--no-init makes a missing baseline CRITICAL instead of creating one', async () => {
    await acrossShells(async (shell) => {
      const sc = await scenario(shell, 'no-init');
      const found = await sc.check(['--no-init']);
      expectStatus(found, 2, 'CRITICAL');
      expect(found.firstLine).toContain('there is no baseline for profile');
      expect(await readdir(path.join(sc.state, 'baselines'))).toEqual([]);
    });
  });
});
