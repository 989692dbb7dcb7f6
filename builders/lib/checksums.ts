import { UserError } from '../errors.js';

/**
 * The checksums file in `sha512sum` format: `<128 lower-case hex>  <file name>` per line (two
 * spaces: text mode; a `*` binary marker would break Bonsai's name matching), sorted by name so
 * the file is deterministic and `sha512sum -c` passes in the directory holding the files.
 */
export interface ChecksumEntry {
  name: string;
  sha512: string;
}

const SHA512_HEX = /^[0-9a-f]{128}$/;
/** A plain file name: sha512sum would escape anything else, and Bonsai matches on the basename. */
const PLAIN_NAME = /^[A-Za-z0-9._+-]+$/;

export function checksumLine(entry: ChecksumEntry): string {
  if (!SHA512_HEX.test(entry.sha512)) throw new UserError(`not a SHA-512 hex digest for ${entry.name}: "${entry.sha512}"`);
  if (!PLAIN_NAME.test(entry.name)) throw new UserError(`file name "${entry.name}" cannot go into a checksums file unescaped`);
  return `${entry.sha512}  ${entry.name}\n`;
}

export function formatChecksums(entries: readonly ChecksumEntry[]): string {
  const names = new Set<string>();
  for (const entry of entries) {
    if (names.has(entry.name)) throw new UserError(`${entry.name} appears twice in the checksums`);
    names.add(entry.name);
  }
  return [...entries]
    .sort((a, b) => Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)))
    .map(checksumLine)
    .join('');
}

/** Parses `sha512sum` output (also `./name` and `*name` forms) into name → digest. */
export function parseChecksums(text: string): Map<string, string> {
  const result = new Map<string, string>();
  for (const [index, raw] of text.split('\n').entries()) {
    if (raw.trim() === '') continue;
    const match = /^([0-9a-fA-F]{128}) [ *](?:\.\/)?(\S+)$/.exec(raw);
    if (match === null) throw new UserError(`checksums line ${index + 1} is not "<sha512>  <name>": ${raw.slice(0, 80)}`);
    result.set(match[2] as string, (match[1] as string).toLowerCase());
  }
  return result;
}
