import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConflictError, InternalError, LockHeldError } from '../../src/errors/index.js';
import type { Logger } from '../../src/log/index.js';
import { secrets } from '../../src/log/index.js';
import {
  currentLockOwner,
  FileStateStore,
  IdempotencyInProgressError,
  IdempotencyPayloadMismatchError,
  type RunRecord,
  type StateStore,
} from '../../src/state/index.js';
import { openPgStateStore, type PgStateStore } from '../../src/state/pg/PgStateStore.js';
import { captureLog, deadPid, manualClock } from '../unit/state/helpers.js';
import {
  type Bouncer,
  type Cluster,
  HAVE_PGBOUNCER,
  HAVE_POSTGRES,
  PGBOUNCER_SKIP_REASON,
  SKIP_REASON,
  startBouncer,
  startCluster,
} from './cluster.js';

interface OpenOptions {
  environment: string;
  runId?: string;
  now?: () => number;
  logger?: Logger;
  maxRuns?: number;
  maxArchivedJournals?: number;
}

/** Only the bound options that were given, for either backend. */
const bounds = ({ maxRuns, maxArchivedJournals }: OpenOptions) => ({
  ...(maxRuns ? { maxRuns } : {}),
  ...(maxArchivedJournals ? { maxArchivedJournals } : {}),
});

interface Backend {
  name: string;
  setup(): Promise<void>;
  teardown(): Promise<void>;
  open(options: OpenOptions): Promise<StateStore>;
  /** How many finished journals the environment keeps (not part of StateStore: read underneath). */
  archivedJournals(environment: string): Promise<number>;
}

function fileBackend(): Backend {
  let root = '';
  return {
    name: 'file',
    async setup() {
      root = await mkdtemp(join(tmpdir(), 'tempered-contract-'));
    },
    teardown: () => rm(root, { recursive: true, force: true }),
    async open(options) {
      const { environment, runId = 'run-x', now, logger } = options;
      return new FileStateStore(join(root, environment), {
        runId,
        ...bounds(options),
        ...(now ? { now } : {}),
        ...(logger ? { logger } : {}),
      });
    },
    async archivedJournals(environment) {
      return (await readdir(join(root, environment, 'journals', 'archive'))).length;
    },
  };
}

/** Directly, or through PgBouncer in transaction mode (no session state survives a transaction). */
function pgBackend(via: 'direct' | 'pgbouncer'): Backend {
  let cluster: Cluster | undefined;
  let bouncer: Bouncer | undefined;
  const stores: PgStateStore[] = [];
  return {
    name: via === 'direct' ? 'postgres' : 'postgres through PgBouncer (transaction mode)',
    async setup() {
      cluster = await startCluster();
      if (via === 'pgbouncer') bouncer = await startBouncer(cluster);
    },
    async teardown() {
      await Promise.all(stores.splice(0).map((store) => store.close().catch(() => undefined)));
      await bouncer?.stop();
      await cluster?.stop();
    },
    async open(options) {
      const { environment, runId = 'run-x', now, logger } = options;
      if (!cluster) throw new Error('no cluster');
      const store = await openPgStateStore({
        ...bounds(options),
        url: (bouncer ?? cluster).url,
        cli: 'contract',
        environment,
        runId,
        ...(now ? { now } : {}),
        ...(logger ? { logger } : {}),
      });
      stores.push(store);
      return store;
    },
    async archivedJournals(environment) {
      if (!cluster) throw new Error('no cluster');
      return Number(
        await cluster.psql(
          `select count(distinct (key, archived_at)) from tempered.journal_entries
           where cli = 'contract' and environment = '${environment}' and archived_at is not null`,
        ),
      );
    },
  };
}

const backends = [
  fileBackend(),
  ...(HAVE_POSTGRES ? [pgBackend('direct')] : []),
  ...(HAVE_POSTGRES && HAVE_PGBOUNCER ? [pgBackend('pgbouncer')] : []),
];
if (!HAVE_POSTGRES) it.skip(`postgres backend: ${SKIP_REASON}`, () => {});
if (!HAVE_PGBOUNCER) it.skip(`postgres through PgBouncer: ${PGBOUNCER_SKIP_REASON}`, () => {});

let environments = 0;
const freshEnvironment = () => `env${++environments}`;

