import { lstat, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { LocalDestination } from '../../../src/destination/LocalDestination.js';
import { SourceVanishedError } from '../../../src/errors.js';

async function setup() {
  const root = await mkdtemp(join(tmpdir(), 'file-sync-dest-'));
  onTestFinished(() => rm(root, { recursive: true, force: true }));
  await mkdir(join(root, 'src'));
  await mkdir(join(root, 'dst'));
  return {
    root,
    src: join(root, 'src'),
    dst: join(root, 'dst'),
    dest: new LocalDestination(join(root, 'dst')),
  };
}

describe('LocalDestination', () => {
  it('writes a file with the given mtime and the source mode, leaving no temp file', async () => {
    const { src, dst, dest } = await setup();
    await writeFile(join(src, 'f'), 'content', { mode: 0o640 });

    const bytes = await dest.writeFile(
      'f',
      join(src, 'f'),
      { mode: 0o640, mtimeMs: 1_600_000_000_500, size: 7 },
      {
        replaceDirectory: false,
      },
    );

    expect(bytes).toBe(7);
    const stats = await stat(join(dst, 'f'));
    expect(stats.mode & 0o777).toBe(0o640);
    expect(Math.abs(stats.mtimeMs - 1_600_000_000_500)).toBeLessThan(0.01);
    expect(await readdir(dst)).toEqual(['f']);
  });

  it('a source that vanished is a SourceVanishedError, and the temp file is gone', async () => {
    const { src, dst, dest } = await setup();

    await expect(
      dest.writeFile(
        'f',
        join(src, 'missing'),
        { mode: 0o644, mtimeMs: 0, size: 1 },
        { replaceDirectory: false },
      ),
    ).rejects.toBeInstanceOf(SourceVanishedError);
    expect(await readdir(dst)).toEqual([]);
  });

  it('replaces a symlink at the final path instead of writing through it', async () => {
    const { root, src, dst, dest } = await setup();
    await writeFile(join(root, 'victim'), 'untouched');
    await symlink(join(root, 'victim'), join(dst, 'f'));
    await writeFile(join(src, 'f'), 'new');

    await dest.writeFile(
      'f',
      join(src, 'f'),
      { mode: 0o644, mtimeMs: 0, size: 3 },
      { replaceDirectory: false },
    );
    await dest.setAttributes('f', 'file', { mode: 0o600, mtimeMs: 0 });

    expect(await readFile(join(root, 'victim'), 'utf8')).toBe('untouched');
    expect((await lstat(join(dst, 'f'))).isFile()).toBe(true);
  });

  it('setAttributes refuses an entry that became a symlink (O_NOFOLLOW)', async () => {
    const { root, dst, dest } = await setup();
    await writeFile(join(root, 'victim'), 'x', { mode: 0o644 });
    await symlink(join(root, 'victim'), join(dst, 'f'));

    await expect(dest.setAttributes('f', 'file', { mode: 0o777, mtimeMs: 0 })).rejects.toThrow(/"f"/);
    expect((await stat(join(root, 'victim'))).mode & 0o777).toBe(0o644);
  });

  it('refuses paths that would leave the root', async () => {
    const { src, dest } = await setup();

    await expect(dest.remove('../src', 'dir')).rejects.toMatchObject({ exitCode: 2 });
    await expect(
      dest.writeFile(
        'a/../../x',
        join(src, 'x'),
        { mode: 0o644, mtimeMs: 0, size: 0 },
        { replaceDirectory: false },
      ),
    ).rejects.toMatchObject({ exitCode: 2 });
  });
});
