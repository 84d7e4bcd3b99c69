import { describe, expect, it } from 'vitest';
import { planSync, type SyncAction } from '../../../src/plan/planSync.js';
import { Phase, SyncOp } from '../../../src/plan/types.js';
import { type Entry, EntryTable, EntryType } from '../../../src/tree/EntryTable.js';

const T = 1_700_000_000_000;
const root = (extra: Partial<Entry> = {}): Entry => ({
  path: '',
  type: EntryType.Directory,
  size: 0,
  mtimeMs: T,
  mode: 0o755,
  ...extra,
});
const file = (path: string, extra: Partial<Entry> = {}): Entry => ({
  path,
  type: EntryType.File,
  size: 10,
  mtimeMs: T,
  mode: 0o644,
  ...extra,
});
const dir = (path: string, extra: Partial<Entry> = {}): Entry => ({
  path,
  type: EntryType.Directory,
  size: 0,
  mtimeMs: T,
  mode: 0o755,
  ...extra,
});
const link = (path: string, linkTarget: string): Entry => ({
  path,
  type: EntryType.Symlink,
  size: 0,
  mtimeMs: T,
  mode: 0o777,
  linkTarget,
});

function plan(source: Entry[], dest: Entry[], options: Partial<Parameters<typeof planSync>[2]> = {}) {
  return planSync(EntryTable.from(source), EntryTable.from(dest), {
    delete: false,
    checksum: false,
    listUnchanged: true,
    ...options,
  }).actions;
}

/** kind, target, reason of every change, in plan order. */
const changes = (actions: SyncAction[]) =>
  actions.filter((a) => a.kind !== 'skip').map((a) => [a.kind, a.target, a.reason]);

