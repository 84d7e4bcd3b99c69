import { afterEach, describe, expect, it, vi } from 'vitest';
import { PermanentError, TransientError } from '../../../src/errors/index.js';
import { secrets } from '../../../src/log/index.js';
import { RunCounters } from '../../../src/metrics/index.js';
import { RetryExhaustedError, retry } from '../../../src/retry/index.js';
import { caught, failing, half } from './fixtures.js';
import { captureLogs } from './logCapture.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('Function: retry', () => {
  it('returns the first success without waiting', async () => {
    const { fn } = failing();
    await expect(retry(fn, { maxAttempts: 3 })).resolves.toBe('ok');
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it('retries transient failures with full-jitter exponential backoff, capped at maxDelayMs', async () => {
    // Prepare
    const logs = captureLogs();
    const { fn, calls } = failing(new TransientError('a'), new TransientError('b'), new TransientError('c'));
    // Act
    const result = await retry(
      fn,
      { maxAttempts: 4, baseDelayMs: 20, maxDelayMs: 30 },
      { random: half, logger: logs.logger },
    );
    // Assess: windows 20, 40, 80 capped to 30 -> half of each
    expect(result).toBe('ok');
    expect(calls.map((c) => c.attempt)).toEqual([1, 2, 3, 4]);
    const delays = logs
      .records()
      .filter((r) => r.msg === 'retrying')
      .map((r) => r.delayMs);
    expect(delays).toEqual([10, 15, 15]);
  });

  it('waits the drawn delay for real', async () => {
    const { fn } = failing(new TransientError('a'));
    const started = performance.now();
    await retry(fn, { baseDelayMs: 120 }, { random: half });
    expect(performance.now() - started).toBeGreaterThanOrEqual(55);
  });

  it.each([
    ['PermanentError', new PermanentError('bad request', { status: 400 })],
    ['a foreign error with status 400', Object.assign(new Error('bad'), { status: 400 })],
    ['a foreign error with statusCode 404', Object.assign(new Error('missing'), { statusCode: 404 })],
    ['a plain Error (a bug, not an outage)', new TypeError('x is undefined')],
  ])('does not retry %s and rethrows it as is', async (_name, error) => {
    const counters = new RunCounters();
    const { fn } = failing(error, error);
    await expect(retry(fn, { maxAttempts: 5, baseDelayMs: 1 }, { counters })).rejects.toBe(error);
    expect(fn).toHaveBeenCalledTimes(1);
    expect(counters.get('retries')).toBe(0);
  });

  it('retries foreign errors the classifier calls transient (ECONNRESET, 503)', async () => {
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    const unavailable = Object.assign(new Error('unavailable'), { status: 503 });
    const { fn } = failing(reset, unavailable);
    await expect(retry(fn, { baseDelayMs: 1 })).resolves.toBe('ok');
    expect(fn).toHaveBeenCalledTimes(3);
  });

  it('lets retryIf narrow what is retried', async () => {
    const error = new TransientError('503', { status: 503 });
    const { fn } = failing(error);
    await expect(retry(fn, { baseDelayMs: 1 }, { retryIf: () => false })).rejects.toBe(error);
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it('throws RetryExhaustedError (exit 75) after maxAttempts, keeping the last error as cause', async () => {
    // Prepare
    const last = new TransientError('HTTP 503', { status: 503, retryAfterMs: 5 });
    const { fn } = failing(new TransientError('HTTP 502', { status: 502 }), last, last);
    // Act
    const error = await caught(retry(fn, { maxAttempts: 3, baseDelayMs: 1 }, { operation: 'fetch index' }));
    // Assess
    expect(fn).toHaveBeenCalledTimes(3);
    expect(error).toBeInstanceOf(RetryExhaustedError);
    expect(error).toBeInstanceOf(TransientError);
    const exhausted = error as RetryExhaustedError;
    expect(exhausted.message).toBe('fetch index failed after 3 attempts: HTTP 503');
    expect(exhausted.exitCode).toBe(75);
    expect(exhausted.cause).toBe(last);
    expect(exhausted.status).toBe(503);
    expect(exhausted.retryAfterMs).toBe(5);
    expect(exhausted.attempts).toBe(3);
    expect(exhausted.reason).toBe('attempts');
    // one retry layer: an outer retry must not multiply the attempts
    expect(exhausted.retryable).toBe(false);
  });

  it('makes a single attempt with maxAttempts 1', async () => {
    const { fn } = failing(new TransientError('x'));
    await expect(retry(fn, { maxAttempts: 1 })).rejects.toBeInstanceOf(RetryExhaustedError);
    expect(fn).toHaveBeenCalledTimes(1);
  });

  describe('Retry-After', () => {
    it('waits what the server asked, even beyond maxDelayMs', async () => {
      const logs = captureLogs();
      const { fn } = failing(new TransientError('throttled', { status: 429, retryAfterMs: 150 }));
      const started = performance.now();
      await retry(fn, { baseDelayMs: 1, maxDelayMs: 5 }, { random: half, logger: logs.logger });
      expect(performance.now() - started).toBeGreaterThanOrEqual(140);
      expect(logs.records().find((r) => r.msg === 'retrying')).toMatchObject({ delayMs: 150, status: 429 });
    });

    it('falls back to backoff when respectRetryAfter is false', async () => {
      const logs = captureLogs();
      const { fn } = failing(new TransientError('throttled', { retryAfterMs: 60_000 }));
      await retry(fn, { baseDelayMs: 10, respectRetryAfter: false }, { random: half, logger: logs.logger });
      expect(logs.records().find((r) => r.msg === 'retrying')?.delayMs).toBe(5);
    });

    it('stops at once when the wait would cross the deadline', async () => {
      // Prepare
      const logs = captureLogs();
      const first = new TransientError('throttled', { status: 429, retryAfterMs: 5_000 });
      const { fn } = failing(first);
      const started = performance.now();
      // Act
      const error = await caught(
        retry(fn, { deadlineMs: 300 }, { operation: 'upload', logger: logs.logger }),
      );
      // Assess: no sleep towards a deadline we cannot meet (it would take 5 s; margin for a loaded CI)
      expect(performance.now() - started).toBeLessThan(1_000);
      expect(fn).toHaveBeenCalledTimes(1);
      expect(error).toBeInstanceOf(RetryExhaustedError);
      const exhausted = error as RetryExhaustedError;
      expect(exhausted.reason).toBe('deadline');
      expect(exhausted.message).toMatch(/^upload: retries exhausted after 1 attempt, .*deadline: throttled$/);
      expect(exhausted.cause).toBe(first);
      expect(exhausted.exitCode).toBe(75);
      expect(logs.records().map((r) => r.msg)).toEqual(['retries exhausted']);
    });
  });

  it('bounds backoff by the overall deadline as well', async () => {
    const { fn } = failing(...Array.from({ length: 20 }, () => new TransientError('down')));
    const started = performance.now();
    const error = await caught(
      retry(fn, { maxAttempts: 20, baseDelayMs: 40, deadlineMs: 250 }, { random: half }),
    );
    // never sleeps past the deadline; the margin is for timers firing late on a loaded machine
    expect(performance.now() - started).toBeLessThan(450);
    expect((error as RetryExhaustedError).reason).toBe('deadline');
    // 20, 40, 80 ms waits fit in 250 ms; the 160 ms one does not (a slow machine may fit fewer)
    expect(fn.mock.calls.length).toBeGreaterThanOrEqual(2);
    expect(fn.mock.calls.length).toBeLessThanOrEqual(4);
  });

  it('logs every retry at warn and counts it; exhaustion is logged once', async () => {
    // Prepare
    const logs = captureLogs('info');
    const counters = new RunCounters();
    const { fn } = failing(
      new TransientError('HTTP 502', { status: 502 }),
      Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }),
      new TransientError('HTTP 503', { status: 503 }),
    );
    // Act
    await caught(
      retry(
        fn,
        { maxAttempts: 3, baseDelayMs: 8 },
        { logger: logs.logger, counters, random: half, operation: 'sync' },
      ),
    );
    // Assess
    expect(counters.get('retries')).toBe(2);
    const records = logs.records();
    expect(records.map((r) => [r.level, r.msg])).toEqual([
      [40, 'retrying'],
      [40, 'retrying'],
      [40, 'retries exhausted'],
    ]);
    expect(records[0]).toMatchObject({
      operation: 'sync',
      attempt: 1,
      nextAttempt: 2,
      delayMs: 4,
      reason: 'HTTP 502',
      status: 502,
    });
    expect(records[1]).toMatchObject({ attempt: 2, nextAttempt: 3, delayMs: 8, reason: 'socket hang up' });
    expect(records[1]).not.toHaveProperty('status');
    expect(records[2]).toMatchObject({ operation: 'sync', attempts: 3, exhausted: 'attempts', status: 503 });
  });

  it('redacts secrets from the logged reason', async () => {
    secrets.addSecret('hunter2-retry-secret');
    const logs = captureLogs();
    const { fn } = failing(new TransientError('login as bob:hunter2-retry-secret failed'));
    await retry(fn, { baseDelayMs: 1 }, { logger: logs.logger });
    expect(logs.text()).not.toContain('hunter2-retry-secret');
    expect(logs.records()[0]?.reason).toBe('login as bob:[REDACTED] failed');
  });

  it('works under fake timers too (no hidden real clock)', async () => {
    vi.useFakeTimers();
    const { fn } = failing(new TransientError('a'));
    const pending = retry(fn, { baseDelayMs: 1_000 }, { random: () => 0.9 });
    await vi.advanceTimersByTimeAsync(899);
    expect(fn).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    await expect(pending).resolves.toBe('ok');
    expect(fn).toHaveBeenCalledTimes(2);
  });
});

