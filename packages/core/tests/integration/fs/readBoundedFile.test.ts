/**
 * Issue 14, item 13: a file read by name is untrusted. A FIFO, a device or a huge file must be
 * refused without waiting on it, and without reading more than the limit. Real FIFOs and devices.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BoundedReadError, readBoundedFile, readBoundedFileSync } from '../../../src/fs/readBoundedFile.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tempered-bounded-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function fifo(): string {
  const path = join(dir, 'fifo');
  execFileSync('mkfifo', [path]);
  return path;
}

const READERS = {
  readBoundedFile: (path: string, maxBytes: number) => readBoundedFile(path, { maxBytes }),
  readBoundedFileSync: async (path: string, maxBytes: number) => readBoundedFileSync(path, { maxBytes }),
};

describe.each(Object.entries(READERS))('%s', (_name, read) => {
  it('reads a regular file, and one through a symlink (Docker and Kubernetes secrets are links)', async () => {
    writeFileSync(join(dir, 'secret'), 'hunter2\n');
    symlinkSync(join(dir, 'secret'), join(dir, 'link'));
    expect((await read(join(dir, 'secret'), 1024)).toString()).toBe('hunter2\n');
    expect((await read(join(dir, 'link'), 1024)).toString()).toBe('hunter2\n');
  });

  it('refuses a FIFO with no writer at once, without waiting for one', async () => {
    const started = performance.now();
    await expect(read(fifo(), 1024)).rejects.toMatchObject({
      name: 'BoundedReadError',
      code: 'E_NOT_REGULAR',
      message: 'a FIFO, not a regular file',
    });
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('refuses /dev/zero, a directory and a link to a FIFO', async () => {
    await expect(read('/dev/zero', 1024)).rejects.toThrow('a character device, not a regular file');
    await expect(read(dir, 1024)).rejects.toThrow('a directory, not a regular file');
    symlinkSync(fifo(), join(dir, 'to-fifo'));
    await expect(read(join(dir, 'to-fifo'), 1024)).rejects.toThrow('a FIFO, not a regular file');
  });

  it('refuses a file over the limit, and reads one of exactly the limit', async () => {
    writeFileSync(join(dir, 'big'), 'x'.repeat(1025));
    writeFileSync(join(dir, 'fits'), 'x'.repeat(1024));
    await expect(read(join(dir, 'big'), 1024)).rejects.toMatchObject({
      code: 'E_TOO_LARGE',
      message: 'larger than the 1 KiB limit',
    });
    expect((await read(join(dir, 'fits'), 1024)).length).toBe(1024);
  });

  it('names the errno of a file that cannot be opened', async () => {
    const error = await read(join(dir, 'missing'), 1024).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BoundedReadError);
    expect(error).toMatchObject({ code: 'ENOENT', message: 'ENOENT' });
  });
});
