import path from 'node:path';
import { parseArgs } from 'node:util';
import { REPO_ROOT, loadCatalog } from '../catalog.js';
import { UserError } from '../errors.js';
import { mergeDists } from '../merge/merge.js';
import { resolveRepository } from '../release/repository.js';

const USAGE = `usage: npm run merge -- DIR... [--out DIR] [--force] [--repo OWNER/NAME]

Combines dist/ directories built on separate machines (\`npm run build -- --platform X\` on each)
into one, as a single build of all their platforms would have written it: one artifacts.json,
one checksums file, one asset definition. Refuses builds of different versions, sources or
SOURCE_DATE_EPOCH and platforms built twice; checks every tarball's SHA-512 while copying.
  --out DIR           where the merged dist goes (default: dist/); must be empty unless --force
  --force             replace a non-empty --out
  --repo OWNER/NAME   the GitHub repository for download URLs (default: GITHUB_REPOSITORY, origin, package.json)
`;

export async function run(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      out: { type: 'string' },
      force: { type: 'boolean', default: false },
      repo: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  if (positionals.length === 0) throw new UserError(`name the dist directories to merge\n${USAGE}`);
  const [catalog, { repository }] = await Promise.all([loadCatalog(), resolveRepository(values.repo === undefined ? {} : { override: values.repo })]);
  const out = values.out ?? path.join(REPO_ROOT, 'dist');
  const manifest = await mergeDists({ inputs: positionals, out, catalog, repository, force: values.force });
  process.stderr.write(`merged ${manifest.artifacts.length} platform(s) of ${manifest.version} into ${out}: ${manifest.artifacts.map((a) => a.platform).join(', ')}\n`);
}
