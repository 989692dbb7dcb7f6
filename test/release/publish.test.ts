import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../../builders/errors.js';
import type { Logger } from '../../builders/log.js';
import { createGitHub, type Pacing } from '../../builders/release/github.js';
import { publishRelease, type PublishInput } from '../../builders/release/publish.js';
import type { LocalFile } from '../../builders/release/types.js';
import { FIXTURE_TOKEN, startFixturesServer, type FixturesServer } from './fixtures-server.js';
import { tempDir } from './synthetic-dist.js';

/**
 * Whole release runs against GitHub's documented responses, written in @octokit/fixtures' recorded
 * format (scenarios/*.json) and served by @octokit/fixtures-server: any request GitHub would not
 * have seen in that order, with those headers and that body, fails the test.
 */

const FAST: Pacing = { retries: 3, retryUnitMs: 1, writeSpacingMs: 0, notificationSpacingMs: 0, maxRateLimitWaitSeconds: 600 };
const REPOSITORY = { owner: 'octokit-fixture-org', name: 'sensu-tripwire' };
const TARBALL = 'sensu-tripwire debian12 asset bytes\n';
const TARBALL_NAME = 'sensu-tripwire_1.2.3_debian12_linux_amd64.tar.gz';
const SUMS_NAME = 'sensu-tripwire_1.2.3_sha512-checksums.txt';
const SUMS = `${createHash('sha512').update(TARBALL).digest('hex')}  ${TARBALL_NAME}\n`;

let server: FixturesServer;
let files: LocalFile[];
beforeAll(async () => {
  server = await startFixturesServer();
  const dir = await tempDir('release');
  files = [];
  for (const [name, content, contentType] of [[TARBALL_NAME, TARBALL, 'application/gzip'], [SUMS_NAME, SUMS, 'text/plain']] as const) {
    await writeFile(path.join(dir, name), content);
    files.push({ name, path: path.join(dir, name), size: Buffer.byteLength(content), sha256: createHash('sha256').update(content).digest('hex'), contentType });
  }
});
afterAll(async () => {
  await server.close();
});

function recorder(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, info: (message) => lines.push(message), debug: (message) => lines.push(message) };
}

async function runScenario(scenario: string, options: Partial<Pick<PublishInput, 'replace' | 'dryRun'>> = {}, token = FIXTURE_TOKEN) {
  const baseUrl = await server.load(scenario);
  const log = recorder();
  const gh = createGitHub({ token, repository: REPOSITORY, baseUrl, log, pacing: FAST });
  const input: PublishInput = {
    repository: 'octokit-fixture-org/sensu-tripwire',
    draft: { tag: '1.2.3', name: 'sensu-tripwire 1.2.3', body: 'test release', prerelease: false },
    files,
    replace: options.replace ?? false,
    dryRun: options.dryRun ?? false,
    log,
  };
  const result = await publishRelease(gh, input).catch((error: unknown) => error);
  return { result, log };
}

