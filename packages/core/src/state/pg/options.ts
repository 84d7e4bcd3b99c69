import type { Logger } from '../../log/index.js';

/** How a run reaches the PostgreSQL state backend (config `state: { backend: postgres, ... }`). */
export interface PgStateStoreOptions {
  /** postgres://user:password@host:port/db?sslmode=verify-full; its password is a registered secret. */
  url: string;
  /** Schema holding the tables (default `tempered`), created and migrated on first use. */
  schema?: string;
  /** Whose state: every row is keyed by CLI and environment, as the file backend's directories are. */
  cli: string;
  environment: string;
  /** This run: named in lease owners, idempotency records and run records. */
  runId: string;
  logger?: Logger;
  /** A lease lives this long without renewal (default 30 s); renewed every third of it. */
  leaseTtlMs?: number;
  /** Run records kept per (cli, environment), as the file backend (default 1000). */
  maxRuns?: number;
  /** Finished journals kept per (cli, environment) for audit, as the file backend (default 200). */
  maxArchivedJournals?: number;
  /** Clock in epoch ms (tests). */
  now?: () => number;
}
