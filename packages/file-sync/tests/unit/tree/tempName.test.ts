import { describe, expect, it } from 'vitest';
import { tempFileOwner, tempNameFor, truncateUtf8 } from '../../../src/tree/tempName.js';

describe('temp names', () => {
  it('are hidden, recognisable, carry the pid and differ every time', () => {
    const a = tempNameFor('report.csv', 4242);
    const b = tempNameFor('report.csv', 4242);

    expect(a).toMatch(/^\.report\.csv\.file-sync-tmp-4242-[0-9a-f]{12}$/);
    expect(a).not.toBe(b);
    expect(tempFileOwner(a)).toBe(4242);
  });

  it('are recognised for names with newlines, and for core atomic writes (.tmp-)', () => {
    expect(tempFileOwner(tempNameFor('two\nlines', 7))).toBe(7);
    expect(tempFileOwner('.current.tmp-99-0123456789ab')).toBe(99);
  });

  it('do not match ordinary files that merely look close', () => {
    for (const name of [
      'report.csv',
      '.hidden',
      '.x.file-sync-tmp-1-short',
      'x.file-sync-tmp-1-0123456789ab',
    ]) {
      expect(tempFileOwner(name), name).toBeUndefined();
    }
  });

  it('stay under the 255-byte name limit for long multi-byte names', () => {
    const name = tempNameFor('é'.repeat(200), 123456);

    expect(Buffer.byteLength(name)).toBeLessThanOrEqual(255);
    expect(tempFileOwner(name)).toBe(123456);
    expect(truncateUtf8('aé', 2)).toBe('a');
  });
});
