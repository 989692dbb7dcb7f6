import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtAssetDir } from './harness.js';

/**
 * Our patch 0002 (tripwire-src/patches/) drops Tripwire's 2 s sleep after a passphrase read
 * from a pipe and keeps it at a terminal. Proven by the system calls, not by the clock: the
 * built twadmin runs under strace, which records every nanosleep/clock_nanosleep it makes.
 * Debian's unpatched twadmin (/usr/sbin, installed by scripts/setup.sh) is the control: the
 * same run shows its 2 s sleep, so the trace would show ours if the patch were missing.
 */

const DEBIAN_TWADMIN = '/usr/sbin/twadmin';

let work: string;
let ourTwadmin: string;
const passphrase = randomBytes(12).toString('hex');

beforeAll(async () => {
  ourTwadmin = path.join(await builtAssetDir('debian12'), 'bin', 'twadmin');
  work = await mkdtemp(path.join(os.tmpdir(), 'sensu-tripwire-passphrase-delay-'));
  // A site key made with the passphrase on the command line (key generation never sleeps).
  const made = await run([ourTwadmin, '--generate-keys', '--site-keyfile', path.join(work, 'site.key'), '--site-passphrase', passphrase], { input: '' });
  expect(made.code, made.output).toBe(0);
  await writeFile(path.join(work, 'twcfg.txt'), `ROOT=${work}\nPOLFILE=${work}/tw.pol\nDBFILE=${work}/tw.twd\nREPORTFILE=${work}/r.twr\nSITEKEYFILE=${work}/site.key\nLOCALKEYFILE=${work}/local.key\n`);
});
afterAll(async () => {
  if (work !== undefined) await rm(work, { recursive: true, force: true });
});

interface Traced {
  code: number;
  output: string;
  /** The seconds of every sleep of a second or more the program asked the kernel for. */
  sleeps: number[];
}

/** Signs a configuration file, the site passphrase coming from a pipe or typed at a terminal. */
async function signConfigurationUnderStrace(twadmin: string, how: 'pipe' | 'terminal'): Promise<Traced> {
  const trace = path.join(work, `trace-${randomBytes(4).toString('hex')}`);
  const cfg = path.join(work, `tw-${randomBytes(4).toString('hex')}.cfg`);
  const argv = ['strace', '-f', '-qq', '-e', 'trace=nanosleep,clock_nanosleep', '-o', trace, twadmin, '--create-cfgfile', '--site-keyfile', path.join(work, 'site.key'), '--cfgfile', cfg, path.join(work, 'twcfg.txt')];
  const result =
    how === 'pipe'
      ? await run(argv, { input: `${passphrase}\n` })
      : // util-linux `script` gives the program a pseudo-terminal; the passphrase is typed once
        // the prompt shows (Tripwire flushes the terminal's input when it turns echo off).
        await run(['script', '-qec', argv.map((arg) => `'${arg}'`).join(' '), '/dev/null'], { typeAfter: ['passphrase:', `${passphrase}\r`] });
  const sleeps = [...(await readFile(trace, 'utf8')).matchAll(/nanosleep\(.*\{tv_sec=(\d+), tv_nsec=\d+\}/g)].map((match) => Number(match[1])).filter((seconds) => seconds >= 1);
  return { ...result, sleeps };
}

describe('the pause after a passphrase (patch 0002)', () => {
  it('is gone when the passphrase comes through a pipe, as the check scripts give it', async () => {
    const traced = await signConfigurationUnderStrace(ourTwadmin, 'pipe');
    expect(traced.code, traced.output).toBe(0);
    expect(traced.sleeps).toEqual([]);
  });

  it('is still there when the passphrase is typed at a terminal', async () => {
    const traced = await signConfigurationUnderStrace(ourTwadmin, 'terminal');
    expect(traced.code, traced.output).toBe(0);
    expect(traced.output).toContain('Please enter your site passphrase');
    expect(traced.sleeps).toEqual([2]);
  });

  it("is there in Debian's unpatched twadmin for the same piped passphrase (what the first test would see without the patch)", async () => {
    const traced = await signConfigurationUnderStrace(DEBIAN_TWADMIN, 'pipe');
    expect(traced.code, traced.output).toBe(0);
    expect(traced.sleeps).toEqual([2]);
  });
});

interface RunOptions {
  input?: string;
  /** Write the second string to stdin once the output contains the first. */
  typeAfter?: [string, string];
}

function run(argv: string[], options: RunOptions): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0] as string, argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    let typed = false;
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (options.typeAfter !== undefined && !typed && output.includes(options.typeAfter[0])) {
        typed = true;
        child.stdin.write(options.typeAfter[1]);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, output }));
    if (options.input !== undefined) child.stdin.end(options.input);
  });
}
