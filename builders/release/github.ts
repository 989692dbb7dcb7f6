import { openAsBlob } from 'node:fs';
import Bottleneck from 'bottleneck';
import { Octokit, RequestError } from 'octokit';
import { UserError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Repository } from './repository.js';
import type { DraftSpec, GitHub, LocalFile, Release, RemoteAsset } from './types.js';

/**
 * The GitHub adapter: octokit with retries (network errors and 5xx, with back-off) and throttling
 * (rate limits, honouring GitHub's reset time and Retry-After; writes spaced out). Uploads stream
 * from a file-backed Blob, so every attempt reads the file again. Errors a user can act on become
 * UserErrors that never contain the token.
 */

export interface Pacing {
  /** Attempts after the first for network errors, 5xx and rate limits. */
  retries: number;
  /** Back-off unit: a retry waits (attempt²) units, a rate limit its reset time in these units per second. */
  retryUnitMs: number;
  /** Minimum gap between two writes (GitHub asks for about one a second). */
  writeSpacingMs: number;
  /** Minimum gap between two writes that notify people, such as creating a release. */
  notificationSpacingMs: number;
  /** The longest rate-limit wait accepted; beyond it the release stops and asks for a re-run. */
  maxRateLimitWaitSeconds: number;
}

export const GITHUB_PACING: Pacing = { retries: 4, retryUnitMs: 1000, writeSpacingMs: 1000, notificationSpacingMs: 3000, maxRateLimitWaitSeconds: 600 };

export interface GitHubOptions {
  token: string;
  repository: Repository;
  /** GITHUB_API_URL; api.github.com by default. */
  baseUrl?: string;
  log: Logger;
  pacing?: Pacing;
}

export function createGitHub(options: GitHubOptions): GitHub {
  const pacing = options.pacing ?? GITHUB_PACING;
  const { owner, name: repo } = options.repository;
  const { log } = options;
  const onLimit = (kind: string) => (retryAfter: number, request: { method: string; url: string }, _octokit: unknown, retryCount: number): boolean => {
    if (retryCount >= pacing.retries || retryAfter > pacing.maxRateLimitWaitSeconds) {
      log.info(`  GitHub ${kind} on ${request.method} ${request.url}: giving up (retry after ${retryAfter} s)`);
      return false;
    }
    log.info(`  GitHub ${kind} on ${request.method} ${request.url}: waiting ${retryAfter} s, then retrying`);
    return true;
  };
  const octokit = new Octokit({
    auth: options.token,
    ...(options.baseUrl === undefined ? {} : { baseUrl: options.baseUrl }),
    userAgent: 'sensu-tripwire-release',
    log: { debug: () => undefined, info: (message: string) => log.debug(message), warn: (message: string) => log.debug(message), error: (message: string) => log.debug(message) },
    retry: { retries: pacing.retries, retryAfterBaseValue: pacing.retryUnitMs },
    throttle: {
      retryAfterBaseValue: pacing.retryUnitMs,
      write: new Bottleneck.Group({ maxConcurrent: 1, minTime: pacing.writeSpacingMs }),
      notifications: new Bottleneck.Group({ maxConcurrent: 1, minTime: pacing.notificationSpacingMs }),
      onRateLimit: onLimit('rate limit'),
      onSecondaryRateLimit: onLimit('secondary rate limit'),
    },
  });
  const where = `${owner}/${repo}`;

  const call = async <T>(what: string, action: () => Promise<T>): Promise<T> => {
    try {
      return await action();
    } catch (error) {
      throw asUserError(error, what, where);
    }
  };

  return {
    repository: () =>
      call(`reading repository ${where}`, async () => {
        const { data } = await octokit.rest.repos.get({ owner, repo });
        return { fullName: data.full_name, canPush: data.permissions?.push };
      }),

    findRelease: (tag) =>
      call(`looking up the release for ${tag}`, async () => {
        try {
          const { data } = await octokit.rest.repos.getReleaseByTag({ owner, repo, tag });
          return toRelease(data);
        } catch (error) {
          if (!(error instanceof RequestError) || error.status !== 404) throw error;
        }
        // Drafts are not found by tag; listing shows them to a token with push access.
        const drafts: Release[] = [];
        for await (const page of octokit.paginate.iterator(octokit.rest.repos.listReleases, { owner, repo, per_page: 100 })) {
          for (const release of page.data) if (release.draft && release.tag_name === tag) drafts.push(toRelease(release));
        }
        drafts.sort((a, b) => a.id - b.id);
        if (drafts.length > 1) log.info(`  ${drafts.length} draft releases for ${tag}; using the oldest (id ${drafts[0]?.id})`);
        return drafts[0];
      }),

    createDraft: (spec: DraftSpec) =>
      call(`creating the draft release ${spec.tag}`, async () => {
        const { data } = await octokit.rest.repos.createRelease({
          owner,
          repo,
          tag_name: spec.tag,
          name: spec.name,
          body: spec.body,
          draft: true,
          prerelease: spec.prerelease,
          ...(spec.targetCommitish === undefined ? {} : { target_commitish: spec.targetCommitish }),
        });
        return toRelease(data);
      }),

    listAssets: (releaseId) =>
      call('listing the release assets', async () => {
        const assets = await octokit.paginate(octokit.rest.repos.listReleaseAssets, { owner, repo, release_id: releaseId });
        return assets.map(toAsset);
      }),

    upload: (release, file: LocalFile, label?: string) =>
      call(`uploading ${file.name}`, async () => {
        // A file-backed Blob: fetch streams it from disk on every attempt, and reading fails if
        // the file changed since it was checked.
        const blob = await openAsBlob(file.path, { type: file.contentType });
        if (blob.size !== file.size) throw new UserError(`${file.path} changed while releasing (${blob.size} bytes, was ${file.size})`);
        try {
          const { data } = await octokit.request({
            method: 'POST',
            url: release.uploadUrl,
            name: file.name,
            ...(label === undefined ? {} : { label }),
            data: blob,
            headers: { 'content-type': file.contentType },
          });
          return toAsset(data as GitHubAsset);
        } catch (error) {
          if (isAlreadyExists(error)) return 'exists' as const;
          throw error;
        }
      }),

    deleteAsset: (assetId) =>
      call(`deleting release asset ${assetId}`, async () => {
        await octokit.rest.repos.deleteReleaseAsset({ owner, repo, asset_id: assetId });
      }),

    download: (assetId) =>
      call(`downloading release asset ${assetId}`, async () => {
        const { data } = await octokit.request('GET /repos/{owner}/{repo}/releases/assets/{asset_id}', {
          owner,
          repo,
          asset_id: assetId,
          headers: { accept: 'application/octet-stream' },
        });
        return Buffer.from(data as unknown as ArrayBuffer);
      }),

    publish: (releaseId) =>
      call('publishing the release', async () => {
        const { data } = await octokit.rest.repos.updateRelease({ owner, repo, release_id: releaseId, draft: false });
        return toRelease(data);
      }),
  };
}

