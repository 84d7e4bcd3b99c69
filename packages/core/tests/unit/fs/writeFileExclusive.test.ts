import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeFileExclusive } from '../../../src/fs/index.js';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tempered-atomic-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const modeOf = async (path: string) => (await stat(path)).mode & 0o777;

describe('Function: writeFileExclusive', () => {
  it('creates the file whole, once, with mode 0600', async () => {
    const path = join(dir, 'x.lock');
    expect(await writeFileExclusive(path, 'first')).toBe(true);
    expect(await writeFileExclusive(path, 'second')).toBe(false);
    expect(await readFile(path, 'utf8')).toBe('first');
    expect(await modeOf(path)).toBe(0o600);
    expect(await readdir(dir)).toEqual(['x.lock']);
  });

  it('lets exactly one of many concurrent creators win', async () => {
    const path = join(dir, 'race');
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => writeFileExclusive(path, `w${i}`)),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await readFile(path, 'utf8')).toBe(`w${results.indexOf(true)}`);
  });
});
