import { lstat, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { atomicWriteFile, atomicWriteJson, fsyncDir } from '../../../src/fs/index.js';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tempered-atomic-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const modeOf = async (path: string) => (await stat(path)).mode & 0o777;

describe('Function: atomicWriteFile', () => {
  it('writes the content with mode 0600 by default and leaves no temp file', async () => {
    const path = join(dir, 'state.json');
    await atomicWriteFile(path, 'hello');
    expect(await readFile(path, 'utf8')).toBe('hello');
    expect(await modeOf(path)).toBe(0o600);
    expect(await readdir(dir)).toEqual(['state.json']);
  });

  it('replaces existing content and applies the exact mode asked for, umask notwithstanding', async () => {
    const path = join(dir, 'metrics.prom');
    await writeFile(path, 'old', { mode: 0o600 });
    const previous = process.umask(0o077);
    try {
      await atomicWriteFile(path, new TextEncoder().encode('new'), { mode: 0o644 });
    } finally {
      process.umask(previous);
    }
    expect(await readFile(path, 'utf8')).toBe('new');
    expect(await modeOf(path)).toBe(0o644);
  });

  it('sets the mtime before the file appears', async () => {
    const path = join(dir, 'synced.txt');
    const mtime = new Date('2020-05-06T07:08:09.000Z');
    await atomicWriteFile(path, 'x', { mtime, fsync: false });
    expect((await stat(path)).mtime.toISOString()).toBe(mtime.toISOString());
  });

  it('replaces a symlink at the path instead of writing through it', async () => {
    const target = join(dir, 'target.txt');
    await writeFile(target, 'keep');
    await symlink(target, join(dir, 'link'));
    await atomicWriteFile(join(dir, 'link'), 'mine');
    expect(await readFile(target, 'utf8')).toBe('keep');
    expect((await lstat(join(dir, 'link'))).isFile()).toBe(true);
  });

  it('removes its temp file when the final rename fails', async () => {
    // Prepare: a directory where the file should go makes rename fail after the write
    await mkdir(join(dir, 'occupied'));
    await writeFile(join(dir, 'occupied', 'inner'), 'x');
    // Act
    const error = await atomicWriteFile(join(dir, 'occupied'), 'data').catch((e: unknown) => e);
    // Assess
    expect(error).toMatchObject({ code: expect.stringMatching(/EISDIR|ENOTEMPTY|EEXIST/) });
    expect(await readdir(dir)).toEqual(['occupied']);
  });

  it('fails cleanly when the directory does not exist', async () => {
    await expect(atomicWriteFile(join(dir, 'missing', 'f'), 'x')).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('Function: atomicWriteJson', () => {
  it('writes pretty JSON with a trailing newline', async () => {
    const path = join(dir, 'v.json');
    await atomicWriteJson(path, { a: 1, b: [true] });
    const text = await readFile(path, 'utf8');
    expect(text.endsWith('}\n')).toBe(true);
    expect(JSON.parse(text)).toEqual({ a: 1, b: [true] });
  });
});

describe('Function: fsyncDir', () => {
  it('syncs an existing directory and reports a missing one', async () => {
    await expect(fsyncDir(dir)).resolves.toBeUndefined();
    await expect(fsyncDir(join(dir, 'missing'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