interface GitHubRelease {
  id: number;
  tag_name: string;
  draft: boolean;
  upload_url: string;
  html_url: string;
}

interface GitHubAsset {
  id: number;
  name: string;
  size: number;
  state: string;
}

function toRelease(data: GitHubRelease): Release {
  return {
    id: data.id,
    tagName: data.tag_name,
    draft: data.draft,
    immutable: (data as { immutable?: unknown }).immutable === true,
    uploadUrl: data.upload_url,
    htmlUrl: data.html_url,
  };
}

function toAsset(data: GitHubAsset): RemoteAsset {
  const digest = (data as { digest?: unknown }).digest;
  return { id: data.id, name: data.name, size: data.size, state: data.state, digest: typeof digest === 'string' ? digest : null };
}

function isAlreadyExists(error: unknown): boolean {
  if (!(error instanceof RequestError) || error.status !== 422) return false;
  const errors = (error.response?.data as { errors?: Array<{ code?: string }> } | undefined)?.errors ?? [];
  return errors.some((entry) => entry.code === 'already_exists');
}

/** An octokit failure as a sentence that says what to do; the token is never part of it. */
function asUserError(error: unknown, what: string, where: string): unknown {
  if (error instanceof UserError) return error;
  if (!(error instanceof RequestError)) return error;
  const message = (error.response?.data as { message?: string } | undefined)?.message ?? error.message;
  const status = error.status;
  if (status === 401) return new UserError(`GitHub rejected GITHUB_TOKEN while ${what} (401 ${message}): the token is wrong or expired`);
  if (status === 403) return new UserError(`GitHub refused ${what} (403 ${message}): the token needs "contents: write" on ${where}`);
  if (status === 404) return new UserError(`GitHub found nothing while ${what} (404): check that ${where} exists and the token can see it`);
  if (status === undefined || status >= 500) return new UserError(`GitHub failed while ${what} (${status ?? 'network'} ${message}), even after retries: re-run the release to finish it`);
  return new UserError(`GitHub answered ${status} while ${what}: ${message}`);
}