describe('retry: polling and honest last errors', () => {
  it("with jitter 'none' waits exactly the backoff: a fixed interval when base = max", async () => {
    const { fn } = failing(new TransientError('503'), new TransientError('503'), new TransientError('503'));
    const delays: number[] = [];
    const logs = captureLogs('info');
    await caught(
      retry(fn, { maxAttempts: 3, baseDelayMs: 15, maxDelayMs: 15, jitter: 'none' }, { logger: logs.logger }),
    );
    for (const line of logs.records()) if (line.msg === 'retrying') delays.push(line.delayMs as number);
    expect(delays).toEqual([15, 15]);
  });

  it('reports the last real answer, not the timeout of a final attempt that had no time', async () => {
    let calls = 0;
    const fn = ({ signal }: { signal: AbortSignal }) => {
      calls += 1;
      if (calls === 1)
        return Promise.reject(new TransientError('HTTP 503 Service Unavailable', { status: 503 }));
      // later attempts hang until their timeout
      return new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
    };
    const error = (await caught(
      retry(fn, { maxAttempts: 2, baseDelayMs: 1, attemptTimeoutMs: 30, deadlineMs: 2_000 }),
    )) as RetryExhaustedError;
    expect(calls).toBe(2);
    expect(error.message).toMatch(/HTTP 503 Service Unavailable$/);
    expect(error.status).toBe(503);
  });
});
