import { describe, expect, it } from 'vitest';
import { ARCHIVE_KEY, primaryKeyFingerprint, readArchiveKey } from '../../../builders/lib/archive-key.js';
import { UserError } from '../../../builders/errors.js';

describe("the bullseye archive key from this machine's debian-archive-keyring", () => {
  it('is read and matches its pinned fingerprint', async () => {
    const key = await readArchiveKey();
    expect(key.name).toBe('debian-archive-bullseye-automatic.gpg');
    expect(primaryKeyFingerprint(key.bytes)).toBe(ARCHIVE_KEY.fingerprint);
    expect(key.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('is refused when the file holds another key, naming both fingerprints', async () => {
    const bookworm = '/usr/share/keyrings/debian-archive-bookworm-automatic.gpg';
    const error = await readArchiveKey(bookworm).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toMatch(/its primary key is [0-9A-F]{40}, expected 1F89983E0081FDE018F3CC9673A4F27B8DD47936/);
  });

  it('is refused with what to install when the file is missing', async () => {
    await expect(readArchiveKey('/nonexistent/debian-archive-bullseye-automatic.gpg')).rejects.toThrow('apt-get install debian-archive-keyring');
  });

  it('fingerprints only OpenPGP public-key packets', () => {
    expect(primaryKeyFingerprint(Buffer.from('not a key'))).toBeUndefined();
    expect(primaryKeyFingerprint(Buffer.alloc(0))).toBeUndefined();
  });
});
