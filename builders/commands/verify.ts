import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { REPO_ROOT, loadCatalog } from '../catalog.js';
import { UserError } from '../errors.js';
import { distAbiProblems } from '../lib/abi-dist.js';
import { BONSAI_FILE } from '../metadata/bonsai.js';
import { distProblems, loadDist } from '../metadata/verify.js';
import { resolveRepository } from '../release/repository.js';

const USAGE = `usage: npm run verify [-- --dist DIR] [--repo OWNER/NAME]

Replays offline what Bonsai and Sensu agents will do with a release's files: every build in
.bonsai.yml resolves to a file in dist/ and Bonsai extracts its true SHA-512 from the checksums
file; every checksum, artifacts.json entry and asset-definition build matches its file; every
binary passes the ABI gate (loader, NEEDED, symbol versions) for its platform's oldest C library.
  --dist DIR          the directory to check (default: dist/)
  --repo OWNER/NAME   the GitHub repository (default: GITHUB_REPOSITORY, the origin remote, package.json)
`;

export async function run(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { dist: { type: 'string' }, repo: { type: 'string' }, help: { type: 'boolean', default: false } },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  const dir = path.resolve(values.dist ?? path.join(REPO_ROOT, 'dist'));
  const problems = await verifyDist(dir, values.repo);
  if (problems.length > 0) throw new UserError(`${dir} is not releasable:\n  ${problems.join('\n  ')}`);
  process.stderr.write(`${dir}: Bonsai and Sensu checks pass\n`);
}

/** Everything wrong with a dist/ directory, as a list of sentences; empty when it is releasable. */
export async function verifyDist(dir: string, repo?: string): Promise<string[]> {
  const [catalog, dist, bonsaiText, { repository }] = await Promise.all([
    loadCatalog(),
    loadDist(dir),
    readFile(path.join(REPO_ROOT, BONSAI_FILE), 'utf8').catch(() => ''),
    resolveRepository(repo === undefined ? {} : { override: repo }),
  ]);
  return [...distProblems({ dist, catalog, repository, bonsaiText }), ...(await distAbiProblems(dir, dist.manifest, catalog))];
}
