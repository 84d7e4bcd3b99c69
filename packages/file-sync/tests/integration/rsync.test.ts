import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { workspace } from './helpers.js';
import { expectSameTree, makeTree, PAST, snapshot } from './trees.js';

const RSYNC = ['/usr/bin/rsync', '/usr/local/bin/rsync', '/bin/rsync'].find((path) => existsSync(path));
const run = promisify(execFile);

/** Nested dirs, empty dirs, symlinks (relative, absolute, dangling, to a dir), odd names, modes. */
const TREE = {
  'a/b/c/deep.txt': 'deep\n',
  'a/b/sibling.bin': { content: Buffer.from([0, 1, 2, 255, 254]) },
  'a/exec.sh': { content: '#!/bin/sh\n', mode: 0o750 },
  'a/readonly.txt': { content: 'ro\n', mode: 0o444 },
  'a/private': { content: 'p\n', mode: 0o600 },
  'empty-dir': { dir: true as const },
  'nested-empty/inner': { dir: true as const },
  'locked-dir': { dir: true as const, mode: 0o700 },
  'with space/and more.txt': 'spaces\n',
  'line\nbreak': 'nl\n',
  '-leading-dash': 'dash\n',
  '--': 'double dash\n',
  'ünïcødé/ファイル.txt': 'unicode\n',
  'quote\'and"dq': 'quotes\n',
  'to-file': { link: 'a/b/c/deep.txt' },
  'to-dir': { link: 'a/b' },
  absolute: { link: '/etc/hostname' },
  dangling: { link: 'does/not/exist' },
  'changes/size.txt': 'short\n',
  'changes/mtime.txt': 'same size\n',
  'changes/mode.txt': 'mode\n',
  'changes/gone.txt': 'will be deleted\n',
  'changes/type': 'file, becomes a dir\n',
};

// skipped on a machine without rsync, never under CI (.ci/run installs it): there it fails
describe.skipIf(RSYNC === undefined && !process.env.CI)('differential: the same tree as rsync -a', () => {
  it('first copy, then changes, without and with --delete (vs rsync -a --delete)', async () => {
    const ws = await workspace();
    const src = ws.path('src');
    const viaRsync = ws.path('rsync');
    const viaSync = ws.path('file-sync');
    await makeTree(src, TREE);
    const rsync = (...args: string[]) => run(RSYNC as string, ['-a', ...args, `${src}/`, `${viaRsync}/`]);
    const sync = async (...args: string[]) => {
      const result = await ws.run(['sync', src, viaSync, ...args]);
      expect(result.code, result.stderr).toBe(0);
      return result;
    };
    const compare = async () =>
      expectSameTree(
        await snapshot(viaSync, { withRoot: true }),
        await snapshot(viaRsync, { withRoot: true }),
      );

    // first copy
    await rsync();
    await sync();
    await compare();

    // the source changes; both destinations also hold an extra entry of their own
    await writeFile(join(src, 'changes/size.txt'), 'much longer now\n');
    await writeFile(join(src, 'changes/mtime.txt'), 'SAME SIZE\n');
    await utimes(join(src, 'changes/mtime.txt'), PAST + 3600, PAST + 3600);
    await chmod(join(src, 'changes/mode.txt'), 0o640);
    await rm(join(src, 'changes/gone.txt'));
    await rm(join(src, 'changes/type'));
    await makeTree(src, { 'changes/type/now-inside.txt': 'inside\n', 'added/new.txt': 'new\n' });
    await rm(join(src, 'to-dir'));
    await symlink('a', join(src, 'to-dir'));
    for (const dest of [viaRsync, viaSync]) await makeTree(dest, { 'extra/only-here.txt': 'extra\n' });

    await rsync();
    await sync();
    await compare();
    expect(Object.keys(await snapshot(viaSync))).toContain('changes/gone.txt');

    await rsync('--delete');
    const withDelete = await sync('--delete');
    await compare();
    expect(Object.keys(await snapshot(viaSync))).not.toContain('extra/only-here.txt');
    expect(withDelete.stdout).toMatch(/ 3 deleted/);
    expect((await ws.run(['sync', src, viaSync, '--delete'])).stdout).toMatch(/^No changes/);
  });
});
