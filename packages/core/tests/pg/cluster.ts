import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The part of tools/testkit's PostgresCluster these tests use. */
export interface Cluster {
  readonly url: string;
  urlFor(database: string): string;
  psql(sql: string, database?: string): Promise<string>;
  createDatabase(name: string): Promise<string>;
  stopServer(): Promise<void>;
  startServer(): Promise<void>;
  stop(): Promise<void>;
}

/** The part of tools/testkit's PgBouncer these tests use. */
export interface Bouncer {
  readonly url: string;
  urlFor(database: string): string;
  stop(): Promise<void>;
}

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
const PG_ROOT = '/usr/lib/postgresql';

/**
 * Whether PostgreSQL's binaries are here. Only their absence skips these tests (a laptop
 * without PostgreSQL); .ci/run installs them, so there they always run.
 */
export const HAVE_POSTGRES =
  existsSync(PG_ROOT) && readdirSync(PG_ROOT).some((v) => existsSync(join(PG_ROOT, v, 'bin', 'initdb')));
export const SKIP_REASON = `PostgreSQL binaries not found in ${PG_ROOT}/<version>/bin: install the postgresql package to run these tests`;

if (!HAVE_POSTGRES && process.env.CI) {
  // CI installs postgresql; a skip there would hide the whole backend
  throw new Error(SKIP_REASON);
}
if (!HAVE_POSTGRES) console.warn(`skipping PostgreSQL state tests: ${SKIP_REASON}`);

const PGBOUNCER = '/usr/sbin/pgbouncer';
/** Same rule for PgBouncer (Debian's pgbouncer package): skipped with a reason, except in CI. */
export const HAVE_PGBOUNCER = existsSync(PGBOUNCER);
export const PGBOUNCER_SKIP_REASON = `${PGBOUNCER} not found: install the pgbouncer package to run the PgBouncer tests`;
if (!HAVE_PGBOUNCER && process.env.CI) throw new Error(PGBOUNCER_SKIP_REASON);
if (!HAVE_PGBOUNCER) console.warn(`skipping PgBouncer state tests: ${PGBOUNCER_SKIP_REASON}`);

/**
 * The testkit harness (tools/testkit/src/postgres.ts). core does not depend on the testkit
 * package, so its source is loaded by path; vitest compiles it.
 */
export async function startCluster(): Promise<Cluster> {
  const url = pathToFileURL(join(REPO, 'tools', 'testkit', 'src', 'postgres.ts')).href;
  const harness = (await import(/* @vite-ignore */ url)) as { startPostgres(): Promise<Cluster> };
  return harness.startPostgres();
}

/** PgBouncer in transaction mode in front of the cluster (tools/testkit's startPgBouncer). */
export async function startBouncer(cluster: Cluster): Promise<Bouncer> {
  const url = pathToFileURL(join(REPO, 'tools', 'testkit', 'src', 'postgres.ts')).href;
  const harness = (await import(/* @vite-ignore */ url)) as {
    startPgBouncer(cluster: { port: number }): Promise<Bouncer>;
  };
  return harness.startPgBouncer({ port: Number(new URL(cluster.url).port) });
}

let databases = 0;
/** A fresh database per test: no test sees another's rows or schema. */
export async function freshDatabase(cluster: Cluster): Promise<string> {
  databases += 1;
  return cluster.createDatabase(`t_${process.pid}_${databases}`);
}
