import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mapConcurrently } from '@tempered/core';
import type { EntryTable } from './EntryTable.js';
import { EntryType } from './EntryTable.js';
import { fsPath } from './fsName.js';

/** sha256 of a file's content, streamed (constant memory whatever the size). */
export async function hashFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(fsPath(path), { highWaterMark: 1024 * 1024 }))
    hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export interface HashFailure {
  path: string;
  side: 'source' | 'destination';
  error: unknown;
}

/**
 * --checksum: hashes only the files that exist on both sides with the same size (a different
 * size already says "changed"), at most `concurrency` at a time. A file that cannot be read is
 * left without a hash, which plans it as changed; the failure is returned for a warning. Once
 * `signal` aborts, no new file is hashed and the interruption is thrown.
 */
export async function hashCandidates(
  source: { table: EntryTable; resolve: (path: string) => string },
  dest: { table: EntryTable; resolve: (path: string) => string },
  concurrency: number,
  signal?: AbortSignal,
): Promise<HashFailure[]> {
  const pairs: [number, number][] = [];
  for (let i = 0; i < source.table.length; i++) {
    if (source.table.type(i) !== EntryType.File) continue;
    const j = dest.table.indexOf(source.table.path(i));
    if (j === -1 || dest.table.type(j) !== EntryType.File) continue;
    if (source.table.size(i) !== dest.table.size(j)) continue;
    pairs.push([i, j]);
  }
  const failures: HashFailure[] = [];
  const hashPair = async ([i, j]: [number, number]): Promise<void> => {
    const path = source.table.path(i);
    try {
      source.table.setHash(i, await hashFile(source.resolve(path)));
    } catch (error) {
      failures.push({ path, side: 'source', error });
      return;
    }
    try {
      dest.table.setHash(j, await hashFile(dest.resolve(path)));
    } catch (error) {
      failures.push({ path, side: 'destination', error });
    }
  };
  await mapConcurrently(pairs, hashPair, { concurrency, signal });
  return failures;
}
