import { hostname } from 'node:os';
import type { Redactor } from '../../log/index.js';
import { assertRunRecord } from '../checkRecords.js';
import type { ListRunsOptions, RunRecord } from '../types.js';
import type { Fence } from './Fence.js';

/**
 * Run history, one row per run with the record as jsonb, pruned to the newest `maxRuns` per
 * (cli, environment) on every write. `host` is always stored, so `stats` can break down by host.
 * @internal
 */
export class PgRunRecords {
  readonly #fence: Fence;
  readonly #redactor: Redactor;
  readonly #maxRuns: number;

  constructor(fence: Fence, redactor: Redactor, maxRuns: number) {
    this.#fence = fence;
    this.#redactor = redactor;
    this.#maxRuns = maxRuns;
  }

  async record(record: RunRecord): Promise<void> {
    assertRunRecord(record);
    const stored: RunRecord = {
      ...record,
      host: record.host ?? hostname(),
      ...(record.failure
        ? { failure: { ...record.failure, message: this.#redactor.redactString(record.failure.message) } }
        : {}),
    };
    const { schema, cli, environment } = this.#fence.scope;
    // one statement: the record goes in only if it ranks among the newest maxRuns (counting
    // itself), and the rows it pushes out go in the same statement, as insert-then-prune would
    await this.#fence.statement(
      'run record',
      `, kept as (
         insert into ${schema}.runs (cli, environment, run_id, started_at, host, status, record)
         select $1, $2, $3, $4, $5, $6, $7::jsonb
         where (select ok from fence) and (
           select count(*) from ${schema}.runs where cli = $1 and environment = $2 and run_id <> $3
             and (started_at, run_id) > ($4::timestamptz, $3::text)) < $8
         on conflict (cli, environment, run_id) do update
           set started_at = excluded.started_at, host = excluded.host, status = excluded.status, record = excluded.record),
       pruned as (
         delete from ${schema}.runs where cli = $1 and environment = $2 and (select ok from fence) and run_id in (
           select run_id from (
             select started_at, run_id from ${schema}.runs where cli = $1 and environment = $2 and run_id <> $3
             union all select $4::timestamptz, $3::text) newest
           order by started_at desc, run_id desc offset $8))
       select (select ok from fence) as fenced`,
      [
        cli,
        environment,
        stored.runId,
        stored.startedAt,
        stored.host,
        stored.status,
        JSON.stringify(stored),
        this.#maxRuns,
      ],
    );
  }

  async list(options: ListRunsOptions = {}): Promise<RunRecord[]> {
    const { schema, cli, environment } = this.#fence.scope;
    const { rows } = await this.#fence.read('run history', (db) =>
      db.query<{ record: RunRecord }>(
        `select record from ${schema}.runs
         where cli = $1 and environment = $2 and ($3::timestamptz is null or started_at >= $3)
         order by started_at desc, run_id desc limit $4`,
        [cli, environment, options.since?.toISOString() ?? null, options.limit ?? null],
      ),
    );
    return rows.map((row) => row.record);
  }
}
