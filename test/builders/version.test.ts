import { describe, expect, it } from 'vitest';
import { resolveSourceDateEpoch, resolveVersion, validateVersion } from '../../builders/version.js';

describe('release versions', () => {
  it.each(['1.0.0', 'v1.0.0', '0.1.0-rc.1', '2.4.3-alpha.1+build.7', '10.20.30'])('accepts the tag %s verbatim', (tag) => {
    expect(validateVersion(tag)).toBe(tag);
  });

  it.each(['1.0', 'V1.0.0', '01.0.0', '1.0.0-', 'latest', '1.0.0 ', 'vv1.0.0', '1.0.0/../../x'])('refuses %j with the expected form', (tag) => {
    expect(() => validateVersion(tag)).toThrow(`version "${tag}" is not a release tag: expected semver such as 1.2.3`);
  });

  it('takes a given version over git describe', async () => {
    await expect(resolveVersion('v2.0.0')).resolves.toBe('v2.0.0');
  });
});

describe('SOURCE_DATE_EPOCH', () => {
  it('is taken from the environment when set', async () => {
    await expect(resolveSourceDateEpoch({ SOURCE_DATE_EPOCH: '1700000000' })).resolves.toBe(1700000000);
  });

  it('defaults to the commit time of the checkout', async () => {
    const epoch = await resolveSourceDateEpoch({});
    expect(epoch).toBeGreaterThan(1_600_000_000);
    expect(epoch).toBeLessThanOrEqual(Math.floor(Date.now() / 1000) + 60);
  });

  it('refuses a value that is not whole seconds', async () => {
    await expect(resolveSourceDateEpoch({ SOURCE_DATE_EPOCH: 'yesterday' })).rejects.toThrow('SOURCE_DATE_EPOCH must be whole seconds');
  });
});
