import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TransientError } from '../../src/errors/index.js';
import { currentLockOwner } from '../../src/state/index.js';
import { openPgStateStore, type PgStateStore } from '../../src/state/pg/PgStateStore.js';
import { type Cluster, freshDatabase, HAVE_POSTGRES, SKIP_REASON, startCluster } from './cluster.js';

// each idempotency write is one statement fenced inside it: a run whose lease was taken over
// between two of its writes must store nothing, without a transaction of its own to notice it
describe.skipIf(!HAVE_POSTGRES)('idempotency writes fenced inside their one statement', () => {
  let cluster: Cluster;
  let url: string;
  const stores: PgStateStore[] = [];
  beforeAll(async () => {
    cluster = await startCluster();
    url = await freshDatabase(cluster);
  }, 60_000);
  afterAll(async () => {
    await Promise.all(stores.map((store) => store.close().catch(() => undefined)));
    await cluster?.stop();
  });
  const database = () => url.split('/').pop();
  const row = (key: string) =>
    cluster.psql(
      `select coalesce(max(status), 'none') from tempered.idempotency where key = '${key}'`,
      database(),
    );

  it('refuses begin and complete once the lease was taken over, and stores nothing', async () => {
    // Prepare
    const store = await openPgStateStore({ url, cli: 'fenced', environment: 'prod', runId: 'run-old' });
    stores.push(store);
    await store.acquireLock('job', { owner: currentLockOwner('run-old', 'fenced') });
    expect(await store.idempotency.begin('k1', 'h', { ttlMs: 60_000 })).toEqual({ state: 'new' });
    // a takeover as another host's acquisition makes it: the token moves on
    await cluster.psql(
      "update tempered.leases set token = token + 1, owner = null where cli = 'fenced' and name = 'job'",
      database(),
    );
    // Act
    const complete = await store.idempotency.complete('k1', 'done').catch((e: unknown) => e);
    const begin = await store.idempotency.begin('k2', 'h', { ttlMs: 60_000 }).catch((e: unknown) => e);
    // Assess
    expect(complete).toBeInstanceOf(TransientError);
    expect((complete as TransientError).exitCode).toBe(75);
    expect((complete as Error).message).toMatch(/lock "job" is no longer held by this run \(taken over/);
    expect(begin).toBeInstanceOf(TransientError);
    expect(await row('k1')).toBe('in-progress');
    expect(await row('k2')).toBe('none');
  });

  it('writes while the lease is ours: begin and complete land, a repeat gets the result', async () => {
    // Prepare
    const store = await openPgStateStore({ url, cli: 'fenced', environment: 'stage', runId: 'run-ok' });
    stores.push(store);
    await store.acquireLock('job', { owner: currentLockOwner('run-ok', 'fenced') });
    // Act
    await store.idempotency.begin('k3', 'h', { ttlMs: 60_000 });
    await store.idempotency.complete('k3', { n: 3 });
    const repeat = await store.idempotency.begin('k3', 'h', { ttlMs: 60_000 });
    // Assess
    expect(repeat).toEqual({ state: 'completed', result: { n: 3 } });
    expect(await row('k3')).toBe('completed');
  });
});

if (!HAVE_POSTGRES) it.skip(`fenced statements: ${SKIP_REASON}`, () => {});
