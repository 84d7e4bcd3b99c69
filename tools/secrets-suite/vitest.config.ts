import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    name: 'secrets-suite',
    include: ['tests/**/*.test.ts'],
    testTimeout: 60_000,
  },
});
