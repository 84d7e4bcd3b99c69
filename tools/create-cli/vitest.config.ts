import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    name: 'create-cli',
    include: ['tests/**/*.test.ts'],
    testTimeout: 600_000,
    hookTimeout: 300_000,
  },
});
