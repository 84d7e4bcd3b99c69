export { backoffDelay, parseRetryAfter } from './backoff.js';
export { DEFAULT_RETRY_POLICY, RetryErrorCode } from './constants.js';
export { RetryAttemptTimeoutError, RetryExhaustedError, type RetryExhaustedReason } from './errors.js';
export { resolveRetryPolicy, retryPolicySchema } from './policy.js';
export { retry } from './retry.js';
export { sleep } from './sleep.js';
export type { DurationInput, RetryAttempt, RetryContext, RetryPolicy, RetryPolicyOptions } from './types.js';
