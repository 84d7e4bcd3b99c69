import { diffFacts } from '@tempered/core';
import { describe, expect, it } from 'vitest';
import { syncFacts } from '../../../src/job/facts.js';
import { EntryType } from '../../../src/tree/EntryTable.js';
import { dir, file, options, root, scan, T, world } from './world.js';

describe('syncFacts', () => {
  it('one fact per entry and side, naming what a plan depends on', () => {
    const facts = syncFacts(
      world(
        scan([
          root(),
          dir('d', { mode: 0o700 }),
          file('d/a', { size: 3, hash: 'abc' }),
          { path: 'l', type: EntryType.Symlink, size: 0, mtimeMs: T, mode: 0o777, linkTarget: 'd/a' },
        ]),
        scan(undefined),
      ),
      options(),
    );

    expect(facts).toEqual({
      'source:.': `dir mode=755 mtime=${T}`,
      'source:d': `dir mode=700 mtime=${T}`,
      'source:d/a': `file size=3 mode=644 mtime=${T} sha256=abc`,
      'source:l': `symlink mtime=${T} target="d/a"`,
      'destination:.': 'missing',
    });
  });

  it('a touched, added or removed entry on either side is a drift line naming its path', () => {
    const before = syncFacts(
      world(scan([root(), file('a'), file('b')]), scan([root(), file('a')], { leftovers: ['.t'] })),
      options(),
    );
    const after = syncFacts(
      world(
        scan([root(), file('a', { mtimeMs: T + 1000 }), file('c')]),
        scan([root(), file('a')], { errors: [{ path: 'x', message: 'EACCES' }] }),
      ),
      options(),
    );

    expect(diffFacts(before, after)).toEqual([
      `changed: source:a (file size=10 mode=644 mtime=${T} -> file size=10 mode=644 mtime=${T + 1000})`,
      'gone: source:b',
      'gone: destination:.t',
      'new: source:c',
      'new: unreadable:destination:x',
    ]);
    expect(diffFacts(before, before)).toEqual([]);
  });
});
