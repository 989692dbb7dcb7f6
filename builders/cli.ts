#!/usr/bin/env node
import { UserError } from './errors.js';

/**
 * The command line: `tsx builders/cli.ts <command> [options]`. Each command lives in
 * builders/commands/<name>.ts and exports `run(args)`; this file only dispatches and turns errors
 * into a one-line message and an exit code (a stack trace only with --debug).
 */
const COMMANDS: Record<string, { summary: string; load: () => Promise<{ run(args: string[]): Promise<void> }> }> = {
  build: { summary: 'compile and package assets into dist/', load: () => import('./commands/build.js') },
  images: { summary: 'bootstrap base images from the distro archive', load: () => import('./commands/images.js') },
  readme: { summary: "rewrite the README's platform table from platforms.yaml", load: () => import('./commands/readme.js') },
  'engine-check': { summary: 'exit 0 when the Docker engine answers', load: () => import('./commands/engine-check.js') },
  bonsai: { summary: 'write .bonsai.yml from platforms.yaml', load: () => import('./commands/bonsai.js') },
  verify: { summary: "replay Bonsai's and Sensu's checks offline against dist/", load: () => import('./commands/verify.js') },
  merge: { summary: 'combine dist/ directories built on separate machines', load: () => import('./commands/merge.js') },
  release: { summary: 'publish dist/ as a GitHub release (draft, upload, verify, publish)', load: () => import('./commands/release.js') },
  'install-test': { summary: "install built assets as a Sensu agent does and run the check in each base image", load: () => import('./commands/install-test.js') },
  'rehearsal-record': { summary: "record one release-matrix leg for the summary table", load: () => import('./commands/rehearsal-record.js') },
  'rehearsal-summary': { summary: 'print the summary table of a rehearsal or release run', load: () => import('./commands/rehearsal-summary.js') },
  rehearse: { summary: 'build, merge, verify and install-test the locally buildable platforms', load: () => import('./commands/rehearse.js') },
  suites: { summary: 'print the Debian suites to bootstrap for given platforms', load: () => import('./commands/suites.js') },
  matrix: { summary: "print the release workflow's platform matrix (JSON)", load: () => import('./commands/matrix.js') },
  bench: { summary: 'measure build, cache, check and size against their goals (issue 11)', load: () => import('./commands/bench.js') },
};

function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, command]) => `  ${name.padEnd(10)} ${command.summary}`);
  return `usage: cli.ts <command> [options]   (--help after a command for its options)\n\ncommands:\n${lines.join('\n')}\n`;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h') {
    process.stdout.write(usage());
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (command === undefined) {
    process.stderr.write(`error: unknown command "${name}"\n${usage()}`);
    return 2;
  }
  await (await command.load()).run(args);
  return 0;
}

const debug = process.argv.includes('--debug');
main(process.argv.slice(2).filter((arg) => arg !== '--debug')).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UserError) {
      process.stderr.write(`error: ${error.message}\n`);
      if (debug) process.stderr.write(`${error.stack ?? ''}\n`);
      process.exit(error.exitCode);
    }
    process.stderr.write(`internal error (a bug in sensu-tripwire): ${debug && error instanceof Error ? error.stack : String(error)}\n`);
    if (!debug) process.stderr.write('re-run with --debug for the stack trace\n');
    process.exit(70);
  },
);
