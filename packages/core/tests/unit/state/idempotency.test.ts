import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConflictError, InternalError } from '../../../src/errors/index.js';
import {
  FileStateStore,
  hashPayload,
  IdempotencyInProgressError,
  IdempotencyPayloadMismatchError,
  runIdempotent,
} from '../../../src/state/index.js';
import { captureLog, manualClock, withTempDir } from './helpers.js';

let dir: string;
let cleanup: () => Promise<void>;

beforeEach(async () => {
  ({ dir, cleanup } = await withTempDir('idem'));
});
afterEach(() => cleanup());

const MINUTE = 60_000;

describe('Class: FileIdempotencyStore', () => {
  describe('Method: begin', () => {
    it('claims a new key, then answers repeats with the stored result', async () => {
      // Prepare
      const store = new FileStateStore(dir, { runId: 'run-1' });
      // Act
      expect(await store.idempotency.begin('release-42', 'h1', { ttlMs: MINUTE })).toEqual({ state: 'new' });
      await store.idempotency.complete('release-42', { version: 42 });
      // Assess
      const other = new FileStateStore(dir);
      expect(await other.idempotency.begin('release-42', 'h1', { ttlMs: MINUTE })).toEqual({
        state: 'completed',
        result: { version: 42 },
      });
      const record = JSON.parse(await readFile(join(dir, 'idempotency', 'release-42.json'), 'utf8'));
      expect(record).toMatchObject({
        status: 'completed',
        payloadHash: 'h1',
        runId: 'run-1',
        result: { version: 42 },
      });
      expect(record.createdAt).toEqual(expect.any(String));
      expect(record.expiresAt).toEqual(expect.any(String));
      expect((await stat(join(dir, 'idempotency', 'release-42.json'))).mode & 0o777).toBe(0o600);
      expect((await stat(join(dir, 'idempotency'))).mode & 0o777).toBe(0o700);
    });

    it('refuses a live in-progress claim with a message saying who and until when (exit 1)', async () => {
      const clock = manualClock();
      await new FileStateStore(dir, { runId: 'run-A', now: clock.now }).idempotency.begin('k', 'h', {
        ttlMs: MINUTE,
      });
      const error = await new FileStateStore(dir, { now: clock.now }).idempotency
        .begin('k', 'h', { ttlMs: MINUTE })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(IdempotencyInProgressError);
      expect(error).toBeInstanceOf(ConflictError);
      const inProgress = error as IdempotencyInProgressError;
      expect(inProgress.exitCode).toBe(1);
      expect(inProgress.message).toBe(
        'operation k is already in progress (started by run run-A at 2025-01-01T00:00:00.000Z); wait or re-run after 2025-01-01T00:01:00.000Z',
      );
      expect(inProgress.existingRecord.runId).toBe('run-A');
    });

    it('refuses a different payload under the same key, in progress or completed', async () => {
      const store = new FileStateStore(dir);
      await store.idempotency.begin('k', 'h1', { ttlMs: MINUTE });
      await expect(store.idempotency.begin('k', 'h2', { ttlMs: MINUTE })).rejects.toBeInstanceOf(
        IdempotencyPayloadMismatchError,
      );
      await store.idempotency.complete('k', 1);
      await expect(store.idempotency.begin('k', 'h2', { ttlMs: MINUTE })).rejects.toMatchObject({
        code: 'E_IDEMPOTENCY_PAYLOAD_MISMATCH',
        exitCode: 1,
      });
    });

    it('takes over an expired in-progress claim and warns', async () => {
      // Prepare: run A claims, then dies; its claim outlives the ttl
      const clock = manualClock();
      await new FileStateStore(dir, { runId: 'run-A', now: clock.now }).idempotency.begin('k', 'h', {
        ttlMs: MINUTE,
      });
      clock.advance(MINUTE + 1);
      const { logger, messages } = captureLog();
      const b = new FileStateStore(dir, { runId: 'run-B', logger, now: clock.now });
      // Act
      const result = await b.idempotency.begin('k', 'h', { ttlMs: MINUTE });
      // Assess
      expect(result).toEqual({ state: 'new' });
      expect(messages()).toContain('took over expired idempotency claim');
      const record = JSON.parse(await readFile(join(dir, 'idempotency', 'k.json'), 'utf8'));
      expect(record.runId).toBe('run-B');
    });

    it('forgets a completed record once its retention is over', async () => {
      const clock = manualClock();
      const store = new FileStateStore(dir, { now: clock.now });
      await store.idempotency.begin('k', 'h', { ttlMs: MINUTE, retainMs: 10 * MINUTE });
      await store.idempotency.complete('k', 'done');
      clock.advance(10 * MINUTE + 1);
      expect(await store.idempotency.begin('k', 'other', { ttlMs: MINUTE })).toEqual({ state: 'new' });
    });

    it('lets exactly one of many concurrent claimants win', async () => {
      const stores = Array.from({ length: 12 }, (_, i) => new FileStateStore(dir, { runId: `run-${i}` }));
      const outcomes = await Promise.allSettled(
        stores.map((s) => s.idempotency.begin('k', 'h', { ttlMs: MINUTE })),
      );
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
      for (const o of outcomes.filter((o) => o.status === 'rejected')) {
        expect((o as PromiseRejectedResult).reason).toBeInstanceOf(IdempotencyInProgressError);
      }
    });

    it('lets exactly one of many concurrent claimants take over one expired claim', async () => {
      const clock = manualClock();
      await new FileStateStore(dir, { now: clock.now }).idempotency.begin('k', 'h', { ttlMs: MINUTE });
      clock.advance(2 * MINUTE);
      const stores = Array.from(
        { length: 12 },
        (_, i) => new FileStateStore(dir, { runId: `r${i}`, now: clock.now }),
      );
      const outcomes = await Promise.allSettled(
        stores.map((s) => s.idempotency.begin('k', 'h', { ttlMs: MINUTE })),
      );
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
      expect(await readdir(join(dir, 'idempotency'))).toEqual(['k.json']);
    });

    it('treats a corrupt record as expired rather than blocking the key forever', async () => {
      const store = new FileStateStore(dir);
      await store.idempotency.begin('k', 'h', { ttlMs: MINUTE });
      await writeFile(join(dir, 'idempotency', 'k.json'), '{"status":');
      expect(await store.idempotency.begin('k', 'h', { ttlMs: MINUTE })).toEqual({ state: 'new' });
    });

    it('rejects a ttl that is not a positive duration', async () => {
      await expect(new FileStateStore(dir).idempotency.begin('k', 'h', { ttlMs: 0 })).rejects.toBeInstanceOf(
        InternalError,
      );
    });
  });

  describe('Method: fail', () => {
    it('removes the claim so a retry can run, but never a completed record', async () => {
      const store = new FileStateStore(dir);
      await store.idempotency.begin('k', 'h', { ttlMs: MINUTE });
      await store.idempotency.fail('k');
      expect(await readdir(join(dir, 'idempotency'))).toEqual([]);
      expect(await store.idempotency.begin('k', 'h', { ttlMs: MINUTE })).toEqual({ state: 'new' });
      await store.idempotency.complete('k', 7);
      await store.idempotency.fail('k');
      expect(await store.idempotency.begin('k', 'h', { ttlMs: MINUTE })).toEqual({
        state: 'completed',
        result: 7,
      });
    });

    it('leaves alone a claim that another run took over after ours expired', async () => {
      const clock = manualClock();
      const a = new FileStateStore(dir, { runId: 'A', now: clock.now });
      await a.idempotency.begin('k', 'h', { ttlMs: MINUTE });
      clock.advance(2 * MINUTE);
      await new FileStateStore(dir, { runId: 'B', now: clock.now }).idempotency.begin('k', 'h', {
        ttlMs: MINUTE,
      });
      await a.idempotency.fail('k');
      const record = JSON.parse(await readFile(join(dir, 'idempotency', 'k.json'), 'utf8'));
      expect(record).toMatchObject({ runId: 'B', status: 'in-progress' });
    });
  });

  describe('Method: complete', () => {
    it('refuses to complete a key that was never begun', async () => {
      await expect(new FileStateStore(dir).idempotency.complete('never', 1)).rejects.toBeInstanceOf(
        InternalError,
      );
    });
  });

  describe('Method: prune', () => {
    it('removes expired records only', async () => {
      const clock = manualClock();
      const store = new FileStateStore(dir, { now: clock.now });
      await store.idempotency.begin('old', 'h', { ttlMs: MINUTE, retainMs: MINUTE });
      await store.idempotency.complete('old');
      await store.idempotency.begin('young', 'h', { ttlMs: 10 * MINUTE });
      clock.advance(2 * MINUTE);
      expect(await store.idempotency.prune()).toBe(1);
      expect(await readdir(join(dir, 'idempotency'))).toEqual(['young.json']);
    });
  });
});

