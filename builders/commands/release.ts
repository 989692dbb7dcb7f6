import path from 'node:path';
import { parseArgs } from 'node:util';
import { readArtifactsManifest } from '../artifacts.js';
import { REPO_ROOT } from '../catalog.js';
import { UserError } from '../errors.js';
import { consoleLogger } from '../log.js';
import { createGitHub } from '../release/github.js';
import { draftSpec, releaseFiles } from '../release/local.js';
import { describePlan, planRelease } from '../release/plan.js';
import { publishRelease } from '../release/publish.js';
import { resolveRepository } from '../release/repository.js';
import { validateVersion } from '../version.js';
import { verifyDist } from './verify.js';

const USAGE = `usage: npm run release -- --tag TAG [--dry-run] [--replace] [--dist DIR] [--repo OWNER/NAME]

Publishes dist/ as the GitHub release TAG: creates a draft (or reuses the draft or release of
that tag), uploads every tarball, the checksums file, the asset definition and the example
checks, verifies each upload, then publishes. Safe to re-run: files already there with the same
bytes are kept.
  --tag TAG           the version dist/ was built as, verbatim (1.2.3 or v1.2.3)
  --dry-run           print what would be created and uploaded; change nothing
  --replace           overwrite release files whose bytes differ (otherwise an error)
  --dist DIR          default: dist/
  --repo OWNER/NAME   default: GITHUB_REPOSITORY, else the origin remote, else package.json

environment: GITHUB_TOKEN (contents: write), GITHUB_API_URL (GitHub Enterprise), GITHUB_SHA
`;

export async function run(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      tag: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      replace: { type: 'boolean', default: false },
      dist: { type: 'string' },
      repo: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  const log = consoleLogger(false);
  if (values.tag === undefined) throw new UserError(`--tag is required\n${USAGE}`);
  const tag = validateVersion(values.tag);
  const dir = path.resolve(values.dist ?? path.join(REPO_ROOT, 'dist'));
  const dryRun = values['dry-run'];

  // Everything local is checked before GitHub is touched.
  const manifest = await readArtifactsManifest(dir);
  if (manifest.version !== tag) {
    throw new UserError(`${dir} was built as version "${manifest.version}", not "${tag}": file names carry the tag verbatim (as Bonsai's #{version} does), so build with --version ${tag} or release --tag ${manifest.version}`);
  }
  const { repository, source } = await resolveRepository(values.repo === undefined ? { env } : { env, override: values.repo });
  const problems = await verifyDist(dir, `${repository.owner}/${repository.name}`);
  if (problems.length > 0) throw new UserError(`${dir} is not releasable (npm run verify):\n  ${problems.join('\n  ')}`);
  const files = await releaseFiles(dir, manifest);
  const draft = draftSpec(manifest, env.GITHUB_SHA || undefined);
  const where = `${repository.owner}/${repository.name}`;
  log.info(`release ${tag} of ${where} (repository from ${source}): ${files.length} files`);

  const token = env.GITHUB_TOKEN ?? '';
  if (token === '') {
    if (!dryRun) throw new UserError('GITHUB_TOKEN is not set: export a token with "contents: write" on the repository (or use --dry-run)');
    const plan = planRelease({ draft, files, release: undefined, assets: [], replace: values.replace });
    process.stdout.write(`dry run, nothing changed:\n${describePlan(plan, where, false).join('\n')}\n`);
    return;
  }
  const gh = createGitHub({ token, repository, log, ...(env.GITHUB_API_URL ? { baseUrl: env.GITHUB_API_URL } : {}) });
  const result = await publishRelease(gh, { repository: where, draft, files, replace: values.replace, dryRun, log });
  if (dryRun) process.stdout.write(`dry run, nothing changed:\n${describePlan(result.plan, where, true).join('\n')}\n`);
  else process.stdout.write(`${result.release?.htmlUrl ?? ''}\n`);
}
