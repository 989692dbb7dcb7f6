import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access, chmod, chown, copyFile, cp, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Helpers of the wrapper-script tests: an asset directory assembled as the packaging stage does
 * (wrappers/ plus the Tripwire binaries in bin/), the three shells the scripts must run under, and
 * a way to run a script as root or as `nobody`.
 */

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const WRAPPERS = path.join(REPO, 'wrappers');
export const SCRIPTS = ['tripwire-check.sh', 'tripwire-init.sh', 'tripwire-update.sh', 'tripwire.sh'] as const;
export type Script = (typeof SCRIPTS)[number];

/** Debian's package: the fast suite's Tripwire 2.4.3.7 (unpatched: it has the O_NOATIME bug). */
export const DEBIAN_BINARIES = '/usr/sbin';
export const BINARIES = ['tripwire', 'twadmin', 'twprint', 'siggen'] as const;

export interface Shell {
  name: 'dash' | 'busybox' | 'bash' | 'alpine';
  argv: string[];
  /** Runs a command where this shell lives (the Alpine container); on this host otherwise. */
  run?: (argv: string[], options?: RunOptions) => Promise<RunResult>;
}

/** busybox sh also runs its own applets (awk, sed, od, dd, ...), as on Alpine. */
export const SHELLS: readonly Shell[] = [
  { name: 'dash', argv: ['dash'] },
  { name: 'busybox', argv: ['busybox', 'sh'] },
  { name: 'bash', argv: ['bash'] },
];

export function shellNamed(name: string): Shell {
  const shell = SHELLS.find((s) => s.name === name);
  if (shell === undefined) throw new Error(`no shell ${name}`);
  return shell;
}

export const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

/** A private temporary directory (0755 so that `nobody` can reach what the tests give it). */
export async function tempRoot(label: string): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `sensu-tripwire-${label}-`));
  await chmod(dir, 0o755);
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * An asset as the packaging stage lays it out: a copy of wrappers/ (bin/ and libexec/ 0755, the
 * rest 0644) and the Tripwire binaries in bin/, readable by everyone.
 */
export async function assembleAsset(dest: string, binaries: string = DEBIAN_BINARIES): Promise<string> {
  await cp(WRAPPERS, dest, { recursive: true });
  const walk = async (dir: string, executable: boolean): Promise<void> => {
    await chmod(dir, 0o755);
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const p = path.join(dir, entry.name);
      if (entry.isDirectory()) await walk(p, executable);
      else await chmod(p, executable ? 0o755 : 0o644);
    }
  };
  await chmod(dest, 0o755);
  for (const entry of await readdir(dest, { withFileTypes: true })) {
    if (entry.isDirectory()) await walk(path.join(dest, entry.name), entry.name === 'bin' || entry.name === 'libexec');
  }
  for (const name of BINARIES) {
    await copyFile(path.join(binaries, name), path.join(dest, 'bin', name));
    await chmod(path.join(dest, 'bin', name), 0o755);
  }
  return dest;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout then stderr: what a Sensu agent would record (it keeps both). */
  output: string;
  firstLine: string;
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Run as this unprivileged user (through setpriv); root otherwise. */
  user?: 'nobody';
  stdin?: string;
}

/** The environment a Sensu agent gives a check: nothing of the test runner's own. */
export function baseEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', HOME: '/nonexistent', LANG: 'C.UTF-8', ...extra };
}

/** Runs `<shell> <asset>/bin/<script> args...`. */
export function runScript(asset: string, shell: Shell, script: Script, args: string[], options: RunOptions = {}): Promise<RunResult> {
  const argv = [...shell.argv, path.join(asset, 'bin', script), ...args];
  return (shell.run ?? run)(argv, options);
}

export function run(argv: string[], options: RunOptions = {}): Promise<RunResult> {
  const full = options.user === 'nobody' ? ['setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups', ...argv] : argv;
  const [cmd, ...args] = full;
  if (cmd === undefined) throw new Error('empty command');
  const child = spawn(cmd, args, {
    cwd: options.cwd ?? '/',
    env: options.env ?? baseEnv(),
    stdio: [options.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });
  if (options.stdin !== undefined && child.stdin !== null) child.stdin.end(options.stdin);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const output = stdout + stderr;
      resolve({ code: code ?? (signal !== null ? 128 : -1), stdout, stderr, output, firstLine: stdout.split('\n')[0] ?? '' });
    });
  });
}

/** Files the tests write: content and mode. */
export async function writeTree(root: string, files: Record<string, string>): Promise<void> {
  for (const [name, content] of Object.entries(files)) {
    const p = path.join(root, name);
    await mkdir(path.dirname(p), { recursive: true, mode: 0o755 });
    await writeFile(p, content, { mode: 0o644 });
  }
}

export async function exists(p: string): Promise<boolean> {
  return access(p, constants.F_OK).then(
    () => true,
    () => false,
  );
}

export async function modeOf(p: string): Promise<number> {
  return (await stat(p)).mode & 0o7777;
}

/** Gives a directory tree to nobody:nogroup. */
export async function giveToNobody(p: string): Promise<void> {
  const walk = async (q: string): Promise<void> => {
    await chown(q, 65534, 65534);
    const s = await stat(q);
    if (s.isDirectory()) for (const e of await readdir(q)) await walk(path.join(q, e));
  };
  await walk(p);
}

/**
 * Keys made once and shared: copying them into a new state directory saves each scenario the key
 * generation (the scenarios about a first run generate their own). Returns a function that
 * prepares a fresh state directory holding copies of the keys and their generated passphrases.
 */
export async function keyFixture(asset: string, shell: Shell, root: string): Promise<(dir: string) => Promise<string>> {
  const template = path.join(root, 'key-template');
  const data = path.join(root, 'key-template-data');
  await writeTree(data, { 'f': 'x\n' });
  const result = await runScript(asset, shell, 'tripwire-init.sh', ['--key-size', '1024', '--state-dir', template, data]);
  if (result.code !== 0) throw new Error(`key fixture: tripwire-init.sh exited ${result.code}:\n${result.output}`);
  return async (dir: string) => {
    await mkdir(dir, { mode: 0o700 });
    await chmod(dir, 0o700);
    for (const f of ['site.key', 'local.key', 'site.passphrase', 'local.passphrase']) {
      await copyFile(path.join(template, f), path.join(dir, f));
      await chmod(path.join(dir, f), 0o600);
    }
    return dir;
  };
}

/** The passphrases stored in a state directory. */
export async function storedPassphrases(stateDir: string): Promise<string[]> {
  const out: string[] = [];
  for (const f of ['site.passphrase', 'local.passphrase']) {
    const p = path.join(stateDir, f);
    if (await exists(p)) out.push((await readFile(p, 'utf8')).trim());
  }
  return out;
}

/** The name of the only profile in a state directory. */
export async function onlyProfile(stateDir: string): Promise<string> {
  const names = await readdir(path.join(stateDir, 'profiles'));
  if (names.length !== 1 || names[0] === undefined) throw new Error(`expected one profile in ${stateDir}, found ${names.join(', ')}`);
  return names[0];
}
