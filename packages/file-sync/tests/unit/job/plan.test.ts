import { describe, expect, it } from 'vitest';
import { planSyncRun } from '../../../src/job/plan.js';
import { dir, file, options, root, scan, T, world } from './world.js';

const ids = (plan: ReturnType<typeof planSyncRun>) => plan.actions.map((action) => action.id);

describe('planSyncRun (pure: plain objects in, plain data out)', () => {
  it('a first copy creates every entry; policy, counts and info are data in the plan', () => {
    const plan = planSyncRun(
      world(
        scan([root(), dir('d'), file('d/a.txt', { size: 5 }), file('b.txt', { size: 7 })]),
        scan(undefined),
      ),
      options({ maxDelete: 50, concurrency: 4 }),
    );

    expect(ids(plan)).toEqual(['mkdir:', 'copy:b.txt', 'mkdir:d', 'copy:d/a.txt']);
    expect(plan.policy).toEqual({
      onError: 'continue',
      holdBack: 'deletions',
      concurrency: 4,
      journalKinds: ['delete'],
      maxDelete: 50,
      itemize: false,
    });
    expect(plan.info).toEqual({
      scanned: { source: 4, destination: 0 },
      counts: { create: 4, update: 0, delete: 0, unchanged: 0, cleanup: 0, bytesToCopy: 12 },
    });
    expect(plan.counts).toEqual({ entries_unchanged: 0 });
    expect(plan.warnings).toEqual([]);
  });

  it('is the same plan for the same world, and survives a JSON round trip (what --plan-out saves)', () => {
    const make = () =>
      world(
        scan([root(), file('a', { size: 3 }), file('b')]),
        scan([root(), file('b', { mtimeMs: T - 5000 })]),
      );
    const plan = planSyncRun(make(), options({ delete: true }));

    expect(planSyncRun(make(), options({ delete: true }))).toEqual(plan);
    expect(JSON.parse(JSON.stringify(plan))).toEqual(plan);
  });

  it('counts unchanged entries instead of listing them', () => {
    const same = [root(), file('a'), file('b'), dir('c')];
    const plan = planSyncRun(world(scan(same), scan(same)), options());

    expect(plan.actions).toEqual([]);
    expect(plan.unchanged).toBe(4);
    expect(plan.counts).toEqual({ entries_unchanged: 4 });
    expect(plan.info.counts.unchanged).toBe(4);
  });

  it('--delete removes what only the destination has; without it nothing is deleted', () => {
    const w = () => world(scan([root(), file('a')]), scan([root(), file('a'), dir('old'), file('old/x')]));

    expect(ids(planSyncRun(w(), options()))).toEqual([]);
    const plan = planSyncRun(w(), options({ delete: true }));
    expect(plan.actions.map((action) => [action.kind, action.target])).toEqual([
      ['delete', 'old'],
      ['delete', 'old/x'],
    ]);
    expect(plan.info.counts.delete).toBe(2);
  });

  it('an unreadable entry on either side: nothing is deleted, and the plan says why', () => {
    const plan = planSyncRun(
      world(
        scan([root(), file('a')], { errors: [{ path: 'locked', message: 'EACCES: permission denied' }] }),
        scan([root(), file('a'), file('extra')]),
      ),
      options({ delete: true }),
    );

    expect(plan.actions.filter((action) => action.kind === 'delete')).toEqual([]);
    expect(plan.warnings).toEqual([
      'source locked: EACCES: permission denied',
      '1 entries could not be read, so nothing is deleted this run',
    ]);
  });

  it('lists the first 20 scan issues of a side and counts the rest', () => {
    const warnings = Array.from({ length: 23 }, (_, k) => ({ path: `w${k}`, message: 'vanished' }));
    const plan = planSyncRun(world(scan([root(), file('a')], { warnings }), scan(undefined)), options());

    expect(plan.warnings).toHaveLength(21);
    expect(plan.warnings[0]).toBe('source w0: vanished');
    expect(plan.warnings[20]).toBe('...and 3 more source entries (see the log)');
  });

  it('refuses a missing or empty source (exit 2) unless --allow-empty-source, then warns', () => {
    const empty = world(scan([root()]), scan([root(), file('a')]));
    const missing = world(scan(undefined), scan([root(), file('a')]));

    expect(() => planSyncRun(empty, options())).toThrow(/source "\/src" is empty; refusing to sync/);
    expect(() => planSyncRun(missing, options())).toThrow(
      expect.objectContaining({ exitCode: 2, message: expect.stringContaining('does not exist') }),
    );
    const plan = planSyncRun(empty, options({ allowEmptySource: true, delete: true }));
    expect(plan.warnings).toEqual(['source "/src" is empty; synced as empty (--allow-empty-source)']);
    expect(ids(plan)).toEqual([expect.stringMatching(/^delete:a@file/)]);
  });

  it('temp files of interrupted runs are removed first, counted apart from deletions', () => {
    const plan = planSyncRun(
      world(
        scan([root(), file('a')]),
        scan([root(), file('a')], { leftovers: ['.a.fstmp-0123456789abcdef-1'] }),
      ),
      options(),
    );

    expect(plan.actions).toMatchObject([
      { id: 'cleanup:.a.fstmp-0123456789abcdef-1', kind: 'delete', phase: 0 },
    ]);
    expect(plan.info.counts).toMatchObject({ delete: 0, cleanup: 1 });
  });

  it('--checksum compares the hashes read() put in the tables', () => {
    const w = (destHash: string) =>
      world(scan([root(), file('a', { hash: 'aaa' })]), scan([root(), file('a', { hash: destHash })]));

    expect(ids(planSyncRun(w('aaa'), options({ checksum: true })))).toEqual([]);
    expect(planSyncRun(w('bbb'), options({ checksum: true })).actions).toMatchObject([
      { id: 'copy:a', kind: 'update', reason: 'content' },
    ]);
    expect(ids(planSyncRun(w('bbb'), options()))).toEqual([]);
  });
});
