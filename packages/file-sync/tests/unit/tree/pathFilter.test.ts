import { describe, expect, it } from 'vitest';
import { createPathFilter } from '../../../src/tree/pathFilter.js';

describe('createPathFilter', () => {
  it('is undefined without patterns (nothing to load, nothing to call)', async () => {
    expect(await createPathFilter({})).toBeUndefined();
    expect(await createPathFilter({ include: [], exclude: [] })).toBeUndefined();
  });

  it('exclude: a name glob at any depth, a path glob from the root, a trailing / for directories only', async () => {
    const filter = (await createPathFilter({ exclude: ['*.log', 'build/**', 'cache/'] }))!;

    expect(filter('a.log', false)).toBe(false);
    expect(filter('deep/er/a.log', false)).toBe(false);
    expect(filter('build/x.js', false)).toBe(false);
    expect(filter('src/build/x.js', false)).toBe(true);
    expect(filter('cache', true)).toBe(false);
    expect(filter('sub/cache', true)).toBe(false);
    expect(filter('cache', false)).toBe(true);
    expect(filter('.hidden.log', false)).toBe(false);
    expect(filter('keep.txt', false)).toBe(true);
  });

  it('include: files must match one, directories are always descended, exclude still wins', async () => {
    const filter = (await createPathFilter({ include: ['*.txt'], exclude: ['secret*'] }))!;

    expect(filter('a/b/c.txt', false)).toBe(true);
    expect(filter('a/b/c.bin', false)).toBe(false);
    expect(filter('a', true)).toBe(true);
    expect(filter('secret.txt', false)).toBe(false);
  });
});
