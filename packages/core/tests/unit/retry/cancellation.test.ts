import { describe, expect, it, vi } from 'vitest';
import { TransientError } from '../../../src/errors/index.js';
import {
  type RetryAttempt,
  RetryAttemptTimeoutError,
  type RetryExhaustedError,
  retry,
  sleep,
} from '../../../src/retry/index.js';
import { caught, failing, half } from './fixtures.js';
import { captureLogs } from './logCapture.js';

describe('Function: retry, attempt timeout', () => {
  it('aborts the attempt signal and retries with E_ATTEMPT_TIMEOUT', async () => {
    // Prepare: the first attempt hangs until aborted; the second succeeds
    const signals: AbortSignal[] = [];
    const fn = async ({ attempt, signal }: RetryAttempt) => {
      signals.push(signal);
      if (attempt === 2) return 'second';
      return new Promise<string>((_resolve, reject) => {
        signal.addEventListener('abort', () => reject(new Error('aborted by signal')));
      });
    };
    const logs = captureLogs();
    // Act
    const result = await retry(fn, { attemptTimeoutMs: 40, baseDelayMs: 1 }, { logger: logs.logger });
    // Assess
    expect(result).toBe('second');
    expect(signals[0]?.aborted).toBe(true);
    expect(signals[0]?.reason).toBeInstanceOf(RetryAttemptTimeoutError);
    expect(signals[1]?.aborted).toBe(false);
    expect(logs.records().find((r) => r.msg === 'retrying')?.reason).toBe(
      'operation: attempt 1 timed out after 40ms',
    );
  });

  it('times out an attempt that ignores its signal, and exhausts with the timeout as cause', async () => {
    const fn = vi.fn(() => new Promise<never>(() => {}));
    const started = performance.now();
    const error = await caught(retry(fn, { maxAttempts: 3, attemptTimeoutMs: 30, baseDelayMs: 1 }));
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(fn).toHaveBeenCalledTimes(3);
    const cause = (error as RetryExhaustedError).cause as RetryAttemptTimeoutError;
    expect(cause).toBeInstanceOf(RetryAttemptTimeoutError);
    expect(cause.code).toBe('E_ATTEMPT_TIMEOUT');
    expect(cause.attempt).toBe(3);
  });

  it('shortens the last attempt to what is left of the deadline', async () => {
    const fn = vi.fn(() => new Promise<never>(() => {}));
    const started = performance.now();
    const error = await caught(retry(fn, { maxAttempts: 10, attemptTimeoutMs: 10_000, deadlineMs: 80 }));
    expect(performance.now() - started).toBeLessThan(500);
    expect(fn).toHaveBeenCalledTimes(1);
    expect((error as RetryExhaustedError).reason).toBe('deadline');
    expect((error as RetryExhaustedError).cause).toBeInstanceOf(RetryAttemptTimeoutError);
  });
});

describe('Function: retry, abort signal', () => {
  it('never starts when already aborted, and throws the reason', async () => {
    const reason = new Error('SIGTERM');
    const { fn } = failing();
    await expect(retry(fn, {}, { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    expect(fn).not.toHaveBeenCalled();
  });

  it('ends a backoff wait at once with the signal reason', async () => {
    const controller = new AbortController();
    const reason = new Error('interrupted');
    const { fn } = failing(new TransientError('down'), new TransientError('down'));
    const started = performance.now();
    setTimeout(() => controller.abort(reason), 30);
    await expect(
      retry(fn, { baseDelayMs: 60_000 }, { signal: controller.signal, random: half }),
    ).rejects.toBe(reason);
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it('ends a running attempt and aborts its signal, even if fn ignores it', async () => {
    const controller = new AbortController();
    let attemptSignal: AbortSignal | undefined;
    const fn = vi.fn(({ signal }: RetryAttempt) => {
      attemptSignal = signal;
      return new Promise<never>(() => {});
    });
    setTimeout(() => controller.abort(), 20);
    const error = await caught(retry(fn, {}, { signal: controller.signal }));
    expect((error as Error).name).toBe('AbortError');
    expect(attemptSignal?.aborted).toBe(true);
    expect(fn).toHaveBeenCalledTimes(1);
  });
});

describe('Function: sleep', () => {
  it('rejects with the signal reason and clears its timer', async () => {
    const controller = new AbortController();
    const pending = sleep(60_000, controller.signal);
    controller.abort('stop');
    await expect(pending).rejects.toBe('stop');
  });
});
