import { describe, expect, it } from 'vitest';
import { assertRelativePath, isPlainRelative, parentOf } from '../../../src/plan/relativePath.js';

describe('relative paths', () => {
  it('accepts plain relative paths, dotfiles and the root', () => {
    for (const ok of ['', 'a', 'a/b', '.hidden', 'a/.b', '..dots', 'a/...', 'x..y/z', '-rf', 'a b']) {
      expect(isPlainRelative(ok) || ok === '', ok).toBe(true);
      expect(() => assertRelativePath(ok)).not.toThrow();
    }
  });

  it('refuses anything that could leave the root, exit 2', () => {
    for (const bad of ['..', '../x', 'a/..', 'a/../b', '.', './a', '/abs', 'a/', 'a//b', 'a\0b']) {
      expect(isPlainRelative(bad), bad).toBe(false);
      expect(() => assertRelativePath(bad)).toThrow(expect.objectContaining({ exitCode: 2 }));
    }
  });

  it('parentOf', () => {
    expect(parentOf('a/b/c')).toBe('a/b');
    expect(parentOf('a')).toBe('');
  });
});
