import { symlink } from 'node:fs/promises';
import { stateOf } from '@tempered/testkit';
import { describe, expect, it } from 'vitest';
import { workspace } from './helpers.js';
import { expectSameTree, makeTree, snapshot } from './trees.js';

describe('per-entry failures', () => {
  it('an entry that cannot be written is reported with its path; the rest lands; exit 3; a re-run finishes', async () => {
    const ws = await workspace();
    const src = ws.path('src');
    const dst = ws.path('dst');
    await makeTree(src, { 'a.txt': 'a\n', blocked: 'now a file\n', 'z.txt': 'z\n' });
    // a non-empty directory sits where the source has a file; without --delete it may not go
    await makeTree(dst, { 'blocked/inside.txt': 'x\n' });

    const first = await ws.run(['sync', src, dst]);

    expect(first.code).toBe(3);
    const failed = first.logs.find((line) => line.msg === 'action failed');
    expect(failed).toMatchObject({ action: 'copy:blocked' });
    const error = first.logs.find((line) => line.level === 50 && line.exit_code !== undefined);
    expect(error?.msg).toContain('"blocked": a non-empty directory in the destination');
    expect(error?.msg).toMatch(/1 of \d+ actions failed/);
    expect(Object.keys(await snapshot(dst)).sort()).toEqual([
      'a.txt',
      'blocked',
      'blocked/inside.txt',
      'z.txt',
    ]);

    const second = await ws.run(['sync', src, dst, '--delete']);

    expect(second.code).toBe(0);
    expectSameTree(await snapshot(dst), await snapshot(src));
  });

  it('an unreadable source entry: the rest is copied, nothing is deleted, exit 3', async () => {
    const ws = await workspace();
    const src = ws.path('src');
    const dst = ws.path('dst');
    await makeTree(src, { 'a.txt': 'a\n' });
    // a symlink loop cannot be followed (ELOOP): root cannot read it either
    await symlink('loop-b', `${src}/loop-a`);
    await symlink('loop-a', `${src}/loop-b`);
    await makeTree(dst, { 'extra.txt': 'would be deleted\n' });

    const result = await ws.run(['sync', src, dst, '--symlinks', 'follow', '--delete']);

    expect(result.code).toBe(3);
    const unreadable = result.logs.filter((line) => line.level === 50 && line.side === 'source');
    expect(unreadable.map((line) => line.path).sort()).toEqual(['loop-a', 'loop-b']);
    expect(unreadable[0]?.msg).toMatch(/^ELOOP/);
    expect(result.stderr).toContain('could not be read, so nothing is deleted this run');
    expect(Object.keys(await snapshot(dst)).sort()).toEqual(['a.txt', 'extra.txt']);
    expect((await stateOf(ws).runRecords()).map((r) => r.status)).toEqual(['partial']);
  });
});
