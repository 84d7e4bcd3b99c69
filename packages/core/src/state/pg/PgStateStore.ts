import pg from 'pg';
import { ExitCode, type LockOwner, TemperedError, TransientError, UsageError } from '../../errors/index.js';
import { type Logger, type Redactor, secrets, silentLogger } from '../../log/index.js';
import { retry } from '../../retry/index.js';
import { STATE_DEFAULTS } from '../constants.js';
import type {
  AcquireLockOptions,
  IdempotencyStore,
  Journal,
  ListRunsOptions,
  LockHandle,
  RunRecord,
  StateStore,
} from '../types.js';
import { classifyPgError, describePgError } from './errors.js';
import { Fence, PG_RETRY_POLICY } from './Fence.js';
import type { PgStateStoreOptions } from './options.js';
import { PgIdempotencyStore } from './PgIdempotencyStore.js';
import { PgJournal } from './PgJournal.js';
import { PgLeases } from './PgLeases.js';
import { PgRunRecords } from './PgRunRecords.js';
import { migrate } from './schema.js';
import { quoteSchema } from './scope.js';

const DEFAULT_SCHEMA = 'tempered';
const DEFAULT_LEASE_TTL_MS = 30_000;

/**
 * The PostgreSQL state backend: connects, migrates the schema under an advisory lock, and
 * returns the store. An unreachable server is a TransientError (exit 75) naming host, port and
 * database only; the URL's password is registered as a secret and never printed.
 */
export async function openPgStateStore(options: PgStateStoreOptions): Promise<PgStateStore> {
  const schemaName = options.schema ?? DEFAULT_SCHEMA;
  const schema = quoteSchema(schemaName);
  const target = describeTarget(options.url);
  const logger = options.logger ?? silentLogger();
  const leaseTtlMs = options.leaseTtlMs ?? DEFAULT_LEASE_TTL_MS;
  if (!(Number.isSafeInteger(leaseTtlMs) && leaseTtlMs >= 300)) {
    throw new UsageError(`state lease TTL must be at least 300 ms, got ${leaseTtlMs}`);
  }
  for (const name of ['maxRuns', 'maxArchivedJournals'] as const) {
    const value = options[name];
    if (value !== undefined && !(Number.isSafeInteger(value) && value >= 1)) {
      throw new UsageError(`state store option ${name} must be a positive integer, got ${value}`);
    }
  }
  const pool = new pg.Pool({
    connectionString: options.url,
    max: 4,
    connectionTimeoutMillis: 10_000,
    // idle connections must not keep a finished run alive
    allowExitOnIdle: true,
    application_name: `tempered:${options.cli}:${options.runId}`.slice(0, 63),
  });
  const fence = new Fence(pool, { schema, cli: options.cli, environment: options.environment }, logger);
  // a server that ends an idle connection of ours ends the session a lease was renewed on
  pool.on('error', (error) => fence.loseAll(`connection lost: ${describePgError(error)}`));
  try {
    const applied = await retry(
      async () => {
        try {
          return await migrate(pool, schema, schemaName);
        } catch (error) {
          throw classifyPgError(error, 'schema check');
        }
      },
      PG_RETRY_POLICY,
      { logger, operation: `connect to PostgreSQL state store at ${target}` },
    );
    if (applied.length > 0) logger.info({ schema: schemaName, versions: applied }, 'state schema migrated');
  } catch (error) {
    await pool.end().catch(() => undefined);
    if (error instanceof TemperedError && error.exitCode === ExitCode.Temporary) {
      throw new TransientError(
        `cannot reach the PostgreSQL state store at ${target}: ${describePgError(rootCause(error))}`,
        {
          hint: 'nothing was done; run again once the server is reachable',
        },
      );
    }
    throw error;
  }
  return new PgStateStore(pool, fence, options, logger, leaseTtlMs);
}

/**
 * Locks are leases with fencing tokens (see PgLeases), and every write made while one is held
 * is conditional on its token (see Fence). Not constructed directly: use openPgStateStore.
 */
export class PgStateStore implements StateStore {
  readonly idempotency: IdempotencyStore;
  readonly #pool: pg.Pool;
  readonly #fence: Fence;
  readonly #leases: PgLeases;
  readonly #runs: PgRunRecords;
  readonly #redactor: Redactor;
  readonly #now: () => number;
  readonly #maxArchivedJournals: number;

  /** @internal */
  constructor(pool: pg.Pool, fence: Fence, options: PgStateStoreOptions, logger: Logger, leaseTtlMs: number) {
    this.#pool = pool;
    this.#fence = fence;
    this.#redactor = secrets;
    this.#now = options.now ?? Date.now;
    this.#leases = new PgLeases(fence, leaseTtlMs, logger);
    this.#runs = new PgRunRecords(fence, this.#redactor, options.maxRuns ?? STATE_DEFAULTS.maxRuns);
    this.#maxArchivedJournals = options.maxArchivedJournals ?? STATE_DEFAULTS.maxArchivedJournals;
    this.idempotency = new PgIdempotencyStore(fence, { runId: options.runId, logger, now: this.#now });
  }

  recordRun(record: RunRecord): Promise<void> {
    return this.#runs.record(record);
  }

  listRuns(options?: ListRunsOptions): Promise<RunRecord[]> {
    return this.#runs.list(options);
  }

  openJournal(key: string): Promise<Journal> {
    return PgJournal.open(this.#fence, key, {
      redactor: this.#redactor,
      now: this.#now,
      maxArchived: this.#maxArchivedJournals,
    });
  }

  acquireLock(name: string, options: AcquireLockOptions): Promise<LockHandle> {
    return this.#leases.acquire(name, options);
  }

  inspectLock(name: string): Promise<LockOwner | undefined> {
    return this.#leases.inspect(name);
  }

  breakLock(name: string): Promise<LockOwner | undefined> {
    return this.#leases.break(name);
  }

  /** Environments of this CLI with any state here, sorted: `stats` reports each. */
  async listEnvironments(): Promise<string[]> {
    const { schema, cli } = this.#fence.scope;
    const { rows } = await this.#fence.read('environments', (db) =>
      db.query<{ environment: string }>(
        `select environment from ${schema}.runs where cli = $1
         union select environment from ${schema}.journal_entries where cli = $1
         union select environment from ${schema}.idempotency where cli = $1
         union select environment from ${schema}.leases where cli = $1
         order by 1`,
        [cli],
      ),
    );
    return rows.map((row) => row.environment);
  }

  /** Closes the connections (tests, long-lived hosts); a CLI run may simply exit. */
  close(): Promise<void> {
    return this.#pool.end();
  }
}

/** `host:port/database`, never the user or password: safe in any message. */
function describeTarget(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(
      'the PostgreSQL state URL is not a valid URL (expected postgres://user:password@host:port/db)',
    );
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new UsageError(`the PostgreSQL state URL must start with postgres://, got ${parsed.protocol}//`);
  }
  if (parsed.password) secrets.addSecret(decodeURIComponent(parsed.password));
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, '')) || '(default)';
  return `${parsed.hostname || 'localhost'}:${parsed.port || '5432'}/${database}`;
}

/** The driver's own error under our wrappers: its message says what went wrong (ECONNREFUSED...). */
function rootCause(error: unknown): unknown {
  let current = error;
  while (current instanceof TemperedError && current.cause !== undefined) current = current.cause;
  return current;
}
