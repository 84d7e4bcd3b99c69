import { mkdir, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DurableAppendFile } from '../../../src/fs/index.js';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tempered-append-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('DurableAppendFile', () => {
  it('creates missing parents 0700 and the file 0600, and keeps call order without awaits', async () => {
    const file = new DurableAppendFile(join(dir, 'a', 'b', 'log.jsonl'));
    const writes = Array.from({ length: 50 }, (_, i) => file.append(`${i}\n`, { durable: i % 2 === 0 }));
    await Promise.all(writes);

    const lines = (await readFile(file.path, 'utf8')).trim().split('\n');
    expect(lines).toEqual(Array.from({ length: 50 }, (_, i) => String(i)));
    expect((await stat(join(dir, 'a'))).mode & 0o777).toBe(0o700);
    expect((await stat(file.path)).mode & 0o777).toBe(0o600);
  });

  it('calls a text function when its turn comes, after the appends before it landed', async () => {
    const file = new DurableAppendFile(join(dir, 'log'));
    let landed = 0;
    const first = file.append('one\n').then(() => {
      landed++;
    });
    const second = file.append(() => `two after ${landed}\n`);
    await Promise.all([first, second]);
    expect(await readFile(file.path, 'utf8')).toBe('one\ntwo after 1\n');
  });

  it('a failed append rejects its caller only; the next one goes on', async () => {
    const path = join(dir, 'log');
    await mkdir(path); // a directory where the file should be: open() fails with EISDIR
    const file = new DurableAppendFile(path);
    const failed = file.append('lost\n');
    await expect(failed).rejects.toMatchObject({ code: 'EISDIR' });
    await rm(path, { recursive: true });
    await file.append('kept\n');
    expect(await readFile(path, 'utf8')).toBe('kept\n');
  });
});