describe('Function: runIdempotent', () => {
  it('runs the operation once per payload and returns the stored result to repeats', async () => {
    const store = new FileStateStore(dir);
    const fn = vi.fn(async () => ({ deployed: 'v1' }));
    expect(await runIdempotent(store, 'deploy:v1', { version: 1, env: 'prod' }, fn)).toEqual({
      deployed: 'v1',
    });
    expect(await runIdempotent(store, 'deploy:v1', { env: 'prod', version: 1 }, fn)).toEqual({
      deployed: 'v1',
    });
    expect(fn).toHaveBeenCalledTimes(1);
    await expect(runIdempotent(store, 'deploy:v1', { version: 2 }, fn)).rejects.toBeInstanceOf(
      IdempotencyPayloadMismatchError,
    );
  });

  it('releases the key when the operation throws, so a retry runs it', async () => {
    const store = new FileStateStore(dir);
    const boom = new Error('503');
    await expect(runIdempotent(store, 'k', 1, () => Promise.reject(boom))).rejects.toBe(boom);
    expect(await runIdempotent(store, 'k', 1, async () => 'second try')).toBe('second try');
  });

  it('stores the payload hash of the stable JSON', async () => {
    const store = new FileStateStore(dir);
    await runIdempotent(store, 'k', { b: 1, a: 2 }, async () => null);
    const record = JSON.parse(await readFile(join(dir, 'idempotency', 'k.json'), 'utf8'));
    expect(record.payloadHash).toBe(hashPayload({ a: 2, b: 1 }));
  });
});
