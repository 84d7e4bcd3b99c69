import { statfs } from 'node:fs/promises';
import { formatBytes } from '@tempered/core';
import { DiskFullError } from '../errors.js';

/** What a release takes on disk, estimated before it is unpacked. */
export interface SpaceNeed {
  bytes: number;
  /** Files, directories and links: each takes an inode. */
  entries: number;
}

/** Allocation unit assumed for the estimate: most filesystems' block size. */
const BLOCK = 4096;

/** A file's share of the estimate: whole blocks. Directories and links count one block each. */
export function diskBytes(kind: 'file' | 'directory' | 'symlink' | 'hardlink', size: number): number {
  if (kind === 'hardlink') return 0;
  if (kind !== 'file') return BLOCK;
  return Math.ceil(size / BLOCK) * BLOCK;
}

const RESERVE_KEY = 'deploy.artifactLimits.minFreeSpace';
const HINT = `free space on the target's filesystem (old releases: lower deploy.keepReleases), then re-run`;

/** Refuses to start when the release would not fit in `dir`'s filesystem with `reserve` left over. */
export async function ensureFreeSpace(
  dir: string,
  need: SpaceNeed,
  reserve: number,
  what: string,
): Promise<void> {
  const fs = await statfs(dir);
  const free = fs.bavail * fs.bsize;
  if (need.bytes + reserve > free) {
    throw new DiskFullError(
      `not enough free space in ${dir} for ${what}: it needs about ${formatBytes(need.bytes)}, ${formatBytes(free)} are free and ${formatBytes(reserve)} must stay free (${RESERVE_KEY})`,
      { hint: HINT },
    );
  }
  // some filesystems (btrfs) report no inode counts at all
  if (fs.files > 0 && need.entries > fs.ffree) {
    throw new DiskFullError(
      `not enough free inodes in ${dir} for ${what}: it has ${need.entries} entries and ${fs.ffree} inodes are free`,
      { hint: HINT },
    );
  }
}

/** Free space is looked at again after this much has been written. */
const CHECK_EVERY_BYTES = 8 * 1024 * 1024;

/**
 * Watches the free space while a release is written: other writers share the filesystem, so
 * the check made before is not enough. Stops the unpacking once less than `reserve` is free,
 * before the filesystem is full for everyone else.
 */
export class SpaceWatch {
  readonly #dir: string;
  readonly #reserve: number;
  readonly #what: string;
  #sinceCheck = 0;

  constructor(dir: string, reserve: number, what: string) {
    this.#dir = dir;
    this.#reserve = reserve;
    this.#what = what;
  }

  async wrote(bytes: number): Promise<void> {
    this.#sinceCheck += bytes;
    if (this.#sinceCheck < CHECK_EVERY_BYTES) return;
    this.#sinceCheck = 0;
    const fs = await statfs(this.#dir);
    const free = fs.bavail * fs.bsize;
    if (free < this.#reserve) {
      throw new DiskFullError(
        `free space in ${this.#dir} fell to ${formatBytes(free)} while unpacking ${this.#what}, below the ${formatBytes(this.#reserve)} that must stay free (${RESERVE_KEY})`,
        { hint: HINT },
      );
    }
  }
}

const FULL = new Set(['ENOSPC', 'EDQUOT']);

/** A write that failed for lack of space (or quota), anywhere in `error`'s causes, as a DiskFullError. */
export function asDiskFull(error: unknown, dir: string, what: string): unknown {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    if (e instanceof DiskFullError) return e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== undefined && FULL.has(code)) {
      return new DiskFullError(`no space left in ${dir} while unpacking ${what} (${code})`, {
        hint: HINT,
        cause: error,
      });
    }
  }
  return error;
}
