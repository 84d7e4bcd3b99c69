import { describe, expect, it } from 'vitest';
import { compileNameGlobs, compilePathGlob } from '../../../src/util/glob.js';

describe('compilePathGlob', () => {
  it('matches the name at any depth when the glob has no slash, dotfiles included', () => {
    const glob = compilePathGlob('*.log');
    expect(glob).toMatchObject({ pattern: '*.log', directoriesOnly: false });
    expect(['a.log', 'deep/er/b.log', '.hidden.log'].map(glob.test)).toEqual([true, true, true]);
    expect(glob.test('a.log.gz')).toBe(false);
  });

  it('matches the whole relative path when the glob has a slash; a leading slash anchors nothing more', () => {
    for (const pattern of ['build/**', '/build/**']) {
      const glob = compilePathGlob(pattern);
      expect(glob.test('build/x/y.o')).toBe(true);
      expect(glob.test('src/build/y.o')).toBe(false);
    }
  });

  it('marks a glob with a trailing slash as for directories only, and matches without the slash', () => {
    const glob = compilePathGlob('cache/');
    expect(glob).toMatchObject({ pattern: 'cache/', directoriesOnly: true });
    expect(glob.test('cache')).toBe(true);
    expect(glob.test('a/cache')).toBe(true);
  });
});

describe('compileNameGlobs', () => {
  it("is true when any glob matches, with picomatch's defaults ('*' stops at '/')", () => {
    const match = compileNameGlobs(['team/*', 'app-{a,b}']);
    expect(['team/web', 'app-b'].map(match)).toEqual([true, true]);
    expect(['team/web/x', 'app-c', 'other'].map(match)).toEqual([false, false, false]);
  });
});
