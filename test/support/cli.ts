import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  /** The CLI process's pid: it labels the containers it starts (io.sensu-tripwire.pid). */
  pid: number;
}

/**
 * Runs the real command line (`node --import tsx builders/cli.ts ...`) as a user would, in its own
 * process, so exit codes, messages and signals are the real ones.
 */
export function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return startCli(args, env).result;
}

export interface RunningCli {
  pid: number;
  /** Output so far. */
  stderr(): string;
  signal(name: NodeJS.Signals): void;
  result: Promise<CliResult>;
}

/** Starts the command line and returns at once, for tests that interact with a running build. */
export function startCli(args: string[], env: NodeJS.ProcessEnv = {}): RunningCli {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO, 'builders', 'cli.ts'), ...args], {
    cwd: REPO,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const result = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code: code ?? (signal !== null ? 128 : -1), stdout, stderr, pid: child.pid ?? -1 }));
  });
  return { pid: child.pid ?? -1, stderr: () => stderr, signal: (name) => child.kill(name), result };
}
