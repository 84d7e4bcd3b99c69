import { lstat, mkdir, mkdtemp, readdir, readlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { atomicSymlink } from '../../../src/fs/index.js';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tempered-atomic-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('Function: atomicSymlink', () => {
  it('creates, then swaps, the link and leaves no temp behind', async () => {
    const link = join(dir, 'current');
    await atomicSymlink('releases/1', link);
    expect(await readlink(link)).toBe('releases/1');
    await atomicSymlink('releases/2', link);
    expect(await readlink(link)).toBe('releases/2');
    expect(await readdir(dir)).toEqual(['current']);
  });

  it('refuses to replace a real directory and cleans up', async () => {
    await mkdir(join(dir, 'current'));
    await expect(atomicSymlink('releases/1', join(dir, 'current'))).rejects.toMatchObject({
      code: expect.stringMatching(/EISDIR|ENOTDIR|EEXIST|ENOTEMPTY/),
    });
    expect(await readdir(dir)).toEqual(['current']);
    expect((await lstat(join(dir, 'current'))).isDirectory()).toBe(true);
  });
});
