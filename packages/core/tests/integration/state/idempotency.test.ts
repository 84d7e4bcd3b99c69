import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FileStateStore } from '../../../src/state/index.js';
import { captureLog } from '../../unit/state/helpers.js';
import { assertBuilt, type Fixture, startFixture } from './childProcess.js';

let dir: string;
const children: Fixture[] = [];

beforeAll(() => assertBuilt());

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tempered-idem-it-'));
});

afterEach(async () => {
  await Promise.all(children.splice(0).map((child) => child.kill()));
  await rm(dir, { recursive: true, force: true });
});

describe('idempotency records between real processes', () => {
  it('lets exactly one of several processes beginning the same key at once claim it', async () => {
    // Prepare
    const workers = Array.from({ length: 5 }, (_, i) =>
      startFixture('idempotency-worker.mjs', dir, 'k', `run-${i}`),
    );
    children.push(...workers);
    await Promise.all(workers.map((w) => w.event('ready')));
    // Act
    for (const worker of workers) worker.send('go');
    const outcomes = await Promise.all(
      workers.map((w) =>
        w.event<{ event: string; name?: string; exitCode?: number; message?: string }>('(claimed|refused)'),
      ),
    );
    // Assess
    expect(outcomes.filter((o) => o.event === 'claimed')).toHaveLength(1);
    for (const refused of outcomes.filter((o) => o.event === 'refused')) {
      expect(refused).toMatchObject({ name: 'IdempotencyInProgressError', exitCode: 1 });
      expect(refused.message).toMatch(
        /^operation k is already in progress \(started by run run-\d at .+\); wait or re-run after /,
      );
    }
  });

  it('takes over the claim of a process killed mid-operation once the claim expires', async () => {
    // Prepare: a worker claims (ttl 60s) and dies without completing or failing
    const worker = startFixture('idempotency-worker.mjs', dir, 'k', 'run-dead');
    children.push(worker);
    await worker.event('ready');
    worker.send('go');
    await worker.event('claimed');
    await worker.kill('SIGKILL');
    const log = captureLog();
    // Act: before expiry the claim still holds; after it, a new run takes over
    await expect(
      new FileStateStore(dir).idempotency.begin('k', 'payload-hash', { ttlMs: 60_000 }),
    ).rejects.toMatchObject({ code: 'E_IDEMPOTENCY_IN_PROGRESS' });
    const later = new FileStateStore(dir, { logger: log.logger, now: () => Date.now() + 61_000 });
    // Assess
    expect(await later.idempotency.begin('k', 'payload-hash', { ttlMs: 60_000 })).toEqual({ state: 'new' });
    expect(log.messages()).toContain('took over expired idempotency claim');
    expect(await readdir(join(dir, 'idempotency'))).toEqual(['k.json']);
  });
});
