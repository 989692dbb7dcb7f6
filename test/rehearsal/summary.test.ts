import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCatalog, selectPlatforms } from '../../builders/catalog.js';
import { bootstrapSuites } from '../../builders/commands/suites.js';
import { legRecord, outcomeOfStep, readLegRecords, type LegRecord } from '../../builders/rehearsal/leg.js';
import { formatAbi, summaryTable } from '../../builders/rehearsal/summary.js';
import { runCli } from '../support/cli.js';

let work: string;
const catalog = await loadCatalog();
const names = catalog.platforms.map((platform) => platform.name);

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'sensu-tripwire-summary-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

const passed = (platform: string): LegRecord => ({
  platform,
  build: 'passed',
  buildSeconds: 125,
  asset: { name: `sensu-tripwire_1.0.0_${platform}_linux_amd64.tar.gz`, size: 3355819 },
  install: { outcome: 'passed', seconds: 40 },
});

describe('a leg record', () => {
  it("turns GitHub's step outcomes into results, never a skipped step into a pass", () => {
    expect(['success', 'failure', 'cancelled', 'skipped', ''].map(outcomeOfStep)).toEqual(['passed', 'failed', 'failed', 'not run', 'not run']);
  });

  it("reads the asset's size and the ABI gate's figures from artifacts.json, and the install test's result from its report", async () => {
    const dist = path.join(work, 'dist');
    await mkdir(dist, { recursive: true });
    const artifact = { name: 'sensu-tripwire_1.0.0_centos7_linux_amd64.tar.gz', platform: 'centos7', size: 2048000, abi: { interpreter: '/lib64/ld-linux-x86-64.so.2', maxGlibc: '2.17', needed: ['libc.so.6'] } };
    await writeFile(path.join(dist, 'artifacts.json'), JSON.stringify({ schemaVersion: 1, version: '1.0.0', artifacts: [artifact] }));
    const report = path.join(work, 'install.json');
    await writeFile(report, JSON.stringify([{ platform: 'centos7', image: 'centos:7', outcome: 'failed', reason: 'as sensu: unchanged is OK: expected exit 0', seconds: 12, users: [] }]));
    expect(await legRecord({ platform: 'centos7', build: 'passed', buildSeconds: 300, dist, installReport: report })).toEqual({
      platform: 'centos7',
      build: 'passed',
      buildSeconds: 300,
      asset: { name: artifact.name, size: 2048000 },
      abi: { interpreter: '/lib64/ld-linux-x86-64.so.2', maxGlibc: '2.17', needed: ['libc.so.6'] },
      install: { outcome: 'failed', reason: 'as sensu: unchanged is OK: expected exit 0', seconds: 12 },
    });
  });

  it('says the install test did not run when the build failed', async () => {
    const record = await legRecord({ platform: 'centos6', build: 'failed', dist: path.join(work, 'absent') });
    expect(record).toEqual({ platform: 'centos6', build: 'failed', install: { outcome: 'not run', reason: 'nothing was built', seconds: 0 } });
  });
});

describe('the summary table', () => {
  it('has one row per catalog platform, in catalog order, with a missing leg shown as failed', () => {
    const records = [passed('debian12'), { ...passed('alpine3.9'), install: { outcome: 'not run' as const, reason: 'its base image alpine:3.9 is not present', seconds: 0 } }];
    const table = summaryTable(names, records);
    const rows = table.split('\n').filter((line) => line.startsWith('| ') && !line.startsWith('| platform'));
    expect(rows.map((row) => row.split(' | ')[0]?.slice(2))).toEqual(names);
    expect(table).toContain('| debian12 | ✅ passed | 2 min 5 s | 3.2 MiB | — (no `abi` in artifacts.json) | ✅ passed |');
    expect(table).toContain('| alpine3.9 | ✅ passed | 2 min 5 s | 3.2 MiB | — (no `abi` in artifacts.json) | ⚪ not run: its base image alpine:3.9 is not present |');
    expect(table).toContain('| centos6 | ❌ no record (the leg did not finish) |');
    expect(table).toContain(`1 of ${names.length} platforms built and passed the install test`);
    expect(summaryTable(names, names.map(passed))).toContain(`${names.length} of ${names.length} platforms built and passed`);
  });

  it("shows the figures the ABI gate recorded (none for musl's unversioned symbols), and escapes the table's separators", () => {
    expect(formatAbi({ interpreter: '/lib64/ld-linux-x86-64.so.2', maxGlibc: '2.17', needed: ['libc.so.6', 'libm.so.6'] })).toBe(
      'newest GLIBC needed 2.17; NEEDED libc.so.6 libm.so.6; interpreter /lib64/ld-linux-x86-64.so.2',
    );
    expect(formatAbi({ interpreter: '/lib/ld-musl-x86_64.so.1', needed: ['libc.musl-x86_64.so.1'] })).toBe(
      'newest GLIBC needed none; NEEDED libc.musl-x86_64.so.1; interpreter /lib/ld-musl-x86_64.so.1',
    );
    expect(formatAbi({ symbols: { GLIBC_2_14: ['memcpy'] } })).toBe('symbols {"GLIBC_2_14":["memcpy"]}');
    const table = summaryTable(['debian12'], [{ ...passed('debian12'), install: { outcome: 'failed', reason: 'output a|b', seconds: 1 } }]);
    expect(table).toContain('❌ failed: output a\\|b |');
  });

  it('is printed by the rehearsal-summary command from the leg records under a directory', async () => {
    const legs = path.join(work, 'legs');
    await mkdir(path.join(legs, 'leg-debian11'), { recursive: true });
    await writeFile(path.join(legs, 'leg-debian11', 'debian11.json'), JSON.stringify(passed('debian11')));
    expect((await readLegRecords(legs)).map((record) => record.platform)).toEqual(['debian11']);
    const result = await runCli(['rehearsal-summary', '--legs', legs, '--title', 'Rehearsal']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('## Rehearsal: 1 of');
    expect(result.stdout).toContain('| debian11 | ✅ passed |');
    expect(result.stdout).toContain('| debian12 | ❌ no record');
  });
});

describe('per-platform preparation (scripts/setup.sh --platform)', () => {
  it('bootstraps a Debian suite only for the platforms whose base image is made here', () => {
    for (const platform of catalog.platforms) {
      expect(bootstrapSuites([platform]), platform.name).toEqual(platform.bootstrap === undefined ? [] : [platform.bootstrap]);
    }
    expect(bootstrapSuites(selectPlatforms(catalog, 'alpine3.9,centos6,centos7'))).toEqual([]);
    expect(bootstrapSuites(selectPlatforms(catalog, 'local')).length).toBeGreaterThan(0);
  });

  it('is what the suites command prints for a leg, and an unknown platform is refused', async () => {
    const alpine = await runCli(['suites', '--platform', 'alpine3.9']);
    expect([alpine.code, alpine.stdout]).toEqual([0, '\n']);
    const debian = await runCli(['suites', '--platform', 'debian12']);
    expect(debian.stdout).toBe(`${catalog.platforms.find((platform) => platform.name === 'debian12')?.bootstrap}\n`);
    const unknown = await runCli(['suites', '--platform', 'solaris']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('unknown platform(s): solaris');
  });
});
