import type { Catalog } from '../catalog.js';
import { replaceBetweenMarkers } from './markers.js';
import { EOL_MIRROR_ENV } from './toolchain.js';

export const TABLE_BEGIN = '<!-- platforms:begin (generated from platforms.yaml; npm run readme) -->';
export const TABLE_END = '<!-- platforms:end -->';

/** The README's platform table, derived from the catalog (so it cannot drift from it). */
export function platformTable(catalog: Catalog): string {
  const rows = catalog.platforms.map((platform) => {
    const image = platform.bootstrap !== undefined ? `\`${platform.baseImage}\` (\`npm run images\` makes it)` : `\`${platform.baseImage}\``;
    const repo = platform.eolRepoFix === 'none' ? '' : `\`${EOL_MIRROR_ENV[platform.eolRepoFix]}\``;
    return `| \`${platform.name}\` | ${image} | ${platform.family} | ${platform.libc} ${platform.libcVersion} | ${repo} |`;
  });
  return [
    TABLE_BEGIN,
    '| platform | base image | packages | C library (oldest it runs on) | EOL repository from |',
    '|---|---|---|---|---|',
    ...rows,
    TABLE_END,
  ].join('\n');
}

/** Replaces the table between the markers in `readme`; throws when the markers are missing. */
export function withPlatformTable(readme: string, catalog: Catalog): string {
  return replaceBetweenMarkers(readme, { begin: TABLE_BEGIN, end: TABLE_END, content: platformTable(catalog), what: 'platform table' });
}
