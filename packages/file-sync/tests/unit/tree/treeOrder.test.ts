import { describe, expect, it } from 'vitest';
import { compareTreePaths } from '../../../src/tree/treeOrder.js';

describe('compareTreePaths', () => {
  it('orders like a pre-order walk with siblings sorted by Array.prototype.sort', () => {
    const walk = ['', 'a', 'a/x', 'a/x/deep', 'a b', 'a b/c', 'a-b', 'a.txt', 'b', 'ü'];
    const shuffled = [...walk].reverse();

    expect(shuffled.sort(compareTreePaths)).toEqual(walk);
  });

  it('agrees with the default sort on sibling names, including code units below "/"', () => {
    const names = ['a', 'a!', 'a-', 'a.', 'a0', 'A', ' a', 'a\n', '\u{1F600}', 'é'];

    expect([...names].sort(compareTreePaths)).toEqual([...names].sort());
  });

  it('is 0 only for equal paths', () => {
    expect(compareTreePaths('a/b', 'a/b')).toBe(0);
    expect(Math.sign(compareTreePaths('a', 'a/b'))).toBe(-1);
    expect(Math.sign(compareTreePaths('a/b', 'a'))).toBe(1);
  });
});
