import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    name: 'demo-cli',
    include: ['tests/**/*.test.ts'],
    testTimeout: 60_000,
  },
});