describe('npm run release against GitHub', () => {
  it('creates a draft, uploads and verifies every file, then publishes', async () => {
    const { result, log } = await runScenario('sensu-tripwire-new-release');
    expect(result).toMatchObject({ release: { id: 2000, draft: false, htmlUrl: expect.stringMatching(/releases\/tag\/1\.2\.3$/) } });
    expect(log.lines.filter((line) => line.includes('uploaded'))).toHaveLength(2);
    expect(log.lines.join('\n')).toMatch(/sha256:[0-9a-f]{12}… verified/);
  });

  it('reuses the existing draft of the tag and uploads only what is missing', async () => {
    const { result, log } = await runScenario('sensu-tripwire-reuse-draft');
    expect(result).toMatchObject({ release: { id: 2000, draft: false } });
    expect(log.lines).toContain(`  upload   ${SUMS_NAME} (${Buffer.byteLength(SUMS)} bytes, sha256 ${files[1]?.sha256.slice(0, 16)}…)`);
    expect(log.lines.some((line) => line.startsWith(`  keep     ${TARBALL_NAME}: already there, same size and SHA-256`))).toBe(true);
  });

  it('fails after retrying a failing upload, leaving an unpublished draft; a re-run finishes it without duplicates', async () => {
    const first = await runScenario('sensu-tripwire-partial-failure');
    expect(first.result).toBeInstanceOf(UserError);
    expect((first.result as Error).message).toMatch(/GitHub failed while uploading sensu-tripwire_1\.2\.3_sha512-checksums\.txt \(502 Server Error\), even after retries: re-run/);
    // The re-run finds the draft, keeps the good tarball, replaces the half-uploaded checksums file.
    const second = await runScenario('sensu-tripwire-resume');
    expect(second.result).toMatchObject({ release: { id: 2000, draft: false } });
    expect(second.log.lines.join('\n')).toMatch(/deleted the old sensu-tripwire_1\.2\.3_sha512-checksums\.txt \(an unfinished upload \(state "starter"\)\)/);
  });

  it('retries 5xx on upload, sending the file again from disk each time', async () => {
    const { result } = await runScenario('sensu-tripwire-retry-upload');
    expect(result).toMatchObject({ release: { id: 2000, draft: false } });
  });

  it('downloads an asset GitHub gives no digest for, and keeps it when the bytes are the same', async () => {
    const { result, log } = await runScenario('sensu-tripwire-no-digest');
    expect(result).toMatchObject({ release: { id: 2000, draft: false } });
    expect(log.lines.some((line) => line.startsWith(`  keep     ${TARBALL_NAME}`))).toBe(true);
  });

  it('refuses, before any write, to overwrite an existing file with different bytes without --replace', async () => {
    const { result } = await runScenario('sensu-tripwire-conflict');
    expect(result).toBeInstanceOf(UserError);
    expect((result as Error).message).toMatch(new RegExp(`${TARBALL_NAME.replace(/\./g, '\\.')}: GitHub has sha256:.*Nothing was changed.*--replace`, 's'));
  });

  it('refuses to change a published immutable release', async () => {
    const { result } = await runScenario('sensu-tripwire-immutable');
    expect((result as Error).message).toMatch(/published and immutable.*sensu-tripwire_1\.2\.3_sha512-checksums\.txt.*new version/s);
  });

  it('waits out a rate limit, then finds the release complete and changes nothing', async () => {
    const { result, log } = await runScenario('sensu-tripwire-rate-limited');
    expect(result).toMatchObject({ plan: { publish: false, steps: [{ action: 'keep' }, { action: 'keep' }] }, release: { id: 2000 } });
    expect(log.lines.join('\n')).toMatch(/rate limit on GET .*waiting 0 s, then retrying/);
  });

  it('says so clearly when the token is rejected, and never prints it', async () => {
    const { result, log } = await runScenario('sensu-tripwire-bad-credentials');
    expect(result).toBeInstanceOf(UserError);
    expect((result as Error).message).toBe('GitHub rejected GITHUB_TOKEN while reading repository octokit-fixture-org/sensu-tripwire (401 Bad credentials): the token is wrong or expired');
    expect(`${(result as Error).message}\n${log.lines.join('\n')}`).not.toContain(FIXTURE_TOKEN);
  });

  it('--dry-run reads what exists and plans, writing nothing', async () => {
    const { result } = await runScenario('sensu-tripwire-reuse-draft', { dryRun: true });
    expect(result).toMatchObject({ plan: { release: { reuse: { id: 2000, draft: true } }, steps: [{ action: 'keep' }, { action: 'upload' }], publish: true } });
    expect(result).not.toHaveProperty('release');
  });

  it('retries network errors, then gives up with a message that says to re-run and does not hold the token', async () => {
    const token = 'ghp_do-not-print-me-0123456789';
    const log = recorder();
    const gh = createGitHub({ token, repository: REPOSITORY, baseUrl: 'http://127.0.0.1:9', log, pacing: FAST });
    const error = await gh.repository().catch((caught: unknown) => caught as Error);
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toMatch(/^GitHub failed while reading repository octokit-fixture-org\/sensu-tripwire \(500 .*\), even after retries: re-run/);
    expect(`${(error as Error).message}\n${log.lines.join('\n')}`).not.toContain(token);
  });
});
