import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../../../src/util/index.js';

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
