import { describe, expect, it } from 'vitest';
import { checkRoots } from '../../../src/safety/checkRoots.js';

const facts = { source: '/data/src', destination: '/backup/dst', home: '/home/ops', delete: true };

describe('checkRoots', () => {
  it('accepts a separate destination, with or without --delete', () => {
    expect(() => checkRoots(facts)).not.toThrow();
    expect(() => checkRoots({ ...facts, destination: '/data/src-copy' })).not.toThrow();
    expect(() => checkRoots({ ...facts, destination: '/home/ops/backup' })).not.toThrow();
  });

  it('always refuses the source itself and a destination inside it (exit 2)', () => {
    for (const del of [true, false]) {
      expect(() => checkRoots({ ...facts, delete: del, destination: '/data/src' })).toThrow(
        /the source itself/,
      );
      expect(() => checkRoots({ ...facts, delete: del, destination: '/data/src/sub' })).toThrow(
        /inside the source/,
      );
    }
  });

  it('with --delete refuses /, the home directory and a directory containing the source', () => {
    expect(() => checkRoots({ ...facts, destination: '/' })).toThrow(/filesystem root/);
    expect(() => checkRoots({ ...facts, destination: '/home/ops' })).toThrow(/home directory/);
    expect(() => checkRoots({ ...facts, destination: '/data' })).toThrow(/contains the source/);
    try {
      checkRoots({ ...facts, destination: '/' });
    } catch (error) {
      expect(error).toMatchObject({ exitCode: 2, hint: expect.stringContaining('--delete') });
    }
  });

  it('without --delete lets / , home and a parent of the source through (nothing is removed)', () => {
    for (const destination of ['/', '/home/ops', '/data']) {
      expect(() => checkRoots({ ...facts, delete: false, destination })).not.toThrow();
    }
  });
});
