import { rmSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { EntryType } from '../../../src/tree/EntryTable.js';
import { scanTree } from '../../../src/tree/scanTree.js';

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'file-sync-scan-'));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

describe('scanTree', () => {
  it('lists a tree in pre-order with sorted siblings: type, size, mtime, mode, link target', async () => {
    const root = await tempDir();
    await mkdir(join(root, 'd/e'), { recursive: true });
    await writeFile(join(root, 'd/f.txt'), 'hello');
    await utimes(join(root, 'd/f.txt'), 1_600_000_000, 1_600_000_000);
    await writeFile(join(root, 'a'), '');
    await symlink('d/f.txt', join(root, 'l'));

    const { entries, exists, errors, warnings } = await scanTree(root, { side: 'source' });

    expect(exists).toBe(true);
    expect(errors).toEqual([]);
    expect(warnings).toEqual([]);
    expect([...entries.entries()].map((e) => e.path)).toEqual(['', 'a', 'd', 'd/e', 'd/f.txt', 'l']);
    expect(entries.entry(4)).toMatchObject({ type: EntryType.File, size: 5, mtimeMs: 1_600_000_000_000 });
    expect(entries.entry(5)).toMatchObject({ type: EntryType.Symlink, linkTarget: 'd/f.txt' });
  });

  it('reports a missing root as not existing, and refuses a root that is a file', async () => {
    const root = await tempDir();
    await writeFile(join(root, 'file'), 'x');

    expect(await scanTree(join(root, 'nope'), { side: 'source' })).toMatchObject({ exists: false });
    await expect(scanTree(join(root, 'file'), { side: 'source' })).rejects.toMatchObject({ code: 'ENOTDIR' });
  });

  it('an entry that vanishes mid-scan is a warning, not an error', async () => {
    const root = await tempDir();
    await writeFile(join(root, 'a'), 'a');
    await writeFile(join(root, 'b'), 'b');
    // '.'-names sort first: the liveness check of this temp file's writer runs before 'b' is read
    await writeFile(join(root, '.x.file-sync-tmp-12345-0123456789ab'), 'partial');

    const result = await scanTree(root, {
      side: 'destination',
      isPidAlive: (pid) => {
        expect(pid).toBe(12345);
        rmSync(join(root, 'b')); // synchronous: the scan is, between its yields
        return false;
      },
    });

    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual([{ path: 'b', message: 'vanished during the scan' }]);
    expect(result.leftovers).toEqual(['.x.file-sync-tmp-12345-0123456789ab']);
    expect([...result.entries.entries()].map((e) => e.path)).toEqual(['', 'a']);
  });

  it('temp files of a live writer are neither content nor leftovers; source temp files are skipped', async () => {
    const root = await tempDir();
    await writeFile(join(root, `.x.file-sync-tmp-${process.ppid}-0123456789ab`), 'in progress');

    const dest = await scanTree(root, { side: 'destination' });
    const source = await scanTree(root, { side: 'source' });

    expect(dest.leftovers).toEqual([]);
    expect(dest.entries.length).toBe(1);
    expect(source.entries.length).toBe(1);
  });

  it('applies the filter on both sides and does not descend excluded directories', async () => {
    const root = await tempDir();
    await mkdir(join(root, 'node_modules/x'), { recursive: true });
    await writeFile(join(root, 'node_modules/x/i.js'), '');
    await writeFile(join(root, 'keep.js'), '');
    await writeFile(join(root, 'drop.log'), '');

    const { entries } = await scanTree(root, { side: 'destination', exclude: ['node_modules/', '*.log'] });

    expect([...entries.entries()].map((e) => e.path)).toEqual(['', 'keep.js']);
  });
});
