import { accessSync, constants, lstatSync, mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { describeFsError, PermanentError } from '@tempered/core';

const WRITE_HINT = 'run as a user who may write there, or change its owner or permissions';

/**
 * Refuses, before any scan, a destination this user cannot write: the directory itself, or for
 * one still to be made, the nearest directory above it that exists. A directory the user owns
 * passes even when read-only: the run makes it writable for itself, as rsync does.
 */
export function checkWritable(destination: string): void {
  let at = destination;
  let missing = false;
  for (let k = 0; k < 4096; k++) {
    const stats = statSync(at, { throwIfNoEntry: false });
    if (stats) {
      if (!stats.isDirectory()) {
        throw new PermanentError(
          `cannot create destination ${JSON.stringify(destination)}: ${JSON.stringify(at)} is not a directory`,
          { hint: 'pass a DESTINATION under an existing directory' },
        );
      }
      try {
        accessSync(at, constants.W_OK | constants.X_OK);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code !== 'EROFS' && !missing && stats.uid === process.getuid?.()) return;
        const what = missing
          ? `cannot create destination ${JSON.stringify(destination)}: ${JSON.stringify(at)}`
          : `destination ${JSON.stringify(destination)}`;
        throw new PermanentError(`${what} is not writable: ${describeFsError(error)}`, {
          hint: code === 'EROFS' ? 'pick a DESTINATION on a writable filesystem' : WRITE_HINT,
          cause: error,
        });
      }
      return;
    }
    const parent = dirname(at);
    if (parent === at) return;
    missing = true;
    at = parent;
  }
}

/**
 * Makes a missing destination (and its missing parents) before the first action, so a root that
 * cannot be made ends the run at once with one line, not one failure per entry. One mkdir per
 * level, no retry loop: recursive mkdir spins forever where mkdir keeps answering ENOENT (/proc).
 */
export function createDestination(destination: string): void {
  const missing: string[] = [];
  for (let at = destination; !lstatSync(at, { throwIfNoEntry: false }); at = dirname(at)) {
    missing.push(at);
    if (dirname(at) === at) break;
  }
  for (const dir of missing.reverse()) {
    try {
      mkdirSync(dir, { mode: 0o777 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw new PermanentError(
        `cannot create destination ${JSON.stringify(destination)}: ${describeFsError(error)}`,
        { hint: 'pass a DESTINATION on a filesystem where directories can be made', cause: error },
      );
    }
  }
}
