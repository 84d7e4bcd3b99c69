import { isRetryable, TransientError } from '../errors/index.js';
import { secrets } from '../log/index.js';
import { formatDuration } from '../util/index.js';
import { backoffDelay } from './backoff.js';
import { RetryAttemptTimeoutError, RetryExhaustedError, type RetryExhaustedReason } from './errors.js';
import { resolveRetryPolicy } from './policy.js';
import { sleep } from './sleep.js';
import type { RetryAttempt, RetryContext, RetryPolicy, RetryPolicyOptions } from './types.js';

/**
 * Runs `fn` until it succeeds, fails with an error not worth retrying (rethrown as is), or the
 * policy runs out (RetryExhaustedError, exit 75, the last error as cause). The caller's signal
 * aborting ends everything at once with the signal's reason.
 */
export async function retry<T>(
  fn: (attempt: RetryAttempt) => Promise<T>,
  policyOptions: RetryPolicyOptions = {},
  ctx: RetryContext = {},
): Promise<T> {
  const policy = resolveRetryPolicy(policyOptions);
  const {
    logger,
    counters,
    signal,
    operation = 'operation',
    random = Math.random,
    retryIf = isRetryable,
  } = ctx;
  // monotonic, so a wall-clock jump cannot stretch or cut the deadline
  const deadline = performance.now() + policy.deadlineMs;
  // an attempt given less than this cannot tell a slow server from a dead one
  const minBudget = Math.min(policy.attemptTimeoutMs / 10, policy.deadlineMs / 20, 1000);
  // the last thing the remote actually said, so the final error is not "attempt N timed out after 8ms"
  let lastAnswer: unknown;

  for (let attempt = 1; ; attempt++) {
    signal?.throwIfAborted();
    let error: unknown;
    try {
      const budget = Math.min(policy.attemptTimeoutMs, deadline - performance.now());
      return await runAttempt(fn, attempt, Math.max(budget, 1), operation, signal);
    } catch (caught) {
      error = caught;
    }
    if (signal?.aborted) throw signal.reason;
    if (!retryIf(error)) throw error;
    if (!(error instanceof RetryAttemptTimeoutError)) lastAnswer = error;

    const status = numberField(error, 'status');
    const reason = secrets.redactString(error instanceof Error ? error.message : String(error));
    let exhausted: RetryExhaustedReason | undefined;
    let delayMs = 0;
    if (attempt >= policy.maxAttempts) exhausted = 'attempts';
    else {
      delayMs = nextDelay(error, attempt, policy, random);
      // no point waiting for an attempt that would start with no time left
      if (performance.now() + delayMs + minBudget >= deadline) exhausted = 'deadline';
    }

    if (exhausted !== undefined) {
      logger?.warn({ operation, attempts: attempt, exhausted, reason, status }, 'retries exhausted');
      const timedOutLast = error instanceof RetryAttemptTimeoutError && lastAnswer !== undefined;
      throw exhaustedError(operation, attempt, exhausted, policy, timedOutLast ? lastAnswer : error);
    }
    logger?.warn({ operation, attempt, nextAttempt: attempt + 1, delayMs, reason, status }, 'retrying');
    counters?.increment('retries');
    await sleep(delayMs, signal);
  }
}

/** The server's Retry-After wins over our backoff, even past maxDelay: it knows its load; the deadline still bounds it. */
function nextDelay(error: unknown, failedAttempt: number, policy: RetryPolicy, random: () => number): number {
  if (policy.respectRetryAfter && error instanceof TransientError && error.retryAfterMs !== undefined) {
    return error.retryAfterMs;
  }
  return backoffDelay(failedAttempt, policy, random);
}

/**
 * One attempt, raced against its timeout and the caller's signal: an `fn` that ignores its
 * signal still cannot hold the loop past the budget.
 */
function runAttempt<T>(
  fn: (attempt: RetryAttempt) => Promise<T>,
  attempt: number,
  timeoutMs: number,
  operation: string,
  outer: AbortSignal | undefined,
): Promise<T> {
  const controller = new AbortController();
  return new Promise<T>((resolve, reject) => {
    const stop = (reason: unknown) => {
      cleanup();
      controller.abort(reason);
      reject(reason);
    };
    const onOuterAbort = () => stop(outer?.reason);
    const timer = setTimeout(
      () => stop(new RetryAttemptTimeoutError(operation, attempt, timeoutMs)),
      timeoutMs,
    );
    const cleanup = () => {
      clearTimeout(timer);
      outer?.removeEventListener('abort', onOuterAbort);
    };
    outer?.addEventListener('abort', onOuterAbort, { once: true });

    let pending: Promise<T>;
    try {
      pending = Promise.resolve(fn({ attempt, signal: controller.signal }));
    } catch (error) {
      pending = Promise.reject(error);
    }
    // after a timeout these settle a promise already rejected: harmless, and never unhandled
    pending.then(
      (value) => {
        cleanup();
        resolve(value);
      },
      (error: unknown) => {
        cleanup();
        reject(error);
      },
    );
  });
}

function exhaustedError(
  operation: string,
  attempts: number,
  reason: RetryExhaustedReason,
  policy: RetryPolicy,
  last: unknown,
): RetryExhaustedError {
  const lastMessage = last instanceof Error ? last.message : String(last);
  const message =
    reason === 'attempts'
      ? `${operation} failed after ${attempts} attempts: ${lastMessage}`
      : `${operation}: retries exhausted after ${attempts} attempt${attempts > 1 ? 's' : ''}, the next would pass the ${formatDuration(policy.deadlineMs)} deadline: ${lastMessage}`;
  const hint = (last as { hint?: unknown } | null)?.hint;
  return new RetryExhaustedError(message, {
    cause: last,
    attempts,
    reason,
    status: numberField(last, 'status'),
    retryAfterMs: numberField(last, 'retryAfterMs'),
    hint: typeof hint === 'string' ? hint : 'a temporary failure outlasted the retry policy; run again later',
  });
}

function numberField(value: unknown, key: string): number | undefined {
  const field =
    value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
  return typeof field === 'number' ? field : undefined;
}
