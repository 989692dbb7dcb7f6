import { UserError } from '../errors.js';
import type { DraftSpec, LocalFile, Release, RemoteAsset } from './types.js';

/**
 * What a release run will do, decided from the local files and what GitHub already has, before
 * anything is written. Pure: the same inputs give the same plan, which --dry-run prints.
 */

export type Verdict = 'same' | 'different' | 'incomplete' | 'unknown';

/** Compares a file with a release asset of the same name by size, state and GitHub's digest. */
export function compareAsset(file: LocalFile, asset: RemoteAsset): { verdict: Verdict; detail: string } {
  if (asset.state !== 'uploaded') return { verdict: 'incomplete', detail: `an unfinished upload (state "${asset.state}")` };
  if (asset.size !== file.size) return { verdict: 'different', detail: `${asset.size} bytes on GitHub, ${file.size} here` };
  if (asset.digest === null) return { verdict: 'unknown', detail: 'same size, and GitHub gives no digest to compare' };
  if (asset.digest.toLowerCase() === `sha256:${file.sha256}`) return { verdict: 'same', detail: 'same size and SHA-256' };
  return { verdict: 'different', detail: `GitHub has ${asset.digest.slice(0, 19)}…, here sha256:${file.sha256.slice(0, 12)}…` };
}

export type Step =
  | { action: 'keep'; file: LocalFile; asset: RemoteAsset; detail: string }
  | { action: 'upload'; file: LocalFile }
  | { action: 'replace'; file: LocalFile; asset: RemoteAsset; detail: string };

export interface ReleasePlan {
  tag: string;
  release: { create: DraftSpec } | { reuse: Release };
  steps: Step[];
  /** False when the release is already published. */
  publish: boolean;
  notes: string[];
}

export interface PlanInput {
  draft: DraftSpec;
  files: readonly LocalFile[];
  release: Release | undefined;
  assets: readonly RemoteAsset[];
  replace: boolean;
}

export function planRelease(input: PlanInput): ReleasePlan {
  const { release, replace } = input;
  const byName = new Map(input.assets.map((asset) => [asset.name, asset]));
  const conflicts: string[] = [];
  const steps: Step[] = input.files.map((file): Step => {
    const asset = byName.get(file.name);
    if (asset === undefined) return { action: 'upload', file };
    const { verdict, detail } = compareAsset(file, asset);
    if (verdict === 'same') return { action: 'keep', file, asset, detail };
    if (verdict === 'incomplete' || replace) return { action: 'replace', file, asset, detail };
    conflicts.push(`${file.name}: ${detail}`);
    return { action: 'keep', file, asset, detail };
  });
  if (conflicts.length > 0) {
    throw new UserError(
      `release ${input.draft.tag} already has different files of the same name:\n  ${conflicts.join('\n  ')}\n` +
        'Nothing was changed. If the files here are the ones to publish, re-run with --replace.',
    );
  }
  const changes = steps.filter((step) => step.action !== 'keep');
  if (release !== undefined && !release.draft && release.immutable && changes.length > 0) {
    throw new UserError(
      `release ${input.draft.tag} is published and immutable, so its files cannot change (${changes.map((step) => step.file.name).join(', ')}). ` +
        'Publish a new version instead.',
    );
  }
  const ours = new Set(input.files.map((file) => file.name));
  const notes = input.assets.filter((asset) => !ours.has(asset.name)).map((asset) => `${asset.name} is on the release but not in this build; left as it is`);
  return {
    tag: input.draft.tag,
    release: release === undefined ? { create: input.draft } : { reuse: release },
    steps,
    publish: release === undefined || release.draft,
    notes,
  };
}

/** The plan as the lines --dry-run prints (and a real run logs). */
export function describePlan(plan: ReleasePlan, repository: string, consulted: boolean): string[] {
  const lines: string[] = [];
  if ('create' in plan.release) {
    const draft = plan.release.create;
    lines.push(`create draft release "${draft.name}" for tag ${draft.tag} in ${repository}${draft.prerelease ? ' (pre-release)' : ''}`);
  } else {
    const release = plan.release.reuse;
    lines.push(`reuse ${release.draft ? 'draft' : 'published'} release ${release.tagName} (id ${release.id}) in ${repository}: ${release.htmlUrl}`);
  }
  for (const step of plan.steps) {
    const what = `${step.file.name} (${step.file.size} bytes, sha256 ${step.file.sha256.slice(0, 16)}…)`;
    if (step.action === 'upload') lines.push(`  upload   ${what}`);
    if (step.action === 'keep') lines.push(`  keep     ${step.file.name}: already there, ${step.detail}`);
    if (step.action === 'replace') lines.push(`  replace  ${what}: ${step.detail}`);
  }
  lines.push(plan.publish ? `publish the release once every file is verified` : 'the release is already published: nothing to publish');
  for (const note of plan.notes) lines.push(`note: ${note}`);
  if (!consulted) lines.push('(GitHub was not consulted: GITHUB_TOKEN is not set, so this assumes the release does not exist yet)');
  return lines;
}
