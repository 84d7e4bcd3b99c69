import { ConflictError, LockHeldError, type LockOwner } from '../../errors/index.js';
import type { Logger } from '../../log/index.js';
import { sleep } from '../../retry/sleep.js';
import { formatDuration } from '../../util/index.js';
import { STATE_DEFAULTS } from '../constants.js';
import { describeOwner, ownerLiveness, parseLockOwner, serializeLockOwner } from '../lockOwner.js';
import type { AcquireLockOptions, LockHandle } from '../types.js';
import { describePgError } from './errors.js';
import { type Fence, type Queryable, SERVER_STARTED } from './Fence.js';

type Attempt =
  | { kind: 'acquired'; token: number; server: string; previous?: LockOwner }
  | { kind: 'held'; holder: LockOwner | undefined; expiresAt: Date | null }
  | { kind: 'race' };

interface LeaseRow {
  token: string;
  owner: unknown;
  /** Judged by the server's clock, the one every host shares. */
  live: boolean;
  expires_at: Date | null;
}

/**
 * Run locks as leases: one row per lock, taken by a conditional upsert that wins only over an
 * expired (or released) lease, and renewed every third of its TTL. The token grows on every
 * acquisition and rows are never deleted, so a token is never handed out twice.
 * @internal
 */
export class PgLeases {
  readonly #fence: Fence;
  readonly #ttlMs: number;
  readonly #logger: Logger;

  constructor(fence: Fence, ttlMs: number, logger: Logger) {
    this.#fence = fence;
    this.#ttlMs = ttlMs;
    this.#logger = logger;
  }

  async acquire(name: string, options: AcquireLockOptions): Promise<LockHandle> {
    const logger = options.logger ?? this.#logger;
    const waitMs = options.waitMs ?? 0;
    const pollMs = Math.max(1, options.pollMs ?? STATE_DEFAULTS.lockPollMs);
    const deadline = Date.now() + waitMs;
    let waiting = false;
    for (;;) {
      options.signal?.throwIfAborted();
      const attempt = await this.#fence.read('lock acquire', (db) =>
        this.#tryAcquire(db, name, options.owner),
      );
      if (attempt.kind === 'acquired') {
        if (attempt.previous)
          logger.warn({ lock: name, previous_owner: attempt.previous }, 'took over stale lock');
        if (waiting) logger.info({ lock: name }, 'lock acquired after waiting');
        this.#fence.hold(name, attempt.token, attempt.server);
        return new PgLeaseHandle(this.#fence, name, options.owner, attempt.token, this.#ttlMs, logger);
      }
      if (attempt.kind === 'race') continue;
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw lockHeld(name, attempt.holder, attempt.expiresAt, waitMs);
      if (!waiting)
        logger.info(
          { lock: name, holder: attempt.holder, wait_ms: waitMs },
          'lock held by another run; waiting',
        );
      waiting = true;
      await sleep(Math.min(pollMs, remaining), options.signal);
    }
  }

  async inspect(name: string): Promise<LockOwner | undefined> {
    const row = await this.#fence.read('lock inspect', (db) => this.#current(db, name));
    return row?.live ? ownerOf(row) : undefined;
  }

  async break(name: string): Promise<LockOwner | undefined> {
    const { schema, cli, environment } = this.#fence.scope;
    for (;;) {
      const row = await this.#fence.read('lock inspect', (db) => this.#current(db, name));
      const holder = row ? ownerOf(row) : undefined;
      // an expired lease is free already: nothing to break
      if (!row?.live || !holder) return undefined;
      if (ownerLiveness(holder) === 'alive') {
        throw new ConflictError(
          `lock "${name}" is held by ${describeOwner(holder)}, which is still running`,
          {
            hint: `stop that run first (kill ${holder.pid}), or wait for it to finish`,
          },
        );
      }
      const broken = await this.#fence.read('lock break', (db) =>
        db.query(
          `update ${schema}.leases set owner = null, expires_at = '-infinity'
           where cli = $1 and environment = $2 and name = $3 and token = $4`,
          [cli, environment, name, row.token],
        ),
      );
      if (broken.rowCount === 1) {
        this.#logger.warn({ lock: name, previous_owner: holder }, 'lock broken');
        return holder;
      }
    }
  }

  async #tryAcquire(db: Queryable, name: string, owner: LockOwner): Promise<Attempt> {
    const { schema, cli, environment } = this.#fence.scope;
    const ownerJson = serializeLockOwner(owner);
    // the CTE reads the row as it was before the upsert: a non-null owner there is an expired
    // lease we took over (a released one has its owner cleared)
    const taken = await db.query<{ token: string; previous: unknown; server: string }>(
      `with before as (select owner from ${schema}.leases where cli = $1 and environment = $2 and name = $3)
       insert into ${schema}.leases as l (cli, environment, name, token, owner, expires_at)
       values ($1, $2, $3, 1, $4::jsonb, now() + $5 * interval '1 millisecond')
       on conflict (cli, environment, name) do update
         set token = l.token + 1, owner = excluded.owner, expires_at = excluded.expires_at
         where l.expires_at <= now()
       returning token, (select owner from before) as previous, ${SERVER_STARTED} as server`,
      [cli, environment, name, ownerJson, this.#ttlMs],
    );
    const won = taken.rows[0];
    if (won) {
      const previous = won.previous ? parseLockOwner(JSON.stringify(won.previous)) : undefined;
      return {
        kind: 'acquired',
        token: Number(won.token),
        server: won.server,
        ...(previous ? { previous } : {}),
      };
    }
    const row = await this.#current(db, name);
    // gone or expired since the upsert: try again
    if (!row?.live) return { kind: 'race' };
    const holder = ownerOf(row);
    // a holder that died on this host need not be waited out: its lease is taken over now
    if (holder === undefined || ownerLiveness(holder) !== 'dead') {
      return { kind: 'held', holder, expiresAt: row.expires_at };
    }
    const stolen = await db.query<{ token: string; server: string }>(
      `update ${schema}.leases set token = token + 1, owner = $5::jsonb, expires_at = now() + $6 * interval '1 millisecond'
       where cli = $1 and environment = $2 and name = $3 and token = $4 returning token, ${SERVER_STARTED} as server`,
      [cli, environment, name, row.token, ownerJson, this.#ttlMs],
    );
    const took = stolen.rows[0];
    return took === undefined
      ? { kind: 'race' }
      : { kind: 'acquired', token: Number(took.token), server: took.server, previous: holder };
  }

  async #current(db: Queryable, name: string): Promise<LeaseRow | undefined> {
    const { schema, cli, environment } = this.#fence.scope;
    const { rows } = await db.query<LeaseRow>(
      `select token, owner, expires_at > now() as live, nullif(expires_at, '-infinity') as expires_at from ${schema}.leases where cli = $1 and environment = $2 and name = $3`,
      [cli, environment, name],
    );
    return rows[0];
  }
}

