import { z } from 'zod';
import { UsageError } from '../errors/index.js';
import { parseDuration } from '../util/index.js';
import { DEFAULT_RETRY_POLICY } from './constants.js';
import type { RetryPolicy, RetryPolicyOptions } from './types.js';

/**
 * A duration from config: `30s`, `250ms` or a number of milliseconds, as ms.
 * @internal shared with the HTTP client's options; not re-exported.
 */
export function durationSchema(minMs = 0) {
  return z.union([z.number(), z.string()]).transform((value, ctx) => {
    let ms: number;
    try {
      ms = parseDuration(value);
    } catch {
      ctx.addIssue({
        code: 'custom',
        message: `expected a duration like 250ms, 30s or 2m, got ${JSON.stringify(value)}`,
      });
      return z.NEVER;
    }
    if (ms < minMs) {
      ctx.addIssue({ code: 'custom', message: `expected at least ${minMs}ms, got ${JSON.stringify(value)}` });
      return z.NEVER;
    }
    return ms;
  });
}

export const retryPolicySchema = z.strictObject({
  maxAttempts: z.number().int().min(1).optional(),
  baseDelayMs: durationSchema().optional(),
  maxDelayMs: durationSchema().optional(),
  attemptTimeoutMs: durationSchema(1).optional(),
  deadlineMs: durationSchema(1).optional(),
  respectRetryAfter: z.boolean().optional(),
  jitter: z.enum(['full', 'none']).optional(),
});

// Policies this module already validated: retry() is called per request and need not re-check them.
const resolved = new WeakSet<object>();

/**
 * Merges over `base` (DEFAULT_RETRY_POLICY unless given, e.g. a client's policy under a
 * per-request override) and validates; a bad value is a UsageError naming its key.
 */
export function resolveRetryPolicy(
  options: RetryPolicyOptions = {},
  base: RetryPolicy = DEFAULT_RETRY_POLICY,
): RetryPolicy {
  if (resolved.has(options)) return options as RetryPolicy;
  const parsed = retryPolicySchema.safeParse(options);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) =>
      issue.code === 'unrecognized_keys'
        ? `${issue.path.map((key) => `${String(key)}.`).join('')}${issue.keys.join(', ')}: unknown key${issue.keys.length > 1 ? 's' : ''}`
        : `${issue.path.join('.')}: ${issue.message}`,
    );
    throw new UsageError(`invalid retry policy: ${problems.join('; ')}`, {
      hint: `retry policy keys: ${Object.keys(DEFAULT_RETRY_POLICY).join(', ')}`,
    });
  }
  const set = Object.fromEntries(Object.entries(parsed.data).filter(([, value]) => value !== undefined));
  const policy: RetryPolicy = Object.freeze({ ...base, ...set });
  resolved.add(policy);
  return policy;
}
