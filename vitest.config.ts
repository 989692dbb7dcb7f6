import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // End-to-end tests compile Tripwire in containers and run it on real files: minutes, not ms.
    testTimeout: 30 * 60 * 1000,
    hookTimeout: 45 * 60 * 1000,
    globalSetup: ['test/e2e/global-setup.ts'],
    pool: 'forks',
    // Most suites wait on containers, Tripwire's passphrase delays or key generation rather than
    // on this process's CPU, so more files than cores run at once.
    maxWorkers: 4,
  },
});
