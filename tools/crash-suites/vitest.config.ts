import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    name: 'crash-suites',
    include: ['tests/**/*.test.ts'],
    testTimeout: 60_000,
    // the three suites at once (vitest's default is one worker on a 2-core machine): their time is
    // spent in the CLIs' child processes, and each file runs its kill points one after another
    maxWorkers: 3,
  },
});
