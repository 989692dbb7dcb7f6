import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { UserError, describeError } from '../errors.js';

/**
 * The newer Debian archive key a debian-archive toolchain image is given. Debian's archive of old
 * releases signs the archived stretch suite with newer keys; stretch's own keyring trusts only the
 * buster key among them, and that one expires on 2027-04-12. The bullseye archive key (valid to
 * 2029) is taken from this machine's `debian-archive-keyring` package, never downloaded, and
 * checked against its pinned fingerprint before it goes into the image.
 */
export const ARCHIVE_KEY = {
  file: '/usr/share/keyrings/debian-archive-bullseye-automatic.gpg',
  fingerprint: '1F89983E0081FDE018F3CC9673A4F27B8DD47936',
  description: 'Debian Archive Automatic Signing Key (11/bullseye)',
} as const;

/** The toolchain build context's directory of extra apt keys (empty unless the platform needs one). */
export const ARCHIVE_KEYS_DIR = 'archive-keys';

export interface ArchiveKey {
  /** File name inside ARCHIVE_KEYS_DIR (and /etc/apt/trusted.gpg.d/ in the image). */
  name: string;
  bytes: Buffer;
  sha256: string;
}

/** Reads and checks the key; a UserError that says what to install when it is missing or wrong. */
export async function readArchiveKey(file: string = ARCHIVE_KEY.file, fingerprint: string = ARCHIVE_KEY.fingerprint): Promise<ArchiveKey> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    throw new UserError(
      `cannot read ${file} (${describeError(error)}): Debian 9's toolchain image needs the ${ARCHIVE_KEY.description} ` +
        'from the debian-archive-keyring package (as root: apt-get install debian-archive-keyring)',
    );
  }
  const actual = primaryKeyFingerprint(bytes);
  if (actual !== fingerprint) {
    throw new UserError(`${file} is not the ${ARCHIVE_KEY.description}: its primary key is ${actual ?? 'unreadable'}, expected ${fingerprint}; reinstall debian-archive-keyring`);
  }
  return { name: path.basename(file), bytes, sha256: createHash('sha256').update(bytes).digest('hex') };
}

/**
 * The v4 fingerprint of the first packet of a binary OpenPGP keyring (RFC 4880 12.2: SHA-1 over
 * 0x99, the two-byte body length and the public-key packet body), or undefined when the file does
 * not start with a v4 public-key packet.
 */
export function primaryKeyFingerprint(bytes: Buffer): string | undefined {
  const header = packetHeader(bytes);
  if (header === undefined || header.tag !== 6) return undefined;
  const body = bytes.subarray(header.bodyStart, header.bodyStart + header.length);
  if (body.length !== header.length || body[0] !== 4 || header.length > 0xffff) return undefined;
  const prefix = Buffer.from([0x99, header.length >> 8, header.length & 0xff]);
  return createHash('sha1').update(prefix).update(body).digest('hex').toUpperCase();
}

function packetHeader(bytes: Buffer): { tag: number; length: number; bodyStart: number } | undefined {
  const first = bytes[0];
  if (first === undefined || (first & 0x80) === 0) return undefined;
  if ((first & 0x40) !== 0) {
    // New format: one-, two- or five-byte length.
    const tag = first & 0x3f;
    const l0 = bytes[1];
    if (l0 === undefined) return undefined;
    if (l0 < 192) return { tag, length: l0, bodyStart: 2 };
    if (l0 < 224) return { tag, length: ((l0 - 192) << 8) + (bytes[2] ?? 0) + 192, bodyStart: 3 };
    if (l0 === 255) return { tag, length: bytes.readUInt32BE(2), bodyStart: 6 };
    return undefined;
  }
  // Old format: the low two bits say how many length bytes follow.
  const tag = (first >> 2) & 0x0f;
  const lengthType = first & 0x03;
  if (lengthType === 0) return { tag, length: bytes[1] ?? 0, bodyStart: 2 };
  if (lengthType === 1) return { tag, length: bytes.readUInt16BE(1), bodyStart: 3 };
  if (lengthType === 2) return { tag, length: bytes.readUInt32BE(1), bodyStart: 5 };
  return undefined;
}
