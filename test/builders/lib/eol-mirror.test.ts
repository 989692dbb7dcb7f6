import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCatalog, type Platform } from '../../../builders/catalog.js';
import { UserError } from '../../../builders/errors.js';
import { eolMirror } from '../../../builders/lib/eol-mirror.js';
import { runCli } from '../../support/cli.js';

async function platform(name: string): Promise<Platform> {
  const found = (await loadCatalog()).platforms.find((p) => p.name === name);
  if (found === undefined) throw new Error(`no ${name} in the catalog`);
  return found;
}

function refusal(platformEntry: Platform, env: NodeJS.ProcessEnv): string {
  try {
    eolMirror(platformEntry, env);
  } catch (error) {
    expect(error).toBeInstanceOf(UserError);
    return (error as Error).message;
  }
  throw new Error('expected a refusal');
}

const VAULT = 'SENSU_TRIPWIRE_CENTOS_VAULT_MIRROR';
const ARCHIVE = 'SENSU_TRIPWIRE_DEBIAN_ARCHIVE_MIRROR';

describe('EOL repository addresses from the environment', () => {
  it('take the CentOS vault over https, at the directory above the releases', async () => {
    const centos6 = await platform('centos6');
    expect(eolMirror(centos6, { [VAULT]: 'https://vault.example.org/centos/' })).toBe('https://vault.example.org/centos');
    expect(eolMirror(centos6, { [VAULT]: 'https://mirror.example.net:8443' })).toBe('https://mirror.example.net:8443');
  });

  it('refuse the vault over plain http, showing the expected form', async () => {
    const message = refusal(await platform('centos7'), { [VAULT]: 'http://vault.example.org/centos' });
    expect(message).toContain(`${VAULT}=http://vault.example.org/centos must use https`);
    expect(message).toContain('expected https://HOST[/PATH], the directory that holds <release>/os/x86_64/');
  });

  it('refuse a vault address that already names a release or repository', async () => {
    const centos6 = await platform('centos6');
    expect(refusal(centos6, { [VAULT]: 'https://vault.example.org/centos/6.10' })).toContain('goes too deep ("6.10" is added by the build)');
    expect(refusal(centos6, { [VAULT]: 'https://vault.example.org/centos/6.10/os/x86_64/' })).toContain('goes too deep');
    expect(refusal(centos6, { [VAULT]: 'https://user:secret@vault.example.org/centos' })).toContain('must not hold credentials');
    expect(refusal(centos6, { [VAULT]: 'vault.example.org/centos' })).toContain('is not a URL');
  });

  it("take Debian's archive over http, ending in the distribution path", async () => {
    expect(eolMirror(await platform('debian9'), { [ARCHIVE]: 'http://archive.example.org/debian/' })).toBe('http://archive.example.org/debian');
  });

  it("refuse Debian's archive over https, without a distribution path, or pointing into dists/", async () => {
    const stretch = await platform('debian9');
    const https = refusal(stretch, { [ARCHIVE]: 'https://archive.example.org/debian' });
    expect(https).toContain('must use http (debian9');
    expect(https).toContain('expected http://HOST/PATH, the distribution path that holds dists/<suite>/');
    expect(refusal(stretch, { [ARCHIVE]: 'http://archive.example.org/' })).toContain('must end in the distribution path');
    expect(refusal(stretch, { [ARCHIVE]: 'http://archive.example.org/debian/dists/stretch' })).toContain('goes too deep ("dists"');
    expect(refusal(stretch, { [ARCHIVE]: 'http://archive.example.org/debian?x=1' })).toContain('must not have a query');
  });

  it('say which variable to set, and its form, when it is missing', async () => {
    const message = refusal(await platform('debian9'), {});
    expect(message).toContain(`set ${ARCHIVE}`);
    expect(message).toContain('http://HOST/PATH');
  });

  it('stop a build before anything is downloaded or started', async () => {
    const scratch = await mkdtemp(path.join(os.tmpdir(), 'sensu-tripwire-eol-mirror-'));
    try {
      const result = await runCli(
        ['build', '--platform', 'debian12,centos6', '--version', '1.0.0', '--dist', path.join(scratch, 'dist'), '--cache-dir', path.join(scratch, 'cache')],
        { [VAULT]: 'http://vault.example.org/centos', DOCKER_HOST: 'tcp://127.0.0.1:9' },
      );
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`error: ${VAULT}=http://vault.example.org/centos must use https`);
      expect(result.stderr).not.toContain('connect-docker');
      expect(await readdir(scratch)).toEqual([]);
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  });
});
