import { readFile, readdir } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fixtures from '@octokit/fixtures';
import fixturesServer from '@octokit/fixtures-server';
import express from 'express';

/**
 * GitHub's recorded traffic served over real HTTP on 127.0.0.1 by @octokit/fixtures-server: the
 * recordings of @octokit/fixtures (real api.github.com responses, normalised), plus our own
 * scenarios in the same recorded format under scenarios/. Requests must come in the recorded
 * order with the recorded method, path, headers and body; anything else is a 404.
 */

/** The fixtures' token: recordings expect `authorization: token 0000…0001`. */
export const FIXTURE_TOKEN = '0000000000000000000000000000000000000001';

const RECORDED = ['get-repository', 'release-assets', 'release-assets-conflict'];
const OWN_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'scenarios');

export interface FixturesServer {
  /** Loads a scenario; returns the base URL to use instead of https://api.github.com. */
  load(scenario: string): Promise<string>;
  close(): Promise<void>;
}

export async function startFixturesServer(): Promise<FixturesServer> {
  // The server proxies to fixtures-<id>.api.github.com, which nock answers in-process; nothing
  // may leave this machine.
  fixtures.nock.disableNetConnect();
  fixtures.nock.enableNetConnect(/^(127\.0\.0\.1|localhost)(:\d+)?$/);

  const scenarios: Record<string, unknown[]> = {};
  for (const name of RECORDED) scenarios[name] = fixtures.get(`api.github.com/${name}`);
  for (const file of (await readdir(OWN_DIR)).filter((name) => name.endsWith('.json'))) {
    scenarios[path.basename(file, '.json')] = JSON.parse(await readFile(path.join(OWN_DIR, file), 'utf8')) as unknown[];
  }

  const app = express();
  const server: Server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  app.use(fixturesServer({ fixturesUrl: origin, logLevel: 'silent', fixtures: scenarios }));

  return {
    async load(scenario) {
      const response = await fetch(`${origin}/fixtures`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ scenario }) });
      const body = (await response.json()) as { url?: string; error?: string };
      if (response.status !== 201 || body.url === undefined) throw new Error(`cannot load fixture ${scenario}: ${body.error ?? response.status}`);
      return body.url;
    },
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}
