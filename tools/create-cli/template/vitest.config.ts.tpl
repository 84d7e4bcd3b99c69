import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    name: '__CLI__',
    include: ['tests/**/*.test.ts'],
    testTimeout: 60_000,
  },
});
