import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { debianMirror, parseDeb822Sources, parseOneLineSources, pickDebianMirror } from '../../../builders/lib/apt-mirror.js';

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

  it('picks the first main archive that is not the security archive', () => {
    const sources = parseDeb822Sources(`Types: deb\nURIs: ${SECURITY}\nSuites: bookworm-security\nComponents: main\n\nTypes: deb\nURIs: ${MIRROR}/\nSuites: bookworm\nComponents: main\n`);
    expect(pickDebianMirror(sources)).toBe(MIRROR);
  });

  it('reads sources.list and sources.list.d under a root, and honours the override', async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'apt-'));
    await mkdir(path.join(root, 'etc', 'apt', 'sources.list.d'), { recursive: true });
    await writeFile(path.join(root, 'etc', 'apt', 'sources.list.d', 'debian.sources'), `Types: deb\nURIs: ${MIRROR}\nSuites: bookworm\nComponents: main\n`);
    await expect(debianMirror({}, root)).resolves.toBe(MIRROR);
    await expect(debianMirror({ SENSU_TRIPWIRE_DEBIAN_MIRROR: 'http://own.example.org/debian/' }, root)).resolves.toBe('http://own.example.org/debian');
  });

  it('says how to set a mirror when apt names none', async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'apt-empty-'));
    await expect(debianMirror({}, root)).rejects.toThrow(/no Debian mirror found .* set SENSU_TRIPWIRE_DEBIAN_MIRROR/);
  });
});
