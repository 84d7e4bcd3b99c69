import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    name: 'file-sync',
    include: ['tests/**/*.test.ts'],
    testTimeout: 60_000,
  },
});
