import { describe, expect, it } from 'vitest';
import { compactTimestamp, parseCompactTimestamp } from '../../../src/util/index.js';

const AT = new Date('2026-03-04T05:06:07.089Z');

describe('compactTimestamp', () => {
  it('is UTC to the second by default, fixed width, with no character a file name minds', () => {
    expect(compactTimestamp(AT)).toBe('20260304T050607Z');
  });

  it('keeps the milliseconds when asked, still fixed width', () => {
    expect(compactTimestamp(AT, 'milliseconds')).toBe('20260304T050607089Z');
    expect(compactTimestamp(new Date('2026-03-04T05:06:07Z'), 'milliseconds')).toBe('20260304T050607000Z');
  });

  it('sorts as text in time order', () => {
    const stamps = ['2026-12-31T23:59:59Z', '2027-01-01T00:00:00Z', '2026-02-01T00:00:00Z'].map((t) =>
      compactTimestamp(new Date(t)),
    );
    expect([...stamps].sort()).toEqual([stamps[2], stamps[0], stamps[1]]);
  });
});

describe('parseCompactTimestamp', () => {
  it('reads back a stamp to the second', () => {
    expect(parseCompactTimestamp(compactTimestamp(AT))).toBe(Date.parse('2026-03-04T05:06:07Z'));
  });

  it.each(['', '20260304T050607', '20260304T050607089Z', '2026-03-04T05:06:07Z', '20261304T050607Z'])(
    'is undefined for %j',
    (stamp) => {
      expect(parseCompactTimestamp(stamp)).toBeUndefined();
    },
  );
});
