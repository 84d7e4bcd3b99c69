import { defineConfig } from 'vitest/config';

// One entry point for `pnpm vitest` at the root; CI runs each package's own `test` through turbo.
export default defineConfig({
  test: {
    projects: ['packages/*/vitest.config.ts', 'tools/*/vitest.config.ts'],
  },
});
