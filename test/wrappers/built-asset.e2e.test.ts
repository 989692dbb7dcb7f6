import { appendFile, chmod, mkdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { builtAssetDir } from '../e2e/harness.js';
import { baseEnv, giveToNobody, isRoot, modeOf, run, runScript, SHELLS, tempRoot, writeTree, type RunResult, type Shell } from './helpers.js';
import { expectCreated } from './scenario.js';

/**
 * The wrapper scripts in the asset the pipeline built (a real compile in Docker, with our
 * O_NOATIME patch and --enable-urandom), unpacked as the Sensu agent does, on this Debian 12 host.
 * SENSU_TRIPWIRE_ASSET_DIR points the suite at an asset unpacked elsewhere instead (development).
 */

let root: { dir: string; remove: () => Promise<void> };
let asset: string;

beforeAll(async () => {
  asset = process.env.SENSU_TRIPWIRE_ASSET_DIR || (await builtAssetDir('debian12'));
  root = await tempRoot('wrappers-built');
});
afterAll(async () => {
  await root?.remove();
});

function expectStatus(result: RunResult, code: number, state: string): void {
  expect(result.code, result.output).toBe(code);
  expect(result.firstLine, result.output).toMatch(new RegExp(`^TRIPWIRE ${state} - `));
}

async function acrossShells(body: (shell: Shell) => Promise<void>): Promise<void> {
  const results = await Promise.allSettled(SHELLS.map((shell) => body(shell)));
  const failures = results.flatMap((r, i) => (r.status === 'rejected' ? [`under ${SHELLS[i]!.name}: ${String(r.reason instanceof Error ? r.reason.stack : r.reason)}`] : []));
  if (failures.length > 0) throw new Error(failures.join('\n\n'));
}

describe.concurrent('the built debian12 asset', () => {
  test('ships the four scripts, their libraries and policies next to the patched binaries, modes as packaged', async () => {
    for (const f of ['tripwire-check.sh', 'tripwire-init.sh', 'tripwire-update.sh', 'tripwire.sh', 'tripwire', 'twadmin', 'twprint', 'siggen']) {
      expect(await modeOf(path.join(asset, 'bin', f)), f).toBe(0o755);
    }
    expect(await modeOf(path.join(asset, 'libexec', 'sensu-tripwire', 'common.sh'))).toBe(0o755);
    expect(await modeOf(path.join(asset, 'share', 'sensu-tripwire', 'policy', 'common.txt'))).toBe(0o644);
    const version = await run([path.join(asset, 'bin', 'tripwire'), '--version']);
    expect(version.output).toContain('2.4.3.7');
  });

  test('under dash, busybox sh and bash: first run, unchanged, a change found and accepted, a deleted database', async () => {
    await acrossShells(async (shell) => {
      const dir = path.join(root.dir, `core-${shell.name}`);
      const data = path.join(dir, 'www');
      await writeTree(data, { 'site/index.html': 'hi\n', 'site/app.js': 'run()\n' });
      const state = path.join(dir, 'state');
      const check = (): Promise<RunResult> => runScript(asset, shell, 'tripwire-check.sh', ['--state-dir', state, '--key-size', '1024', path.join(data, 'site')]);
      const first = await check();
      expectCreated(first);
      expect(first.firstLine).toContain('baseline created, 3 objects');
      expectStatus(await check(), 0, 'OK');
      await appendFile(path.join(data, 'site', 'app.js'), 'steal()\n');
      const found = await check();
      expectStatus(found, 2, 'CRITICAL');
      expect(found.stdout).toContain(`Modified (1):\n  "${data}/site/app.js"`);
      const update = await runScript(asset, shell, 'tripwire-update.sh', ['--state-dir', state, path.join(data, 'site')]);
      expect(update.code, update.output).toBe(0);
      expectStatus(await check(), 0, 'OK');
      const profiles = await run(['ls', path.join(state, 'profiles')]);
      await rm(path.join(state, 'profiles', profiles.stdout.trim(), 'db.twd'));
      expectStatus(await check(), 2, 'CRITICAL');
    });
  });

  test('bytes appended to the database, policy or configuration are CRITICAL, found by the patched binaries themselves: no second pass over the database', async () => {
    expect(await readFile(path.join(asset, 'share', 'sensu-tripwire', 'tripwire-patches'), 'utf8')).toContain('0003-refuse-data-after-the-signed-data.patch\n');
    // dash and bash: busybox sh runs its own dd applet, past the PATH shim that logs each dd.
    await acrossShells(async (shell) => {
      if (shell.name === 'busybox') return;
      const dir = path.join(root.dir, `appended-${shell.name}`);
      const data = path.join(dir, 'www');
      await writeTree(data, { 'site/index.html': 'hi\n' });
      const shims = path.join(dir, 'shims');
      const log = path.join(dir, 'dd.log');
      await mkdir(shims, { recursive: true });
      await writeFile(path.join(shims, 'dd'), `#!/bin/sh\nprintf '%s\\n' "$*" >>'${log}'\nexec /bin/dd "$@"\n`, { mode: 0o755 });
      const env = baseEnv({ PATH: `${shims}:${baseEnv().PATH}` });
      const state = path.join(dir, 'state');
      const check = (): Promise<RunResult> => runScript(asset, shell, 'tripwire-check.sh', ['--state-dir', state, '--key-size', '1024', path.join(data, 'site')], { env });
      expectCreated(await check());
      expectStatus(await check(), 0, 'OK');
      const profile = path.join(state, 'profiles', (await run(['ls', path.join(state, 'profiles')])).stdout.trim());
      for (const f of ['db.twd', 'tw.pol', 'tw.cfg']) {
        const file = path.join(profile, f);
        const good = await readFile(file);
        await appendFile(file, 'hidden payload\n');
        const found = await check();
        expectStatus(found, 2, 'CRITICAL');
        expect(found.firstLine).toContain(`baseline integrity failure: bytes were appended after the signed data of ${file}`);
        // tripwire-update.sh examines the database too: the same finding, and nothing accepted.
        const update = await runScript(asset, shell, 'tripwire-update.sh', ['--state-dir', state, path.join(data, 'site')], { env });
        expect(update.code, update.output).not.toBe(0);
        expect(update.output).toContain(`baseline integrity failure: bytes were appended after the signed data of ${file}`);
        await writeFile(file, good);
      }
      expectStatus(await check(), 0, 'OK');
      // The one-byte-shorter copies an unpatched Tripwire needs (tw_verify_exact) were never made.
      const dd = await readFile(log, 'utf8').catch(() => '');
      expect(dd).not.toContain('short.');
    });
  });

  test.runIf(isRoot)('as nobody, on root-owned files it can read: unchanged is OK with no false "Removed", an added file is found', async () => {
    await acrossShells(async (shell) => {
      const dir = path.join(root.dir, `nonroot-${shell.name}`);
      const data = path.join(dir, 'srv');
      // Root's files, readable by all, as a web root usually is; the state belongs to nobody.
      await writeTree(data, { 'app/index.php': '<?php echo 1;\n', 'app/lib/util.php': '<?php\n', 'app/static/site.css': 'body{}\n' });
      const state = path.join(dir, 'state');
      await mkdir(state, { mode: 0o700 });
      await giveToNobody(state);
      const check = (): Promise<RunResult> =>
        runScript(asset, shell, 'tripwire-check.sh', ['--state-dir', state, '--key-size', '1024', path.join(data, 'app')], { user: 'nobody' });
      const first = await check();
      expectCreated(first);
      expect(first.firstLine).toContain('baseline created, 6 objects');
      const unchanged = await check();
      expectStatus(unchanged, 0, 'OK');
      expect(unchanged.firstLine).toContain('0 added, 0 removed, 0 modified, max severity 0, 6 objects scanned');
      expect(unchanged.output).not.toContain('Could not access');
      await writeFile(path.join(data, 'app', 'lib', 'shell.php'), '<?php system($_GET[1]);\n');
      await chmod(path.join(data, 'app', 'lib', 'shell.php'), 0o644);
      const found = await check();
      expectStatus(found, 2, 'CRITICAL');
      expect(found.firstLine).toContain('1 added, 0 removed, 0 modified');
      expect(found.stdout).toContain(`Added (1):\n  "${data}/app/lib/shell.php"`);
      // A content change of a root-owned file that keeps its size and mtime is seen too: only its
      // hashes differ, so the file was read, not skipped.
      await rm(path.join(data, 'app', 'lib', 'shell.php'));
      const index = path.join(data, 'app', 'index.php');
      const before = await stat(index);
      await writeFile(index, '<?php echo 2;\n');
      await utimes(index, before.atime, before.mtime);
      const modified = await check();
      expectStatus(modified, 2, 'CRITICAL');
      expect(modified.firstLine).toContain('0 added, 0 removed, 1 modified');
      expect(modified.stdout).toContain(`Modified (1):\n  "${index}"`);
      expect(await readFile(path.join(state, 'local.passphrase'), 'utf8')).toMatch(/^[0-9a-f]{48}\n$/);
    });
  });
});
