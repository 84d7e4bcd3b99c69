import { defineConfig } from 'vitest/config';

// One suite, in order: every test builds on what the setup published and installed.
export default defineConfig({
  test: {
    name: 'release-e2e',
    include: ['tests/**/*.test.ts'],
    fileParallelism: false,
    sequence: { concurrent: false },
    testTimeout: 600_000,
    hookTimeout: 600_000,
  },
});
