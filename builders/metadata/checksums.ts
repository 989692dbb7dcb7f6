import path from 'node:path';

/**
 * Reading the checksums file the way `npm run verify` and Bonsai do. Writing it is
 * builders/lib/checksums.ts (formatChecksums), shared with the build.
 */

export interface ChecksumEntry {
  name: string;
  sha512: string;
}

/** Parses our own strict format; anything else is reported with its line number. */
export function parseChecksums(text: string): { entries: ChecksumEntry[]; problems: string[] } {
  const entries: ChecksumEntry[] = [];
  const problems: string[] = [];
  text.split('\n').forEach((line, index) => {
    if (line === '') return;
    const match = /^([0-9a-f]{128}) {2}(\S+)$/.exec(line);
    if (match === null) problems.push(`line ${index + 1} is not "<128 hex>  <file name>": ${JSON.stringify(line.slice(0, 80))}`);
    else entries.push({ sha512: match[1] as string, name: match[2] as string });
  });
  return { entries, problems };
}

/**
 * Bonsai's reading of a SHA file (sensu/bonsai extracts_shas.rb): lines are whitespace-squished
 * and those not starting with a hex digit dropped; a single remaining line gives its first word
 * whatever the file name; otherwise the line whose second word's basename is the asset's name.
 */
export function bonsaiSha(text: string, assetFilename: string): string | undefined {
  const lines = text
    .split('\n')
    .map((line) => line.trim().replace(/\s+/g, ' '))
    .filter((line) => /^[0-9a-fA-F]/.test(line));
  if (lines.length === 1) return (lines[0] as string).split(' ')[0];
  for (const line of lines) {
    const [sha, file] = line.split(' ');
    if (file !== undefined && path.posix.basename(file) === assetFilename) return sha;
  }
  return undefined;
}
