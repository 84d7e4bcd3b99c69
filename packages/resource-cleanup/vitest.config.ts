import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    name: 'resource-cleanup',
    include: ['tests/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 30_000,
  },
});
