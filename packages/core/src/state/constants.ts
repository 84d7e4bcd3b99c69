/** Every way a run can end; `RunRecord.status` is one of these. */
export const RUN_STATUSES = [
  'success',
  'failure',
  'partial',
  'interrupted',
  'temporary',
  'dry-run',
  'noop',
] as const;

/** Defaults of FileStateStore and the helpers around it, in one place. */
export const STATE_DEFAULTS = {
  /** Run records kept per environment; older ones are pruned so cron cannot fill the disk. */
  maxRuns: 1000,
  /** Finished journals kept for audit ("every deletion journaled"). */
  maxArchivedJournals: 200,
  lockPollMs: 250,
  /** How long runIdempotent's in-progress claim holds before another run may take it over. */
  idempotencyTtlMs: 30 * 60_000,
  /** How long a completed idempotency record answers repeats. */
  idempotencyRetainMs: 7 * 86_400_000,
  /** Temp and claim files older than this are leftovers of a crashed process. */
  leftoverAgeMs: 3_600_000,
} as const;

/**
 * Sub-directories of one environment's state dir.
 * @internal
 */
export const STATE_LAYOUT = {
  runs: 'runs',
  journals: 'journals',
  journalArchive: 'journals/archive',
  idempotency: 'idempotency',
  locks: 'locks',
} as const;

/**
 * Bounded retries when another process changes a file between our read and our swap;
 * each lost race means someone else made progress, so this only spins under real contention.
 * @internal
 */
export const RACE = { attempts: 50, delayMs: 10 } as const;
