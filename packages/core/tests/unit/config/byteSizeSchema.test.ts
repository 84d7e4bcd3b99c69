import { describe, expect, it } from 'vitest';
import { byteSizeSchema } from '../../../src/config/schema.js';

describe('byteSizeSchema', () => {
  const size = byteSizeSchema({ min: 1024, max: 1024 ** 3 });

  it.each([
    [4096, 4096],
    ['4096', 4096],
    ['512KiB', 512 * 1024],
    [' 8 mib ', 8 * 1024 ** 2],
    ['1GiB', 1024 ** 3],
  ])('reads %j as %d bytes', (value, bytes) => {
    expect(size.parse(value)).toBe(bytes);
  });

  it.each(['4GB', '1.5MiB', '-1', 'lots', '2GiB', 512])('refuses %j', (value) => {
    expect(size.safeParse(value).success).toBe(false);
  });

  it('says what it wants', () => {
    expect(size.safeParse('4GB').error?.issues[0]?.message).toBe(
      'a size in bytes, or with a unit: 512KiB, 64MiB, 4GiB',
    );
  });
});
