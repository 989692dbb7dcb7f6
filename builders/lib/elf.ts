/**
 * A small reader for what the ABI gate needs from a dynamically linked ELF64 little-endian
 * (x86-64) executable: its program interpreter, its NEEDED libraries and the symbol versions it
 * requires (.gnu.version_r), each with the undefined symbols that require it (.dynsym +
 * .gnu.version). Pure, no binutils: `npm run verify` works on any machine.
 */

export interface VersionNeed {
  /** The library the version is required from, e.g. libc.so.6. */
  file: string;
  /** e.g. GLIBC_2.14 */
  version: string;
  /** Undefined dynamic symbols bound to this version, sorted. */
  symbols: string[];
}

export interface ElfDynamicInfo {
  /** PT_INTERP, or undefined for a static executable. */
  interpreter?: string;
  needed: string[];
  versionNeeds: VersionNeed[];
}

export class ElfError extends Error {}

const PT_INTERP = 3;
const SHT_DYNAMIC = 6;
const SHT_DYNSYM = 11;
const SHT_GNU_VERNEED = 0x6ffffffe;
const SHT_GNU_VERSYM = 0x6fffffff;
const DT_NULL = 0;
const DT_NEEDED = 1;
const EM_X86_64 = 62;

interface Section {
  type: number;
  offset: number;
  size: number;
  link: number;
  entsize: number;
}

export function readElfDynamicInfo(bytes: Buffer): ElfDynamicInfo {
  if (bytes.length < 64 || bytes.readUInt32BE(0) !== 0x7f454c46) throw new ElfError('not an ELF file');
  if (bytes[4] !== 2 || bytes[5] !== 1) throw new ElfError('not a 64-bit little-endian ELF file');
  if (bytes.readUInt16LE(18) !== EM_X86_64) throw new ElfError(`not an x86-64 ELF file (machine ${bytes.readUInt16LE(18)})`);

  const u64 = (offset: number): number => {
    const value = bytes.readBigUInt64LE(offset);
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new ElfError('offset out of range');
    return Number(value);
  };
  const check = (offset: number, length: number, what: string): void => {
    if (offset < 0 || length < 0 || offset + length > bytes.length) throw new ElfError(`truncated ELF file (${what})`);
  };
  const cString = (offset: number): string => {
    check(offset, 1, 'string');
    const end = bytes.indexOf(0, offset);
    if (end < 0) throw new ElfError('unterminated string');
    return bytes.toString('latin1', offset, end);
  };

  // Program headers: the interpreter.
  const phoff = u64(32);
  const phentsize = bytes.readUInt16LE(54);
  const phnum = bytes.readUInt16LE(56);
  let interpreter: string | undefined;
  for (let i = 0; i < phnum; i++) {
    const ph = phoff + i * phentsize;
    check(ph, 56, 'program header');
    if (bytes.readUInt32LE(ph) !== PT_INTERP) continue;
    const offset = u64(ph + 8);
    const size = u64(ph + 32);
    check(offset, size, 'interpreter');
    interpreter = bytes.toString('latin1', offset, offset + size).replace(/\0+$/, '');
  }

  // Section headers: the dynamic section, the dynamic symbols and the version tables.
  const shoff = u64(40);
  const shentsize = bytes.readUInt16LE(58);
  const shnum = bytes.readUInt16LE(60);
  const sections: Section[] = [];
  for (let i = 0; i < shnum; i++) {
    const sh = shoff + i * shentsize;
    check(sh, 64, 'section header');
    const section = { type: bytes.readUInt32LE(sh + 4), offset: u64(sh + 24), size: u64(sh + 32), link: bytes.readUInt32LE(sh + 40), entsize: u64(sh + 56) };
    if (section.type !== 8 /* SHT_NOBITS */) check(section.offset, section.size, 'section');
    sections.push(section);
  }
  const byType = (type: number): Section | undefined => sections.find((section) => section.type === type);
  const stringIn = (table: Section | undefined, offset: number): string => {
    if (table === undefined || offset >= table.size) throw new ElfError('string outside its table');
    return cString(table.offset + offset);
  };

  const needed: string[] = [];
  const dynamic = byType(SHT_DYNAMIC);
  if (dynamic !== undefined) {
    const strtab = sections[dynamic.link];
    for (let entry = dynamic.offset; entry + 16 <= dynamic.offset + dynamic.size; entry += 16) {
      const tag = u64(entry);
      if (tag === DT_NULL) break;
      if (tag === DT_NEEDED) needed.push(stringIn(strtab, u64(entry + 8)));
    }
  }

  // .gnu.version_r: version index -> (library, version name).
  const byIndex = new Map<number, { file: string; version: string }>();
  const verneed = byType(SHT_GNU_VERNEED);
  if (verneed !== undefined) {
    const strtab = sections[verneed.link];
    let need = verneed.offset;
    for (;;) {
      check(need, 16, 'version need');
      const count = bytes.readUInt16LE(need + 2);
      const file = stringIn(strtab, bytes.readUInt32LE(need + 4));
      let aux = need + bytes.readUInt32LE(need + 8);
      for (let i = 0; i < count; i++) {
        check(aux, 16, 'version need entry');
        byIndex.set(bytes.readUInt16LE(aux + 6), { file, version: stringIn(strtab, bytes.readUInt32LE(aux + 8)) });
        const next = bytes.readUInt32LE(aux + 12);
        if (next === 0) break;
        aux += next;
      }
      const next = bytes.readUInt32LE(need + 12);
      if (next === 0) break;
      need += next;
    }
  }

  // .dynsym + .gnu.version: which undefined symbols need which version.
  const symbolsByIndex = new Map<number, Set<string>>();
  const dynsym = byType(SHT_DYNSYM);
  const versym = byType(SHT_GNU_VERSYM);
  if (dynsym !== undefined && versym !== undefined && byIndex.size > 0) {
    const strtab = sections[dynsym.link];
    const count = Math.floor(dynsym.size / 24);
    for (let i = 1; i < count; i++) {
      const symbol = dynsym.offset + i * 24;
      if (bytes.readUInt16LE(symbol + 6) !== 0) continue; // defined here: not a requirement
      check(versym.offset + i * 2, 2, 'version symbol');
      const index = bytes.readUInt16LE(versym.offset + i * 2) & 0x7fff;
      if (!byIndex.has(index)) continue;
      const names = symbolsByIndex.get(index) ?? new Set<string>();
      names.add(stringIn(strtab, bytes.readUInt32LE(symbol)));
      symbolsByIndex.set(index, names);
    }
  }
  const versionNeeds = [...byIndex.entries()]
    .map(([index, { file, version }]) => ({ file, version, symbols: [...(symbolsByIndex.get(index) ?? [])].sort() }))
    .sort((a, b) => a.file.localeCompare(b.file) || compareVersionNames(a.version, b.version));
  return { interpreter, needed, versionNeeds };
}

/** Orders GLIBC_2.9 before GLIBC_2.14 (numeric parts compared as numbers). */
export function compareVersionNames(a: string, b: string): number {
  const split = (name: string) => name.split(/[._]/).map((part) => (/^\d+$/.test(part) ? Number(part) : part));
  const pa = split(a);
  const pb = split(b);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i];
    const y = pb[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    if (x === y) continue;
    if (typeof x === 'number' && typeof y === 'number') return x - y;
    return String(x).localeCompare(String(y));
  }
  return 0;
}
