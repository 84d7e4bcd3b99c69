import { statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TransientError } from '../../src/errors/index.js';
import { currentLockOwner } from '../../src/state/index.js';
import { openPgStateStore } from '../../src/state/pg/PgStateStore.js';
import { MIGRATIONS } from '../../src/state/pg/schema.js';
import { type Fixture, startFixture } from '../integration/state/childProcess.js';
import {
  type Cluster,
  freshDatabase,
  HAVE_PGBOUNCER,
  HAVE_POSTGRES,
  PGBOUNCER_SKIP_REASON,
  SKIP_REASON,
  startBouncer,
  startCluster,
} from './cluster.js';

const PACKAGE = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const WORKER = '../pg/lease-worker.mjs';
// short, so an abandoned lease expires within a test; renewed every third of it
const TTL_MS = 1_500;
const CONTENTION_TTL_MS = 30_000;

/** The workers import dist: refuse to test an old build of the backend. */
function assertPgBuilt(): void {
  for (const name of ['PgStateStore', 'PgLeases', 'Fence', 'PgJournal', 'schema']) {
    const src = statSync(join(PACKAGE, 'src', 'state', 'pg', `${name}.ts`)).mtimeMs;
    const built = statSync(join(PACKAGE, 'dist', 'state', 'pg', `${name}.js`), { throwIfNoEntry: false });
    if (!built || built.mtimeMs < src)
      throw new Error(`dist/state/pg/${name}.js is stale: run \`npx tsc -b\` first`);
  }
}

/** Polls `select 1` until it succeeds (at most 20 s): a later run, not one racing the restart. */
async function untilReachable(databaseUrl: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 2_000 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query('select 1');
      return;
    } catch (error) {
      if (attempt >= 200) throw error;
      await delay(100);
    } finally {
      await client.end().catch(() => undefined);
    }
  }
}

interface Failure {
  name: string;
  exitCode: number;
  message: string;
}

const describePg = HAVE_POSTGRES ? describe : describe.skip;
if (!HAVE_POSTGRES) it.skip(`PostgreSQL fault tests: ${SKIP_REASON}`, () => {});
const itBouncer = HAVE_PGBOUNCER ? it : it.skip;
if (!HAVE_PGBOUNCER) it.skip(`PgBouncer fault tests: ${PGBOUNCER_SKIP_REASON}`, () => {});
const database = (databaseUrl: string) => new URL(databaseUrl).pathname.slice(1);

