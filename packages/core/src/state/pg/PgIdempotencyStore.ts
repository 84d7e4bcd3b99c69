import { randomUUID } from 'node:crypto';
import { ConflictError, InternalError } from '../../errors/index.js';
import type { Logger } from '../../log/index.js';
import { assertClaimTtl } from '../checkRecords.js';
import { RACE, STATE_DEFAULTS } from '../constants.js';
import { IdempotencyInProgressError, IdempotencyPayloadMismatchError } from '../errors.js';
import type {
  IdempotencyBeginOptions,
  IdempotencyBeginResult,
  IdempotencyRecord,
  IdempotencyStore,
} from '../types.js';
import type { Fence, Queryable } from './Fence.js';

interface Row {
  key: string;
  status: 'in-progress' | 'completed';
  payload_hash: string;
  run_id: string;
  token: string;
  created_at: Date;
  expires_at: Date;
  retain_ms: string;
  completed_at: Date | null;
  result: unknown;
  has_result: boolean;
}

const COLUMNS =
  'key, status, payload_hash, run_id, token, created_at, expires_at, retain_ms, completed_at, result, has_result';

/**
 * One row per key. `begin` reads the row FOR UPDATE (or inserts it, losing a concurrent insert
 * to ON CONFLICT DO NOTHING), so two runs cannot both get `new`; expiry is judged by the
 * store's clock, as the file backend does. Same semantics and errors as FileIdempotencyStore.
 * @internal
 */
export class PgIdempotencyStore implements IdempotencyStore {
  readonly #fence: Fence;
  readonly #runId: string;
  readonly #logger: Logger;
  readonly #now: () => number;
  /** Claims made by this store, so complete/fail never touch a record someone took over. */
  readonly #claims = new Map<string, IdempotencyRecord>();

  constructor(fence: Fence, options: { runId: string; logger: Logger; now: () => number }) {
    this.#fence = fence;
    this.#runId = options.runId;
    this.#logger = options.logger;
    this.#now = options.now;
  }