function ownerOf(row: LeaseRow): LockOwner | undefined {
  return row.owner ? parseLockOwner(JSON.stringify(row.owner)) : undefined;
}

class PgLeaseHandle implements LockHandle {
  readonly owner: LockOwner;
  readonly token: number;
  readonly #fence: Fence;
  readonly #name: string;
  readonly #ttlMs: number;
  readonly #logger: Logger;
  readonly #timer: NodeJS.Timeout;
  #released = false;

  constructor(fence: Fence, name: string, owner: LockOwner, token: number, ttlMs: number, logger: Logger) {
    this.#fence = fence;
    this.#name = name;
    this.owner = owner;
    this.token = token;
    this.#ttlMs = ttlMs;
    this.#logger = logger;
    this.#timer = setInterval(() => void this.#renew(), Math.max(1, Math.floor(ttlMs / 3)));
    // the heartbeat must not keep a finished process alive
    this.#timer.unref();
  }

  async release(): Promise<void> {
    if (this.#released) return;
    this.#released = true;
    clearInterval(this.#timer);
    this.#fence.drop(this.#name);
    const { schema, cli, environment } = this.#fence.scope;
    try {
      const result = await this.#fence.read('lock release', (db) =>
        db.query(
          `update ${schema}.leases set owner = null, expires_at = '-infinity'
           where cli = $1 and environment = $2 and name = $3 and token = $4`,
          [cli, environment, this.#name, this.token],
        ),
      );
      if (result.rowCount === 0) {
        this.#logger.warn(
          { lock: this.#name, token: this.token },
          'lock no longer ours at release; left in place',
        );
      }
    } catch (error) {
      // the lease expires on its own: failing the run over its release would misreport it
      this.#logger.warn(
        { lock: this.#name, reason: describePgError(error) },
        'could not release the lock lease; it will expire',
      );
    }
  }

  /** One attempt, no retry: a heartbeat that fails means the lease can no longer be trusted. */
  async #renew(): Promise<void> {
    if (this.#released || this.#fence.isLost(this.#name)) return;
    const { schema, cli, environment } = this.#fence.scope;
    try {
      const result = await this.#fence.heartbeat((db) =>
        db.query<{ server: string }>(
          `update ${schema}.leases set expires_at = now() + $5 * interval '1 millisecond'
           where cli = $1 and environment = $2 and name = $3 and token = $4 returning ${SERVER_STARTED} as server`,
          [cli, environment, this.#name, this.token, this.#ttlMs],
        ),
      );
      const renewed = result.rows[0];
      if (renewed === undefined) this.#fence.lose(this.#name, 'taken over by another run');
      else this.#fence.checkServer(this.#name, renewed.server);
    } catch (error) {
      this.#fence.lose(this.#name, `heartbeat failed: ${describePgError(error)}`);
    }
    if (this.#fence.isLost(this.#name)) clearInterval(this.#timer);
  }
}

function lockHeld(
  name: string,
  holder: LockOwner | undefined,
  expiresAt: Date | null,
  waitMs: number,
): LockHeldError {
  const waited = waitMs > 0 ? ` after waiting ${formatDuration(waitMs)}` : '';
  if (!holder) return new LockHeldError(`lock "${name}" is being taken over by another run${waited}`);
  return new LockHeldError(
    `lock "${name}" is held by ${describeOwner(holder)}${waited}${expiresAt ? `; its lease expires at ${expiresAt.toISOString()} unless renewed` : ''}`,
    { owner: holder },
  );
}
