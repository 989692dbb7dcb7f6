import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { need, platformBuild } from '../context.js';
import { UserError, describeError } from '../errors.js';
import { abiFigures, binaryAbiProblems, formatAbiFigures, readBinaryAbi, type BinaryAbi } from '../lib/abi.js';
import { closeLog, openLog } from '../lib/build-log.js';
import type { Stage } from '../stage.js';
import { SHIPPED_BINARIES } from './compile.js';

/**
 * Every shipped binary must run on the oldest host of its platform: the C library's loader as
 * interpreter, nothing NEEDED beyond the C library, no libstdc++ symbol versions, no GLIBC_x.y
 * newer than the catalog's libc_version (rules in lib/abi.ts). A refusal names the binary, the
 * versions and the symbols that need them; dist/ is untouched because nothing is published yet.
 * The figures measured go to the build log and to artifacts.json.
 */
export const abiGate: Stage = {
  name: 'abi-gate',
  async run(ctx) {
    const problems: string[] = [];
    for (const platform of ctx.platforms) {
      const build = platformBuild(ctx, platform.name);
      const binariesDir = need(build.binariesDir, 'binariesDir');
      const binaries: BinaryAbi[] = [];
      for (const name of SHIPPED_BINARIES) {
        const file = path.join(binariesDir, name);
        try {
          binaries.push(readBinaryAbi(name, await readFile(file)));
        } catch (error) {
          problems.push(`${platform.name}: ${name} cannot be read as an x86-64 ELF executable: ${describeError(error)}`);
        }
      }
      const found = binaries.flatMap((binary) => binaryAbiProblems(binary, platform));
      problems.push(...found);
      if (binaries.length === SHIPPED_BINARIES.length) {
        build.abi = abiFigures(binaries);
        const line = `${platform.libc} ${platform.libcVersion}: ${formatAbiFigures(build.abi)}`;
        const log = openLog(build.logFile);
        log.write(`# abi-gate ${found.length === 0 ? 'passed' : 'refused'}: ${line}\n${found.map((problem) => `#   ${problem}\n`).join('')}`);
        await closeLog(log);
        if (found.length === 0) ctx.log.info(`  ${platform.name}: ${line}`);
      }
    }
    if (problems.length > 0) {
      throw new UserError(`the binaries would not run on every host their platform claims:\n  ${problems.join('\n  ')}`);
    }
  },
};