  async begin(
    key: string,
    payloadHash: string,
    options: IdempotencyBeginOptions,
  ): Promise<IdempotencyBeginResult> {
    assertClaimTtl(options.ttlMs);
    for (let attempt = 0; attempt < RACE.attempts; attempt++) {
      const now = this.#now();
      const claim: IdempotencyRecord = {
        key,
        status: 'in-progress',
        payloadHash,
        runId: options.runId ?? this.#runId,
        token: randomUUID(),
        createdAt: new Date(now).toISOString(),
        expiresAt: new Date(now + options.ttlMs).toISOString(),
        retainMs: options.retainMs ?? STATE_DEFAULTS.idempotencyRetainMs,
      };
      const outcome = await this.#fence.write('idempotency begin', async (db) => {
        const existing = await this.#select(db, key, true);
        if (!existing)
          return (await this.#insert(db, claim)) ? { kind: 'claimed' as const } : { kind: 'race' as const };
        if (Date.parse(existing.expiresAt) > now) return { kind: 'live' as const, existing };
        await this.#replace(db, claim);
        return { kind: 'claimed' as const, previous: existing };
      });
      if (outcome.kind === 'race') continue;
      if (outcome.kind === 'live') {
        const { existing } = outcome;
        if (existing.payloadHash !== payloadHash) throw new IdempotencyPayloadMismatchError(key, existing);
        if (existing.status === 'completed') return { state: 'completed', result: existing.result };
        throw new IdempotencyInProgressError(key, existing);
      }
      if (outcome.previous && outcome.previous.status !== 'completed') {
        this.#logger.warn({ key, previous: outcome.previous }, 'took over expired idempotency claim');
      }
      this.#claims.set(key, claim);
      return { state: 'new' };
    }
    throw new ConflictError(`idempotency record ${key} keeps changing hands; retry later`);
  }

  async complete(key: string, result?: unknown): Promise<void> {
    await this.#fence.write('idempotency complete', async (db) => {
      const existing = await this.#select(db, key, true);
      const ours = this.#claims.get(key);
      const base = ours ?? (existing?.status === 'in-progress' ? existing : undefined);
      if (!base) throw new InternalError(`idempotency record ${key} was never begun; call begin() first`);
      if (existing?.token !== base.token) {
        // the work is done either way; recording it stops a third run from doing it again
        this.#logger.warn(
          { key, current: existing },
          'idempotency claim was taken over; recording completion anyway',
        );
      }
      const now = this.#now();
      const completed: IdempotencyRecord = {
        ...base,
        status: 'completed',
        completedAt: new Date(now).toISOString(),
        expiresAt: new Date(now + base.retainMs).toISOString(),
        ...(result === undefined ? {} : { result }),
      };
      if (existing) await this.#replace(db, completed);
      else await this.#insert(db, completed);
    });
    this.#claims.delete(key);
  }

  async fail(key: string): Promise<void> {
    const ours = this.#claims.get(key);
    this.#claims.delete(key);
    const { schema, cli, environment } = this.#fence.scope;
    await this.#fence.write('idempotency fail', async (db) => {
      const existing = await this.#select(db, key, true);
      if (!existing || existing.status === 'completed') return;
      if (ours && existing.token !== ours.token) return;
      await db.query(
        `delete from ${schema}.idempotency where cli = $1 and environment = $2 and key = $3 and token = $4`,
        [cli, environment, key, existing.token],
      );
    });
  }

  async prune(): Promise<number> {
    const { schema, cli, environment } = this.#fence.scope;
    const result = await this.#fence.write('idempotency prune', (db) =>
      db.query(`delete from ${schema}.idempotency where cli = $1 and environment = $2 and expires_at <= $3`, [
        cli,
        environment,
        new Date(this.#now()).toISOString(),
      ]),
    );
    return result.rowCount ?? 0;
  }

  async #select(db: Queryable, key: string, forUpdate: boolean): Promise<IdempotencyRecord | undefined> {
    const { schema, cli, environment } = this.#fence.scope;
    const { rows } = await db.query<Row>(
      `select ${COLUMNS} from ${schema}.idempotency where cli = $1 and environment = $2 and key = $3${forUpdate ? ' for update' : ''}`,
      [cli, environment, key],
    );
    return rows[0] ? fromRow(rows[0]) : undefined;
  }

  async #insert(db: Queryable, record: IdempotencyRecord): Promise<boolean> {
    const { schema, cli, environment } = this.#fence.scope;
    const result = await db.query(
      `insert into ${schema}.idempotency (cli, environment, ${COLUMNS})
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12::jsonb, $13)
       on conflict (cli, environment, key) do nothing`,
      [cli, environment, ...toParams(record)],
    );
    return result.rowCount === 1;
  }

  async #replace(db: Queryable, record: IdempotencyRecord): Promise<void> {
    const { schema, cli, environment } = this.#fence.scope;
    await db.query(
      `update ${schema}.idempotency set status = $4, payload_hash = $5, run_id = $6, token = $7, created_at = $8,
         expires_at = $9, retain_ms = $10, completed_at = $11, result = $12::jsonb, has_result = $13
       where cli = $1 and environment = $2 and key = $3`,
      [cli, environment, ...toParams(record)],
    );
  }
}

function toParams(record: IdempotencyRecord): unknown[] {
  const has = record.result !== undefined;
  return [
    record.key,
    record.status,
    record.payloadHash,
    record.runId,
    record.token,
    record.createdAt,
    record.expiresAt,
    record.retainMs,
    record.completedAt ?? null,
    has ? JSON.stringify(record.result) : null,
    has,
  ];
}

function fromRow(row: Row): IdempotencyRecord {
  return {
    key: row.key,
    status: row.status,
    payloadHash: row.payload_hash,
    runId: row.run_id,
    token: row.token,
    createdAt: row.created_at.toISOString(),
    expiresAt: row.expires_at.toISOString(),
    retainMs: Number(row.retain_ms),
    ...(row.completed_at ? { completedAt: row.completed_at.toISOString() } : {}),
    ...(row.has_result ? { result: row.result } : {}),
  };
}
