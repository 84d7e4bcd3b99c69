import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Bouncer,
  type Cluster,
  HAVE_PGBOUNCER,
  HAVE_POSTGRES,
  PGBOUNCER_SKIP_REASON,
  startBouncer,
  startCluster,
} from './cluster.js';

const describeBouncer = HAVE_POSTGRES && HAVE_PGBOUNCER ? describe : describe.skip;
if (!HAVE_PGBOUNCER) it.skip(`PgBouncer harness: ${PGBOUNCER_SKIP_REASON}`, () => {});

// The PgBouncer tests prove something only if the harness really pools per transaction.
describeBouncer('startPgBouncer: PgBouncer in transaction mode in front of the cluster', () => {
  let cluster: Cluster;
  let bouncer: Bouncer;

  beforeAll(async () => {
    cluster = await startCluster();
    bouncer = await startBouncer(cluster);
  }, 60_000);
  afterAll(async () => {
    await bouncer?.stop();
    await cluster?.stop();
  });

  it('lends a server connection per transaction: a second client reuses the one the first left', async () => {
    // Prepare
    const a = new pg.Client({ connectionString: bouncer.url });
    const b = new pg.Client({ connectionString: bouncer.url });
    await Promise.all([a.connect(), b.connect()]);
    try {
      // Act: A stays connected; in session mode its server connection would stay its own
      const first = await a.query<{ pid: number }>('select pg_backend_pid() as pid');
      const second = await b.query<{ pid: number }>('select pg_backend_pid() as pid');
      // Assess
      expect(second.rows[0]?.pid).toBe(first.rows[0]?.pid);
    } finally {
      await Promise.all([a.end(), b.end()]);
    }
  });

  it('stops: nothing listens on its port afterwards', async () => {
    // Prepare
    const extra = await startBouncer(cluster);
    // Act
    await extra.stop();
    const client = new pg.Client({ connectionString: extra.url, connectionTimeoutMillis: 2_000 });
    const error = await client.connect().catch((e: unknown) => e);
    // Assess
    expect((error as { code?: string }).code).toBe('ECONNREFUSED');
  });
});
