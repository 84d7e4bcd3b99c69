import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    name: 'secrets-suite',
    include: ['tests/**/*.test.ts'],
    // each test drives every command of a CLI through success and failure paths: minutes on a busy machine
    testTimeout: 240_000,
  },
});
