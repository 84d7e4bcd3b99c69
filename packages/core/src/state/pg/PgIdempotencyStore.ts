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
import type { Fence } from './Fence.js';

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

/** Every column but the key's scope, as `insert ... select` lists them ($3..$13 of toParams). */
const VALUES = '$3, $4, $5, $6, $7, $8, $9, $10, $11, $12::jsonb, $13';
const SET_ALL = `status = excluded.status, payload_hash = excluded.payload_hash, run_id = excluded.run_id,
  token = excluded.token, created_at = excluded.created_at, expires_at = excluded.expires_at,
  retain_ms = excluded.retain_ms, completed_at = excluded.completed_at, result = excluded.result,
  has_result = excluded.has_result`;

type Existing = { fenced: boolean } & { [K in keyof Row]: Row[K] | null };

/**
 * One row per key. Each call is ONE statement (one round trip), fenced on the run's lease inside
 * it (Fence.statement): `begin` reads the row FOR UPDATE and, in the same statement, inserts the
 * claim or takes over an expired one (an upsert that only updates an expired row), so two runs
 * cannot both get `new`; expiry is judged by the store's clock, as the file backend does. Same
 * semantics and errors as FileIdempotencyStore.
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
    const { schema, cli, environment } = this.#fence.scope;
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
      // `old` is read (and locked) before the upsert runs, because the upsert's own rows come
      // from it; a live row stops the upsert, an expired one is replaced, a missing one inserted
      // (losing a concurrent insert: neither claimed nor seen, so try again)
      const [row] = await this.#fence.statement<Existing & { claimed: boolean }>(
        'idempotency begin',
        `, old as (select ${COLUMNS} from ${schema}.idempotency where cli = $1 and environment = $2 and key = $3 for update),
         claimed as (
           insert into ${schema}.idempotency as i (cli, environment, ${COLUMNS})
           select $1, $2, ${VALUES} from (select 1) one left join old on true
           where (select ok from fence) and (old.key is null or old.expires_at <= $14)
           on conflict (cli, environment, key) do update set ${SET_ALL} where i.expires_at <= $14
           returning 1)
         select (select ok from fence) as fenced, exists (select 1 from claimed) as claimed, old.*
         from (select 1) one left join old on true`,
        [cli, environment, ...toParams(claim), new Date(now).toISOString()],
      );
      const existing = row?.key ? fromRow(row as Row) : undefined;
      if (!row?.claimed) {
        if (!existing || Date.parse(existing.expiresAt) <= now) continue;
        if (existing.payloadHash !== payloadHash) throw new IdempotencyPayloadMismatchError(key, existing);
        if (existing.status === 'completed') return { state: 'completed', result: existing.result };
        throw new IdempotencyInProgressError(key, existing);
      }
      if (existing && existing.status !== 'completed') {
        this.#logger.warn({ key, previous: existing }, 'took over expired idempotency claim');
      }
      this.#claims.set(key, claim);
      return { state: 'new' };
    }
    throw new ConflictError(`idempotency record ${key} keeps changing hands; retry later`);
  }

  async complete(key: string, result?: unknown): Promise<void> {
    const ours = this.#claims.get(key);
    if (ours) await this.#completeOurs(ours, result);
    else await this.#completeInProgress(key, result);
    this.#claims.delete(key);
  }

  /** Our claim, completed whatever the row says now: the work is done either way. */
  async #completeOurs(ours: IdempotencyRecord, result: unknown): Promise<void> {
    const { schema, cli, environment } = this.#fence.scope;
    const now = this.#now();
    const completed: IdempotencyRecord = {
      ...ours,
      status: 'completed',
      completedAt: new Date(now).toISOString(),
      expiresAt: new Date(now + ours.retainMs).toISOString(),
      ...(result === undefined ? {} : { result }),
    };
    const [row] = await this.#fence.statement<Existing>(
      'idempotency complete',
      `, old as (select ${COLUMNS} from ${schema}.idempotency where cli = $1 and environment = $2 and key = $3 for update),
       done as (
         insert into ${schema}.idempotency as i (cli, environment, ${COLUMNS})
         select $1, $2, ${VALUES} from (select 1) one left join old on true
         where (select ok from fence)
         on conflict (cli, environment, key) do update set ${SET_ALL}
         returning 1)
       select (select ok from fence) as fenced, old.* from (select 1) one left join old on true`,
      [cli, environment, ...toParams(completed)],
    );
    if (row?.token !== ours.token) {
      // the work is done either way; recording it stops a third run from doing it again
      this.#logger.warn(
        { key: ours.key, current: row?.key ? fromRow(row as Row) : undefined },
        'idempotency claim was taken over; recording completion anyway',
      );
    }
  }

  /** A claim this store did not make (another store of the run): completed in place if still in progress. */
  async #completeInProgress(key: string, result: unknown): Promise<void> {
    const { schema, cli, environment } = this.#fence.scope;
    const has = result !== undefined;
    const [row] = await this.#fence.statement<{ fenced: boolean; done: boolean }>(
      'idempotency complete',
      `, done as (
         update ${schema}.idempotency set status = 'completed', completed_at = $4,
           expires_at = $4::timestamptz + retain_ms * interval '1 millisecond', result = $5::jsonb, has_result = $6
         where cli = $1 and environment = $2 and key = $3 and status = 'in-progress' and (select ok from fence)
         returning 1)
       select (select ok from fence) as fenced, exists (select 1 from done) as done`,
      [cli, environment, key, new Date(this.#now()).toISOString(), has ? JSON.stringify(result) : null, has],
    );
    if (!row?.done) throw new InternalError(`idempotency record ${key} was never begun; call begin() first`);
  }

  async fail(key: string): Promise<void> {
    const ours = this.#claims.get(key);
    this.#claims.delete(key);
    const { schema, cli, environment } = this.#fence.scope;
    // a completed record stays; our claim is dropped only while the row is still ours
    await this.#fence.statement(
      'idempotency fail',
      `, gone as (
         delete from ${schema}.idempotency where cli = $1 and environment = $2 and key = $3
           and status = 'in-progress' and ($4::text is null or token = $4) and (select ok from fence))
       select (select ok from fence) as fenced`,
      [cli, environment, key, ours?.token ?? null],
    );
  }

  async prune(): Promise<number> {
    const { schema, cli, environment } = this.#fence.scope;
    const [row] = await this.#fence.statement<{ fenced: boolean; removed: number }>(
      'idempotency prune',
      `, gone as (
         delete from ${schema}.idempotency where cli = $1 and environment = $2 and expires_at <= $3
           and (select ok from fence) returning 1)
       select (select ok from fence) as fenced, (select count(*) from gone)::int as removed`,
      [cli, environment, new Date(this.#now()).toISOString()],
    );
    return row?.removed ?? 0;
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
