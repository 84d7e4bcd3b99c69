import { describe, expect, it } from 'vitest';
import { backoffDelay, parseRetryAfter } from '../../../src/retry/index.js';

describe('Function: backoffDelay', () => {
  const policy = { baseDelayMs: 100, maxDelayMs: 1_000 };

  it('draws from [0, base * 2^(n-1)) with full jitter', () => {
    // Act / Assess: the lowest and highest draws bound the window of each attempt
    expect(backoffDelay(1, policy, () => 0)).toBe(0);
    expect(backoffDelay(1, policy, () => 0.999_999)).toBe(99);
    expect(backoffDelay(2, policy, () => 0.999_999)).toBe(199);
    expect(backoffDelay(3, policy, () => 0.5)).toBe(200);
    expect(backoffDelay(4, policy, () => 0.5)).toBe(400);
  });

  it('caps the window at maxDelayMs', () => {
    expect(backoffDelay(5, policy, () => 0.999_999)).toBe(999);
    expect(backoffDelay(60, policy, () => 0.5)).toBe(500);
    expect(backoffDelay(5_000, policy, () => 0.5)).toBe(500);
  });

  it('stays a finite number for a zero base and huge attempt numbers', () => {
    expect(backoffDelay(2_000, { baseDelayMs: 0, maxDelayMs: 1_000 }, () => 0.5)).toBe(0);
  });

  it('spreads real random draws over the whole window', () => {
    const draws = Array.from({ length: 2_000 }, () => backoffDelay(3, policy));
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...draws)).toBeLessThan(400);
    // full jitter, not "equal jitter": a good share of draws fall in the lower half
    expect(draws.filter((d) => d < 200).length).toBeGreaterThan(800);
  });
});

describe('Function: parseRetryAfter', () => {
  const now = Date.parse('2025-01-01T00:00:00Z');

  it('reads delta-seconds', () => {
    expect(parseRetryAfter('1', now)).toBe(1_000);
    expect(parseRetryAfter(' 120 ', now)).toBe(120_000);
    expect(parseRetryAfter('0', now)).toBe(0);
    expect(parseRetryAfter('1.5', now)).toBe(1_500);
  });

  it('reads an HTTP date relative to now', () => {
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Wednesday, 01-Jan-25 00:00:05 GMT', now)).toBe(5_000);
  });

  it('turns negative and past values into 0', () => {
    expect(parseRetryAfter('-5', now)).toBe(0);
    expect(parseRetryAfter('Tue, 31 Dec 2024 23:59:00 GMT', now)).toBe(0);
  });

  it('returns undefined for a missing or garbage header', () => {
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter('', now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('1 2', now)).toBeUndefined();
    expect(parseRetryAfter('Mon, garbage', now)).toBeUndefined();
  });
});
