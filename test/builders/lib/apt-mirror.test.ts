import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { debianMirror, mirrorCandidates, parseDeb822Sources, parseOneLineSources, releaseOrigin, releaseUrl } from '../../../builders/lib/apt-mirror.js';

// Example addresses only: the point is that the code reads whatever the machine is configured with.
const MIRROR = 'http://mirror.example.org/debian';
const SECURITY = 'http://security.example.org/debian-security';

describe("reading the Debian mirror from apt's configuration", () => {
  it('parses one-line sources, with options and comments', () => {
    expect(parseOneLineSources(`# comment\ndeb [arch=amd64 signed-by=/k.gpg] ${MIRROR} bookworm main contrib\ndeb-src ${MIRROR} bookworm main # src\n`)).toEqual([
      { uri: MIRROR, suites: ['bookworm'], components: ['main', 'contrib'] },
      { uri: MIRROR, suites: ['bookworm'], components: ['main'] },
    ]);
  });

  it('parses deb822 stanzas and skips disabled ones', () => {
    const text = `Types: deb\nURIs: ${MIRROR}/\nSuites: bookworm bookworm-updates\nComponents: main\n\nTypes: deb\nURIs: ${SECURITY}\nSuites: bookworm-security\nComponents: main\n\nEnabled: no\nTypes: deb\nURIs: http://off.example.org/\nSuites: x\nComponents: main\n`;
    expect(parseDeb822Sources(text).map((s) => s.uri)).toEqual([`${MIRROR}/`, SECURITY]);
  });

  it('takes main archives in order as candidates, without the security archive or duplicates', () => {
    const sources = parseDeb822Sources(
      `Types: deb\nURIs: ${SECURITY}\nSuites: bookworm-security\nComponents: main\n\nTypes: deb\nURIs: ${MIRROR}/\nSuites: bookworm bookworm-updates\nComponents: main\n\nTypes: deb\nURIs: ${MIRROR}\nSuites: bookworm-backports\nComponents: main\n`,
    );
    expect(mirrorCandidates(sources)).toEqual([{ uri: MIRROR, suite: 'bookworm' }]);
  });

  it("finds a suite's Release file, also in a flat repository, and reads its Origin", () => {
    expect(releaseUrl({ uri: MIRROR, suite: 'bookworm' })).toBe(`${MIRROR}/dists/bookworm/Release`);
    expect(releaseUrl({ uri: MIRROR, suite: './' })).toBe(`${MIRROR}/./Release`);
    expect(releaseOrigin('Origin: Debian\nLabel: Debian\nSuite: stable\n')).toBe('Debian');
    expect(releaseOrigin('Label: Ubuntu\nOrigin: Ubuntu \n')).toBe('Ubuntu');
    expect(releaseOrigin('Label: x\n')).toBeUndefined();
  });
});

describe("checking that apt's mirror is Debian's, over HTTP", () => {
  // A local archive server: each path serves one Release file, as a mirror would.
  const releases = new Map<string, string>([
    ['/debian/dists/bookworm/Release', 'Origin: Debian\nLabel: Debian\nSuite: oldstable\nCodename: bookworm\n'],
    ['/ubuntu/dists/noble/Release', 'Origin: Ubuntu\nLabel: Ubuntu\nSuite: noble\n'],
    ['/vendor/dists/stable/Release', 'Origin: some-vendor\nLabel: vendor tools\n'],
  ]);
  let server: Server;
  let base: string;

  beforeAll(async () => {
    server = createServer((request, response) => {
      const body = releases.get(request.url ?? '');
      response.writeHead(body === undefined ? 404 : 200, { 'content-type': 'text/plain' });
      response.end(body ?? 'not found');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  async function aptRoot(sources: string): Promise<string> {
    const root = await mkdtemp(path.join(os.tmpdir(), 'apt-'));
    await mkdir(path.join(root, 'etc', 'apt', 'sources.list.d'), { recursive: true });
    await writeFile(path.join(root, 'etc', 'apt', 'sources.list'), sources);
    return root;
  }

  it("uses the first archive whose Release file says Origin: Debian, past an Ubuntu and a vendor's archive", async () => {
    const root = await aptRoot(`deb ${base}/ubuntu noble main universe\ndeb ${base}/vendor stable main\ndeb ${base}/debian bookworm main\n`);
    await expect(debianMirror({}, root)).resolves.toBe(`${base}/debian`);
  });

  it("never uses a stock Ubuntu runner's archives, and says to set SENSU_TRIPWIRE_DEBIAN_MIRROR", async () => {
    const root = await aptRoot(`deb ${base}/ubuntu noble main universe\ndeb ${base}/vendor stable main\n`);
    const failure = debianMirror({}, root);
    await expect(failure).rejects.toThrow(/Set SENSU_TRIPWIRE_DEBIAN_MIRROR to a Debian mirror's base URL/);
    await expect(failure).rejects.toThrow(`${base}/ubuntu/dists/noble/Release has Origin "Ubuntu", not "Debian"`);
    await expect(failure).rejects.toThrow(`${base}/vendor/dists/stable/Release has Origin "some-vendor", not "Debian"`);
  });

  it('does not use an archive whose Release file cannot be read', async () => {
    const root = await aptRoot(`deb ${base}/gone bookworm main\n`);
    await expect(debianMirror({}, root)).rejects.toThrow(`${base}/gone/dists/bookworm/Release cannot be read (HTTP 404)`);
  });

  it('honours SENSU_TRIPWIRE_DEBIAN_MIRROR without asking apt', async () => {
    const root = await aptRoot(`deb ${base}/ubuntu noble main\n`);
    await expect(debianMirror({ SENSU_TRIPWIRE_DEBIAN_MIRROR: 'http://own.example.org/debian/' }, root)).resolves.toBe('http://own.example.org/debian');
  });

  it('says how to set a mirror when apt names none', async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'apt-empty-'));
    await expect(debianMirror({}, root)).rejects.toThrow(/no Debian archive is configured\. Set SENSU_TRIPWIRE_DEBIAN_MIRROR/);
  });
});
