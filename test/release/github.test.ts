import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileDigests } from '../../builders/metadata/digest.js';
import { silentLogger } from '../../builders/log.js';
import { createGitHub, type Pacing } from '../../builders/release/github.js';
import { uploadVerified } from '../../builders/release/publish.js';
import type { LocalFile, Release } from '../../builders/release/types.js';
import { FIXTURE_TOKEN, startFixturesServer, type FixturesServer } from './fixtures-server.js';

/** Retries and spacing in milliseconds instead of seconds: same logic, no waiting. */
export const FAST: Pacing = { retries: 3, retryUnitMs: 1, writeSpacingMs: 0, notificationSpacingMs: 0, maxRateLimitWaitSeconds: 600 };

let server: FixturesServer;
beforeAll(async () => {
  server = await startFixturesServer();
});
afterAll(async () => {
  await server.close();
});

/** The file @octokit/fixtures uploaded when recording (its bytes are in the recording). */
async function recordedUpload(): Promise<LocalFile> {
  const file = fileURLToPath(import.meta.resolve('@octokit/fixtures/scenarios/api.github.com/release-assets/test-upload.txt'));
  const { size, sha256 } = await fileDigests(file);
  return { name: path.basename(file), path: file, size, sha256, contentType: 'text/plain' };
}

describe('the GitHub adapter against recorded GitHub traffic', () => {
  it('reads a repository and whether the token may push (get-repository)', async () => {
    const baseUrl = await server.load('get-repository');
    const gh = createGitHub({ token: FIXTURE_TOKEN, repository: { owner: 'octokit-fixture-org', name: 'hello-world' }, baseUrl, log: silentLogger, pacing: FAST });
    expect(await gh.repository()).toEqual({ fullName: 'octokit-fixture-org/hello-world', canPush: true });
  });

  it('finds a release by tag, uploads to its upload_url and lists the asset (release-assets)', async () => {
    const baseUrl = await server.load('release-assets');
    const gh = createGitHub({ token: FIXTURE_TOKEN, repository: { owner: 'octokit-fixture-org', name: 'release-assets' }, baseUrl, log: silentLogger, pacing: FAST });
    const release = await gh.findRelease('v1.0.0');
    expect(release).toMatchObject({ id: 1000, tagName: 'v1.0.0', draft: false, immutable: false });
    const file = await recordedUpload();
    expect(await gh.upload(release!, file, 'test')).toEqual({ id: 1000, name: 'test-upload.txt', size: 14, state: 'uploaded', digest: null });
    expect(await gh.listAssets(1000)).toEqual([{ id: 1000, name: 'test-upload.txt', size: 14, state: 'uploaded', digest: null }]);
  });

  it('reports a taken name as "exists", then replaces the asset with --replace (release-assets-conflict)', async () => {
    const baseUrl = await server.load('release-assets-conflict');
    const gh = createGitHub({ token: FIXTURE_TOKEN, repository: { owner: 'octokit-fixture-org', name: 'release-assets-conflict' }, baseUrl, log: silentLogger, pacing: FAST });
    const release = await gh.findRelease('v1.0.0');
    const file = await recordedUpload();
    expect(await gh.upload(release!, file, 'test')).toBe('exists');
    const [existing] = await gh.listAssets(1000);
    expect(existing).toMatchObject({ id: 1000, name: 'test-upload.txt', size: 14 });
    await gh.deleteAsset(1000);
    expect(await gh.upload(release!, file, 'test')).toMatchObject({ id: 1001, size: 14, state: 'uploaded' });
  });
});

describe('idempotent upload against recorded GitHub traffic', () => {
  it('replaces an existing asset of the same name with --replace: 422 already_exists, list, delete, re-upload (release-assets-conflict)', async () => {
    const baseUrl = await server.load('release-assets-conflict');
    const gh = createGitHub({ token: FIXTURE_TOKEN, repository: { owner: 'octokit-fixture-org', name: 'release-assets-conflict' }, baseUrl, log: silentLogger, pacing: FAST });
    const release = await gh.findRelease('v1.0.0');
    const file = await recordedUpload();
    const draft = { tag: 'v1.0.0', name: 'Version 1.0.0', body: '', prerelease: false };
    // uploadVerified sends no label; the recording has label=test, so go through a labelled adapter.
    const labelled = { ...gh, upload: (r: Release, f: LocalFile) => gh.upload(r, f, 'test') };
    expect(await uploadVerified(labelled, release!, file, { draft, replace: true, log: silentLogger })).toMatchObject({ id: 1001, size: 14 });
  });
});
