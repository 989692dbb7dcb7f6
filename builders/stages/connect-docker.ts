import { dockerClient, engineAddress, pingEngine, removeOwnContainers } from '../lib/docker.js';
import type { Stage } from '../stage.js';

/** Reaches the Docker engine (DOCKER_HOST honoured) before any work is done. */
export const connectDocker: Stage = {
  name: 'connect-docker',
  async run(ctx) {
    const docker = dockerClient();
    await pingEngine(docker);
    ctx.docker = docker;
    // However the build ends (an interrupt at any moment included), no container of it remains.
    ctx.cleanups.push(() => removeOwnContainers(docker));
    ctx.log.info(`  engine at ${engineAddress()}`);
  },
};
