import { vi } from 'vitest';
import type { RetryAttempt } from '../../../src/retry/index.js';

export const half = () => 0.5;

/** fn that fails with the given errors in order, then returns 'ok'. */
export function failing(...errors: unknown[]) {
  const calls: RetryAttempt[] = [];
  const fn = vi.fn(async (attempt: RetryAttempt) => {
    calls.push(attempt);
    const error = errors[attempt.attempt - 1];
    if (error !== undefined) throw error;
    return 'ok';
  });
  return { fn, calls };
}

export async function caught(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}
