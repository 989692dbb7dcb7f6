import { parseArgs } from 'node:util';
import { loadCatalog } from '../catalog.js';

const USAGE = `usage: tsx builders/cli.ts matrix

Prints the release workflow's build matrix, one entry per catalog platform, as one line of JSON:
{"platform":["alpine3.9",...]}. The workflow reads it into a job output; nothing is retyped.
`;

export function matrixJson(platforms: readonly string[]): string {
  return JSON.stringify({ platform: platforms });
}

export async function run(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { help: { type: 'boolean', default: false } } });
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  const catalog = await loadCatalog();
  process.stdout.write(`${matrixJson(catalog.platforms.map((platform) => platform.name))}\n`);
}
