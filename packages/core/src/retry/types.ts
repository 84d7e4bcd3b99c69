import type { Logger } from '../log/index.js';
import type { Counters } from '../metrics/types.js';

/** A duration in milliseconds, or a string such as `250ms`, `30s`, `2m` (config files). */
export type DurationInput = number | string;

/** What a config file or a caller may set; every key optional, defaults in DEFAULT_RETRY_POLICY. */
export interface RetryPolicyOptions {
  maxAttempts?: number | undefined;
  baseDelayMs?: DurationInput | undefined;
  maxDelayMs?: DurationInput | undefined;
  attemptTimeoutMs?: DurationInput | undefined;
  deadlineMs?: DurationInput | undefined;
  respectRetryAfter?: boolean | undefined;
  jitter?: 'full' | 'none' | undefined;
}

/** A validated policy with every value in milliseconds (see resolveRetryPolicy). */
export interface RetryPolicy {
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  readonly attemptTimeoutMs: number;
  readonly deadlineMs: number;
  readonly respectRetryAfter: boolean;
  readonly jitter: 'full' | 'none';
}

export interface RetryAttempt {
  /** 1 for the first attempt. */
  attempt: number;
  /** Aborts at the attempt timeout, the overall deadline, or when the caller's signal aborts. */
  signal: AbortSignal;
}

export interface RetryContext {
  logger?: Logger | undefined;
  counters?: Counters | undefined;
  signal?: AbortSignal | undefined;
  /** Names the work in log lines and in the final error, e.g. `GET https://host/path`. */
  operation?: string | undefined;
  /** Source of jitter in [0, 1); tests pin it. */
  random?: (() => number) | undefined;
  /**
   * Which failures earn another attempt. Defaults to `isRetryable`; callers may only narrow it
   * (the HTTP client refuses to re-send a POST that may have reached the server).
   */
  retryIf?: ((error: unknown) => boolean) | undefined;
}
