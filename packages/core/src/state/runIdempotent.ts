import { STATE_DEFAULTS } from './constants.js';
import { hashPayload } from './stableHash.js';
import type { StateStore } from './types.js';

export interface RunIdempotentOptions {
  /** How long this claim holds before another run may take it over. Default 30 minutes. */
  ttlMs?: number;
  retainMs?: number;
  runId?: string;
}

/**
 * Runs `fn` once per (key, payload): a repeat returns the stored result, a concurrent run gets
 * IdempotencyInProgressError, a different payload under the same key gets
 * IdempotencyPayloadMismatchError. A failure releases the key so a retry can run.
 * The result must be JSON-serialisable: it is what repeats get back.
 */
export async function runIdempotent<T>(
  store: Pick<StateStore, 'idempotency'>,
  key: string,
  payload: unknown,
  fn: () => Promise<T>,
  options: RunIdempotentOptions = {},
): Promise<T> {
  const begun = await store.idempotency.begin(key, hashPayload(payload), {
    ttlMs: options.ttlMs ?? STATE_DEFAULTS.idempotencyTtlMs,
    ...(options.retainMs === undefined ? {} : { retainMs: options.retainMs }),
    ...(options.runId === undefined ? {} : { runId: options.runId }),
  });
  if (begun.state === 'completed') return begun.result as T;
  let result: T;
  try {
    result = await fn();
  } catch (error) {
    // the caller needs fn's error; a claim left behind only delays a retry until it expires
    await store.idempotency.fail(key).catch(() => undefined);
    throw error;
  }
  await store.idempotency.complete(key, result);
  return result;
}
