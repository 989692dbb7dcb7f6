// Minimal types for the test-only packages that ship none: what test/release/fixtures-server.ts uses.

declare module '@octokit/fixtures' {
  interface Nock {
    disableNetConnect(): void;
    enableNetConnect(matcher: RegExp): void;
  }
  const fixtures: { get(name: string): unknown[]; nock: Nock };
  export default fixtures;
}

declare module '@octokit/fixtures-server' {
  import type { RequestListener } from 'node:http';
  export default function fixturesServer(options: { fixturesUrl: string; logLevel?: string; ttl?: number; fixtures: Record<string, unknown[]> }): RequestListener;
}

declare module 'express' {
  import type { RequestListener } from 'node:http';
  interface Application extends RequestListener {
    use(handler: RequestListener): void;
  }
  export default function express(): Application;
}
