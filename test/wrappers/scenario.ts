import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'vitest';
import { startAlpine, type AlpineRuntime } from './alpine.js';
import {
  SHELLS,
  assembleAsset,
  giveToNobody,
  keyFixture,
  onlyProfile,
  runScript,
  storedPassphrases,
  tempRoot,
  writeTree,
  type RunOptions,
  type RunResult,
  type Script,
  type Shell,
} from './helpers.js';

/**
 * The scaffolding of a scenario suite: an asset, shared keys, the three shells here and the real
 * Alpine 3.9 userland (see alpine.ts), and scenarios that each get their own directories. A
 * suite calls setUp() in beforeAll and tearDown() in afterAll.
 */

export interface Scenario {
  dir: string;
  data: string;
  state: string;
  /** Every output of every script run in this scenario. */
  outputs: string[];
  /** Runs as this user unless a call says otherwise. */
  user: 'root' | 'nobody';
  sh(script: Script, args: string[], options?: RunOptions): Promise<RunResult>;
  check(extra?: string[], options?: RunOptions): Promise<RunResult>;
  update(extra?: string[], options?: RunOptions): Promise<RunResult>;
  profileDir(): Promise<string>;
}

export interface ScenarioOptions {
  files?: Record<string, string>;
  /** Copy the shared keys into the state directory (default true). */
  keys?: boolean;
  /** Run every script as nobody, with the state and data given to nobody. */
  user?: 'root' | 'nobody';
}

export interface ScenarioSuite {
  setUp(): Promise<void>;
  tearDown(): Promise<void>;
  asset(): string;
  root(): string;
  /** The shells every scenario runs under: dash, busybox sh, bash, and Alpine's sh. */
  shells(): Shell[];
  scenario(shell: Shell, name: string, options?: ScenarioOptions): Promise<Scenario>;
  /** Runs body under every shell at once (or those `only` keeps); fails with every shell's failure. */
  acrossShells(body: (shell: Shell) => Promise<void>, only?: (shell: Shell) => boolean): Promise<void>;
  /** No output of any scenario ever held one of its passphrases. */
  expectNoSecrets(): Promise<void>;
}

const DEFAULT_FILES = { 'www/index.html': '<h1>hi</h1>\n', 'www/app/main.js': 'run()\n' };

export function scenarioSuite(label: string): ScenarioSuite {
  let root: { dir: string; remove: () => Promise<void> } | undefined;
  let asset = '';
  let newState: (dir: string) => Promise<string> = () => Promise.reject(new Error('setUp() was not called'));
  let alpine: AlpineRuntime | undefined;
  let shells: Shell[] = [...SHELLS];
  let counter = 0;
  const all: Scenario[] = [];

  const scenario = async (shell: Shell, name: string, options: ScenarioOptions = {}): Promise<Scenario> => {
    if (root === undefined) throw new Error('setUp() was not called');
    const user = options.user ?? 'root';
    const dir = path.join(root.dir, `${++counter}-${name}-${shell.name}-${user}`);
    await mkdir(dir, { mode: 0o755 });
    const data = path.join(dir, 'data');
    await writeTree(data, options.files ?? DEFAULT_FILES);
    const state = path.join(dir, 'state');
    if (options.keys ?? true) await newState(state);
    if (user === 'nobody') {
      await giveToNobody(data);
      if (options.keys ?? true) await giveToNobody(state);
    }
    const outputs: string[] = [];
    const sh = async (script: Script, args: string[], runOptions: RunOptions = {}): Promise<RunResult> => {
      const result = await runScript(asset, shell, script, args, { ...(user === 'nobody' ? { user } : {}), ...runOptions });
      outputs.push(result.output);
      return result;
    };
    const made: Scenario = {
      dir,
      data,
      state,
      outputs,
      user,
      sh,
      check: (extra = [], o = {}) => sh('tripwire-check.sh', ['--state-dir', state, ...extra, ...(extra.includes('--policy') ? [] : [data])], o),
      update: (extra = [], o = {}) => sh('tripwire-update.sh', ['--state-dir', state, ...extra, ...(extra.includes('--policy') ? [] : [data])], o),
      profileDir: async () => path.join(state, 'profiles', await onlyProfile(state)),
    };
    all.push(made);
    return made;
  };

  return {
    setUp: async () => {
      root = await tempRoot(label);
      asset = await assembleAsset(path.join(root.dir, 'asset'));
      newState = await keyFixture(asset, SHELLS[0]!, root.dir);
      alpine = await startAlpine(root.dir);
      shells = [...SHELLS, alpine.shell];
    },
    tearDown: async () => {
      await alpine?.remove();
      await root?.remove();
    },
    asset: () => asset,
    root: () => root?.dir ?? '',
    shells: () => shells,
    scenario,
    acrossShells: async (body, only = () => true) => {
      const chosen = shells.filter(only);
      const results = await Promise.allSettled(chosen.map((shell) => body(shell)));
      const failures = results.flatMap((r, i) =>
        r.status === 'rejected' ? [`under ${chosen[i]!.name}: ${r.reason instanceof Error ? (r.reason.stack ?? r.reason.message) : String(r.reason)}`] : [],
      );
      if (failures.length > 0) throw new Error(failures.join('\n\n'));
    },
    expectNoSecrets: async () => {
      for (const sc of all) await expectNoSecrets(sc);
    },
  };
}

/** No passphrase of the scenario's state directory (or given) ever appears in its output. */
export async function expectNoSecrets(sc: Scenario, extra: string[] = []): Promise<void> {
  const secrets = [...(await storedPassphrases(sc.state).catch(() => [] as string[])), ...extra];
  for (const out of sc.outputs) for (const secret of secrets) expect(out).not.toContain(secret);
}

export function expectStatus(result: RunResult, code: number, state: string): void {
  expect(result.code, result.output).toBe(code);
  expect(result.firstLine, result.output).toMatch(new RegExp(`^TRIPWIRE ${state} - `));
}

/** A run that created a baseline: says so, and is not CRITICAL or UNKNOWN (the new-baseline status is the operator's choice). */
export function expectCreated(result: RunResult): void {
  expect([0, 1], result.output).toContain(result.code);
  expect(result.firstLine, result.output).toMatch(/^TRIPWIRE (OK|WARNING) - (new )?baseline created, \d+ objects/);
}
