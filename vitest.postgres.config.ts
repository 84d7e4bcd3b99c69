import { defineConfig } from 'vitest/config';

/**
 * The CLIs' state-related integration suites again, with every CLI keeping its state on one
 * throwaway PostgreSQL cluster (a schema per test workspace) instead of files: `pnpm test:postgres`
 * (after a build). Left out, on purpose:
 * - tools/demo-cli's lock, journal, interrupt, partial and observability suites: the demo CLI does
 *   not depend on `pg`, so it cannot open a PostgreSQL store at all;
 * - suites whose assertions read files under the state directory (run records, journals, lock
 *   files), which the PostgreSQL backend does not write: deploy's rollback, file-sync's kill.
 */
export default defineConfig({
  test: {
    name: 'state-on-postgres',
    include: [
      'packages/deploy/tests/integration/{concurrency,crash,release}.test.ts',
      'packages/file-sync/tests/integration/heartbeat.test.ts',
    ],
    globalSetup: ['tools/testkit/dist/postgresGlobalSetup.js'],
    testTimeout: 60_000,
    hookTimeout: 30_000,
  },
});
