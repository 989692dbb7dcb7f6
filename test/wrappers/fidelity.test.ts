import { appendFile, chown, copyFile, mkdir, readdir, readFile, rename, stat, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { isRoot, run } from './helpers.js';
import { expectCreated, expectStatus, scenarioSuite, type Scenario } from './scenario.js';

/**
 * What the check catches and how it shows it (issue 9): real Tripwire runs on real files, as root
 * and as nobody, under dash, busybox sh, bash and the real Alpine 3.9 userland. Each test
 * reproduces a case the check got wrong before.
 */
const suite = scenarioSuite('wrappers-fidelity');
beforeAll(() => suite.setUp(), 300_000);
afterAll(async () => {
  await suite.expectNoSecrets();
  await suite.tearDown();
});

/** The users a scenario runs as: root, and nobody when the tests can switch to it. */
const USERS = isRoot ? (['root', 'nobody'] as const) : (['root'] as const);

/** Runs body as each user at once (each its own scenario); fails with every user's failure. */
async function asEachUser(body: (user: 'root' | 'nobody') => Promise<void>): Promise<void> {
  const results = await Promise.allSettled(USERS.map((user) => body(user)));
  const failures = results.flatMap((r, i) => (r.status === 'rejected' ? [`as ${USERS[i]}: ${r.reason instanceof Error ? (r.reason.stack ?? r.reason.message) : String(r.reason)}`] : []));
  if (failures.length > 0) throw new Error(failures.join('\n\n'));
}

/** Files a test adds belong to the scenario's user (Debian's unpatched tripwire cannot open others' files as nobody). */
async function own(sc: Scenario, ...files: (string | Buffer)[]): Promise<void> {
  if (sc.user === 'nobody') for (const f of files) await chown(f, 65534, 65534);
}

/** A directory outside the monitored data where the scenario's user can write (for --json). */
async function outDir(sc: Scenario): Promise<string> {
  const dir = path.join(sc.dir, 'out');
  await mkdir(dir, { recursive: true, mode: 0o755 });
  await own(sc, dir);
  return dir;
}

interface JsonRule {
  name: string;
  start: string;
  severity: number;
  added: string[];
  removed: string[];
  modified: string[];
  changed: Record<string, string[]>;
}

async function jsonRules(file: string): Promise<JsonRule[]> {
  return (JSON.parse(await readFile(file, 'utf8')) as { rules: JsonRule[] }).rules;
}

describe.concurrent('the check shows what changed, under dash, busybox sh, bash and Alpine 3.9', () => {
  test('names with UTF-8 letters, " (", invalid bytes and control characters: no false drift, shown as they are (only invalid bytes and controls escaped), alike in text and JSON', async () => {
    await suite.acrossShells((shell) =>
      asEachUser(async (user) => {
        const sc: Scenario = await suite.scenario(shell, 'names', { user, files: { 'www/résumé/ü.txt': 'cv\n', 'www/a (b)/x': 'x\n', 'www/plain': 'p\n' } });
        const www = path.join(sc.data, 'www');
        const resume = path.join(www, 'résumé');
        const paren = path.join(www, 'a (b)');
        const bad = Buffer.concat([Buffer.from(`${www}/bad`), Buffer.from([0xff]), Buffer.from('name')]);
        const ctl = Buffer.from(`${www}/ctl\u0001x`);
        await writeFile(bad, 'b\n');
        await writeFile(ctl, 'c\n');
        await own(sc, bad, ctl);
        const args = ['--profile', 'names', resume, paren, www];
        const check = (extra: string[] = []) => sc.sh('tripwire-check.sh', ['--state-dir', sc.state, ...extra, ...args]);
        expectCreated(await check());
        // Paths with UTF-8 letters were read back escaped from the signed policy: CRITICAL drift on every run.
        const again = await check();
        expectStatus(again, 0, 'OK');
        expect(again.firstLine).toContain('0 added, 0 removed, 0 modified');

        await appendFile(path.join(resume, 'ü.txt'), 'more\n');
        await appendFile(bad, 'more\n');
        await appendFile(ctl, 'more\n');
        await writeFile(path.join(paren, 'new'), 'n\n');
        await own(sc, path.join(paren, 'new'));
        const json = path.join(await outDir(sc), 'result.json');
        const found = await check(['--json', json]);
        expectStatus(found, 2, 'CRITICAL');
        expect(found.firstLine).toContain('1 added, 0 removed, 3 modified');
        expect(found.stdout).toContain(`Added (1):\n  "${paren}/new" (rule ${paren}, severity 100)\n`);
        const content = 'changed: Size, Modify Time, Change Time, CRC32, MD5, SHA)\n';
        expect(found.stdout).toContain(`  "${resume}/ü.txt" (rule ${resume}, severity 100; ${content}`);
        expect(found.stdout).toContain(`  "${www}/bad\\xffname" (rule ${www}, severity 100; ${content}`);
        expect(found.stdout).toContain(`  "${www}/ctl\\x01x" (rule ${www}, severity 100; ${content}`);
        expect(found.stdout).not.toMatch(/\\xc3|Ã/);
        const rules = await jsonRules(json);
        const byName = Object.fromEntries(rules.map((r) => [r.name, r]));
        expect(Object.keys(byName).sort()).toEqual([paren, resume, www].sort());
        expect(byName[paren]).toMatchObject({ start: paren, added: [`${paren}/new`], modified: [] });
        expect(byName[resume]).toMatchObject({ start: resume, added: [], modified: [`${resume}/ü.txt`] });
        expect(byName[www]?.changed).toEqual(Object.fromEntries([`${www}/bad\\xffname`, `${www}/ctl\\x01x`].map((n) => [n, ['Size', 'Modify Time', 'Change Time', 'CRC32', 'MD5', 'SHA']])));
        expect(byName[www]?.modified.sort()).toEqual([`${www}/bad\\xffname`, `${www}/ctl\\x01x`].sort());

        // tripwire-update.sh lists what it accepts the same way.
        const accepted = await sc.sh('tripwire-update.sh', ['--state-dir', sc.state, ...args]);
        expect(accepted.code, accepted.output).toBe(0);
        expect(accepted.stdout).toContain(`  Modified: "${resume}/ü.txt"\n`);
        expect(accepted.stdout).toContain(`  Modified: "${www}/bad\\xffname"\n`);
        expect(accepted.stdout).toContain(`  Added: "${paren}/new"\n`);
        expectStatus(await check(), 0, 'OK');

        // Leaving out the UTF-8 path names it as it is.
        const fewer = await sc.sh('tripwire-check.sh', ['--state-dir', sc.state, '--profile', 'names', paren, www]);
        expect(fewer.stdout).toContain(`no longer given: ${resume}\n`);
      }),
    );
  });

  test.runIf(isRoot)('a file capability added with setcap is CRITICAL (the inode change time), and so are an mtime-only and a ctime-only change; --attributes tunes what a path rule compares', async () => {
    await suite.acrossShells((shell) =>
      asEachUser(async (user) => {
        const sc = await suite.scenario(shell, 'setcap', { user, files: { 'bin/readme': 'r\n', 'web/index.html': 'i\n' } });
        const tool = path.join(sc.data, 'bin', 'tool');
        await copyFile('/bin/true', tool);
        await own(sc, tool);
        const bin = path.join(sc.data, 'bin');
        const web = path.join(sc.data, 'web');
        const check = (p: string, extra: string[] = []) => sc.sh('tripwire-check.sh', ['--state-dir', sc.state, ...extra, p]);
        // Tripwire reads no extended attributes: only the inode change time shows the capability.
        const tuned = ['--attributes', '$(ReadOnly) +S -mc'];
        expectCreated(await check(bin));
        const setcap = await run(['setcap', 'cap_setuid+ep', tool]);
        expect(setcap.code, setcap.output).toBe(0);
        const found = await check(bin);
        expectStatus(found, 2, 'CRITICAL');
        // Nothing but the inode change time: the output says so.
        expect(found.stdout).toContain(`Modified (1):\n  "${tool}" (rule ${bin}, severity 100; changed: Change Time)\n`);
        const accept = await sc.sh('tripwire-update.sh', ['--state-dir', sc.state, bin]);
        expect(accept.code, accept.output).toBe(0);
        expectStatus(await check(bin), 0, 'OK');

        // An mtime-only change (the content as it was), and a ctime-only one (times restored, as a
        // backup tool restoring access times does): CRITICAL under the default attributes...
        const readme = path.join(bin, 'readme');
        const before = await stat(readme);
        await utimes(readme, before.atime, new Date(before.mtimeMs + 60_000));
        const mtime = await check(bin);
        expectStatus(mtime, 2, 'CRITICAL');
        expect(mtime.stdout).toContain(`Modified (1):\n  "${readme}" (rule ${bin}, severity 100; changed: Modify Time, Change Time)\n`);
        expect((await sc.sh('tripwire-update.sh', ['--state-dir', sc.state, bin])).code).toBe(0);
        const now = await stat(readme);
        await utimes(readme, now.atime, now.mtime);
        const ctime = await check(bin);
        expectStatus(ctime, 2, 'CRITICAL');
        expect(ctime.stdout).toContain(`Modified (1):\n  "${readme}" (rule ${bin}, severity 100; changed: Change Time)\n`);

        // ...and not where --attributes leaves out m and c; a content change still is.
        expectCreated(await check(web, tuned));
        const page = path.join(web, 'index.html');
        const p0 = await stat(page);
        await utimes(page, p0.atime, new Date(p0.mtimeMs + 60_000));
        expectStatus(await check(web, tuned), 0, 'OK');
        await appendFile(page, 'defaced\n');
        const defaced = await check(web, tuned);
        expectStatus(defaced, 2, 'CRITICAL');
        expect(defaced.stdout).toContain(`"${page}"`);
        const bad = await check(web, ['--attributes', '$(ReadOnly) +Q']);
        expectStatus(bad, 3, 'UNKNOWN');
        expect(bad.firstLine).toContain('--attributes');
      }),
    );
  });

  test('two checks whose paths overlap never touch each other\'s baseline: each reports only its own paths and accepts only its own changes', async () => {
    await suite.acrossShells((shell) =>
      asEachUser(async (user) => {
        const sc = await suite.scenario(shell, 'overlap', { user, files: { 'srv/a/f': 'a\n', 'srv/b/f': 'b\n' } });
        const a = path.join(sc.data, 'srv', 'a');
        const b = path.join(sc.data, 'srv', 'b');
        const checkA = () => sc.sh('tripwire-check.sh', ['--state-dir', sc.state, a, b]);
        const checkB = () => sc.sh('tripwire-check.sh', ['--state-dir', sc.state, a]);
        expectCreated(await checkA());
        const firstB = await checkB();
        expect(firstB.firstLine, firstB.output).toMatch(/^TRIPWIRE WARNING - (new )?baseline created, \d+ objects; these paths overlap those of profile paths-/);
        expect(firstB.stdout).not.toContain('compared with the baseline');
        const profiles = (await readdir(path.join(sc.state, 'profiles'))).sort();
        expect(profiles).toHaveLength(2);
        await appendFile(path.join(b, 'f'), 'changed\n');
        const fromB = await checkB();
        expectStatus(fromB, 0, 'OK');
        expect(fromB.firstLine).toContain('0 added, 0 removed, 0 modified');
        const fromA = await checkA();
        expectStatus(fromA, 2, 'CRITICAL');
        expect(fromA.stdout).toContain(`"${b}/f"`);
        // B's run left A's last-check marker alone, and B's update accepts nothing of A's.
        const lastChecks = await Promise.all(profiles.map(async (p) => readFile(path.join(sc.state, 'profiles', p, 'last-check'), 'utf8').catch(() => '')));
        expect(lastChecks.filter((t) => /violations=1/.test(t))).toHaveLength(1);
        const updB = await sc.sh('tripwire-update.sh', ['--state-dir', sc.state, a]);
        expect(updB.code, updB.output).toBe(0);
        expect(updB.output).not.toContain(`${b}/f`);
        expectStatus(await checkA(), 2, 'CRITICAL');
        const updA = await sc.sh('tripwire-update.sh', ['--state-dir', sc.state, a, b]);
        expect(updA.code, updA.output).toBe(0);
        expectStatus(await checkA(), 0, 'OK');
        expectStatus(await checkB(), 0, 'OK');
      }),
    );
  });

  test('a check whose reader goes away early (SIGPIPE) leaves no lock and no work directory behind, and the next one says nothing about it', async () => {
    await suite.acrossShells((shell) =>
      asEachUser(async (user) => {
        const sc = await suite.scenario(shell, 'sigpipe', { user });
        expectCreated(await sc.check());
        const profile = (await readdir(path.join(sc.state, 'profiles')))[0] ?? '';
        const marker = path.join(sc.state, 'baselines', profile);
        // A CRITICAL result (the baseline record is gone), printed into a pipe nobody reads any more.
        await rename(marker, `${marker}.away`);
        const script = path.join(suite.asset(), 'bin', 'tripwire-check.sh');
        const piped = await (shell.run ?? run)([...shell.argv, '-c', `${shell.argv.join(' ')} "$@" | true`, 'sh', script, '--state-dir', sc.state, sc.data], sc.user === 'nobody' ? { user: 'nobody' } : {});
        sc.outputs.push(piped.output);
        await rename(`${marker}.away`, marker);
        expect(await readdir(path.join(sc.state, 'locks')), piped.output).toEqual([]);
        expect(await readdir(path.join(sc.state, 'tmp')), piped.output).toEqual([]);
        const next = await sc.check();
        expectStatus(next, 0, 'OK');
        expect(next.output).not.toMatch(/lock|work director/);
      }),
    );
  });

  test('the remaining options, in both spellings, behave the same on every shell: passphrase files, --, --critical, --new-baseline-status, --recheck, --new-keys', async () => {
    await suite.acrossShells(async (shell) => {
      const sc = await suite.scenario(shell, 'options', { keys: false });
      const site = path.join(sc.dir, 'site.pw');
      const local = path.join(sc.dir, 'local.pw');
      await writeFile(site, 'site passphrase from a file\n', { mode: 0o600 });
      await writeFile(local, 'local passphrase from a file\n', { mode: 0o600 });
      const pw = ['--site-passphrase-file', site, `--local-passphrase-file=${local}`];
      const init = await sc.sh('tripwire-init.sh', ['--state-dir', sc.state, ...pw, '--key-size=1024', '--', sc.data]);
      expect(init.code, init.output).toBe(0);
      expect(init.stdout).toContain('baseline created for profile paths-');
      expect((await readdir(sc.state)).filter((f) => f.endsWith('.passphrase'))).toEqual([]);
      const check = (extra: string[]) => sc.sh('tripwire-check.sh', ['--state-dir', sc.state, `--local-passphrase-file=${local}`, ...extra, '--', sc.data]);
      expectStatus(await check(['--critical=90', '--warning', '50']), 0, 'OK');
      await appendFile(path.join(sc.data, 'www/index.html'), 'changed\n');
      expectStatus(await check(['--critical', '101', '--warning=100']), 1, 'WARNING');
      expectStatus(await check(['--critical=100']), 2, 'CRITICAL');
      const recheck = await sc.sh('tripwire-update.sh', ['--state-dir', sc.state, ...pw, '--recheck', sc.data]);
      expect(recheck.code, recheck.output).toBe(0);
      expect(recheck.stdout).toContain(`"${sc.data}/www/index.html"`);
      expectStatus(await check([]), 0, 'OK');
      const fresh = await sc.sh('tripwire-check.sh', ['--state-dir', sc.state, ...pw, '--profile', 'fresh', '--new-baseline-status=critical', sc.data]);
      expectStatus(fresh, 2, 'CRITICAL');
      expect(fresh.firstLine).toContain('new baseline created');
      const rekeyed = await sc.sh('tripwire-init.sh', ['--state-dir', sc.state, ...pw, '--force', '--new-keys', '--key-size', '1024', sc.data]);
      expect(rekeyed.code, rekeyed.output).toBe(0);
      expect((await readdir(sc.state)).filter((f) => /^(site|local)\.key\.replaced-/.test(f))).toHaveLength(2);
      expectStatus(await check([]), 0, 'OK');
    });
  });
});
