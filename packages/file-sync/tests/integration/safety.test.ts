import { lstat, mkdir, readFile, readlink, rm, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { type CliResult, stateOf } from '@tempered/testkit';
import { describe, expect, it } from 'vitest';
import { workspace } from './helpers.js';
import { expectSameTree, makeTree, snapshot } from './trees.js';

/** A refusal a person can act on: exit 2, one error line, nothing on stdout. */
function expectRefused(result: CliResult, pattern: RegExp): void {
  expect(result.code, result.stderr).toBe(2);
  expect(result.stdout).toBe('');
  const errors = result.logs.filter((line) => line.level >= 50);
  expect(errors).toHaveLength(1);
  expect(errors[0]?.msg).toMatch(pattern);
  expect(errors[0]?.msg).toMatch(/\(hint: .+\)$/);
}

describe('deletion safety', () => {
  it('--max-delete: over the cap nothing is deleted, copies still land, exit 3 says how many', async () => {
    const ws = await workspace();
    const src = ws.path('src');
    const dst = ws.path('dst');
    await makeTree(src, { 'keep.txt': 'k\n', 'new.txt': 'n\n' });
    await makeTree(dst, { 'keep.txt': 'k\n', 'a.old': '1', 'b.old': '2', 'c/d.old': '3' });

    const result = await ws.run(['sync', src, dst, '--delete', '--max-delete', '3']);

    expect(result.code).toBe(3);
    const error = result.logs.find((line) => line.level === 50);
    expect(error?.msg).toContain('would delete 4 entries, over the cap of 3; nothing was deleted');
    expect(Object.keys(await snapshot(dst)).sort()).toEqual([
      'a.old',
      'b.old',
      'c',
      'c/d.old',
      'keep.txt',
      'new.txt',
    ]);
    expect((await stateOf(ws).runRecords()).map((r) => [r.status, r.exitCode])).toEqual([['partial', 3]]);

    const raised = await ws.run(['sync', src, dst, '--delete', '--max-delete', '4']);
    expect(raised.code).toBe(0);
    expect(Object.keys(await snapshot(dst)).sort()).toEqual(['keep.txt', 'new.txt']);
  });

  it('maxDelete from the config caps deletions too (default 1000)', async () => {
    const ws = await workspace();
    await makeTree(ws.path('src'), { a: 'a' });
    await makeTree(ws.path('dst'), { x: 'x', y: 'y' });
    const config = await ws.writeConfig('tempered.json', { 'file-sync': { delete: true, maxDelete: 1 } });

    const result = await ws.run(['sync', ws.path('src'), ws.path('dst'), '--config', config]);

    expect(result.code).toBe(3);
    expect(result.stderr).toContain('over the cap of 1');
    expect(Object.keys(await snapshot(ws.path('dst'))).sort()).toEqual(['a', 'x', 'y']);
  });

  it('an empty or missing source aborts with exit 2 before the destination is touched', async () => {
    const ws = await workspace();
    await mkdir(ws.path('empty'));
    await makeTree(ws.path('dst'), { 'precious.txt': 'keep me\n' });
    const before = await snapshot(ws.path('dst'), { withRoot: true });

    const empty = await ws.run(['sync', ws.path('empty'), ws.path('dst'), '--delete']);
    const missing = await ws.run(['sync', ws.path('nope'), ws.path('dst'), '--delete']);

    expectRefused(empty, /source ".*empty" is empty; refusing to sync/);
    expectRefused(missing, /source ".*nope" does not exist; refusing to sync/);
    expect(missing.stderr).toContain('--allow-empty-source');
    expectSameTree(await snapshot(ws.path('dst'), { withRoot: true }), before);
  });

  it('--allow-empty-source syncs an empty source (with --delete, within the cap)', async () => {
    const ws = await workspace();
    await mkdir(ws.path('empty'));
    await makeTree(ws.path('dst'), { 'old.txt': 'x' });

    const result = await ws.run([
      'sync',
      ws.path('empty'),
      ws.path('dst'),
      '--delete',
      '--allow-empty-source',
    ]);

    expect(result.code).toBe(0);
    expect(await snapshot(ws.path('dst'))).toEqual({});
    expect(result.logs.some((line) => line.level === 40 && /is empty; synced as empty/.test(line.msg))).toBe(
      true,
    );
  });
});

describe('path attacks are refused before any write', () => {
  it('a destination that is the source, inside it, or (with --delete) contains it, is home or is /', async () => {
    const ws = await workspace();
    const src = ws.path('data', 'src');
    await makeTree(src, { 'a.txt': 'a\n', 'sub/b.txt': 'b\n' });
    await makeTree(ws.home, { '.profile': 'mine\n' });
    const before = await snapshot(ws.root);
    const cases: [string[], RegExp][] = [
      [[src, src], /it is the source itself/],
      [[src, join(src, 'sub')], /it is inside the source/],
      [[src, join(src, 'new', 'deeper')], /it is inside the source/],
      [[src, ws.path('data'), '--delete'], /it contains the source/],
      [[src, ws.home, '--delete'], /it is the home directory/],
      // dry-run on top: should the check ever break, this test must not delete anything real
      [[src, '/', '--delete', '--dry-run', '--max-delete', '0'], /it is the filesystem root/],
    ];

    for (const [args, pattern] of cases) {
      expectRefused(await ws.run(['sync', ...args]), pattern);
    }

    const after = await snapshot(ws.root);
    // the run's own state and the launcher's code cache may change; nothing else may
    const withoutState = (tree: Record<string, unknown>) =>
      Object.fromEntries(Object.entries(tree).filter(([path]) => !/^(state|cache-home)/.test(path)));
    expect(withoutState(after)).toEqual(withoutState(before));
  });

  it('the same roots reached through a symlink are refused too', async () => {
    const ws = await workspace();
    const src = ws.path('src');
    await makeTree(src, { 'a.txt': 'a\n' });
    await symlink(src, ws.path('alias'));

    expectRefused(await ws.run(['sync', src, ws.path('alias')]), /it is the source itself/);
  });

  it('a destination that is a dangling symlink into the source is refused, and nothing is created', async () => {
    const ws = await workspace();
    const src = ws.path('src');
    await makeTree(src, { 'a.txt': 'a\n' });
    // creating the destination would create src/copy: the source synced into itself
    await symlink(join(src, 'copy'), ws.path('dangling'));
    const before = await snapshot(src);

    expectRefused(await ws.run(['sync', src, ws.path('dangling')]), /it is inside the source/);
    expect(await snapshot(src)).toEqual(before);
  });

  it('never writes through a symlink in the destination tree: a linked directory becomes a real one', async () => {
    const ws = await workspace();
    const src = ws.path('src');
    const dst = ws.path('dst');
    const outside = ws.path('outside');
    await makeTree(outside, { 'victim.txt': 'untouched\n', 'dir/existing.txt': 'untouched\n' });
    await makeTree(src, { 'dir/planted.txt': 'evil\n', 'victim.txt': 'overwrite?\n' });
    await mkdir(dst);
    await symlink(join(outside, 'dir'), join(dst, 'dir'));
    await symlink(join(outside, 'victim.txt'), join(dst, 'victim.txt'));
    const outsideBefore = await snapshot(outside, { withRoot: true });

    const result = await ws.run(['sync', src, dst]);

    expect(result.code).toBe(0);
    expectSameTree(await snapshot(outside, { withRoot: true }), outsideBefore);
    expect((await lstat(join(dst, 'dir'))).isDirectory()).toBe(true);
    expect((await lstat(join(dst, 'victim.txt'))).isFile()).toBe(true);
    expectSameTree(await snapshot(dst), await snapshot(src));
  });

  it('--symlinks follow never follows a link out of the source, nor into a loop', async () => {
    const ws = await workspace();
    const src = ws.path('src');
    const dst = ws.path('dst');
    await makeTree(ws.path('outside'), { 'secret.txt': 'do not copy\n' });
    await makeTree(src, {
      'real/file.txt': 'inside\n',
      'in-file': { link: 'real/file.txt' },
      'in-dir': { link: 'real' },
      'out-file': { link: '../outside/secret.txt' },
      'out-dir': { link: join(ws.root, 'outside') },
      'real/loop': { link: '..' },
    });

    const result = await ws.run(['sync', src, dst, '--symlinks', 'follow']);

    expect(result.code).toBe(0);
    expect(Object.keys(await snapshot(dst)).sort()).toEqual([
      'in-dir',
      'in-dir/file.txt',
      'in-file',
      'real',
      'real/file.txt',
    ]);
    expect(await readFile(join(dst, 'in-file'), 'utf8')).toBe('inside\n');
    const warnings = result.logs.filter((line) => line.level === 40).map((line) => [line.path, line.msg]);
    expect(warnings).toEqual(
      expect.arrayContaining([
        ['out-file', 'symlink points outside the source; not followed'],
        ['out-dir', 'symlink points outside the source; not followed'],
        ['real/loop', 'symlink to a directory that contains it (a loop); not followed'],
      ]),
    );
  });

  it('--symlinks preserve copies links as links, whatever they point at; skip leaves them out', async () => {
    const ws = await workspace();
    const src = ws.path('src');
    await makeTree(src, { 'a.txt': 'a', abs: { link: '/etc/passwd' }, dangling: { link: 'nowhere' } });

    expect((await ws.run(['sync', src, ws.path('kept')])).code).toBe(0);
    expect(await readlink(ws.path('kept', 'abs'))).toBe('/etc/passwd');
    expect(await readlink(ws.path('kept', 'dangling'))).toBe('nowhere');

    expect((await ws.run(['sync', src, ws.path('skipped'), '--symlinks', 'skip'])).code).toBe(0);
    expect(Object.keys(await snapshot(ws.path('skipped')))).toEqual(['a.txt']);
  });
});

describe('protected environments', () => {
  it('need --yes without a TTY; the dry-run needs nothing', async () => {
    const ws = await workspace();
    await makeTree(ws.path('site'), { 'index.html': 'hi\n' });
    const config = await ws.writeConfig('tempered.json', {
      environments: {
        prod: {
          protected: true,
          'file-sync': { source: 'site', destination: 'www', delete: true, maxDelete: 5 },
        },
      },
    });

    const refused = await ws.run(['sync', '-e', 'prod', '--config', config]);
    expect(refused.code).toBe(2);
    await expect(lstat(ws.path('www'))).rejects.toMatchObject({ code: 'ENOENT' });

    expect((await ws.run(['sync', '-e', 'prod', '--config', config, '--dry-run'])).code).toBe(0);
    const confirmed = await ws.run(['sync', '-e', 'prod', '--config', config, '--yes']);
    expect(confirmed.code).toBe(0);
    expect(await readFile(ws.path('www', 'index.html'), 'utf8')).toBe('hi\n');
    await rm(ws.path('www'), { recursive: true });
  });
});