describePg('PostgreSQL state backend against a real server', () => {
  let cluster: Cluster;
  let url: string;
  const children: Fixture[] = [];
  let environments = 0;

  beforeAll(async () => {
    assertPgBuilt();
    cluster = await startCluster();
    url = await freshDatabase(cluster);
  }, 60_000);
  afterEach(async () => {
    await Promise.all(children.splice(0).map((child) => child.kill()));
  });
  afterAll(() => cluster?.stop());

  function worker(
    environment: string,
    runId: string,
    host: string,
    workerUrl = url,
    ttlMs = TTL_MS,
  ): Fixture {
    const child = startFixture(WORKER, workerUrl, environment, runId, host, String(ttlMs));
    children.push(child);
    return child;
  }
  const freshEnvironment = () => `faults${++environments}`;

  /** Two workers, 50 rounds each; in commit order every start must be followed by its own end. */
  async function contend(workerUrl: string): Promise<string[]> {
    const environment = freshEnvironment();
    // exclusion needs no expiry: a long lease keeps a starved worker (busy CI) from losing it
    const a = worker(environment, 'run-a', 'host-a', workerUrl, CONTENTION_TTL_MS);
    const b = worker(environment, 'run-b', 'host-b', workerUrl, CONTENTION_TTL_MS);
    await Promise.all([a.event('opened'), b.event('opened')]);
    a.send('contend 50');
    b.send('contend 50');
    await Promise.all([a.event('contended', 120_000), b.event('contended', 120_000)]);
    return (
      await cluster.psql(
        `select step from tempered.journal_entries where environment = '${environment}' and kind = 'complete' order by id`,
        database(url),
      )
    ).split('\n');
  }
  const overlapsIn = (steps: string[]) =>
    steps.filter(
      (step, i) =>
        i % 2 === 0 && (!step.endsWith(':start') || steps[i + 1] !== step.replace(/:start$/, ':end')),
    );

  it('two processes on different hosts contend for one lock 50 times each with no overlap', async () => {
    // Act
    const steps = await contend(url);
    // Assess
    expect(steps).toHaveLength(200);
    expect(overlapsIn(steps)).toEqual([]);
  }, 180_000);

  itBouncer(
    'the same contention through PgBouncer in transaction mode: no overlap',
    async () => {
      // Prepare
      const bouncer = await startBouncer(cluster);
      try {
        // Act
        const steps = await contend(bouncer.urlFor(database(url)));
        // Assess
        expect(steps).toHaveLength(200);
        expect(overlapsIn(steps)).toEqual([]);
      } finally {
        await Promise.all(children.splice(0).map((child) => child.kill()));
        await bouncer.stop();
      }
    },
    180_000,
  );

  it('after kill -9 of the holder the next run gets the lock once the lease expires, with no manual step', async () => {
    // Prepare
    const environment = freshEnvironment();
    const holder = worker(environment, 'run-killed', 'host-a');
    await holder.event('opened');
    holder.send('acquire');
    const first = await holder.event<{ token: number }>('acquired');
    await holder.kill('SIGKILL');
    const next = worker(environment, 'run-next', 'host-b');
    await next.event('opened');
    // Act
    next.send(`acquire ${TTL_MS * 10}`);
    const second = await next.event<{ token: number }>('acquired');
    // Assess
    expect(second.token).toBeGreaterThan(first.token);
  });

  it('a paused holder whose lease was taken over writes nothing once it resumes (exit 75)', async () => {
    // Prepare
    const environment = freshEnvironment();
    const holder = worker(environment, 'run-paused', 'host-a');
    await holder.event('opened');
    holder.send('acquire');
    await holder.event('acquired');
    holder.send('write step-1');
    await holder.event('written');
    holder.process.kill('SIGSTOP');
    const next = worker(environment, 'run-next', 'host-b');
    await next.event('opened');
    next.send(`acquire ${TTL_MS * 10}`);
    const taken = await next.event<{ completed: string[] }>('acquired');
    // Act: the old run wakes up with its old token and tries its next write
    holder.process.kill('SIGCONT');
    holder.send('write step-2');
    const refused = await holder.event<Failure>('write-failed');
    next.send('write step-2');
    await next.event('written');
    // Assess
    expect(taken.completed).toEqual(['step-1']);
    expect(refused.exitCode).toBe(75);
    expect(refused.message).toMatch(/no longer held by this run/);
    const rows = await cluster.psql(
      `select count(*) from tempered.journal_entries where environment = '${environment}' and step = 'step-2' and kind = 'complete'`,
      url.split('/').pop(),
    );
    expect(rows).toBe('1');
  });

  it('pg_terminate_backend of the holder stops it before its next write; the re-run resumes without repeating', async () => {
    // Prepare
    const environment = freshEnvironment();
    const holder = worker(environment, 'run-cut', 'host-a');
    await holder.event('opened');
    holder.send('acquire');
    await holder.event('acquired');
    holder.send('write step-1');
    await holder.event('written');
    // Act
    const killed = await cluster.psql(
      "select count(pg_terminate_backend(pid)) from pg_stat_activity where application_name = 'tempered:faults:run-cut'",
    );
    holder.send('write step-2');
    const refused = await holder.event<Failure>('write-failed');
    const rerun = worker(environment, 'run-rerun', 'host-b');
    await rerun.event('opened');
    rerun.send(`acquire ${TTL_MS * 10}`);
    const resumed = await rerun.event<{ resumed: boolean; completed: string[] }>('acquired');
    rerun.send('write step-1');
    await rerun.event('skipped');
    rerun.send('write step-2');
    await rerun.event('written');
    // Assess
    expect(Number(killed)).toBeGreaterThan(0);
    expect(refused.exitCode).toBe(75);
    expect(resumed).toMatchObject({ resumed: true, completed: ['step-1'] });
    const counts = await cluster.psql(
      `select step || '=' || count(*) from tempered.journal_entries where environment = '${environment}' and kind = 'complete' group by step order by step`,
      url.split('/').pop(),
    );
    expect(counts.split('\n')).toEqual(['step-1=1', 'step-2=1']);
  });

  /**
   * The holder has written step-1 when the server restarts under it; its next write must fail
   * (exit 75) and a re-run from another host resume after step-1 without repeating it.
   */
  async function restartMidRun(workerUrl: string) {
    const environment = freshEnvironment();
    const holder = worker(environment, 'run-restarted', 'host-a', workerUrl);
    await holder.event('opened');
    holder.send('acquire');
    await holder.event('acquired');
    holder.send('write step-1');
    await holder.event('written');
    await cluster.stopServer();
    // down long enough for heartbeats to fail against it, as a real restart would be
    await delay(TTL_MS / 2);
    await cluster.startServer();
    holder.send('write step-2');
    const refused = await holder.event<Failure>('write-failed', 60_000);
    const exit = await holder.exited;
    // the re-run comes once the server answers again (PgBouncer waits server_login_retry first)
    await untilReachable(workerUrl);
    const rerun = worker(environment, 'run-rerun', 'host-b', workerUrl);
    await rerun.event('opened');
    rerun.send(`acquire ${TTL_MS * 10}`);
    const resumed = await rerun.event<{ resumed: boolean; completed: string[] }>('acquired');
    rerun.send('write step-1');
    await rerun.event('skipped');
    rerun.send('write step-2');
    await rerun.event('written');
    const counts = await cluster.psql(
      `select step || '=' || count(*) from tempered.journal_entries where environment = '${environment}' and kind = 'complete' group by step order by step`,
      database(url),
    );
    return { refused, exit, resumed, counts: counts.split('\n') };
  }

  it('a server restarted mid-run stops the holder before its next write (exit 75); the re-run resumes without repeating', async () => {
    // Act
    const outcome = await restartMidRun(url);
    // Assess
    expect(outcome.refused).toMatchObject({
      exitCode: 75,
      message: expect.stringMatching(/no longer held by this run/),
    });
    expect(outcome.exit.code).toBe(75);
    expect(outcome.resumed).toMatchObject({ resumed: true, completed: ['step-1'] });
    expect(outcome.counts).toEqual(['step-1=1', 'step-2=1']);
  }, 90_000);

  itBouncer(
    'the same restart behind PgBouncer, which hides the lost connections from the holder',
    async () => {
      // Prepare
      const bouncer = await startBouncer(cluster);
      try {
        // Act
        const outcome = await restartMidRun(bouncer.urlFor(database(url)));
        // Assess
        // the lease found lost, or PgBouncer refusing while its server login retry runs: either
        // way exit 75 with nothing written (counts below)
        expect(outcome.refused.exitCode).toBe(75);
        expect(outcome.exit.code).toBe(75);
        expect(outcome.resumed).toMatchObject({ resumed: true, completed: ['step-1'] });
        expect(outcome.counts).toEqual(['step-1=1', 'step-2=1']);
      } finally {
        await Promise.all(children.splice(0).map((child) => child.kill()));
        await bouncer.stop();
      }
    },
    90_000,
  );

  it('ten processes opening an empty database at once migrate it once and all succeed', async () => {
    // Prepare
    const emptyUrl = await freshDatabase(cluster);
    const workers = Array.from({ length: 10 }, (_, i) =>
      worker(freshEnvironment(), `run-${i}`, 'host-a', emptyUrl),
    );
    // Act
    const opened = await Promise.all(
      workers.map((w) => w.waitFor(/^\{"event":"(opened|open-failed)"/, 60_000)),
    );
    // Assess
    expect(opened.map((line) => JSON.parse(line).event)).toEqual(Array(10).fill('opened'));
    const versions = await cluster.psql(
      'select version from tempered.schema_migrations order by version',
      emptyUrl.split('/').pop(),
    );
    expect(versions.split('\n').map(Number)).toEqual(MIGRATIONS.map((m) => m.version));
  }, 90_000);

  it('with the server stopped, opening fails with exit 75 in one line without the password, and writes nothing', async () => {
    // Prepare
    const emptyUrl = await freshDatabase(cluster);
    const database = emptyUrl.split('/').pop() ?? '';
    const withPassword = emptyUrl.replace('postgres@', 'postgres:hunter2-pg-secret@');
    await cluster.stopServer();
    // Act
    const error = await openPgStateStore({
      url: withPassword,
      cli: 'faults',
      environment: 'prod',
      runId: 'run-down',
    }).catch((e: unknown) => e);
    await cluster.startServer();
    // Assess
    expect(error).toBeInstanceOf(TransientError);
    expect((error as TransientError).exitCode).toBe(75);
    const message = (error as Error).message;
    expect(message).toContain(`127.0.0.1:${new URL(emptyUrl).port}/${database}`);
    expect(message).not.toContain('hunter2');
    expect(message).not.toContain('\n');
    expect(await cluster.psql("select count(*) from pg_namespace where nspname = 'tempered'", database)).toBe(
      '0',
    );
  });

  it('a lease renewed by its heartbeat outlives its TTL; releasing frees it for the next run', async () => {
    // Prepare
    const environment = freshEnvironment();
    const store = await openPgStateStore({
      url,
      cli: 'faults',
      environment,
      runId: 'run-long',
      leaseTtlMs: 600,
    });
    const other = await openPgStateStore({
      url,
      cli: 'faults',
      environment,
      runId: 'run-other',
      leaseTtlMs: 600,
    });
    const held = await store.acquireLock('job', {
      owner: { ...currentLockOwner('run-long'), host: 'host-a' },
    });
    // Act: wait through several TTLs for the lease; it must stay held
    const refused = await other
      .acquireLock('job', {
        owner: { ...currentLockOwner('run-other'), host: 'host-b' },
        waitMs: 2_000,
        pollMs: 50,
      })
      .catch((e: unknown) => e);
    await held.release();
    const got = await other.acquireLock('job', {
      owner: { ...currentLockOwner('run-other'), host: 'host-b' },
    });
    // Assess
    expect((refused as Error).name).toBe('LockHeldError');
    expect(got.token).toBeGreaterThan(held.token as number);
    await got.release();
    await Promise.all([store.close(), other.close()]);
  });
});
