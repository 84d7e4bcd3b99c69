import { rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { EntryType } from '../../../src/tree/EntryTable.js';
import { decodeName, encodeName } from '../../../src/tree/fsName.js';
import { scanTree } from '../../../src/tree/scanTree.js';
import { TempNames } from '../../../src/tree/tempName.js';

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
    // the scan yields after 'a' (yieldEvery 1), listing already done: 'b' goes in that turn
    setImmediate(() => rmSync(join(root, 'b')));

    const result = await scanTree(root, { side: 'destination', yieldEvery: 1 });

    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual([{ path: 'b', message: 'vanished during the scan' }]);
    expect([...result.entries.entries()].map((e) => e.path)).toEqual(['', 'a']);
  });

  it('a name shaped like a temp file is content unless its tag was recorded by an interrupted run', async () => {
    const root = await tempDir();
    const recorded = new TempNames('00000000000000aa').next('x');
    const lookalike = new TempNames('00000000000000bb').next('y');
    await writeFile(join(root, recorded), 'partial');
    await writeFile(join(root, lookalike), 'a user file');
    await writeFile(join(root, '.z.file-sync-tmp-12345-0123456789ab'), 'an old-style name');

    const dest = await scanTree(root, { side: 'destination', tempTags: new Set(['00000000000000aa']) });
    const source = await scanTree(root, { side: 'source', tempTags: new Set(['00000000000000aa']) });

    expect(dest.leftovers).toEqual([recorded]);
    expect([...dest.entries.entries()].map((e) => e.path).sort()).toEqual(
      ['', '.z.file-sync-tmp-12345-0123456789ab', lookalike].sort(),
    );
    // the source side never takes a name for a temp file: everything there is copied
    expect(source.leftovers).toEqual([]);
    expect(source.entries.length).toBe(4);
  });

  it('keeps names that are not UTF-8 byte for byte, and link targets too', async () => {
    const root = await tempDir();
    const raw = Buffer.from([0x66, 0xff, 0xfe, 0x2e, 0x74]);
    writeFileSync(Buffer.concat([Buffer.from(`${root}/`), raw]), 'bytes');
    symlinkSync(Buffer.from([0x74, 0x80]), Buffer.concat([Buffer.from(`${root}/`), Buffer.from('link')]));

    const { entries } = await scanTree(root, { side: 'source' });

    const name = entries.path(entries.indexOf(decodeName(raw)));
    expect(encodeName(name).equals(raw)).toBe(true);
    expect(entries.size(entries.indexOf(name))).toBe(5);
    expect(
      encodeName(entries.linkTarget(entries.indexOf('link')) ?? '').equals(Buffer.from([0x74, 0x80])),
    ).toBe(true);
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
