import type { SyncOptions } from '../options.js';
import { buildStats, type DoneCounts, type SyncStats } from '../summary.js';
import type { SyncJobPlan } from './plan.js';

const NOTHING_DONE: DoneCounts = { created: 0, updated: 0, deleted: 0, cleaned: 0, bytes: 0, vanished: 0 };

/** `result.sync`: what the run did (or, on a dry-run, would do), and how long it took so far. */
export function syncStats(
  plan: SyncJobPlan,
  options: SyncOptions,
  run: { dryRun: boolean; done?: DoneCounts; startedAt: Date },
): SyncStats {
  return buildStats({
    dryRun: run.dryRun,
    source: options.source,
    destination: options.destination,
    scanned: plan.info.scanned,
    planned: plan.info.counts,
    done: run.done ?? NOTHING_DONE,
    durationMs: Date.now() - run.startedAt.getTime(),
  });
}
