import { createHash } from 'node:crypto';
import { readlinkSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { assertBuilt, type Fixture, startFixture } from '../state/childProcess.js';

let dir: string;
const children: Fixture[] = [];

beforeAll(() => assertBuilt());

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tempered-atomicity-'));
});

afterEach(async () => {
  await Promise.all(children.splice(0).map((child) => child.kill()));
  await rm(dir, { recursive: true, force: true });
});

/** The header names the body's length and hash, so any torn or mixed content fails the check. */
function assertComplete(content: Buffer): number {
  const newline = content.indexOf(10);
  const header = /^gen=(\d{10}) len=(\d+) sha=([0-9a-f]{64})$/.exec(content.subarray(0, newline).toString());
  expect(header, 'header line').not.toBeNull();
  const body = content.subarray(newline + 1);
  expect(body.length).toBe(Number(header?.[2]));
  expect(createHash('sha256').update(body).digest('hex')).toBe(header?.[3]);
  return Number(header?.[1]);
}

describe('atomicWriteFile under SIGKILL', () => {
  it('leaves the final path absent or complete, never partial, whenever the writer dies', async () => {
    const path = join(dir, 'big.dat');
    let killedMidWrite = 0;
    // right after start, then between writes and during them ("writing N" precedes the write)
    const rounds = [
      'ready',
      'wrote 1',
      'writing 2',
      'wrote 3',
      'writing 3',
      'writing 4',
      'wrote 5',
      'writing 6',
    ];
    // under load a kill can land just before the temp file exists; more rounds until one lands inside
    for (let extra = 7; extra < 20; extra++) rounds.push(`writing ${extra % 4 === 0 ? 2 : 3}`);
    for (const [round, killOn] of rounds.entries()) {
      if (round >= 8 && killedMidWrite > 0) break;
      // Prepare
      const writer = startFixture('atomic-writer.mjs', path, String(16 * 1024 * 1024));
      children.push(writer);
      await writer.waitFor(killOn);
      // Act
      const exit = await writer.kill('SIGKILL');
      // Assess
      expect(exit.signal).toBe('SIGKILL');
      const content = await readFile(path).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error;
        return undefined;
      });
      if (round > 0) expect(content, 'a completed write never disappears').toBeDefined();
      if (content) {
        const generation = assertComplete(content);
        const written = Number(/^wrote (\d+)$/.exec(killOn)?.[1] ?? 0);
        if (written > 0) expect(generation).toBeGreaterThanOrEqual(written);
      }
      // a killed writer may leave its hidden temp file, never anything else
      for (const name of await readdir(dir)) {
        expect(name === 'big.dat' || name.startsWith('.big.dat.tmp-')).toBe(true);
        if (name.startsWith('.big.dat.tmp-')) {
          killedMidWrite += 1;
          await rm(join(dir, name));
        }
      }
    }
    // proof the kills did land inside writes, not only between them
    expect(killedMidWrite).toBeGreaterThan(0);
  });
});

describe('atomicSymlink under a concurrent reader', () => {
  it('never lets the link be missing or point anywhere but the old or new target', async () => {
    // Prepare
    const link = join(dir, 'current');
    const swapper = startFixture('symlink-swapper.mjs', link);
    children.push(swapper);
    await swapper.waitFor('ready');
    // Act: read as fast as possible while the other process swaps
    const seen = new Map<string, number>();
    const until = Date.now() + 500;
    let reads = 0;
    while (Date.now() < until || seen.size < 2) {
      const target = readlinkSync(link);
      seen.set(target, (seen.get(target) ?? 0) + 1);
      reads += 1;
      if (reads > 5_000_000) break;
    }
    // Assess: readlinkSync would have thrown ENOENT had the link ever been absent
    expect([...seen.keys()].sort()).toEqual(['target-a', 'target-b']);
  });
});
