import { type TemperedErrorOptions, TransientError } from '../errors/index.js';
import { formatDuration } from '../util/index.js';
import { RetryErrorCode } from './constants.js';

/** One attempt ran past its time budget. Retryable: a slow answer may be quick next time. */
export class RetryAttemptTimeoutError extends TransientError {
  override readonly code: string = RetryErrorCode.AttemptTimeout;
  readonly attempt: number;
  readonly timeoutMs: number;
  constructor(operation: string, attempt: number, timeoutMs: number) {
    super(`${operation}: attempt ${attempt} timed out after ${formatDuration(timeoutMs)}`);
    this.name = 'RetryAttemptTimeoutError';
    this.attempt = attempt;
    this.timeoutMs = timeoutMs;
  }
}

export type RetryExhaustedReason = 'attempts' | 'deadline';

/**
 * Retries ran out on a transient failure: exit 75, try again later. It keeps the last error's
 * status and Retry-After, but is not retryable itself, so a retry wrapped around another retry
 * does not multiply the attempts (one retry layer).
 */
export class RetryExhaustedError extends TransientError {
  override readonly code: string = RetryErrorCode.Exhausted;
  override readonly retryable: boolean = false;
  readonly attempts: number;
  readonly reason: RetryExhaustedReason;
  constructor(
    message: string,
    options: TemperedErrorOptions & {
      attempts: number;
      reason: RetryExhaustedReason;
      status?: number | undefined;
      retryAfterMs?: number | undefined;
    },
  ) {
    super(message, options);
    this.name = 'RetryExhaustedError';
    this.attempts = options.attempts;
    this.reason = options.reason;
  }
}
