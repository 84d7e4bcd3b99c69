import { describe, expect, it } from 'vitest';
import { type SelectItem, selectItems } from '../../../src/select/selectItems.js';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 0, 31);

function item(
  key: string,
  days: number | undefined,
  extra: Partial<SelectItem<string>> = {},
): SelectItem<string> {
  return {
    key,
    group: 'g',
    createdMs: days === undefined ? undefined : NOW - days * DAY,
    resource: key,
    ...extra,
  };
}

const decide = (items: SelectItem<string>[], options: Parameters<typeof selectItems>[1]) =>
  Object.fromEntries(
    selectItems(items, options).map((d) => [d.item.key, `${d.delete ? 'delete' : 'keep'}: ${d.reason}`]),
  );

describe('Function: selectItems', () => {
  it('deletes what is older than olderThan and keeps what is newer, saying both ages', () => {
    const result = decide([item('old', 10), item('new', 2)], {
      now: NOW,
      olderThanMs: 7 * DAY,
      olderThanLabel: '7d',
    });
    expect(result).toEqual({
      old: 'delete: age 10d, older than 7d',
      new: 'keep: too new: age 2d, olderThan 7d',
    });
  });

  it('keeps the N newest of each group, whatever their age, ties broken by key', () => {
    const items = [
      item('a1', 30),
      item('a2', 20),
      item('a3', 20),
      item('b1', 40, { group: 'h' }),
      item('b2', 50, { group: 'h' }),
    ];
    const result = decide(items, { now: NOW, olderThanMs: DAY, keepLatest: 2, groupLabel: (g) => `in ${g}` });
    expect(result.a2).toBe('keep: kept: one of the 2 newest in g (age 20d)');
    expect(result.a3).toBe('keep: kept: one of the 2 newest in g (age 20d)');
    expect(result.a1).toMatch(/^delete: age 30d/);
    expect(result.b1).toMatch(/^keep: kept/);
    expect(result.b2).toMatch(/^keep: kept/);
  });

  it('lets a blocked item count for keepLatest, but not an unranked one (a symlink)', () => {
    const items = [
      item('protected', 1, { blocked: 'protected by *keep*' }),
      item('link', 0, { blocked: 'a symlink', ranked: false }),
      item('x', 10),
      item('y', 20),
    ];
    const result = decide(items, { now: NOW, keepLatest: 2 });
    expect(result).toEqual({
      protected: 'keep: protected by *keep*',
      link: 'keep: a symlink',
      x: 'keep: kept: one of the 2 newest (age 10d)',
      y: 'delete: age 20d, beyond the 2 newest',
    });
  });

  it('never deletes an item of unknown age under olderThan, and ranks it newest for keepLatest', () => {
    expect(decide([item('u', undefined)], { now: NOW, olderThanMs: DAY, olderThanLabel: '1d' })).toEqual({
      u: 'keep: age unknown, so never older than 1d',
    });
    expect(decide([item('u', undefined), item('k', 5)], { now: NOW, keepLatest: 1 })).toEqual({
      u: 'keep: kept: one of the 1 newest (age unknown)',
      k: 'delete: age 5d, beyond the 1 newest',
    });
  });

  it('with neither olderThan nor keepLatest, everything not blocked is selected', () => {
    expect(decide([item('a', 0), item('b', 1, { blocked: 'no' })], { now: NOW })).toEqual({
      a: 'delete: age 0s, selected by the rule',
      b: 'keep: no',
    });
  });
});
