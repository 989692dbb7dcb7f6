import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

export interface FileDigests {
  size: number;
  sha512: string;
  sha256: string;
}

/** Size, SHA-512 (what Sensu and the checksums file use) and SHA-256 (GitHub's asset digest), in one read. */
export async function fileDigests(file: string): Promise<FileDigests> {
  const sha512 = createHash('sha512');
  const sha256 = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(file)) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    sha512.update(buffer);
    sha256.update(buffer);
  }
  return { size, sha512: sha512.digest('hex'), sha256: sha256.digest('hex') };
}
