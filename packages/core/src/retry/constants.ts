/** The retry policy every caller gets unless its config says otherwise. */
export const DEFAULT_RETRY_POLICY = {
  /** Total attempts, the first one included. */
  maxAttempts: 4,
  baseDelayMs: 200,
  maxDelayMs: 10_000,
  attemptTimeoutMs: 30_000,
  /** Budget for all attempts and waits together; cron runs must end. */
  deadlineMs: 120_000,
  respectRetryAfter: true,
  /** 'full' spreads a fleet of cron jobs; 'none' waits exactly the backoff (a fixed poll interval). */
  jitter: 'full',
} as const;

export const RetryErrorCode = {
  AttemptTimeout: 'E_ATTEMPT_TIMEOUT',
  Exhausted: 'E_RETRY_EXHAUSTED',
} as const;
