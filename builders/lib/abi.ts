import type { Libc, Platform } from '../catalog.js';
import { compareVersionNames, readElfDynamicInfo, type ElfDynamicInfo } from './elf.js';

/**
 * The ABI gate's rules, as pure functions: a shipped binary runs on every host of its platform
 * only when it asks for nothing the oldest such host lacks.
 *   - its ELF interpreter is the platform C library's loader;
 *   - it needs (NEEDED) only the C library's own parts;
 *   - it needs no GLIBCXX_/CXXABI_ version (libstdc++ must be linked in statically);
 *   - the newest GLIBC_x.y it needs is not newer than the catalog's libc_version.
 * musl has no symbol versions, so for musl platforms the first two rules decide.
 */

export const LOADER: Record<Libc, string> = {
  glibc: '/lib64/ld-linux-x86-64.so.2',
  musl: '/lib/ld-musl-x86_64.so.1',
};

/** The C library's own shared objects (glibc splits itself into several). */
const LIBC_PARTS: Record<Libc, RegExp> = {
  glibc: /^(libc\.so\.6|libm\.so\.6|libpthread\.so\.0|libdl\.so\.2|librt\.so\.1|libresolv\.so\.2|libutil\.so\.1|ld-linux-x86-64\.so\.2)$/,
  musl: /^(libc\.musl-x86_64\.so\.1|ld-musl-x86_64\.so\.1|libc\.so)$/,
};

/** What the gate measured on one platform's binaries: recorded in artifacts.json and the build log. */
export interface AbiFigures {
  interpreter: string;
  /** The newest GLIBC_x.y any binary needs; undefined for musl (no symbol versions). */
  maxGlibc?: string;
  /** Union of the binaries' NEEDED entries, sorted. */
  needed: string[];
}

export interface BinaryAbi {
  name: string;
  info: ElfDynamicInfo;
}

export function readBinaryAbi(name: string, bytes: Buffer): BinaryAbi {
  return { name, info: readElfDynamicInfo(bytes) };
}

const MAX_SYMBOLS_SHOWN = 6;

function symbolsText(symbols: string[]): string {
  if (symbols.length === 0) return '';
  const shown = symbols.slice(0, MAX_SYMBOLS_SHOWN).join(', ');
  return ` (${shown}${symbols.length > MAX_SYMBOLS_SHOWN ? `, … ${symbols.length - MAX_SYMBOLS_SHOWN} more` : ''})`;
}

/** GLIBC_2.17 -> "2.17"; undefined for GLIBC_PRIVATE and other non-numbered names. */
function glibcNumber(version: string): string | undefined {
  return /^GLIBC_(\d+(?:\.\d+)+)$/.exec(version)?.[1];
}

/** Every way one binary breaks the platform's rules, as sentences naming the binary; empty when it passes. */
export function binaryAbiProblems(binary: BinaryAbi, platform: Platform): string[] {
  const { name, info } = binary;
  const where = `${platform.name}: ${name}`;
  const problems: string[] = [];
  const loader = LOADER[platform.libc];
  if (info.interpreter === undefined) problems.push(`${where} has no ELF interpreter (statically linked); expected ${platform.libc}'s ${loader}`);
  else if (info.interpreter !== loader) problems.push(`${where} asks for the interpreter ${info.interpreter}; ${platform.libc} hosts have ${loader}`);

  const foreign = info.needed.filter((library) => !LIBC_PARTS[platform.libc].test(library));
  if (foreign.length > 0) problems.push(`${where} needs ${foreign.join(', ')}, beyond the C library (${platform.libc})`);

  const cxx = info.versionNeeds.filter((need) => /^(GLIBCXX|CXXABI)_/.test(need.version));
  for (const need of cxx) problems.push(`${where} needs ${need.version} from ${need.file}${symbolsText(need.symbols)}: libstdc++ must be linked in statically`);

  if (platform.libc === 'glibc') {
    for (const need of info.versionNeeds) {
      if (!need.version.startsWith('GLIBC_')) continue;
      const number = glibcNumber(need.version);
      if (number === undefined) problems.push(`${where} needs ${need.version} from ${need.file}${symbolsText(need.symbols)}`);
      else if (compareVersionNames(number, platform.libcVersion) > 0) {
        problems.push(`${where} needs ${need.version}, newer than the catalog's glibc ${platform.libcVersion}${symbolsText(need.symbols)}`);
      }
    }
  }
  return problems;
}

/** The figures the gate records for one platform. */
export function abiFigures(binaries: BinaryAbi[]): AbiFigures {
  const interpreters = [...new Set(binaries.map((binary) => binary.info.interpreter ?? 'none (static)'))].sort();
  const needed = [...new Set(binaries.flatMap((binary) => binary.info.needed))].sort();
  const glibc = binaries
    .flatMap((binary) => binary.info.versionNeeds.map((need) => glibcNumber(need.version)))
    .filter((number): number is string => number !== undefined)
    .sort(compareVersionNames);
  const figures: AbiFigures = { interpreter: interpreters.join(', '), needed };
  const max = glibc.at(-1);
  if (max !== undefined) figures.maxGlibc = max;
  return figures;
}

export function formatAbiFigures(figures: AbiFigures): string {
  return `interpreter ${figures.interpreter}; newest GLIBC needed: ${figures.maxGlibc ?? 'none'}; NEEDED: ${figures.needed.join(' ')}`;
}