function run(runId: string, startedAt: string, extra: Partial<RunRecord> = {}): RunRecord {
  return {
    runId,
    cli: 'contract',
    command: 'apply',
    environment: 'prod',
    status: 'success',
    exitCode: 0,
    startedAt,
    finishedAt: startedAt,
    durationMs: 5,
    counts: { changed: 1 },
    retries: 0,
    ...extra,
  };
}

describe.each(backends)('StateStore contract: $name backend', (backend) => {
  beforeAll(() => backend.setup(), 60_000);
  afterAll(() => backend.teardown());

  describe('locks', () => {
    it('is exclusive: a second run is refused with exit 75 naming the holder, and gets it after release', async () => {
      // Prepare
      const environment = freshEnvironment();
      const a = await backend.open({ environment, runId: 'run-a' });
      const b = await backend.open({ environment, runId: 'run-b' });
      const held = await a.acquireLock('job', { owner: currentLockOwner('run-a', 'apply') });
      // Act
      const refused = await b
        .acquireLock('job', { owner: currentLockOwner('run-b') })
        .catch((e: unknown) => e);
      await held.release();
      const later = await b.acquireLock('job', { owner: currentLockOwner('run-b') });
      // Assess
      expect(refused).toBeInstanceOf(LockHeldError);
      expect((refused as LockHeldError).exitCode).toBe(75);
      expect((refused as LockHeldError).owner?.runId).toBe('run-a');
      expect((refused as Error).message).toContain('run run-a');
      expect(later.owner.runId).toBe('run-b');
      await later.release();
    });

    it('waits for a held lock when asked to, and takes it once released', async () => {
      // Prepare
      const environment = freshEnvironment();
      const a = await backend.open({ environment, runId: 'run-a' });
      const b = await backend.open({ environment, runId: 'run-b' });
      const held = await a.acquireLock('job', { owner: currentLockOwner('run-a') });
      const log = captureLog();
      // Act
      const waiting = b.acquireLock('job', {
        owner: currentLockOwner('run-b'),
        waitMs: 20_000,
        pollMs: 20,
        logger: log.logger,
      });
      await log.waitFor('lock held by another run; waiting');
      await held.release();
      const got = await waiting;
      // Assess
      expect(got.owner.runId).toBe('run-b');
      expect(log.messages()).toContain('lock acquired after waiting');
      await got.release();
    });

    it('inspects the owner while held and nothing once released', async () => {
      // Prepare
      const environment = freshEnvironment();
      const store = await backend.open({ environment });
      const before = await store.inspectLock('job');
      // Act
      const held = await store.acquireLock('job', { owner: currentLockOwner('run-a', 'apply') });
      const during = await store.inspectLock('job');
      await held.release();
      await held.release();
      const after = await store.inspectLock('job');
      // Assess
      expect(before).toBeUndefined();
      expect(during).toMatchObject({ runId: 'run-a', pid: process.pid, command: 'apply' });
      expect(after).toBeUndefined();
    });

    it('refuses to break a lock whose owner is alive on this host', async () => {
      // Prepare
      const environment = freshEnvironment();
      const store = await backend.open({ environment });
      const held = await store.acquireLock('job', { owner: currentLockOwner('run-a') });
      // Act
      const error = await store.breakLock('job').catch((e: unknown) => e);
      // Assess
      expect(error).toBeInstanceOf(ConflictError);
      expect(await store.inspectLock('job')).toMatchObject({ runId: 'run-a' });
      await held.release();
    });

    it('breaks a lock whose owner is gone (or on another host) and returns that owner', async () => {
      // Prepare
      const environment = freshEnvironment();
      const store = await backend.open({ environment });
      await store.acquireLock('dead', { owner: { ...currentLockOwner('run-dead'), pid: deadPid() } });
      await store.acquireLock('remote', {
        owner: { ...currentLockOwner('run-remote'), host: 'elsewhere.example' },
      });
      // Act
      const dead = await store.breakLock('dead');
      const remote = await store.breakLock('remote');
      // Assess
      expect(dead?.runId).toBe('run-dead');
      expect(remote?.runId).toBe('run-remote');
      expect(await store.inspectLock('dead')).toBeUndefined();
      expect(await store.inspectLock('remote')).toBeUndefined();
      expect(await store.breakLock('dead')).toBeUndefined();
    });

    it('takes over a lock whose owner died on this host, with a warning', async () => {
      // Prepare
      const environment = freshEnvironment();
      const log = captureLog();
      const store = await backend.open({ environment, logger: log.logger });
      await store.acquireLock('job', { owner: { ...currentLockOwner('run-dead'), pid: deadPid() } });
      // Act
      const got = await store.acquireLock('job', { owner: currentLockOwner('run-new') });
      // Assess
      expect(got.owner.runId).toBe('run-new');
      expect(await store.inspectLock('job')).toMatchObject({ runId: 'run-new' });
      expect(log.messages()).toContain('took over stale lock');
      await got.release();
    });

    it('does not take over a live lock of another host', async () => {
      // Prepare
      const environment = freshEnvironment();
      const store = await backend.open({ environment });
      await store.acquireLock('job', {
        owner: { ...currentLockOwner('run-remote'), host: 'elsewhere.example' },
      });
      // Act
      const error = await store
        .acquireLock('job', { owner: currentLockOwner('run-b') })
        .catch((e: unknown) => e);
      // Assess
      expect(error).toBeInstanceOf(LockHeldError);
      expect((error as LockHeldError).owner?.host).toBe('elsewhere.example');
    });
  });

  describe('journal', () => {
    it('starts empty, and a reopened unfinished journal resumes with completed steps in order and their results', async () => {
      // Prepare
      const store = await backend.open({ environment: freshEnvironment() });
      const first = await store.openJournal('target');
      await first.begin('b', { path: '/b' });
      await first.complete('b', { sha: 'bbb' });
      await first.begin('a');
      await first.complete('a');
      // Act
      const second = await store.openJournal('target');
      // Assess
      expect(first.resumed).toBe(false);
      expect(second.resumed).toBe(true);
      expect(second.completedSteps()).toEqual(['b', 'a']);
      expect(second.isCompleted('b')).toBe(true);
      expect(second.result('b')).toEqual({ sha: 'bbb' });
      expect(second.result('a')).toBeUndefined();
      expect(second.unfinishedSteps()).toEqual([]);
    });

    it('reports steps begun but neither completed nor failed as unfinished', async () => {
      // Prepare
      const store = await backend.open({ environment: freshEnvironment() });
      const first = await store.openJournal('target');
      await first.begin('died-here');
      await first.begin('failed');
      await first.fail('failed', 'boom');
      // Act
      const second = await store.openJournal('target');
      // Assess
      expect(second.resumed).toBe(true);
      expect(second.unfinishedSteps()).toEqual(['died-here']);
      expect(second.completedSteps()).toEqual([]);
    });

    it('never lets a completed step begin or complete again', async () => {
      // Prepare
      const store = await backend.open({ environment: freshEnvironment() });
      const journal = await store.openJournal('target');
      await journal.begin('a');
      await journal.complete('a');
      // Act
      const again = await journal.begin('a').catch((e: unknown) => e);
      const twice = await journal.complete('a').catch((e: unknown) => e);
      // Assess
      expect(again).toBeInstanceOf(InternalError);
      expect(twice).toBeInstanceOf(InternalError);
    });

    it('keeps call order for writes that were not awaited one by one', async () => {
      // Prepare
      const store = await backend.open({ environment: freshEnvironment() });
      const journal = await store.openJournal('target');
      // Act
      await Promise.all([
        journal.begin('1'),
        journal.complete('1'),
        journal.begin('2'),
        journal.complete('2'),
        journal.begin('3'),
        journal.complete('3'),
      ]);
      const reopened = await store.openJournal('target');
      // Assess
      expect(reopened.completedSteps()).toEqual(['1', '2', '3']);
    });

    it('starts fresh after finish, and a finished journal refuses writes', async () => {
      // Prepare
      const store = await backend.open({ environment: freshEnvironment() });
      const journal = await store.openJournal('target');
      await journal.begin('a');
      await journal.complete('a');
      // Act
      await journal.finish();
      const refused = await journal.begin('b').catch((e: unknown) => e);
      const next = await store.openJournal('target');
      // Assess
      expect(refused).toBeInstanceOf(InternalError);
      expect(next.resumed).toBe(false);
      expect(next.completedSteps()).toEqual([]);
    });

    it('keeps only the newest finished journals (maxArchivedJournals), and never touches an unfinished one', async () => {
      // Prepare
      const environment = freshEnvironment();
      const store = await backend.open({ environment, maxArchivedJournals: 2 });
      const open = await store.openJournal('still-open');
      await open.begin('x');
      await open.complete('x');
      // Act: five runs finish, of two keys
      for (const key of ['one', 'two', 'one', 'two', 'one']) {
        const journal = await store.openJournal(key);
        await journal.begin('a');
        await journal.complete('a');
        await journal.finish();
      }
      const reopened = await store.openJournal('still-open');
      // Assess
      expect(await backend.archivedJournals(environment)).toBe(2);
      expect(reopened.completedSteps()).toEqual(['x']);
    });

    it('keeps journals of different keys apart', async () => {
      // Prepare
      const store = await backend.open({ environment: freshEnvironment() });
      const one = await store.openJournal('one');
      await one.begin('a');
      await one.complete('a');
      // Act
      const two = await store.openJournal('two');
      // Assess
      expect(two.resumed).toBe(false);
      expect(two.isCompleted('a')).toBe(false);
    });
  });

  describe('idempotency', () => {
    it('answers a repeat with the stored result once completed', async () => {
      // Prepare
      const clock = manualClock();
      const store = await backend.open({ environment: freshEnvironment(), now: clock.now });
      const first = await store.idempotency.begin('op-1', 'hash-a', { ttlMs: 60_000 });
      await store.idempotency.complete('op-1', { id: 42 });
      // Act
      const repeat = await store.idempotency.begin('op-1', 'hash-a', { ttlMs: 60_000 });
      // Assess
      expect(first).toEqual({ state: 'new' });
      expect(repeat).toEqual({ state: 'completed', result: { id: 42 } });
    });

    it('refuses a live claim of another run (in progress) and a different payload (mismatch)', async () => {
      // Prepare
      const clock = manualClock();
      const environment = freshEnvironment();
      const a = await backend.open({ environment, runId: 'run-a', now: clock.now });
      const b = await backend.open({ environment, runId: 'run-b', now: clock.now });
      await a.idempotency.begin('op-1', 'hash-a', { ttlMs: 60_000 });
      // Act
      const inProgress = await b.idempotency
        .begin('op-1', 'hash-a', { ttlMs: 60_000 })
        .catch((e: unknown) => e);
      const mismatch = await b.idempotency
        .begin('op-1', 'hash-b', { ttlMs: 60_000 })
        .catch((e: unknown) => e);
      // Assess
      expect(inProgress).toBeInstanceOf(IdempotencyInProgressError);
      expect((inProgress as IdempotencyInProgressError).existingRecord).toMatchObject({
        runId: 'run-a',
        status: 'in-progress',
        payloadHash: 'hash-a',
      });
      expect(mismatch).toBeInstanceOf(IdempotencyPayloadMismatchError);
    });

    it('lets another run take over an expired claim, and keeps a completed record after fail', async () => {
      // Prepare
      const clock = manualClock();
      const environment = freshEnvironment();
      const a = await backend.open({ environment, runId: 'run-a', now: clock.now });
      const b = await backend.open({ environment, runId: 'run-b', now: clock.now });
      await a.idempotency.begin('op-1', 'hash-a', { ttlMs: 1_000 });
      clock.advance(2_000);
      // Act
      const taken = await b.idempotency.begin('op-1', 'hash-a', { ttlMs: 1_000 });
      await b.idempotency.complete('op-1', 'done');
      await a.idempotency.fail('op-1');
      const repeat = await a.idempotency.begin('op-1', 'hash-a', { ttlMs: 1_000 });
      // Assess
      expect(taken).toEqual({ state: 'new' });
      expect(repeat).toEqual({ state: 'completed', result: 'done' });
    });

    it('drops a failed claim so a retry can run', async () => {
      // Prepare
      const clock = manualClock();
      const environment = freshEnvironment();
      const a = await backend.open({ environment, runId: 'run-a', now: clock.now });
      const b = await backend.open({ environment, runId: 'run-b', now: clock.now });
      await a.idempotency.begin('op-1', 'hash-a', { ttlMs: 60_000 });
      // Act
      await a.idempotency.fail('op-1');
      const retried = await b.idempotency.begin('op-1', 'hash-a', { ttlMs: 60_000 });
      // Assess
      expect(retried).toEqual({ state: 'new' });
    });

    it('refuses complete without begin and a non-positive ttl', async () => {
      // Prepare
      const store = await backend.open({ environment: freshEnvironment() });
      // Act
      const complete = await store.idempotency.complete('never').catch((e: unknown) => e);
      const ttl = await store.idempotency.begin('op', 'h', { ttlMs: 0 }).catch((e: unknown) => e);
      // Assess
      expect(complete).toBeInstanceOf(InternalError);
      expect(ttl).toBeInstanceOf(InternalError);
    });

    it('prunes expired records only', async () => {
      // Prepare
      const clock = manualClock();
      const store = await backend.open({ environment: freshEnvironment(), now: clock.now });
      await store.idempotency.begin('short', 'h', { ttlMs: 1_000, retainMs: 1_000 });
      await store.idempotency.complete('short', 1);
      await store.idempotency.begin('long', 'h', { ttlMs: 60_000, retainMs: 60_000 });
      await store.idempotency.complete('long', 2);
      clock.advance(2_000);
      // Act
      const removed = await store.idempotency.prune();
      const short = await store.idempotency.begin('short', 'h', { ttlMs: 1_000 });
      const long = await store.idempotency.begin('long', 'h', { ttlMs: 1_000 });
      // Assess
      expect(removed).toBe(1);
      expect(short).toEqual({ state: 'new' });
      expect(long).toEqual({ state: 'completed', result: 2 });
    });

    it('gives exactly one of many concurrent claimants `new`', async () => {
      // Prepare
      const clock = manualClock();
      const environment = freshEnvironment();
      const stores = await Promise.all(
        Array.from({ length: 8 }, (_, i) => backend.open({ environment, runId: `run-${i}`, now: clock.now })),
      );
      // Act
      const outcomes = await Promise.all(
        stores.map((store) =>
          store.idempotency.begin('op-1', 'h', { ttlMs: 60_000 }).then(
            (r) => r.state,
            (e: unknown) => (e instanceof IdempotencyInProgressError ? 'in-progress' : String(e)),
          ),
        ),
      );
      // Assess
      expect(outcomes.filter((o) => o === 'new')).toHaveLength(1);
      expect(outcomes.filter((o) => o === 'in-progress')).toHaveLength(7);
    });
  });

  describe('run records', () => {
    it('lists newest first, honours since and limit', async () => {
      // Prepare
      const store = await backend.open({ environment: freshEnvironment() });
      await store.recordRun(run('r1', '2026-01-01T00:00:00.000Z'));
      await store.recordRun(run('r3', '2026-01-03T00:00:00.000Z'));
      await store.recordRun(run('r2', '2026-01-02T00:00:00.000Z', { status: 'failure', exitCode: 1 }));
      // Act
      const all = await store.listRuns();
      const limited = await store.listRuns({ limit: 2 });
      const since = await store.listRuns({ since: new Date('2026-01-02T00:00:00.000Z') });
      // Assess
      expect(all.map((r) => r.runId)).toEqual(['r3', 'r2', 'r1']);
      expect(all[1]).toMatchObject({ status: 'failure', exitCode: 1, counts: { changed: 1 } });
      expect(limited.map((r) => r.runId)).toEqual(['r3', 'r2']);
      expect(since.map((r) => r.runId)).toEqual(['r3', 'r2']);
    });

    it('keeps only the newest maxRuns records', async () => {
      // Prepare
      const store = await backend.open({ environment: freshEnvironment(), maxRuns: 3 });
      // Act
      for (const day of ['05', '01', '04', '02', '03']) {
        await store.recordRun(run(`r${day}`, `2026-01-${day}T00:00:00.000Z`));
      }
      // Assess
      expect((await store.listRuns()).map((r) => r.runId)).toEqual(['r05', 'r04', 'r03']);
    });

    it('refuses a malformed record and redacts secrets from failure messages', async () => {
      // Prepare
      const store = await backend.open({ environment: freshEnvironment() });
      secrets.addSecret('contract-s3cret-value');
      // Act
      const bad = await store.recordRun(run('', 'not a date')).catch((e: unknown) => e);
      await store.recordRun(
        run('r1', '2026-01-01T00:00:00.000Z', {
          status: 'failure',
          exitCode: 1,
          failure: { code: 'E_X', message: 'token contract-s3cret-value refused' },
        }),
      );
      const [stored] = await store.listRuns();
      // Assess
      expect(bad).toBeInstanceOf(InternalError);
      expect(JSON.stringify(stored)).not.toContain('contract-s3cret-value');
      expect(stored?.failure?.code).toBe('E_X');
    });
  });
});
