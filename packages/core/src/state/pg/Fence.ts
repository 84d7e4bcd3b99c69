import { createHash } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import { TransientError } from '../../errors/index.js';
import type { Logger } from '../../log/index.js';
import { retry } from '../../retry/index.js';
import {
  classifyPgError,
  describePgError,
  isConnectionLoss,
  isPreparedMismatch,
  isRolledBack,
} from './errors.js';
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

/**
 * The name of a prepared statement: a hash of its text, so the same name always means the same
 * SQL, even on a server connection that PgBouncer shares between clients.
 */
function statementName(text: string): string {
  let name = names.get(text);
  if (name === undefined) {
    name = `tempered_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
    names.set(text, name);
  }
  return name;
}
const names = new Map<string, string>();

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
  /** Fenced statements go as named prepared statements (parsed and planned once per connection). */
  #named = true;

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

  /**
   * A state write as ONE statement (one round trip, its own transaction), fenced inside it:
   * `sql` continues a WITH list that starts with `fence(ok)`, true while every lease this run
   * holds still carries our token on the server that granted it. The lease rows are read FOR
   * SHARE, so a takeover waits for the statement, or the statement sees the new token and its
   * writes (each conditioned on `(select ok from fence)`) store nothing. The first row must
   * carry `fenced` (the fence's verdict); a false one loses the lease and throws TransientError.
   * `sql` uses $1..$n for `values`; the fence's own parameters follow them.
   */
  statement<R extends { fenced: boolean }>(operation: string, sql: string, values: unknown[]): Promise<R[]> {
    const fenced = this.#held.size > 0;
    return retry(() => this.#statement<R>(operation, sql, values), PG_RETRY_POLICY, {
      logger: this.#logger,
      operation: `state ${operation}`,
      // as in write(): a statement rolled back by the server is safe to send again, a cut connection is not
      ...(fenced ? { retryIf: isRolledBack } : {}),
    });
  }

  async #statement<R extends { fenced: boolean }>(
    operation: string,
    sql: string,
    values: unknown[],
  ): Promise<R[]> {
    this.#assertHeld();
    const held = [...this.#held.entries()];
    const { schema, cli, environment } = this.#scope;
    const at = (offset: number) => `$${values.length + offset}`;
    const fence =
      held.length === 0
        ? 'fence(ok) as (select true)'
        : `fence(ok) as (select count(*) = cardinality(${at(3)}::text[]) from (
             select 1 from ${schema}.leases l
             join unnest(${at(3)}::text[], ${at(4)}::bigint[], ${at(5)}::text[]) h(name, token, server)
               on l.name = h.name and l.token = h.token and h.server = ${SERVER_STARTED}
             where l.cli = ${at(1)} and l.environment = ${at(2)}
             for share of l) held)`;
    const params =
      held.length === 0
        ? values
        : [
            ...values,
            cli,
            environment,
            held.map(([name]) => name),
            held.map(([, lease]) => lease.token),
            held.map(([, lease]) => lease.server),
          ];
    const text = `with ${fence}${sql}`;
    let rows: R[] | undefined;
    while (rows === undefined) {
      const named = this.#named;
      try {
        ({ rows } = await this.#pool.query<R>(
          named ? { name: statementName(text), text, values: params } : { text, values: params },
        ));
      } catch (error) {
        if (named && isPreparedMismatch(error)) {
          // behind PgBouncer in transaction mode a named statement may meet another server
          // connection; it failed before executing, so send it unnamed from now on
          this.#named = false;
          continue;
        }
        throw this.#failure(error, operation, held.length > 0);
      }
    }
    if (rows[0]?.fenced !== true) {
      if (held.length === 0) throw new Error(`state ${operation}: the statement returned no fence verdict`);
      // rare: find out which lease went and why, for the message; the write stored nothing
      await this.#checkTokens(this.#pool, held).catch(() => undefined);
      for (const [name] of held) if (!this.isLost(name)) this.lose(name, 'no longer current');
      this.#assertHeld();
    }
    return rows;
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

  async #checkTokens(client: Queryable, held: [string, Held][]): Promise<void> {
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
