import { describe, expect, it } from 'vitest';
import { formatBytes } from '../../../src/util/bytes.js';

describe('formatBytes, the one byte formatter of messages and plans', () => {
  it.each([
    [0, '0 B'],
    [1000, '1000 B'],
    [1024, '1 KiB'],
    [1536, '1.5 KiB'],
    [64 * 1024, '64 KiB'],
    [8 * 1024 ** 2, '8 MiB'],
    [12.34 * 1024 ** 2, '12.3 MiB'],
    [4 * 1024 ** 3, '4 GiB'],
    [2 * 1024 ** 4, '2 TiB'],
  ])('%d -> %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });
});
