import { describe, expect, it } from 'vitest';
import { formatAge, formatDuration, parseDuration } from '../../../src/util/index.js';

describe('parseDuration', () => {
  it.each([
    ['250ms', 250],
    ['30s', 30_000],
    ['1.5s', 1500],
    ['5m', 300_000],
    ['2h', 7_200_000],
    ['7d', 604_800_000],
    ['1w', 604_800_000],
    ['1200', 1200],
    [0, 0],
  ])('%s -> %i ms', (input, expected) => {
    expect(parseDuration(input)).toBe(expected);
  });

  it.each(['', '5 minutes', '-1s', '1y', 'abc'])('rejects %j with a usage error naming the flag', (input) => {
    expect(() => parseDuration(input, '--lock-wait')).toThrow(/^--lock-wait: expected a duration like 30s/);
  });
});

describe('formatDuration', () => {
  it('reads naturally at each scale', () => {
    expect(formatDuration(12)).toBe('12ms');
    expect(formatDuration(1234)).toBe('1.23s');
    expect(formatDuration(65_000)).toBe('1m5s');
    expect(formatDuration(3_720_000)).toBe('1h2m');
  });
});

describe('formatAge', () => {
  it('reads the largest whole unit that fits', () => {
    expect(formatAge(40_999)).toBe('40s');
    expect(formatAge(12 * 60_000 + 59_000)).toBe('12m');
    expect(formatAge(5 * 3_600_000 + 59 * 60_000)).toBe('5h');
    expect(formatAge(20 * 86_400_000 + 23 * 3_600_000)).toBe('20d');
  });

  it('reads a negative age (clock skew) as 0s', () => {
    expect(formatAge(-5000)).toBe('0s');
  });
});
