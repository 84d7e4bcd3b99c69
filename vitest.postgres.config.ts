import { defineConfig } from 'vitest/config';

/**
 * The CLIs' state-related integration suites again, with every CLI keeping its state on one
 * throwaway PostgreSQL cluster (a schema per test workspace) instead of files: `pnpm test:postgres`
 * (after a build). Their assertions about stored state (run records, journals, locks) read it
 * through the testkit's stateOf(), which reads whichever backend the run uses, or through the CLI's
 * own output.
 */
export default defineConfig({
  test: {
    name: 'state-on-postgres',
    include: [
      'packages/deploy/tests/integration/{concurrency,crash,release,rollback}.test.ts',
      'packages/file-sync/tests/integration/{heartbeat,kill}.test.ts',
      'tools/demo-cli/tests/integration/{lock,journal,interrupt,partial,observability}.test.ts',
    ],
    globalSetup: ['tools/testkit/dist/postgresGlobalSetup.js'],
    testTimeout: 60_000,
    hookTimeout: 30_000,
  },
});
