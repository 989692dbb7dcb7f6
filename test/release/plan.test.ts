import { describe, expect, it } from 'vitest';
import { compareAsset, describePlan, planRelease } from '../../builders/release/plan.js';
import type { LocalFile, Release, RemoteAsset } from '../../builders/release/types.js';

const file = (name: string, sha256 = 'a'.repeat(64), size = 10): LocalFile => ({ name, path: `/dist/${name}`, size, sha256, contentType: 'application/gzip' });
const asset = (name: string, over: Partial<RemoteAsset> = {}): RemoteAsset => ({ id: 7, name, size: 10, state: 'uploaded', digest: `sha256:${'a'.repeat(64)}`, ...over });
const draft = { tag: '1.2.3', name: 'sensu-tripwire 1.2.3', body: '', prerelease: false };
const release = (over: Partial<Release> = {}): Release => ({ id: 1, tagName: '1.2.3', draft: true, immutable: false, uploadUrl: 'u', htmlUrl: 'h', ...over });

describe('comparing a file with a release asset', () => {
  it('is the same only with the same size and SHA-256 digest', () => {
    expect(compareAsset(file('a'), asset('a')).verdict).toBe('same');
    expect(compareAsset(file('a', 'b'.repeat(64)), asset('a')).verdict).toBe('different');
    expect(compareAsset(file('a', undefined, 11), asset('a')).verdict).toBe('different');
    expect(compareAsset(file('a'), asset('a', { digest: null })).verdict).toBe('unknown');
    expect(compareAsset(file('a'), asset('a', { state: 'starter' })).verdict).toBe('incomplete');
  });
});

describe('the release plan', () => {
  it('creates a draft and uploads everything when there is no release', () => {
    const plan = planRelease({ draft, files: [file('a'), file('b')], release: undefined, assets: [], replace: false });
    expect(plan).toMatchObject({ release: { create: draft }, publish: true, steps: [{ action: 'upload' }, { action: 'upload' }] });
  });

  it('keeps identical files, replaces unfinished uploads, notes foreign assets', () => {
    const plan = planRelease({ draft, files: [file('a'), file('b')], release: release(), assets: [asset('a'), asset('b', { state: 'starter' }), asset('notes.txt')], replace: false });
    expect(plan.steps.map((step) => step.action)).toEqual(['keep', 'replace']);
    expect(plan.notes).toEqual(['notes.txt is on the release but not in this build; left as it is']);
  });

  it('refuses different bytes unless --replace, and then replaces them', () => {
    const input = { draft, files: [file('a', 'b'.repeat(64))], release: release(), assets: [asset('a')] };
    expect(() => planRelease({ ...input, replace: false })).toThrow(/different files of the same name:\n {2}a: GitHub has sha256:a.*re-run with --replace/s);
    expect(planRelease({ ...input, replace: true }).steps.map((step) => step.action)).toEqual(['replace']);
  });

  it('does nothing to a complete published release, and refuses to change an immutable one', () => {
    expect(planRelease({ draft, files: [file('a')], release: release({ draft: false, immutable: true }), assets: [asset('a')], replace: false })).toMatchObject({ publish: false, steps: [{ action: 'keep' }] });
    expect(() => planRelease({ draft, files: [file('a'), file('b')], release: release({ draft: false, immutable: true }), assets: [asset('a')], replace: false })).toThrow(/published and immutable.*\(b\)/);
  });

  it('reads as a list of what will happen', () => {
    const plan = planRelease({ draft: { ...draft, prerelease: true }, files: [file('a')], release: undefined, assets: [], replace: false });
    expect(describePlan(plan, 'o/r', true)).toEqual([
      'create draft release "sensu-tripwire 1.2.3" for tag 1.2.3 in o/r (pre-release)',
      `  upload   a (10 bytes, sha256 ${'a'.repeat(16)}…)`,
      'publish the release once every file is verified',
    ]);
  });
});
