import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run, type RunResult } from '../wrappers/helpers.js';
import { builtAssetDir } from './harness.js';

/**
 * Our patch 0003 (tripwire-src/patches/): Tripwire refuses a signed file with anything after
 * its signed data. Upstream stops reading where the signed object ends, so bytes appended to a
 * signed configuration, policy, database or report went unnoticed. Every signed file Tripwire
 * writes is exercised, with every kind of addition: a byte, part of a block, a whole block of
 * garbage, and copies of the file's own validly signed blocks. Debian's unpatched twadmin
 * (/usr/sbin, installed by scripts/setup.sh) is the control: it accepts the same appended byte.
 * SENSU_TRIPWIRE_ASSET_DIR points the suite at an asset unpacked elsewhere (development).
 */

const DEBIAN_TWADMIN = '/usr/sbin/twadmin';
const REFUSAL = 'Data follows the end of the signed data';
/**
 * The size in the file of one block signed with a 1024-bit key: 4096 bytes of data and the
 * signature (measured; the file's header is what is left over: its size modulo this).
 */
const BLOCK = 4128;

let work: string;
let bin: string;
const sitePassphrase = randomBytes(12).toString('hex');
const localPassphrase = randomBytes(12).toString('hex');

const at = (name: string): string => path.join(work, name);
const ours = (program: string): string => path.join(bin, program);

async function ok(argv: string[]): Promise<RunResult> {
  const result = await run(argv, { cwd: work });
  expect(result.code, `${argv.join(' ')}\n${result.output}`).toBe(0);
  return result;
}

beforeAll(async () => {
  bin = path.join(process.env.SENSU_TRIPWIRE_ASSET_DIR || (await builtAssetDir('debian12')), 'bin');
  work = await mkdtemp(path.join(os.tmpdir(), 'sensu-tripwire-signed-data-end-'));
  // Enough files for a database of several blocks.
  await mkdir(at('data'));
  for (let i = 0; i < 300; i += 1) await writeFile(at(`data/file-${i}`), `${i}\n`);
  await ok([ours('twadmin'), '--generate-keys', '-K', '1024', '--site-keyfile', at('site.key'), '--site-passphrase', sitePassphrase]);
  await ok([ours('twadmin'), '--generate-keys', '-K', '1024', '--local-keyfile', at('local.key'), '--local-passphrase', localPassphrase]);
  await writeFile(
    at('twcfg.txt'),
    `ROOT=${work}\nPOLFILE=${at('tw.pol')}\nDBFILE=${at('db.twd')}\nREPORTFILE=${at('report.twr')}\nSITEKEYFILE=${at('site.key')}\nLOCALKEYFILE=${at('local.key')}\nEDITOR=/bin/false\nLATEPROMPTING=false\nLOOSEDIRECTORYCHECKING=false\nMAILNOVIOLATIONS=false\nEMAILREPORTLEVEL=3\nREPORTLEVEL=3\nSYSLOGREPORTING=false\nMAILMETHOD=SENDMAIL\nMAILPROGRAM=/bin/false\nTEMPDIRECTORY=${work}/\n`,
  );
  await writeFile(at('twpol.txt'), `${at('data')} -> $(ReadOnly);\n`);
  await ok([ours('twadmin'), '--create-cfgfile', '-c', at('tw.cfg'), '-S', at('site.key'), '-Q', sitePassphrase, at('twcfg.txt')]);
  await ok([ours('twadmin'), '--create-polfile', '-c', at('tw.cfg'), '-S', at('site.key'), '-Q', sitePassphrase, at('twpol.txt')]);
  await ok([ours('tripwire'), '--init', '-c', at('tw.cfg'), '-P', localPassphrase]);
  await ok([ours('tripwire'), '--check', '-c', at('tw.cfg'), '-E', '-P', localPassphrase, '-r', at('signed.twr')]);
  await ok([ours('tripwire'), '--check', '-c', at('tw.cfg'), '-r', at('unsigned.twr')]);
});
afterAll(async () => {
  if (work !== undefined) await rm(work, { recursive: true, force: true });
});

