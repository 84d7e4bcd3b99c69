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
      'packages/deploy/tests/integration/{concurrency,crash,release,rollback,savedPlan}.test.ts',
      'packages/file-sync/tests/integration/{heartbeat,kill,sync,safety,errors,savedPlan}.test.ts',
      'packages/resource-cleanup/tests/integration/registry/faults.test.ts',
      // not demo-cli's errors.test.ts: it asserts the state directory on purpose (a --state-dir that
      // cannot be made fails the run; a refused or misrouted run leaves no file there), which the
      // PostgreSQL backend never uses
      'tools/demo-cli/tests/integration/{lock,journal,interrupt,partial,observability,apply}.test.ts',
    ],
    globalSetup: ['tools/testkit/dist/postgresGlobalSetup.js'],
    testTimeout: 60_000,
    hookTimeout: 30_000,
  },
});
