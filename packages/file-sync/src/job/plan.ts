import type { JobPlan } from '@tempered/core';
import type { SyncOptions } from '../options.js';
import { planSync } from '../plan/planSync.js';
import { countPlan, quotePath } from '../plan/render.js';
import type { SyncDetails } from '../plan/types.js';
import type { ScanIssue } from '../tree/scanTree.js';
import { emptySourceWarning, unreadableCount, unreadableWarning } from './notices.js';
import type { SyncInfo, SyncWorld } from './world.js';

/** Scan issues listed in the plan per side and kind; the rest are counted (all are in the log). */
export const MAX_LISTED_WARNINGS = 20;

export type SyncJobPlan = JobPlan<SyncDetails, SyncInfo>;

/**
 * The sync plan of two scanned trees. Pure: no I/O, no clock, no logger; what it decides beside
 * the actions (the deletion cap, concurrency, what is journaled) is data in `policy`.
 */
export function planSyncRun(world: SyncWorld, options: SyncOptions): SyncJobPlan {
  const warnings: string[] = [];
  const empty = emptySourceWarning(world, options);
  if (empty) warnings.push(empty);
  for (const side of ['source', 'destination'] as const) {
    warnings.push(...listed(side, world[side].warnings), ...listed(side, world[side].errors));
  }
  const unreadable = unreadableWarning(world, options);
  if (unreadable) warnings.push(unreadable);

  const { actions, unchanged } = planSync(world.source.entries, world.destination.entries, {
    delete: options.delete && unreadableCount(world) === 0,
    checksum: options.checksum,
    leftovers: world.destination.leftovers,
  });
  return {
    actions,
    unchanged,
    warnings,
    policy: {
      // like rsync: one entry that fails leaves every other one synced and every directory its
      // final mode and mtime; only deletions wait for a run where everything else succeeded
      onError: 'continue',
      holdBack: 'deletions',
      concurrency: options.concurrency,
      // copies are idempotent by comparison; deletions are journaled for audit
      journalKinds: ['delete'],
      maxDelete: options.maxDelete,
      itemize: false,
    },
    info: {
      scanned: { source: world.source.entries.length, destination: world.destination.entries.length },
      counts: countPlan(actions, unchanged),
    },
    counts: { entries_unchanged: unchanged },
  };
}

function listed(side: 'source' | 'destination', issues: readonly ScanIssue[]): string[] {
  const lines = issues
    .slice(0, MAX_LISTED_WARNINGS)
    .map((issue) => `${side} ${quotePath(issue.path)}: ${issue.message}`);
  if (issues.length > MAX_LISTED_WARNINGS) {
    lines.push(`...and ${issues.length - MAX_LISTED_WARNINGS} more ${side} entries (see the log)`);
  }
  return lines;
}