/** Which key files twadmin --examine says verify `file` (none: it does not verify). */
async function verifyingKeys(twadmin: string, file: string): Promise<string[]> {
  const examined = await run([twadmin, '--examine', '-c', at('tw.cfg'), '-S', at('site.key'), '-L', at('local.key'), file], { cwd: work });
  return [...examined.output.matchAll(/^\s*(?:Site|Local) Keyfile: (.*)$/gm)].map((match) => match[1] as string);
}

/** The program that reads each kind of signed file, as the check scripts run it. */
const readers: Record<string, (file: string) => string[]> = {
  'tw.cfg': (file) => [ours('twadmin'), '--print-cfgfile', '-c', file],
  'tw.pol': (file) => [ours('twadmin'), '--print-polfile', '-c', at('tw.cfg'), '-p', file],
  'db.twd': (file) => [ours('tripwire'), '--check', '-c', at('tw.cfg'), '-d', file, '-r', at('scratch.twr')],
  'signed.twr': (file) => [ours('twprint'), '--print-report', '-c', at('tw.cfg'), '-r', file],
};
const SIGNED = Object.keys(readers);

/** What is appended: `file` is the signed file's bytes. */
const additions: Record<string, (file: Buffer) => Buffer> = {
  'one byte': () => Buffer.from('x'),
  'a block less one byte': () => randomBytes(BLOCK - 1),
  'a whole block of garbage': () => randomBytes(BLOCK),
  'a copy of its last signed block': (file) => file.subarray(file.length - BLOCK),
  'a copy of its first signed block': (file) => file.subarray(file.length % BLOCK, (file.length % BLOCK) + BLOCK),
};

describe('data after the signed data (patch 0003)', () => {
  it('every signed file as Tripwire wrote it verifies, with its key, and is read', async () => {
    for (const name of SIGNED) {
      const bytes = await readFile(at(name));
      // The premise of the additions: a header smaller than a block, then whole blocks.
      expect(bytes.length % BLOCK, name).toBeLessThan(1024);
      expect(await verifyingKeys(ours('twadmin'), at(name)), name).toEqual([name === 'tw.cfg' || name === 'tw.pol' ? at('site.key') : at('local.key')]);
      await ok(readers[name]!(at(name)));
    }
    expect((await readFile(at('db.twd'))).length, 'a database of several blocks').toBeGreaterThan(2 * BLOCK);
  });

  for (const [what, addition] of Object.entries(additions)) {
    it(`is refused when ${what} follows it, in every signed file`, async () => {
      for (const name of SIGNED) {
        const bytes = await readFile(at(name));
        const altered = at(`altered-${name}`);
        await writeFile(altered, Buffer.concat([bytes, addition(bytes)]));
        expect(await verifyingKeys(ours('twadmin'), altered), `${name} + ${what}`).toEqual([]);
        const read = await run(readers[name]!(altered), { cwd: work });
        expect(read.code, `${name} + ${what}: ${read.output}`).not.toBe(0);
        // A whole block of garbage fails its signature before the end is reached.
        if (what !== 'a whole block of garbage') expect(read.output, `${name} + ${what}`).toContain(REFUSAL);
      }
    });
  }

  it("is accepted by Debian's unpatched twadmin, for the same appended byte (what these tests would see without the patch)", async () => {
    for (const name of SIGNED) {
      const altered = at(`debian-${name}`);
      await writeFile(altered, Buffer.concat([await readFile(at(name)), Buffer.from('x')]));
      expect(await verifyingKeys(DEBIAN_TWADMIN, altered), name).toHaveLength(1);
    }
  });

  it('leaves unsigned files as they were read before: an unsigned report with a byte appended is still printed', async () => {
    const altered = at('altered-unsigned.twr');
    await writeFile(altered, Buffer.concat([await readFile(at('unsigned.twr')), Buffer.from('x')]));
    const printed = await ok([ours('twprint'), '--print-report', '-c', at('tw.cfg'), '-r', altered]);
    expect(printed.output).toContain('Report is not encrypted');
  });
});
