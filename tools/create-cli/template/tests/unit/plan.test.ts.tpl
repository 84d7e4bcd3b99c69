import { describe, expect, it } from 'vitest';
import { digest, planFiles } from '../../src/plan.js';

const file = (name: string, content: string) => ({ name, path: `/t/${name}`, content });
const tree = (entries: Record<string, string>) =>
  new Map(Object.entries(entries).map(([name, content]) => [name, { path: `/t/${name}`, content }]));

describe('planFiles', () => {
  it('creates what is missing, updates what differs, skips what is up to date', () => {
    const actions = planFiles({
      desired: [file('b.txt', 'B'), file('a.txt', 'A'), file('c.txt', 'C')],
      existing: tree({ 'b.txt': 'old', 'c.txt': 'C' }),
      prune: false,
    });
    expect(actions.map((a) => [a.kind, a.target, a.reason])).toEqual([
      ['create', 'a.txt', 'missing'],
      ['update', 'b.txt', 'content differs'],
      ['skip', 'c.txt', 'up to date'],
    ]);
  });

  it('names the change, not the kind seen: a completed write re-plans as a skip under the same id', () => {
    const before = planFiles({ desired: [file('a.txt', 'A')], existing: tree({}), prune: false });
    const after = planFiles({
      desired: [file('a.txt', 'A')],
      existing: tree({ 'a.txt': 'A' }),
      prune: false,
    });
    expect(after[0]).toMatchObject({ kind: 'skip', id: before[0]?.id });
    expect(before[0]?.id).toBe(`write:a.txt@${digest('A')}`);
  });

  it('deletes unconfigured files only with prune', () => {
    const existing = tree({ 'a.txt': 'A', 'stale.txt': 'S' });
    expect(planFiles({ desired: [file('a.txt', 'A')], existing, prune: false }).map((a) => a.kind)).toEqual([
      'skip',
    ]);
    const pruned = planFiles({ desired: [file('a.txt', 'A')], existing, prune: true });
    expect(pruned.map((a) => [a.kind, a.target])).toEqual([
      ['skip', 'a.txt'],
      ['delete', 'stale.txt'],
    ]);
  });
});
