import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../../builders/catalog.js';

/**
 * Small Go programs under test/metadata/<name>/ that run the very libraries Sensu uses (otto for
 * filters, ghodss/yaml for sensuctl's files), built in GOPATH mode against Debian's Go packages
 * (scripts/setup.sh installs them), in a private temporary directory.
 */

const run = promisify(execFile);
const GOPATH = '/usr/share/gocode';

export interface GoHelper {
  /** Runs the helper with `args`, `stdin` on its standard input; resolves to its standard output. */
  run(args: readonly string[], stdin?: string): Promise<string>;
  remove(): Promise<void>;
}

export async function buildGoHelper(name: string): Promise<GoHelper> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `sensu-tripwire-${name}-`));
  const binary = path.join(dir, name);
  const env = { ...process.env, GO111MODULE: 'off', GOPATH, GOCACHE: path.join(dir, 'go-cache'), GOFLAGS: '' };
  try {
    await run('go', ['build', '-o', binary, '.'], { cwd: path.join(REPO_ROOT, 'test/metadata', name), env });
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw new Error(`cannot build test/metadata/${name} (scripts/setup.sh installs Go and the Debian Go packages it needs): ${error instanceof Error ? error.message : String(error)}`);
  }
  return {
    run: (args, stdin) =>
      new Promise((resolve, reject) => {
        const child = execFile(binary, [...args], { maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
          if (error !== null) reject(new Error(`${name} failed: ${error.message} ${stderr}`));
          else resolve(stdout);
        });
        child.stdin?.end(stdin ?? '');
      }),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
