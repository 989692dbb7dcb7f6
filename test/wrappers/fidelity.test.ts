import { appendFile, chown, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { isRoot } from './helpers.js';
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
        expect(found.stdout).toContain(`  "${resume}/ü.txt" (rule ${resume}, severity 100)\n`);
        expect(found.stdout).toContain(`  "${www}/bad\\xffname" (rule ${www}, severity 100)\n`);
        expect(found.stdout).toContain(`  "${www}/ctl\\x01x" (rule ${www}, severity 100)\n`);
        expect(found.stdout).not.toMatch(/\\xc3|Ã/);
        const rules = await jsonRules(json);
        const byName = Object.fromEntries(rules.map((r) => [r.name, r]));
        expect(Object.keys(byName).sort()).toEqual([paren, resume, www].sort());
        expect(byName[paren]).toMatchObject({ start: paren, added: [`${paren}/new`], modified: [] });
        expect(byName[resume]).toMatchObject({ start: resume, added: [], modified: [`${resume}/ü.txt`] });
        expect(byName[www]?.modified.sort()).toEqual([`${www}/bad\\xffname`, `${www}/ctl\\x01x`].sort());

        // Leaving out the UTF-8 path names it as it is.
        const fewer = await sc.sh('tripwire-check.sh', ['--state-dir', sc.state, '--profile', 'names', paren, www]);
        expect(fewer.stdout).toContain(`no longer given: ${resume}\n`);
      }),
    );
  });
});
