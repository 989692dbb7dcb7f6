import { describe, expect, it } from 'vitest';
import { formatChecksums } from '../../builders/lib/checksums.js';
import { bonsaiSha, parseChecksums } from '../../builders/metadata/checksums.js';

const A = 'a'.repeat(128);
const B = 'b'.repeat(128);

describe('checksums file', () => {
  it('is sha512sum format sorted by file name, and parses back', () => {
    const text = formatChecksums([{ name: 'z.tar.gz', sha512: B }, { name: 'a.tar.gz', sha512: A }]);
    expect(text).toBe(`${A}  a.tar.gz\n${B}  z.tar.gz\n`);
    expect(parseChecksums(text)).toEqual({ entries: [{ name: 'a.tar.gz', sha512: A }, { name: 'z.tar.gz', sha512: B }], problems: [] });
  });

  it('reports lines that are not ours', () => {
    expect(parseChecksums(`${A} *a.tar.gz\n`).problems).toEqual([expect.stringMatching(/^line 1 /)]);
  });
});

describe("Bonsai's SHA extraction", () => {
  it('matches the basename of the second word, so "./name" works', () => {
    expect(bonsaiSha(`${A}  ./a.tar.gz\n${B}  ./b.tar.gz\n`, 'b.tar.gz')).toBe(B);
  });

  it('takes the only hex line whatever its file name', () => {
    expect(bonsaiSha(`# comment\n${A}  other.tar.gz\n`, 'b.tar.gz')).toBe(A);
  });

  it('finds nothing when a binary-mode marker hides the name', () => {
    expect(bonsaiSha(`${A} *a.tar.gz\n${B} *b.tar.gz\n`, 'b.tar.gz')).toBeUndefined();
  });
});
