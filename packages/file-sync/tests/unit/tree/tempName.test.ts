import { describe, expect, it } from 'vitest';
import { encodeName } from '../../../src/tree/fsName.js';
import { NAME_MAX_BYTES, TempNames, tempTagOf, truncateBytes } from '../../../src/tree/tempName.js';

describe('temp names', () => {
  it('are hidden, carry the run tag and differ every time', () => {
    const temps = new TempNames();
    const a = temps.next('report.csv');
    const b = temps.next('report.csv');
    expect(a).not.toBe(b);
    expect(a.startsWith('.report.csv.fstmp-')).toBe(true);
    expect(tempTagOf(a)).toBe(temps.tag);
    expect(temps.tag).toMatch(/^[0-9a-f]{16}$/);
    expect(new TempNames().tag).not.toBe(temps.tag);
    expect(tempTagOf(temps.next('two\nlines'))).toBe(temps.tag);
  });

  it('give no tag for names that merely look close', () => {
    for (const name of [
      'x.fstmp-0123456789abcdef-1',
      '.x.fstmp-0123456789abcde-1',
      '.x.fstmp-0123456789abcdeg-1',
      '.x.fstmp-0123456789abcdef-',
      '.x.fstmp-0123456789abcdef-1z',
      '.x.file-sync-tmp-1234-0123456789ab',
      '.fstmp-0123456789abcdef-1',
    ]) {
      expect(tempTagOf(name), name).toBeUndefined();
    }
  });

  it('fit NAME_MAX in bytes for the longest names, multi-byte and raw bytes alike', () => {
    const temps = new TempNames();
    for (const name of [
      '€'.repeat(85),
      'é'.repeat(127),
      'a'.repeat(255),
      '\udcff'.repeat(255),
      '😀'.repeat(63),
    ]) {
      expect(encodeName(name).length).toBeLessThanOrEqual(NAME_MAX_BYTES);
      const temp = temps.next(name);
      expect(encodeName(temp).length, name).toBeLessThanOrEqual(NAME_MAX_BYTES);
      expect(tempTagOf(temp)).toBe(temps.tag);
    }
  });

  it('truncate on character boundaries', () => {
    expect(truncateBytes('aé€😀', 3)).toBe('aé');
    expect(truncateBytes('aé€😀', 6)).toBe('aé€');
    expect(truncateBytes('😀😀', 5)).toBe('😀');
    expect(truncateBytes('short', 200)).toBe('short');
  });
});
