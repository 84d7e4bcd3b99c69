import type { RetryPolicy } from './types.js';

/**
 * Full jitter: uniform in [0, min(maxDelay, base * 2^(failedAttempt-1))). Spreading clients over
 * the whole window, not around its end, is what keeps a fleet of cron jobs from retrying in step.
 */
export function backoffDelay(
  failedAttempt: number,
  policy: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs'> & { jitter?: 'full' | 'none' },
  random: () => number = Math.random,
): number {
  // the exponent is capped so a large attempt number cannot turn the product into Infinity or NaN
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(failedAttempt - 1, 52));
  return policy.jitter === 'none' ? ceiling : Math.floor(random() * ceiling);
}

const DELTA_SECONDS = /^-?\d+(\.\d+)?$/;
// IMF-fixdate and the two obsolete forms (RFC 9110 §5.6.7) all start with a weekday name
const HTTP_DATE = /^[A-Za-z]{3,9},? /;

/** `Retry-After` as milliseconds to wait: delta-seconds or an HTTP date; past or negative is 0, garbage undefined. */
export function parseRetryAfter(header: string | undefined, now: number = Date.now()): number | undefined {
  if (header === undefined) return undefined;
  const value = header.trim();
  if (DELTA_SECONDS.test(value)) return Math.max(0, Math.round(Number(value) * 1000));
  if (!HTTP_DATE.test(value)) return undefined;
  const at = Date.parse(value);
  return Number.isFinite(at) ? Math.max(0, at - now) : undefined;
}
