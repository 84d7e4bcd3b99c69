import { rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { atomicWriteFile, fsyncDir, writeFileExclusive } from '../fs/index.js';
import { readTextIfExists, sha256 } from './files.js';
import { currentLockOwner, ownerLiveness, parseLockOwner } from './lockOwner.js';

// a claim is held for one read and one rename; anything this old on another host was abandoned
const CLAIM_ABANDONED_MS = 30_000;
// each level is only reached when every claim below it belongs to a dead process
const MAX_CLAIM_LEVELS = 8;

/**
 * Compare-and-swap on a file: replaces `path` with `replacement` (or removes it when undefined)
 * only if it still holds exactly `expected`, and only in one process when several try at once
 * (two runs taking over the same stale lock must not both win).
 *
 * Rename alone cannot do it (a loser would rename the winner's fresh file away), so contenders
 * first race for a claim: an O_EXCL file named after the content they judged stale. The winner
 * re-reads under the claim, swaps, and removes its claims. Every writer of these files replaces
 * whole files, never edits one, so equal content means nobody swapped in between. A claim left by
 * a process killed mid-swap does not wedge the file: the next level is claimed once the holder
 * is dead. Returns true if this call made the swap; false means re-read and decide again.
 * @internal
 */
export async function replaceIfUnchanged(
  path: string,
  expected: string,
  replacement: string | undefined,
): Promise<boolean> {
  const generation = sha256(expected).slice(0, 16);
  for (let level = 0; level < MAX_CLAIM_LEVELS; level++) {
    const claim = claimPath(path, generation, level);
    const body = JSON.stringify(currentLockOwner(`claim-${process.pid}`));
    if (await writeFileExclusive(claim, body, { fsync: false })) {
      try {
        if ((await readTextIfExists(path)) !== expected) return false;
        if (replacement === undefined) {
          await rm(path, { force: true });
          await fsyncDir(dirname(path));
        } else {
          await atomicWriteFile(path, replacement);
        }
        return true;
      } finally {
        // lower levels belong to dead processes (that is how we got here), so they go too
        for (let l = 0; l <= level; l++) await rm(claimPath(path, generation, l), { force: true });
      }
    }
    if (!(await isAbandoned(claim))) return false;
  }
  return false;
}

function claimPath(path: string, generation: string, level: number): string {
  return join(dirname(path), `.${basename(path)}.takeover-${generation}-${level}`);
}

async function isAbandoned(claim: string): Promise<boolean> {
  const raw = await readTextIfExists(claim);
  // gone: its holder finished, so the file has probably changed; let the caller look again
  if (raw === undefined) return false;
  const holder = parseLockOwner(raw);
  const liveness = holder ? ownerLiveness(holder) : 'unknown';
  if (liveness !== 'unknown') return liveness === 'dead';
  const stats = await stat(claim).catch(() => undefined);
  return stats !== undefined && Date.now() - stats.mtimeMs > CLAIM_ABANDONED_MS;
}
