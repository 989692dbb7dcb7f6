import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../catalog.js';
import { UserError } from '../errors.js';

/**
 * The GitHub repository the release lives in: download URLs and Bonsai's #{repo} come from it.
 * Looked up in order: GITHUB_REPOSITORY (set by GitHub Actions), the `origin` remote when it is a
 * GitHub URL, then package.json's `repository` field, the project's declared home.
 */

export interface Repository {
  owner: string;
  name: string;
}

export type RepositorySource = 'GITHUB_REPOSITORY' | 'git remote origin' | 'package.json repository' | '--repo';

const PART = /^[A-Za-z0-9_.-]+$/;

/** `owner/name`, as GITHUB_REPOSITORY and --repo give it. */
export function parseOwnerName(text: string): Repository | undefined {
  const parts = text.trim().split('/');
  if (parts.length !== 2) return undefined;
  const [owner, name] = parts as [string, string];
  return PART.test(owner) && PART.test(name) ? { owner, name } : undefined;
}

/**
 * A GitHub remote or package.json `repository` value: `https://github.com/o/r(.git)`,
 * `git@github.com:o/r.git`, `ssh://git@github.com/o/r`, `git+https://...`, `github:o/r`.
 */
export function parseGitHubUrl(url: string): Repository | undefined {
  const text = url.trim();
  const shorthand = /^github:([^/]+\/[^/]+)$/.exec(text);
  if (shorthand !== null) return parseOwnerName(shorthand[1] as string);
  const match = /^(?:git\+)?(?:https?:\/\/|ssh:\/\/|git:\/\/)?(?:[^@/]+@)?github\.com[:/]([^/]+)\/([^/]+?)(?:\.git)?\/?$/.exec(text);
  if (match === null) return undefined;
  return parseOwnerName(`${match[1]}/${match[2]}`);
}

export interface RepositoryHints {
  env: NodeJS.ProcessEnv;
  /** The `origin` remote's URL, if any. */
  originUrl?: string;
  /** package.json's `repository` field as found (a string or `{ url }`). */
  packageRepository?: unknown;
}

/** Picks the repository from the hints, in order; pure, so the precedence is tested alone. */
export function chooseRepository(hints: RepositoryHints): { repository: Repository; source: RepositorySource } | undefined {
  const fromEnv = hints.env.GITHUB_REPOSITORY;
  if (fromEnv !== undefined && fromEnv !== '') {
    const repository = parseOwnerName(fromEnv);
    if (repository === undefined) throw new UserError(`GITHUB_REPOSITORY="${fromEnv}" is not owner/name`);
    return { repository, source: 'GITHUB_REPOSITORY' };
  }
  const fromGit = hints.originUrl === undefined ? undefined : parseGitHubUrl(hints.originUrl);
  if (fromGit !== undefined) return { repository: fromGit, source: 'git remote origin' };
  const declared = hints.packageRepository;
  const url = typeof declared === 'string' ? declared : isUrlRecord(declared) ? declared.url : undefined;
  const fromPackage = url === undefined ? undefined : parseGitHubUrl(url);
  if (fromPackage !== undefined) return { repository: fromPackage, source: 'package.json repository' };
  return undefined;
}

/** Reads the hints from the environment, git and package.json, then chooses. */
export async function resolveRepository(options: { env?: NodeJS.ProcessEnv; root?: string; override?: string } = {}): Promise<{ repository: Repository; source: RepositorySource }> {
  if (options.override !== undefined) {
    const repository = parseOwnerName(options.override);
    if (repository === undefined) throw new UserError(`--repo "${options.override}" is not owner/name`);
    return { repository, source: '--repo' };
  }
  const root = options.root ?? REPO_ROOT;
  const hints: RepositoryHints = { env: options.env ?? process.env };
  const origin = await gitOrigin(root);
  if (origin !== undefined) hints.originUrl = origin;
  try {
    const pkg = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8')) as { repository?: unknown };
    hints.packageRepository = pkg.repository;
  } catch {
    // no package.json: the other sources decide
  }
  const chosen = chooseRepository(hints);
  if (chosen === undefined) {
    throw new UserError('cannot tell which GitHub repository this is: set GITHUB_REPOSITORY=owner/name, add a GitHub "origin" remote, or set "repository" in package.json');
  }
  return chosen;
}

async function gitOrigin(root: string): Promise<string | undefined> {
  try {
    const { stdout } = await promisify(execFile)('git', ['config', '--get', 'remote.origin.url'], { cwd: root });
    return stdout.trim() || undefined;
  } catch {
    return undefined;
  }
}

function isUrlRecord(value: unknown): value is { url: string } {
  return typeof value === 'object' && value !== null && typeof (value as { url?: unknown }).url === 'string';
}
