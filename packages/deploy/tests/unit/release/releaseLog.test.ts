import { describe, expect, it } from 'vitest';
import {
  beginRelease,
  beginRollback,
  failRelease,
  finishRelease,
  finishRollback,
  MAX_HISTORY,
  parseReleaseLog,
} from '../../../src/release/releaseLog.js';
import { emptyLog } from '../../../src/release/types.js';
import { digestOf, logOf } from './fixtures.js';

const who = { by: 'ops@host', runId: 'run-9' };
const begin = (id: string, extra: Partial<Parameters<typeof beginRelease>[1]> = {}) => ({
  id,
  digest: digestOf(id),
  artifact: `/build/${id}`,
  attempt: 'att-1',
  now: '2026-02-01T00:00:00.000Z',
  ...who,
  ...extra,
});

describe('release log updaters', () => {
  it('a deploy is recorded as deploying and pending, then good with its duration', () => {
    const started = beginRelease(logOf(['v1']), begin('v2', { previous: 'v1' }));
    expect(started.pending).toMatchObject({
      kind: 'release',
      release: 'v2',
      previous: 'v1',
      attempt: 'att-1',
    });
    expect(started.releases.map((r) => [r.id, r.status])).toEqual([
      ['v1', 'good'],
      ['v2', 'deploying'],
    ]);
    const done = finishRelease(started, {
      id: 'v2',
      removed: ['v1'],
      now: '2026-02-01T00:00:02.500Z',
      ...who,
    });
    expect(done.pending).toBeUndefined();
    expect(done.releases.find((r) => r.id === 'v2')).toMatchObject({ status: 'good', durationMs: 2500 });
    expect(done.releases.find((r) => r.id === 'v1')?.removedAt).toBe('2026-02-01T00:00:02.500Z');
    expect(done.history.at(-1)).toMatchObject({
      action: 'release',
      release: 'v2',
      previous: 'v1',
      outcome: 'good',
    });
  });

  it('a redeployed release moves to the end: it is the newest deploy', () => {
    const log = beginRelease(logOf(['v1'], ['v2']), begin('v1', { digest: digestOf('v1') }));
    expect(log.releases.map((r) => r.id)).toEqual(['v2', 'v1']);
  });

  it('an interrupted deploy of another release is superseded and marked failed', () => {
    const interrupted = beginRelease(logOf(['v1']), begin('v2'));
    const next = beginRelease(interrupted, begin('v3', { attempt: 'att-2' }));
    expect(next.releases.find((r) => r.id === 'v2')).toMatchObject({ status: 'failed' });
    expect(next.history.at(-1)).toMatchObject({ release: 'v2', outcome: 'superseded' });
    expect(next.pending).toMatchObject({ release: 'v3', attempt: 'att-2' });
  });

  it('failing a release clears the pending operation and records where current went', () => {
    const log = failRelease(beginRelease(logOf(['v1']), begin('v2')), {
      id: 'v2',
      action: 'release',
      reason: 'health check failed',
      rolledBackTo: 'v1',
      now: '2026-02-01T00:00:01.000Z',
      ...who,
    });
    expect(log.pending).toBeUndefined();
    expect(log.releases.find((r) => r.id === 'v2')).toMatchObject({
      status: 'failed',
      failure: 'health check failed',
    });
    expect(log.history.at(-1)).toMatchObject({ outcome: 'failed', previous: 'v1' });
  });

  it('a rollback marks the release it left rolled-back, but a failed one stays failed', () => {
    const base = logOf(['v1'], ['v2'], ['v3', 'failed']);
    const a = finishRollback(beginRollback(base, { to: 'v1', from: 'v2', attempt: 'a', now: 'x', ...who }), {
      to: 'v1',
      from: 'v2',
      now: 'y',
      ...who,
    });
    expect(a.releases.map((r) => r.status)).toEqual(['good', 'rolled-back', 'failed']);
    expect(a.pending).toBeUndefined();
    const b = finishRollback(base, { to: 'v2', from: 'v3', now: 'y', ...who });
    expect(b.releases.map((r) => r.status)).toEqual(['good', 'good', 'failed']);
  });

  it('caps the history', () => {
    let log = emptyLog();
    for (let i = 0; i < MAX_HISTORY + 20; i++) {
      log = finishRollback(log, { to: 'v1', now: String(i), ...who });
    }
    expect(log.history).toHaveLength(MAX_HISTORY);
    expect(log.history.at(-1)?.at).toBe(String(MAX_HISTORY + 19));
  });

  it('parseReleaseLog accepts what the updaters write and rejects anything else', () => {
    const log = beginRelease(logOf(['v1']), begin('v2'));
    expect(parseReleaseLog(JSON.parse(JSON.stringify(log)))).toEqual(log);
    expect(parseReleaseLog({ format: 2, releases: [], history: [] })).toBeUndefined();
    expect(parseReleaseLog({ format: 1, releases: [{ id: 1 }], history: [] })).toBeUndefined();
    expect(parseReleaseLog(null)).toBeUndefined();
  });
});
