import { describe, expect, it } from 'vitest';
import { keepClosure } from '../../../src/select/keepClosure.js';
import type { Decision } from '../../../src/select/selectItems.js';

const decision = (
  key: string,
  remove: boolean,
  reason = remove ? 'old' : 'protected: latest',
): Decision<null> => ({
  item: { key, group: 'g', createdMs: 0, resource: null },
  delete: remove,
  reason,
});

describe('Function: keepClosure', () => {
  it('keeps, recursively, what a kept item or a non-item needs, and says why', () => {
    const decisions = [
      decision('index', false),
      decision('child', true),
      decision('sig', true),
      decision('other', true),
    ];
    const out = keepClosure(decisions, [
      { from: 'index', to: 'child', why: 'a manifest of index I' },
      { from: 'child', to: 'sig', why: 'a referrer of C' },
      { from: 'untagged', to: 'other', why: 'a manifest of index U' },
    ]);
    expect(out.map((d) => [d.item.key, d.delete, d.reason])).toEqual([
      ['index', false, 'protected: latest'],
      ['child', false, 'kept: a manifest of index I, which stays (protected: latest)'],
      [
        'sig',
        false,
        'kept: a referrer of C, which stays (kept: a manifest of index I, which stays (protected: latest))',
      ],
      ['other', false, 'kept: a manifest of index U, which stays (not selected by the rule)'],
    ]);
  });

  it('lets what only deleted items need go with them', () => {
    const out = keepClosure(
      [decision('index', true), decision('child', true)],
      [{ from: 'index', to: 'child', why: 'a manifest of index I' }],
    );
    expect(out.map((d) => d.delete)).toEqual([true, true]);
  });
});
