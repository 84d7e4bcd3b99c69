import { describe, expect, it } from 'vitest';
import { EntryTable, EntryType } from '../../../src/tree/EntryTable.js';

describe('EntryTable', () => {
  it('stores rows in columns and gives them back as entries, growing past its first capacity', () => {
    const table = new EntryTable();
    for (let i = 0; i < 1000; i++) table.push(`f${i}`, EntryType.File, i, 1000 + i, 0o100644);
    table.push('l', EntryType.Symlink, 0, 5, 0o777, 'target');

    expect(table.length).toBe(1001);
    expect(table.entry(999)).toEqual({
      path: 'f999',
      type: EntryType.File,
      size: 999,
      mtimeMs: 1999,
      mode: 0o644,
    });
    expect(table.entry(1000)).toMatchObject({ type: EntryType.Symlink, linkTarget: 'target' });
    expect(table.indexOf('f500')).toBe(500);
    expect(table.indexOf('nope')).toBe(-1);
  });

  it('survives the trip through columns (what the scan worker posts back), including odd names', () => {
    const table = EntryTable.from([
      { path: '', type: EntryType.Directory, size: 0, mtimeMs: 1, mode: 0o755 },
      { path: 'line\nbreak', type: EntryType.File, size: 3, mtimeMs: 2.5, mode: 0o600, hash: 'abc' },
      { path: 'l', type: EntryType.Symlink, size: 0, mtimeMs: 3, mode: 0o777, linkTarget: '../x' },
    ]);

    const copy = EntryTable.fromColumns(structuredClone(table.toColumns()));

    expect([...copy.entries()]).toEqual([...table.entries()]);
    copy.push('more', EntryType.File, 1, 1, 0o644);
    expect(copy.length).toBe(4);
    expect(EntryTable.fromColumns(new EntryTable().toColumns()).length).toBe(0);
  });
});
