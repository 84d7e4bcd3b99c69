import { UsageError } from '@tempered/core';
import { findRecord } from './releaseLog.js';
import { type ReleaseLog, ReleaseStatus } from './types.js';

/** A release directory found on the target. */
export interface ReleaseDir {
  id: string;
  mtimeMs: number;
}

/**
 * Release ids on the target, newest first: those the log knows in reverse deploy order, then
 * directories it does not know (made by hand, or before the log existed), newest mtime first.
 */
export function newestFirst(log: ReleaseLog, dirs: readonly ReleaseDir[]): string[] {
  const present = new Map(dirs.map((dir) => [dir.id, dir]));
  const known = log.releases
    .filter((r) => present.has(r.id))
    .map((r) => r.id)
    .reverse();
  const knownSet = new Set(known);
  const unknown = dirs
    .filter((dir) => !knownSet.has(dir.id))
    .sort((a, b) => b.mtimeMs - a.mtimeMs || b.id.localeCompare(a.id))
    .map((dir) => dir.id);
  return [...known, ...unknown];
}

/**
 * The release to fall back on when `release` fails: what `current` points to when it is good (or
 * unknown to the log, e.g. set up by hand), else the newest good release; never `release` itself.
 */
export function previousGood(
  log: ReleaseLog,
  options: { current: string | undefined; release: string; existing: ReadonlySet<string> },
): string | undefined {
  const { current, release, existing } = options;
  if (current !== undefined && current !== release && existing.has(current)) {
    const status = findRecord(log, current)?.status;
    if (status === undefined || status === ReleaseStatus.Good) return current;
  }
  return [...log.releases]
    .reverse()
    .find((r) => r.id !== release && r.status === ReleaseStatus.Good && existing.has(r.id))?.id;
}

/**
 * Keep-N: the releases to remove so that at most `keep` remain, oldest first out. Protected ids
 * (the release going live, the previous good one, `current`) are never removed and count
 * towards N only when they are among the newest.
 */
export function selectCleanup(options: {
  newestFirst: readonly string[];
  keep: number;
  protect: ReadonlySet<string | undefined>;
}): string[] {
  const { keep, protect } = options;
  return options.newestFirst.slice(keep).filter((id) => !protect.has(id));
}

/**
 * The target of `deploy rollback [RELEASE]`: the named release (it must exist), or the newest
 * release deployed before `current` whose status is good, skipping failed and rolled-back ones.
 * Returns undefined when the named release is already current.
 */
export function chooseRollbackTarget(options: {
  log: ReleaseLog;
  existing: ReadonlySet<string>;
  current: string | undefined;
  named?: string | undefined;
}): string | undefined {
  const { log, existing, current, named } = options;
  if (named !== undefined) {
    if (!existing.has(named)) {
      throw new UsageError(`release ${JSON.stringify(named)} does not exist on the target`, {
        hint: 'deploy list shows the releases you can roll back to',
      });
    }
    return named === current ? undefined : named;
  }
  const index = current === undefined ? -1 : log.releases.findIndex((r) => r.id === current);
  const before = index === -1 ? log.releases : log.releases.slice(0, index);
  const target = [...before]
    .reverse()
    .find((r) => r.id !== current && r.status === ReleaseStatus.Good && existing.has(r.id));
  if (!target) {
    throw new UsageError(
      current === undefined
        ? 'nothing to roll back: the target has no current release'
        : `nothing to roll back to: no good release was deployed before ${current}`,
      { hint: 'deploy list shows the releases; name one with deploy rollback RELEASE' },
    );
  }
  return target.id;
}
