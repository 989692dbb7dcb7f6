import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../errors.js';

/**
 * The Debian mirror this machine's apt uses, read at run time so that no registry address is
 * written into the repository and users with their own mirror get it from there.
 * SENSU_TRIPWIRE_DEBIAN_MIRROR overrides it.
 */
export interface AptSource {
  uri: string;
  suites: string[];
  components: string[];
}

/** Parses one-line `deb [options] URI SUITE COMPONENT...` entries (sources.list format). */
export function parseOneLineSources(text: string): AptSource[] {
  const sources: AptSource[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    const match = /^(deb|deb-src)\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)\s*(.*)$/.exec(line);
    if (match === null) continue;
    const [, , uri, suite, components] = match;
    sources.push({ uri: uri as string, suites: [suite as string], components: (components ?? '').split(/\s+/).filter(Boolean) });
  }
  return sources;
}

/** Parses deb822 `.sources` stanzas (Types/URIs/Suites/Components), skipping disabled ones. */
export function parseDeb822Sources(text: string): AptSource[] {
  const sources: AptSource[] = [];
  for (const stanza of text.split(/\n\s*\n/)) {
    const fields = new Map<string, string>();
    let current = '';
    for (const raw of stanza.split('\n')) {
      if (raw.startsWith('#')) continue;
      if (/^\s/.test(raw) && current !== '') {
        fields.set(current, `${fields.get(current) ?? ''} ${raw.trim()}`);
        continue;
      }
      const colon = raw.indexOf(':');
      if (colon <= 0) continue;
      current = raw.slice(0, colon).trim().toLowerCase();
      fields.set(current, raw.slice(colon + 1).trim());
    }
    if ((fields.get('enabled') ?? 'yes').toLowerCase() === 'no') continue;
    if (!(fields.get('types') ?? '').split(/\s+/).some((type) => type === 'deb' || type === 'deb-src')) continue;
    const list = (key: string) => (fields.get(key) ?? '').split(/\s+/).filter(Boolean);
    for (const uri of list('uris')) sources.push({ uri, suites: list('suites'), components: list('components') });
  }
  return sources;
}

/**
 * The first source that is a Debian archive with the `main` component and is not the security
 * archive (which has no orig tarballs): its URI is the base of pool/ paths.
 */
export function pickDebianMirror(sources: AptSource[]): string | undefined {
  const candidate = sources.find(
    (source) =>
      /^https?:\/\//.test(source.uri) &&
      source.components.includes('main') &&
      !source.suites.some((suite) => suite.endsWith('-security') || suite.includes('/updates')),
  );
  return candidate?.uri.replace(/\/+$/, '');
}

/** Reads /etc/apt/sources.list and sources.list.d (under `root`, for tests). */
export async function readAptSources(root = '/'): Promise<AptSource[]> {
  const etc = path.join(root, 'etc', 'apt');
  const sources: AptSource[] = [];
  const tryRead = async (file: string) => readFile(file, 'utf8').catch(() => '');
  sources.push(...parseOneLineSources(await tryRead(path.join(etc, 'sources.list'))));
  const entries = (await readdir(path.join(etc, 'sources.list.d')).catch(() => [] as string[])).sort();
  for (const entry of entries) {
    const file = path.join(etc, 'sources.list.d', entry);
    if (entry.endsWith('.list')) sources.push(...parseOneLineSources(await tryRead(file)));
    else if (entry.endsWith('.sources')) sources.push(...parseDeb822Sources(await tryRead(file)));
  }
  return sources;
}

export async function debianMirror(env: NodeJS.ProcessEnv = process.env, root = '/'): Promise<string> {
  const override = env.SENSU_TRIPWIRE_DEBIAN_MIRROR;
  if (override !== undefined && override !== '') return override.replace(/\/+$/, '');
  const mirror = pickDebianMirror(await readAptSources(root));
  if (mirror === undefined) {
    throw new UserError(
      'no Debian mirror found in this machine\'s apt configuration (/etc/apt/sources.list, sources.list.d); set SENSU_TRIPWIRE_DEBIAN_MIRROR to a Debian mirror\'s base URL',
    );
  }
  return mirror;
}
