import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { UserError, describeError } from '../errors.js';

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

/** A package archive named by apt's configuration: its base URL and one suite it serves. */
export interface MirrorCandidate {
  uri: string;
  suite: string;
}

/**
 * The sources that may be a Debian archive with the `main` component, in apt's order, without
 * the security archive (which has no orig tarballs). Whether one really is Debian's is only known
 * from its Release file (`debianOrigin`): a stock Ubuntu runner's sources look just the same.
 */
export function mirrorCandidates(sources: AptSource[]): MirrorCandidate[] {
  const candidates: MirrorCandidate[] = [];
  for (const source of sources) {
    if (!/^https?:\/\//.test(source.uri) || !source.components.includes('main')) continue;
    const suite = source.suites.find((name) => !name.endsWith('-security') && !name.includes('/updates'));
    if (suite === undefined) continue;
    const uri = source.uri.replace(/\/+$/, '');
    if (!candidates.some((known) => known.uri === uri)) candidates.push({ uri, suite });
  }
  return candidates;
}

/** Where a suite's Release file is: dists/SUITE/Release, or SUITE/Release for a flat repository. */
export function releaseUrl(candidate: MirrorCandidate): string {
  return candidate.suite.endsWith('/') ? `${candidate.uri}/${candidate.suite}Release` : `${candidate.uri}/dists/${candidate.suite}/Release`;
}

/** The `Origin:` field of a Release file, or undefined when it has none. */
export function releaseOrigin(text: string): string | undefined {
  return /^Origin:[ \t]*(.*?)[ \t]*$/m.exec(text)?.[1];
}

export type FetchText = (url: string) => Promise<string>;

async function fetchText(url: string): Promise<string> {
  const response = await fetch(url, { signal: AbortSignal.timeout(15_000) });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return response.text();
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

/**
 * The Debian mirror for debootstrap and Debian's copy of the source: SENSU_TRIPWIRE_DEBIAN_MIRROR,
 * else the first apt source whose Release file says `Origin: Debian`. An Ubuntu or third-party
 * archive is never used: debootstrap would fail on it with an error that does not say why.
 */
export async function debianMirror(env: NodeJS.ProcessEnv = process.env, root = '/', readUrl: FetchText = fetchText): Promise<string> {
  const override = env.SENSU_TRIPWIRE_DEBIAN_MIRROR;
  if (override !== undefined && override !== '') return override.replace(/\/+$/, '');
  const candidates = mirrorCandidates(await readAptSources(root));
  const refused: string[] = [];
  for (const candidate of candidates) {
    const url = releaseUrl(candidate);
    let origin: string | undefined;
    try {
      origin = releaseOrigin(await readUrl(url));
    } catch (error) {
      refused.push(`${url} cannot be read (${describeError(error)})`);
      continue;
    }
    if (origin === 'Debian') return candidate.uri;
    refused.push(origin === undefined ? `${url} names no Origin` : `${url} has Origin "${origin}", not "Debian"`);
  }
  const found = refused.length === 0 ? 'no Debian archive is configured' : `none of its archives is Debian's: ${refused.join('; ')}`;
  throw new UserError(
    `no Debian mirror in this machine's apt configuration (/etc/apt/sources.list, sources.list.d): ${found}. ` +
      "Set SENSU_TRIPWIRE_DEBIAN_MIRROR to a Debian mirror's base URL",
  );
}
