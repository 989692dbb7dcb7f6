import { createHash } from 'node:crypto';
import { UserError } from '../errors.js';
import type { Logger } from '../log.js';
import { compareAsset, describePlan, planRelease, type ReleasePlan } from './plan.js';
import type { DraftSpec, GitHub, LocalFile, Release, RemoteAsset } from './types.js';

/**
 * Publishing, in the order that keeps a published release complete: read what GitHub has, plan,
 * then create (or reuse) a draft, upload and verify every file, check the whole set once more,
 * and only then publish. Re-running after any failure continues where it stopped.
 */

export interface PublishInput {
  repository: string;
  draft: DraftSpec;
  files: readonly LocalFile[];
  replace: boolean;
  dryRun: boolean;
  log: Logger;
}

export interface PublishResult {
  plan: ReleasePlan;
  /** Undefined for a dry run. */
  release?: Release;
}

export async function publishRelease(gh: GitHub, input: PublishInput): Promise<PublishResult> {
  const { log } = input;
  const access = await gh.repository();
  if (access.canPush === false) throw new UserError(`the token can read ${access.fullName} but not write to it: it needs "contents: write"`);

  const existing = await gh.findRelease(input.draft.tag);
  const listed = existing === undefined ? [] : await gh.listAssets(existing.id);
  const assets = input.replace ? listed : await withDigests(gh, input.files, listed);
  const plan = planRelease({ draft: input.draft, files: input.files, release: existing, assets, replace: input.replace });
  if (input.dryRun) return { plan };
  for (const line of describePlan(plan, input.repository, true)) log.info(line);

  const release = 'create' in plan.release ? await gh.createDraft(plan.release.create) : plan.release.reuse;
  if ('create' in plan.release) log.info(`  created draft ${release.htmlUrl}`);
  for (const step of plan.steps) {
    if (step.action === 'keep') continue;
    if (step.action === 'replace') {
      await gh.deleteAsset(step.asset.id);
      log.info(`  deleted the old ${step.file.name} (${step.detail})`);
    }
    await uploadVerified(gh, release, step.file, input);
  }

  const final = await gh.listAssets(release.id);
  const missing = input.files.flatMap((file) => {
    const asset = final.find((candidate) => candidate.name === file.name);
    if (asset === undefined) return [`${file.name} is missing`];
    const { verdict, detail } = compareAsset(file, asset);
    return verdict === 'same' || verdict === 'unknown' ? [] : [`${file.name}: ${detail}`];
  });
  if (missing.length > 0) throw new UserError(`not publishing ${input.draft.tag}: the release does not hold every file as built:\n  ${missing.join('\n  ')}\nRe-run to finish it.`);

  if (!plan.publish) return { plan, release };
  const published = await gh.publish(release.id);
  log.info(`  published ${published.htmlUrl}`);
  return { plan, release: published };
}

/**
 * Uploads a file and checks what GitHub stored (size, state, digest where given). A name already
 * taken (a retried upload that had in fact arrived, or a concurrent run) is compared and kept,
 * replaced or refused like any existing asset.
 */
export async function uploadVerified(gh: GitHub, release: Release, file: LocalFile, input: Pick<PublishInput, 'draft' | 'replace' | 'log'>): Promise<RemoteAsset> {
  let result = await gh.upload(release, file);
  if (result === 'exists') {
    const found = (await gh.listAssets(release.id)).find((asset) => asset.name === file.name);
    if (found === undefined) throw new UserError(`GitHub says ${file.name} already exists on ${input.draft.tag} but does not list it: re-run in a minute`);
    const existing = input.replace ? found : await withDigest(gh, file, found);
    const { verdict, detail } = compareAsset(file, existing);
    if (verdict === 'same') {
      input.log.info(`  kept ${file.name}: already uploaded, ${detail}`);
      return existing;
    }
    if (verdict === 'different' && !input.replace) throw new UserError(`${file.name} appeared on ${input.draft.tag} with different bytes (${detail}): is another release running? Re-run with --replace to overwrite it`);
    await gh.deleteAsset(existing.id);
    result = await gh.upload(release, file);
    if (result === 'exists') throw new UserError(`${file.name} was uploaded by someone else meanwhile: is another release of ${input.draft.tag} running?`);
  }
  const { verdict, detail } = compareAsset(file, result);
  if (verdict === 'different' || verdict === 'incomplete') {
    await gh.deleteAsset(result.id);
    throw new UserError(`GitHub stored ${file.name} wrongly (${detail}); the bad copy was deleted: re-run to upload it again`);
  }
  input.log.info(`  uploaded ${file.name} (${result.size} bytes${result.digest === null ? '' : `, ${result.digest.slice(0, 19)}… verified`})`);
  return result;
}

/** Fills in the digest of same-sized assets GitHub gave none for, by downloading them. */
async function withDigests(gh: GitHub, files: readonly LocalFile[], assets: readonly RemoteAsset[]): Promise<RemoteAsset[]> {
  const result: RemoteAsset[] = [];
  for (const asset of assets) {
    const file = files.find((candidate) => candidate.name === asset.name);
    result.push(file === undefined ? asset : await withDigest(gh, file, asset));
  }
  return result;
}

async function withDigest(gh: GitHub, file: LocalFile, asset: RemoteAsset): Promise<RemoteAsset> {
  if (compareAsset(file, asset).verdict !== 'unknown') return asset;
  const bytes = await gh.download(asset.id);
  return { ...asset, digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}` };
}
