import { UsageError } from '@tempered/core';
import type { SyncOptions } from '../options.js';
import type { SyncWorld } from './world.js';

/**
 * A missing or empty source is far more often a failed mount than an intent: refused, or with
 * --allow-empty-source a warning. Pure, so read() (which refuses early and logs) and plan()
 * (which lists the warning) cannot disagree.
 */
export function emptySourceWarning(world: SyncWorld, options: SyncOptions): string | undefined {
  const scan = world.source;
  if (scan.exists && scan.entries.length > 1) return undefined;
  const what = scan.exists ? 'is empty' : 'does not exist';
  if (options.allowEmptySource) {
    return `source ${JSON.stringify(options.source)} ${what}; synced as empty (--allow-empty-source)`;
  }
  throw new UsageError(`source ${JSON.stringify(options.source)} ${what}; refusing to sync`, {
    hint: 'check the path (an unmounted disk?); pass --allow-empty-source if an empty source is intended',
  });
}

export function unreadableCount(world: SyncWorld): number {
  return world.source.errors.length + world.destination.errors.length;
}

/** What is under an unreadable entry is unknown, so with any of them nothing is deleted. */
export function unreadableWarning(world: SyncWorld, options: SyncOptions): string | undefined {
  const unreadable = unreadableCount(world);
  if (unreadable === 0 || !options.delete) return undefined;
  return `${unreadable} entries could not be read, so nothing is deleted this run`;
}
