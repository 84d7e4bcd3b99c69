import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/errors/index.js';
import { DEFAULT_RETRY_POLICY, resolveRetryPolicy, retryPolicySchema } from '../../../src/retry/index.js';

describe('Function: resolveRetryPolicy', () => {
  it('fills every key from the defaults', () => {
    expect(resolveRetryPolicy()).toEqual({
      maxAttempts: 4,
      baseDelayMs: 200,
      maxDelayMs: 10_000,
      attemptTimeoutMs: 30_000,
      deadlineMs: 120_000,
      respectRetryAfter: true,
      jitter: 'full',
    });
    expect(resolveRetryPolicy({})).toEqual(DEFAULT_RETRY_POLICY);
  });

  it('accepts duration strings and numbers of milliseconds, leaving undefined keys to the defaults', () => {
    const policy = resolveRetryPolicy({
      maxAttempts: 2,
      baseDelayMs: '250ms',
      maxDelayMs: '2s',
      attemptTimeoutMs: 1_500,
      deadlineMs: '1m',
      respectRetryAfter: undefined,
    });
    expect(policy).toEqual({
      maxAttempts: 2,
      baseDelayMs: 250,
      maxDelayMs: 2_000,
      attemptTimeoutMs: 1_500,
      deadlineMs: 60_000,
      jitter: 'full',
      respectRetryAfter: true,
    });
  });

  it('returns an already resolved policy as is', () => {
    const policy = resolveRetryPolicy({ maxAttempts: 3 });
    expect(resolveRetryPolicy(policy)).toBe(policy);
    expect(Object.isFrozen(policy)).toBe(true);
  });

  it.each([
    [{ maxAttempts: 0 }, 'maxAttempts'],
    [{ maxAttempts: 1.5 }, 'maxAttempts'],
    [{ baseDelayMs: -1 }, 'baseDelayMs'],
    [{ maxDelayMs: 'soon' }, 'maxDelayMs'],
    [{ attemptTimeoutMs: 0 }, 'attemptTimeoutMs'],
    [{ deadlineMs: '0s' }, 'deadlineMs'],
    [{ respectRetryAfter: 'yes' }, 'respectRetryAfter'],
    [{ maxAttemps: 3 }, 'maxAttemps'],
  ])('rejects %j with a UsageError naming %s', (input, key) => {
    const act = () => resolveRetryPolicy(input as never);
    expect(act).toThrow(UsageError);
    expect(act).toThrow(key);
    try {
      act();
    } catch (error) {
      expect((error as UsageError).exitCode).toBe(2);
    }
  });
});

describe('Schema: retryPolicySchema', () => {
  it('transforms durations and keeps every key optional', () => {
    expect(retryPolicySchema.parse({ deadlineMs: '30s' })).toEqual({ deadlineMs: 30_000 });
    expect(retryPolicySchema.parse({})).toEqual({});
  });
});

describe('Function: resolveRetryPolicy with a base', () => {
  it('merges a per-call override over a resolved policy, ignoring undefined keys', () => {
    const client = resolveRetryPolicy({ maxAttempts: 7, baseDelayMs: '1s' });
    const merged = resolveRetryPolicy({ maxAttempts: undefined, deadlineMs: '5s' }, client);
    expect(merged).toMatchObject({ maxAttempts: 7, baseDelayMs: 1_000, deadlineMs: 5_000 });
  });
});
