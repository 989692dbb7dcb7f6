import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { parse } from 'yaml';
import { REPO_ROOT, loadCatalog } from '../catalog.js';
import { UserError } from '../errors.js';
import { BONSAI_FILE, bonsaiConfig, bonsaiProblems, renderBonsaiYml } from '../metadata/bonsai.js';
import { catalogBuilds } from '../metadata/host-filters.js';
import { proveHosts } from '../metadata/host-proof.js';
import { HOST_REPORTS } from '../metadata/host-reports.js';

const USAGE = `usage: npm run bonsai [-- --check]

Writes .bonsai.yml at the repository root from platforms.yaml.
  --check   write nothing; fail when the committed file differs from what the catalog yields
`;

export async function run(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { check: { type: 'boolean', default: false }, help: { type: 'boolean', default: false } } });
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  const catalog = await loadCatalog();
  const text = renderBonsaiYml(bonsaiConfig(catalog));
  const problems = bonsaiProblems(parse(text));
  if (problems.length > 0) throw new UserError(`platforms.yaml yields a .bonsai.yml Bonsai would reject:\n  ${problems.join('\n  ')}`);
  const { problems: hostProblems } = proveHosts(catalogBuilds(catalog), HOST_REPORTS);
  if (hostProblems.length > 0) throw new UserError(`platforms.yaml's serves: data gives real hosts the wrong builds:\n  ${hostProblems.join('\n  ')}`);
  const file = path.join(REPO_ROOT, BONSAI_FILE);
  const current = await readFile(file, 'utf8').catch(() => undefined);
  if (values.check) {
    if (current !== text) throw new UserError(`${BONSAI_FILE} is out of date with platforms.yaml: run "npm run bonsai" and commit it`);
    process.stderr.write(`${BONSAI_FILE} is up to date (${catalog.platforms.length} builds)\n`);
    return;
  }
  if (current === text) {
    process.stderr.write(`${BONSAI_FILE} is up to date (${catalog.platforms.length} builds)\n`);
    return;
  }
  await writeFile(file, text);
  process.stderr.write(`wrote ${BONSAI_FILE} (${catalog.platforms.length} builds)\n`);
}
