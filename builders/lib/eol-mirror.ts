import type { EolRepoFix, Platform } from '../catalog.js';
import { UserError } from '../errors.js';

/**
 * The base URLs of the archive repositories end-of-life platforms install their toolchain from.
 * They come from the environment (never from the repository) and are checked for form before
 * anything is built, because a wrong one fails only deep inside an old package manager:
 *
 *   centos-vault    https://HOST[/PATH]: the directory holding `<release>/os/x86_64/`
 *                   (Dockerfile.yum appends `<release>/<repo>/$basearch/`). https, because the
 *                   vault answers http with a redirect to https that CentOS 6's yum cannot follow.
 *   debian-archive  http://HOST/PATH: the distribution path, the directory holding
 *                   `dists/<suite>/` and `pool/` (Dockerfile.apt writes `deb URL <suite> main`).
 *                   http, because stretch's apt has no https transport (signatures protect it).
 */
type EolFix = Exclude<EolRepoFix, 'none'>;

/** The environment variable holding each EOL repository's base URL. */
export const EOL_MIRROR_ENV: Record<EolFix, string> = {
  'debian-archive': 'SENSU_TRIPWIRE_DEBIAN_ARCHIVE_MIRROR',
  'centos-vault': 'SENSU_TRIPWIRE_CENTOS_VAULT_MIRROR',
};

/** The expected form, as the README and every error message state it. */
export const EOL_MIRROR_FORM: Record<EolFix, string> = {
  'centos-vault': 'https://HOST[/PATH], the directory that holds <release>/os/x86_64/ (e.g. https://vault.example.org/centos)',
  'debian-archive': 'http://HOST/PATH, the distribution path that holds dists/<suite>/ (e.g. http://archive.example.org/debian)',
};

const SCHEME: Record<EolFix, string> = { 'centos-vault': 'https:', 'debian-archive': 'http:' };

/** Path segments that belong below the base URL, where the Dockerfiles add them. */
function misplacedSegment(fix: EolFix, segment: string, platform: Platform): boolean {
  if (fix === 'centos-vault') {
    return /^\d+(\.\d+)*$/.test(segment) || ['os', 'updates', 'x86_64', '$basearch', 'repodata'].includes(segment);
  }
  const suite = platform.baseImage.split(':')[1];
  return ['dists', 'pool', 'main'].includes(segment) || segment === suite;
}

/**
 * The platform's EOL repository base URL from `env`, without trailing slashes; a UserError that
 * shows the expected form when it is unset or malformed.
 */
export function eolMirror(platform: Platform, env: NodeJS.ProcessEnv = process.env): string {
  if (platform.eolRepoFix === 'none') throw new Error(`pipeline bug: ${platform.name} has no EOL repository`);
  const fix = platform.eolRepoFix;
  const variable = EOL_MIRROR_ENV[fix];
  const raw = env[variable];
  const form = EOL_MIRROR_FORM[fix];
  if (raw === undefined || raw.trim() === '') {
    throw new UserError(
      `${platform.name} (${platform.baseImage}) is end-of-life and installs its toolchain from an archive repository: ` +
        `set ${variable} to that repository's base URL (${fix === 'centos-vault' ? 'the CentOS vault, or your mirror of it' : "Debian's archive of old releases, or your mirror of it"}): ${form}`,
    );
  }
  const reject = (problem: string): never => {
    throw new UserError(`${variable}=${raw} ${problem}; expected ${form}`);
  };
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return reject('is not a URL');
  }
  if (url.protocol !== SCHEME[fix]) {
    reject(
      fix === 'centos-vault'
        ? 'must use https (CentOS 6 yum cannot follow the redirect the vault answers plain http with)'
        : `must use http (${platform.name}'s apt has no https transport; the archive's signatures protect it)`,
    );
  }
  if (url.username !== '' || url.password !== '') reject('must not hold credentials');
  if (url.search !== '' || url.hash !== '') reject('must not have a query or fragment');
  const segments = url.pathname.split('/').filter((segment) => segment !== '');
  if (fix === 'debian-archive' && segments.length === 0) reject('must end in the distribution path (the directory that holds dists/)');
  const wrong = segments.find((segment) => misplacedSegment(fix, decodeURIComponent(segment), platform));
  if (wrong !== undefined) reject(`goes too deep ("${wrong}" is added by the build)`);
  return `${url.protocol}//${url.host}${segments.length > 0 ? `/${segments.join('/')}` : ''}`;
}
