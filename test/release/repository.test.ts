import { describe, expect, it } from 'vitest';
import { chooseRepository, parseGitHubUrl } from '../../builders/release/repository.js';

describe('which GitHub repository a release belongs to', () => {
  it('reads every usual form of a GitHub URL', () => {
    const expected = { owner: 'acme', name: 'sensu-tripwire' };
    for (const url of [
      'https://github.com/acme/sensu-tripwire.git',
      'https://github.com/acme/sensu-tripwire',
      'git@github.com:acme/sensu-tripwire.git',
      'ssh://git@github.com/acme/sensu-tripwire',
      'git+https://github.com/acme/sensu-tripwire.git',
      'github:acme/sensu-tripwire',
    ]) {
      expect(parseGitHubUrl(url), url).toEqual(expected);
    }
    expect(parseGitHubUrl('https://gitlab.com/acme/sensu-tripwire.git')).toBeUndefined();
  });

  it('prefers GITHUB_REPOSITORY, then the origin remote, then package.json', () => {
    const origin = 'git@github.com:from/git.git';
    const pkg = { type: 'git', url: 'github:from/package' };
    expect(chooseRepository({ env: { GITHUB_REPOSITORY: 'from/env' }, originUrl: origin, packageRepository: pkg })).toEqual({ repository: { owner: 'from', name: 'env' }, source: 'GITHUB_REPOSITORY' });
    expect(chooseRepository({ env: {}, originUrl: origin, packageRepository: pkg })?.source).toBe('git remote origin');
    expect(chooseRepository({ env: {}, originUrl: 'https://example.invalid/x.git', packageRepository: pkg })).toEqual({ repository: { owner: 'from', name: 'package' }, source: 'package.json repository' });
    expect(chooseRepository({ env: {} })).toBeUndefined();
  });

  it('rejects a GITHUB_REPOSITORY that is not owner/name', () => {
    expect(() => chooseRepository({ env: { GITHUB_REPOSITORY: 'just-a-name' } })).toThrow(/not owner\/name/);
  });
});
