import { PassThrough } from 'node:stream';
import type Docker from 'dockerode';
import { AGENT_CACHE_DIR, checkEnvironment } from './agent.js';
import { CHECK_CYCLE, PREPARE_WATCHED, type StepRun } from './check-cycle.js';

/**
 * One run of the check cycle in a fresh container of a platform's base image: no network, no
 * compiler, the agent's cache (unpacked by agent.ts) mounted read-only where the agent keeps it,
 * every step an `sh -c` of the image's own shell with the environment the agent gives a check.
 */

/** The check's user: root, or an unprivileged `sensu` user as the agent's package creates one. */
export type CheckUser = 'root' | 'sensu';

/** A fixed id, unlikely to be taken in a base image, for the unprivileged user. */
export const SENSU_UID = 4242;
const HOMES: Record<CheckUser, string> = { root: '/root', sensu: '/var/lib/sensu' };
/** The environment of a sensu-agent service (systemd's default PATH; HOME, USER, LOGNAME of its user). */
function agentEnvironment(user: CheckUser): Record<string, string> {
  return { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', HOME: HOMES[user], USER: user, LOGNAME: user };
}

/** Adds the sensu user with the image's own tools (append to passwd/group, chown). */
const ADD_SENSU_USER = [
  `echo 'sensu:x:${SENSU_UID}:${SENSU_UID}:Sensu agent:${HOMES.sensu}:/bin/false' >> /etc/passwd`,
  `echo 'sensu:x:${SENSU_UID}:' >> /etc/group`,
  `mkdir -p ${HOMES.sensu}`,
  `chown ${SENSU_UID}:${SENSU_UID} ${HOMES.sensu}`,
  `chmod 0700 ${HOMES.sensu}`,
].join(' && ');

export interface StepOutcome {
  name: string;
  user: string;
  command: string;
  code: number;
  problem?: string;
  /** The end of the output, for the report. */
  output: string;
}

export interface CycleOptions {
  image: string;
  user: CheckUser;
  /** The host directory holding the agent's cache: `<cacheDir>/<sha512>/` is the unpacked asset. */
  cacheDir: string;
  assetName: string;
  sha512: string;
  label: string;
}

/**
 * A fresh container of `image` kept up by the image's own sleep while `body` runs steps in it;
 * removed afterwards whatever happens.
 */
async function withContainer<T>(docker: Docker, input: { image: string; label: string; binds?: string[] }, body: (container: Docker.Container) => Promise<T>): Promise<T> {
  const container = await docker.createContainer({
    Image: input.image,
    Cmd: ['sh', '-c', 'while :; do sleep 3600; done'],
    NetworkDisabled: true,
    HostConfig: { NetworkMode: 'none', Binds: input.binds ?? [] },
    Labels: { 'io.sensu-tripwire.role': 'install-test', 'io.sensu-tripwire.pid': String(process.pid), 'io.sensu-tripwire.install-test': input.label },
  });
  try {
    await container.start();
    return await body(container);
  } finally {
    await container.remove({ force: true }).catch(() => undefined);
  }
}

/** The output of `script` run with the image's shell as root (for the system probe). */
export async function runInImage(docker: Docker, image: string, script: string, label: string): Promise<StepRun> {
  return withContainer(docker, { image, label }, (container) => execIn(container, ['sh', '-c', script], 'root', {}));
}

/** Runs the whole cycle; stops at the first step that goes wrong (the later ones depend on it). */
export async function runCheckCycle(docker: Docker, options: CycleOptions): Promise<StepOutcome[]> {
  const binds = [`${options.cacheDir}:${AGENT_CACHE_DIR}:ro`];
  return withContainer(docker, { image: options.image, label: options.label, binds }, async (container) => {
    const prepare = options.user === 'sensu' ? `${PREPARE_WATCHED} && ${ADD_SENSU_USER}` : PREPARE_WATCHED;
    const setup = await execIn(container, ['sh', '-c', prepare], 'root', {});
    if (setup.code !== 0) {
      return [{ name: 'prepare the container', user: 'root', command: prepare, code: setup.code, problem: `exit ${setup.code}`, output: tail(setup.output) }];
    }
    const env = checkEnvironment(agentEnvironment(options.user), { name: options.assetName, dir: `${AGENT_CACHE_DIR}/${options.sha512}` });
    const outcomes: StepOutcome[] = [];
    for (const step of CHECK_CYCLE) {
      const user = step.as === 'root' ? 'root' : options.user;
      const command = step.command({ home: HOMES[options.user] });
      // As the agent runs a check command: `sh -c`, the image's shell, the agent's environment.
      const run = await execIn(container, ['sh', '-c', command], user, user === options.user ? env : agentEnvironment('root'));
      const problem = step.problem(run);
      outcomes.push({ name: step.name, user, command, code: run.code, output: tail(run.output), ...(problem === undefined ? {} : { problem }) });
      if (problem !== undefined) break;
    }
    return outcomes;
  });
}

/** A step that takes longer hangs (a prompt, a lock): the agent would time the check out too. */
const STEP_TIMEOUT_MS = 5 * 60 * 1000;

async function execIn(container: Docker.Container, cmd: string[], user: string, env: Record<string, string>): Promise<StepRun> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<StepRun>((resolve) => {
    timer = setTimeout(() => {
      // Removing the container ends the step's output stream, so nothing is left running.
      void container.remove({ force: true }).catch(() => undefined);
      resolve({ code: -1, output: `timed out after ${STEP_TIMEOUT_MS / 1000} s` });
    }, STEP_TIMEOUT_MS);
  });
  const running = execOnce(container, cmd, user, env);
  // After a timeout the step's own ending (its container gone) is of no interest.
  running.catch(() => undefined);
  try {
    return await Promise.race([running, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

async function execOnce(container: Docker.Container, cmd: string[], user: string, env: Record<string, string>): Promise<StepRun> {
  const exec = await container.exec({
    Cmd: cmd,
    User: user,
    Env: Object.entries(env).map(([key, value]) => `${key}=${value}`),
    AttachStdout: true,
    AttachStderr: true,
  });
  const stream = await exec.start({ hijack: true, stdin: false });
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  const out = new PassThrough().on('data', (chunk: Buffer) => stdout.push(chunk));
  const err = new PassThrough().on('data', (chunk: Buffer) => stderr.push(chunk));
  container.modem.demuxStream(stream, out, err);
  await new Promise<void>((resolve, reject) => {
    stream.on('end', resolve);
    stream.on('close', resolve);
    stream.on('error', reject);
  });
  const { ExitCode } = await exec.inspect();
  return { code: ExitCode ?? -1, output: Buffer.concat(stdout).toString('utf8') + Buffer.concat(stderr).toString('utf8') };
}

function tail(output: string): string {
  return output.length > 2000 ? `…${output.slice(-2000)}` : output;
}