describe('planSync', () => {
  it('creates everything into an empty destination: directories before their files, in tree order', () => {
    const actions = plan(
      [root(), dir('a'), file('a/x.txt'), dir('empty'), link('l', 'a/x.txt'), file('z')],
      [],
    );

    expect(changes(actions)).toEqual([
      ['create', '.', 'new'],
      ['create', 'a', 'new'],
      ['create', 'a/x.txt', 'new'],
      ['create', 'empty', 'new'],
      ['create', 'l', 'new'],
      ['create', 'z', 'new'],
    ]);
    const byTarget = Object.fromEntries(actions.map((a) => [a.target, a]));
    expect(byTarget.a).toMatchObject({ phase: Phase.Mkdir, details: { op: SyncOp.Mkdir, mode: 0o755 } });
    expect(byTarget['a/x.txt']).toMatchObject({
      phase: Phase.Files,
      details: { op: SyncOp.Copy, path: 'a/x.txt', type: 'file', size: 10, mtimeMs: T, mode: 0o644 },
    });
    expect(byTarget.l?.details).toMatchObject({ op: SyncOp.Link, linkTarget: 'a/x.txt' });
    expect(Phase.Mkdir).toBeLessThan(Phase.Files);
  });

  it('counts unchanged entries without an action each, unless asked to list them', () => {
    const tree = [root(), dir('a'), file('a/x'), link('l', 'a/x'), file('z')];
    const changed = [root(), dir('a'), file('a/x'), link('l', 'a/x'), file('z', { size: 11 })];

    const counted = planSync(EntryTable.from(tree), EntryTable.from(changed), {
      delete: false,
      checksum: false,
    });

    expect(counted.unchanged).toBe(4);
    expect(counted.actions.map((a) => [a.kind, a.target])).toEqual([['update', 'z']]);
  });

  it('plans nothing but skips for identical trees (the no-op run)', () => {
    const tree = [root(), dir('a'), file('a/x'), link('l', 'a/x')];

    const actions = plan(tree, tree, { delete: true });

    expect(changes(actions)).toEqual([]);
    expect(actions.map((a) => a.kind)).toEqual(['skip', 'skip', 'skip', 'skip']);
  });

  it('names the first difference of a changed file: size, then mtime, then mode', () => {
    const source = [
      root(),
      file('size', { size: 11 }),
      file('mtime', { mtimeMs: T + 1000 }),
      file('mode', { mode: 0o600 }),
    ];
    const dest = [root(), file('size'), file('mtime'), file('mode')];

    const actions = plan(source, dest);

    expect(changes(actions)).toEqual([
      ['update', 'mode', 'mode'],
      ['update', 'mtime', 'mtime'],
      ['update', 'size', 'size'],
    ]);
    const ops = Object.fromEntries(actions.map((a) => [a.target, a.details?.op]));
    expect(ops).toMatchObject({ size: SyncOp.Copy, mtime: SyncOp.Copy, mode: SyncOp.Attrs });
  });

  it('treats mtimes closer than the tolerance as equal and anything further as changed', () => {
    const actions = plan(
      [root(), file('a', { mtimeMs: T + 0.004 }), file('b', { mtimeMs: T + 0.02 })],
      [root(), file('a'), file('b')],
    );

    expect(changes(actions)).toEqual([['update', 'b', 'mtime']]);
  });

  it('--checksum: same size compares content, equal content with another mtime only resets the mtime', () => {
    const source = [
      root(),
      file('same', { hash: 'h1' }),
      file('edited', { hash: 'h2' }),
      file('touched', { hash: 'h3', mtimeMs: T + 5000 }),
      file('unhashed'),
    ];
    const dest = [
      root(),
      file('same', { hash: 'h1' }),
      file('edited', { hash: 'hX' }),
      file('touched', { hash: 'h3' }),
      file('unhashed'),
    ];

    const actions = plan(source, dest, { checksum: true });

    expect(changes(actions)).toEqual([
      ['update', 'edited', 'content'],
      ['update', 'touched', 'mtime'],
      ['update', 'unhashed', 'content'],
    ]);
    expect(actions.find((a) => a.target === 'touched')?.details?.op).toBe(SyncOp.Attrs);
    expect(actions.find((a) => a.target === 'edited')?.details?.op).toBe(SyncOp.Copy);
  });

  it('--checksum ignores an mtime difference when sizes differ: it is a size change', () => {
    const actions = plan([root(), file('a', { size: 3, hash: 'x' })], [root(), file('a', { hash: 'x' })], {
      checksum: true,
    });

    expect(changes(actions)).toEqual([['update', 'a', 'size']]);
  });

  it('directories compare mode and mtime; their attributes are set in the last phase', () => {
    const actions = plan(
      [root(), dir('m', { mode: 0o700 }), dir('t', { mtimeMs: T + 9 })],
      [root(), dir('m'), dir('t')],
    );

    expect(changes(actions)).toEqual([
      ['update', 'm', 'mode'],
      ['update', 't', 'mtime'],
    ]);
    for (const action of actions.filter((a) => a.kind === 'update')) {
      expect(action).toMatchObject({
        phase: Phase.DirectoryAttrs,
        details: { op: SyncOp.Attrs, type: 'dir' },
      });
    }
  });

  it('symlinks compare their target, then their own mtime (as rsync -a does); never a mode', () => {
    const actions = plan(
      [
        root(),
        link('same', 'x'),
        link('moved', 'new'),
        link('touched', 't'),
        { ...link('mode', 'm'), mode: 0o755 },
      ],
      [
        root(),
        link('same', 'x'),
        link('moved', 'old'),
        { ...link('touched', 't'), mtimeMs: T - 1000 },
        link('mode', 'm'),
      ],
    );

    expect(changes(actions)).toEqual([
      ['update', 'moved', 'target'],
      ['update', 'touched', 'mtime'],
    ]);
    expect(actions.find((a) => a.target === 'touched')?.details).toMatchObject({
      op: SyncOp.Attrs,
      type: 'symlink',
      mtimeMs: T,
    });
  });

  it('type changes: non-directory to directory first, directory to non-directory after the deletions', () => {
    const source = [root(), dir('was-file'), file('was-dir'), file('was-link'), link('was-file2', 'x')];
    const dest = [
      root(),
      file('was-dir'),
      file('was-file'),
      dir('was-dir/inner'),
      file('was-file2'),
      link('was-link', 'y'),
    ].map((e) => (e.path === 'was-dir' ? dir('was-dir') : e));

    const actions = plan(source, dest, { delete: true });

    const byTarget = Object.fromEntries(actions.map((a) => [a.target, a]));
    expect(byTarget['was-file']).toMatchObject({
      kind: 'update',
      reason: 'type',
      phase: Phase.ReplaceWithDir,
      details: { op: SyncOp.ReplaceWithDir },
    });
    expect(byTarget['was-dir']).toMatchObject({
      kind: 'update',
      reason: 'type',
      phase: Phase.ReplaceDirectory,
      details: { op: SyncOp.Copy, replacesDirectory: true },
    });
    expect(byTarget['was-dir/inner']).toMatchObject({ kind: 'delete' });
    expect(byTarget['was-dir/inner']?.phase).toBeLessThan(Phase.ReplaceDirectory);
    expect(byTarget['was-link']).toMatchObject({
      reason: 'type',
      phase: Phase.Files,
      details: { op: SyncOp.Copy },
    });
    expect(byTarget['was-file2']).toMatchObject({
      reason: 'type',
      phase: Phase.Files,
      details: { op: SyncOp.Link },
    });
    expect(Phase.ReplaceWithDir).toBeLessThan(Phase.Mkdir);
  });

  describe('deletions', () => {
    const dest = [
      root(),
      dir('gone'),
      dir('gone/sub'),
      file('gone/sub/f'),
      file('gone/g'),
      file('keep'),
      file('old'),
    ];
    const source = [root(), file('keep')];

    it('are only planned with delete: true', () => {
      expect(changes(plan(source, dest))).toEqual([]);
    });

    it('cover every entry only the destination has, never the root', () => {
      const actions = plan(source, dest, { delete: true });

      expect(changes(actions)).toEqual([
        ['delete', 'gone', 'not in source'],
        ['delete', 'gone/g', 'not in source'],
        ['delete', 'gone/sub', 'not in source'],
        ['delete', 'gone/sub/f', 'not in source'],
        ['delete', 'old', 'not in source'],
      ]);
    });

    it('run after every copy, files first, then directories deepest first', () => {
      const actions = plan([root(), file('keep'), file('new')], dest, { delete: true });
      const phase = (target: string) => actions.find((a) => a.target === target)?.phase ?? -1;

      expect(phase('gone/sub/f')).toBeGreaterThan(phase('new'));
      expect(phase('gone/sub/f')).toBe(phase('old'));
      expect(phase('gone/sub')).toBeGreaterThan(phase('gone/sub/f'));
      expect(phase('gone')).toBeGreaterThan(phase('gone/sub'));
      expect(phase('gone')).toBeLessThan(Phase.ReplaceDirectory);
    });

    it('carry the entry they delete in their id, so a recreated entry is a new deletion', () => {
      const first = plan(source, [root(), file('keep'), file('old', { mtimeMs: T })], { delete: true });
      const again = plan(source, [root(), file('keep'), file('old', { mtimeMs: T + 1 })], { delete: true });

      const id = (actions: SyncAction[]) => actions.find((a) => a.kind === 'delete')?.id;
      expect(id(first)).not.toBe(id(again));
    });
  });

  it('removes temp files of interrupted runs first, whatever --delete says', () => {
    const actions = plan([root(), file('a')], [root(), file('a')], {
      leftovers: ['.a.file-sync-tmp-9-00000000000a'],
    });

    expect(actions[0]).toMatchObject({
      kind: 'delete',
      target: '.a.file-sync-tmp-9-00000000000a',
      reason: 'temp file of an interrupted run',
      phase: Phase.Cleanup,
      details: { op: SyncOp.Cleanup },
    });
  });

  it('gives every action a unique id, even for a file named like another action', () => {
    const actions = plan(
      [root(), file('copy:x'), file('x', { size: 1 })],
      [root(), file('copy:x'), file('x')],
    );

    expect(new Set(actions.map((a) => a.id)).size).toBe(actions.length);
  });

  it('handles names with spaces, newlines, unicode and leading dashes like any other', () => {
    const names = ['-rf', 'a b', 'line\nbreak', 'ünïcødé', '--', ' lead'];
    const actions = plan([root(), ...names.map((n) => file(n))], [root()]);

    expect(
      changes(actions)
        .map(([, target]) => target)
        .sort(),
    ).toEqual([...names].sort());
  });

  it('refuses entry paths that could leave the root (a hostile listing)', () => {
    for (const bad of ['../etc/passwd', 'a/../../b', '/abs', 'a//b', 'a/./b', 'nul\0byte']) {
      expect(() => plan([root(), file(bad)], [root()]), bad).toThrow(/not a plain relative path/);
    }
    expect(() => plan([root()], [root(), file('../x')], { delete: true })).toThrow(
      /not a plain relative path/,
    );
  });

  it('refuses tables that are not in tree order instead of planning wrong deletions', () => {
    const unsorted = new EntryTable();
    unsorted.add(root());
    unsorted.add(file('b'));
    unsorted.add(file('a'));

    expect(() => planSync(unsorted, EntryTable.from([root()]), { delete: true, checksum: false })).toThrow(
      /tree order/,
    );
  });

  it('matches entries in tree order where names sort around "/" (a, a/x, a-b, a.txt)', () => {
    const tree = [root(), dir('a'), file('a/x'), file('a-b'), file('a.txt'), dir('a b'), file('a b/c')];

    expect(changes(plan(tree, tree, { delete: true }))).toEqual([]);
  });
});
