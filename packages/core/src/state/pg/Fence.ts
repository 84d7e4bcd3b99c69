import type { Pool, PoolClient } from 'pg';
import { TransientError } from '../../errors/index.js';
import type { Logger } from '../../log/index.js';
import { retry } from '../../retry/index.js';
import { classifyPgError, describePgError, isConnectionLoss, isRolledBack } from './errors.js';
import type { PgScope } from './scope.js';

/** Short: a state write that cannot land within seconds should end the run (exit 75), not stall it. */
export const PG_RETRY_POLICY = {
  maxAttempts: 4,
  baseDelayMs: 100,
  maxDelayMs: 2_000,
  attemptTimeoutMs: 30_000,
  deadlineMs: 30_000,
} as const;

export type Queryable = Pick<PoolClient, 'query'>;

interface Held {
  token: number;
  /**
   * pg_postmaster_start_time() when the lease was taken. A restart or failover since then may
   * have lost recent commits (fsync off, an async replica promoted): the lease, and the token
   * sequence behind it, can no longer be trusted even where the row still shows our token.
   */
  server: string;
  lost?: string;
}

/** Selected beside every lease read that a fenced run relies on. */
export const SERVER_STARTED = 'pg_postmaster_start_time()::text';

/**
 * Every state write goes through here. While this run holds leases, a write runs in a
 * transaction that first re-reads those leases FOR SHARE and goes ahead only if each still
 * carries our token: a takeover (which updates the row) waits for the write to commit, or the
 * write sees the new token and stores nothing. A lost lease (taken over, heartbeat failed,
 * connection cut) fails every later write with TransientError (exit 75); a later run resumes.
 * @internal
 */
export class Fence {
  readonly #pool: Pool;
  readonly #scope: PgScope;
  readonly #logger: Logger;
  readonly #held = new Map<string, Held>();

  constructor(pool: Pool, scope: PgScope, logger: Logger) {
    this.#pool = pool;
    this.#scope = scope;
    this.#logger = logger;
  }

  get scope(): PgScope {
    return this.#scope;
  }

  hold(name: string, token: number, server: string): void {
    this.#held.set(name, { token, server });
  }

  /** Loses the lease when the server answering now is not the one that granted it. */
  checkServer(name: string, server: string): void {
    const held = this.#held.get(name);
    if (held && held.server !== server) this.lose(name, 'the server restarted or failed over');
  }

  drop(name: string): void {
    this.#held.delete(name);
  }

  /** Marks a lease lost: every later write of this run fails, before it can act on stale state. */
  lose(name: string, reason: string): void {
    const held = this.#held.get(name);
    if (!held || held.lost) return;
    held.lost = reason;
    this.#logger.warn(
      { lock: name, token: held.token, reason },
      'lost the lock lease; stopping state writes',
    );
  }

  /** A connection of this run died: its session is gone, so whatever it held is no longer trusted. */
  loseAll(reason: string): void {
    for (const name of this.#held.keys()) this.lose(name, reason);
  }

  isLost(name: string): boolean {
    return this.#held.get(name)?.lost !== undefined;
  }

  /** A read (or a lease operation, itself conditional), retried on transient failures. */
  read<T>(operation: string, fn: (db: Queryable) => Promise<T>): Promise<T> {
    return retry(
      async () => {
        try {
          return await fn(this.#pool);
        } catch (error) {
          throw classifyPgError(error, operation);
        }
      },
      PG_RETRY_POLICY,
      { logger: this.#logger, operation: `state ${operation}` },
    );
  }

  /** The lease renewal: one attempt straight on the pool, errors to the caller. */
  heartbeat<T>(fn: (db: Queryable) => Promise<T>): Promise<T> {
    return fn(this.#pool);
  }

  /** A state write in one transaction, fenced by every lease this run holds. */
  write<T>(operation: string, fn: (db: Queryable) => Promise<T>): Promise<T> {
    const fenced = this.#held.size > 0;
    return retry(() => this.#transaction(operation, fn), PG_RETRY_POLICY, {
      logger: this.#logger,
      operation: `state ${operation}`,
      // under a lease only a rolled-back transaction is retried: a cut connection means our
      // session (and with it our claim to act) is gone
      ...(fenced ? { retryIf: isRolledBack } : {}),
    });
  }

  async #transaction<T>(operation: string, fn: (db: Queryable) => Promise<T>): Promise<T> {
    this.#assertHeld();
    const held = [...this.#held.entries()];
    let client: PoolClient;
    try {
      client = await this.#pool.connect();
    } catch (error) {
      throw this.#failure(error, operation, held.length > 0);
    }
    let broken = false;
    try {
      await client.query('begin');
      if (held.length > 0) await this.#checkTokens(client, held);
      const result = await fn(client);
      await client.query('commit');
      return result;
    } catch (error) {
      broken = isConnectionLoss(error);
      if (!broken) await client.query('rollback').catch(() => undefined);
      throw this.#failure(error, operation, held.length > 0);
    } finally {
      client.release(broken);
    }
  }

  async #checkTokens(client: PoolClient, held: [string, Held][]): Promise<void> {
    const { schema, cli, environment } = this.#scope;
    const { rows } = await client.query<{ name: string; token: string; server: string }>(
      `select name, token, ${SERVER_STARTED} as server from ${schema}.leases where cli = $1 and environment = $2 and name = any($3) for share`,
      [cli, environment, held.map(([name]) => name)],
    );
    const current = new Map(rows.map((row) => [row.name, row]));
    for (const [name, lease] of held) {
      const now = current.get(name);
      if (now === undefined) this.lose(name, 'lease row removed');
      else if (Number(now.token) !== lease.token) this.lose(name, `taken over (token ${now.token})`);
      else this.checkServer(name, now.server);
    }
    this.#assertHeld();
  }

  #assertHeld(): void {
    for (const [name, held] of this.#held) {
      if (held.lost !== undefined) {
        throw new TransientError(
          `lock "${name}" is no longer held by this run (${held.lost}); stopped before writing more state`,
          { hint: 'run again: the next run resumes from the journal' },
        );
      }
    }
  }

  #failure(error: unknown, operation: string, fenced: boolean): unknown {
    if (fenced && isConnectionLoss(error)) this.loseAll(`connection lost: ${describePgError(error)}`);
    return classifyPgError(error, operation);
  }
}
