import { connect, createServer, type Socket } from 'node:net';
import path from 'node:path';

export interface HoldingProxy {
  /** For DOCKER_HOST. */
  dockerHost: string;
  /** Resolves when the first request matching the pattern has arrived and is being held. */
  held: Promise<void>;
  /** Lets the held request (and everything after it) through to the engine. */
  release(): void;
  close(): Promise<void>;
}

/**
 * A unix-socket proxy in front of the real Docker engine that holds back the first request whose
 * request line matches `pattern` (e.g. container creation) until `release()`: a test can then
 * act at exactly the moment that request is in flight. Every other byte passes through unchanged.
 */
export async function holdingDockerProxy(dir: string, pattern: RegExp, engineSocket = '/var/run/docker.sock'): Promise<HoldingProxy> {
  const socketPath = path.join(dir, 'docker-proxy.sock');
  let released = false;
  let holding = false;
  const waiting: Array<() => void> = [];
  let onHeld: () => void = () => undefined;
  const held = new Promise<void>((resolve) => (onHeld = resolve));
  const sockets = new Set<Socket>();

  const server = createServer((client) => {
    const engine = connect(engineSocket);
    sockets.add(client).add(engine);
    engine.pipe(client);
    // Requests on one connection come one after another: holding a chunk holds the rest too.
    let holdingThis = false;
    client.on('data', (chunk: Buffer) => {
      const forward = () => engine.write(chunk);
      if (holdingThis && !released) {
        waiting.push(forward);
      } else if (!holding && pattern.test(chunk.toString('latin1'))) {
        holding = holdingThis = true;
        waiting.push(forward);
        onHeld();
      } else {
        forward();
      }
    });
    client.on('end', () => engine.end());
    client.on('error', () => engine.destroy());
    engine.on('error', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  return {
    dockerHost: `unix://${socketPath}`,
    held,
    release() {
      released = true;
      for (const forward of waiting.splice(0)) forward();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
