import { loadCatalog } from '../catalog.js';
import { readLegRecords } from '../rehearsal/leg.js';
import { summaryTable } from '../rehearsal/summary.js';
import { parseCommandArgs } from './options.js';

const HELP = `usage: tsx builders/cli.ts rehearsal-summary --legs DIR [--title TEXT]

Prints the summary table of a release or rehearsal run in Markdown, one row per platform of
platforms.yaml: build result, build time, asset size, the ABI gate's figures and the agent-style
install test's result, from the leg records (rehearsal-record) found under DIR. A platform whose
leg left no record is shown as failed. The workflows append it to $GITHUB_STEP_SUMMARY.
`;

export async function run(args: string[]): Promise<void> {
  const { values } = parseCommandArgs('rehearsal-summary', args, {
    help: { type: 'boolean', short: 'h' },
    legs: { type: 'string', default: 'legs' },
    title: { type: 'string', default: 'Release rehearsal' },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const catalog = await loadCatalog();
  const records = await readLegRecords(values.legs);
  process.stdout.write(summaryTable(catalog.platforms.map((platform) => platform.name), records, values.title));
}
