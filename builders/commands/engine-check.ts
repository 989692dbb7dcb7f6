import { dockerClient, pingEngine } from '../lib/docker.js';

/** Exits 0 when the Docker engine answers, else prints why (used by scripts/setup.sh). */
export async function run(): Promise<void> {
  await pingEngine(dockerClient());
}
