import { createHash } from 'node:crypto';
import type { Pool } from 'pg';

/**
 * Versioned, append-only: a released version is never edited, a change is a new entry.
 * `S` stands for the quoted schema.
 */
export const MIGRATIONS: readonly { version: number; sql: string }[] = [
  {
    version: 1,
    sql: `
create table S.leases (
  cli text not null,
  environment text not null,
  name text not null,
  token bigint not null,
  owner jsonb,
  expires_at timestamptz not null,
  primary key (cli, environment, name)
);
create table S.runs (
  cli text not null,
  environment text not null,
  run_id text not null,
  started_at timestamptz not null,
  host text not null,
  status text not null,
  record jsonb not null,
  primary key (cli, environment, run_id)
);
create index runs_newest on S.runs (cli, environment, started_at desc);
create table S.journal_entries (
  id bigserial primary key,
  cli text not null,
  environment text not null,
  key text not null,
  kind text not null check (kind in ('begin', 'complete', 'fail')),
  step text not null,
  at timestamptz not null,
  data jsonb,
  has_data boolean not null default false,
  archived_at timestamptz
);
create index journal_open on S.journal_entries (cli, environment, key, id) where archived_at is null;
create table S.idempotency (
  cli text not null,
  environment text not null,
  key text not null,
  status text not null check (status in ('in-progress', 'completed')),
  payload_hash text not null,
  run_id text not null,
  token text not null,
  created_at timestamptz not null,
  expires_at timestamptz not null,
  retain_ms bigint not null,
  completed_at timestamptz,
  result jsonb,
  has_result boolean not null default false,
  primary key (cli, environment, key)
);
`,
  },
  {
    version: 2,
    // finish prunes archived journals per (cli, environment), newest first
    sql: `
create index journal_archived on S.journal_entries (cli, environment, archived_at desc) where archived_at is not null;
`,
  },
];

const LATEST = Math.max(...MIGRATIONS.map((m) => m.version));

/** One advisory lock key per schema, so two schemas in one database migrate independently. */
function lockKey(schemaName: string): string {
  return createHash('sha256')
    .update(`tempered-migrations:${schemaName}`)
    .digest()
    .readBigInt64BE(0)
    .toString();
}

// the schema or its migrations table is not there yet: a first use
const MISSING = new Set(['3F000', '42P01']);

/** The applied version in one round trip (every run pays it): 0 before the first migration. */
async function currentVersion(pool: Pool, schema: string): Promise<number> {
  try {
    const { rows } = await pool.query<{ v: number }>(
      `select coalesce(max(version), 0)::int as v from ${schema}.schema_migrations`,
    );
    return rows[0]?.v ?? 0;
  } catch (error) {
    if (MISSING.has((error as { code?: string }).code ?? '')) return 0;
    throw error;
  }
}

/**
 * Brings the schema to LATEST. A current schema costs one read and takes no lock (a
 * least-privilege role needs no CREATE then); otherwise the whole migration runs in one
 * transaction under pg_advisory_xact_lock, so hosts starting at once apply each version once.
 * @returns the versions this call applied.
 */
export async function migrate(pool: Pool, schema: string, schemaName: string): Promise<number[]> {
  if ((await currentVersion(pool, schema)) >= LATEST) return [];
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query('begin');
    await client.query('select pg_advisory_xact_lock($1::bigint)', [lockKey(schemaName)]);
    await client.query(`create schema if not exists ${schema}`);
    await client.query(
      `create table if not exists ${schema}.schema_migrations (version integer primary key, applied_at timestamptz not null default now())`,
    );
    const done = await client.query<{ version: number }>(`select version from ${schema}.schema_migrations`);
    const applied = new Set(done.rows.map((row) => row.version));
    const ran: number[] = [];
    for (const migration of MIGRATIONS) {
      if (applied.has(migration.version)) continue;
      await client.query(migration.sql.replaceAll('S.', `${schema}.`));
      await client.query(`insert into ${schema}.schema_migrations (version) values ($1)`, [
        migration.version,
      ]);
      ran.push(migration.version);
    }
    await client.query('commit');
    return ran;
  } catch (error) {
    broken = true;
    await client.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    client.release(broken);
  }
}
