import { chmod, mkdir, symlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listTree, modeOf, tempWorkspace, walk } from '../src/index.js';

async function makeTree(root: string): Promise<void> {
  await mkdir(join(root, 'b-dir'), { recursive: true });
  await writeFile(join(root, 'a.txt'), 'abc');
  await writeFile(join(root, 'b-dir', 'c.txt'), 'c');
  await symlink('a.txt', join(root, 'link'));
  await chmod(join(root, 'a.txt'), 0o600);
  await chmod(join(root, 'b-dir'), 0o700);
  await utimes(join(root, 'a.txt'), 1_600_000_000, 1_600_000_000);
}

describe('walk and modeOf', () => {
  it('list every entry under a root, depth first and sorted, with its permission bits', async () => {
    const ws = await tempWorkspace();
    const root = ws.path('tree');
    await makeTree(root);

    expect(await walk(root)).toEqual([
      { path: join(root, 'a.txt'), mode: 0o600, isDirectory: false },
      { path: join(root, 'b-dir'), mode: 0o700, isDirectory: true },
      { path: join(root, 'b-dir', 'c.txt'), mode: expect.any(Number), isDirectory: false },
      { path: join(root, 'link'), mode: 0o600, isDirectory: false },
    ]);
    expect(await modeOf(join(root, 'b-dir'))).toBe(0o700);
    expect(await walk(ws.path('missing'))).toEqual([]);
  });
});

describe('listTree', () => {
  it('lists entries as lines, links not followed, and changes when anything does', async () => {
    const ws = await tempWorkspace();
    const root = ws.path('tree');
    await makeTree(root);

    const before = await listTree(root);
    expect(before).toEqual([
      'a.txt 3B 1600000000000',
      'b-dir/',
      expect.stringMatching(/^b-dir\/c\.txt 1B \d+/),
      'link -> a.txt',
    ]);
    await writeFile(join(root, 'a.txt'), 'abcd');
    expect(await listTree(root)).not.toEqual(before);
    expect(await listTree(ws.path('missing'))).toEqual([]);
  });
});
