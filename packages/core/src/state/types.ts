import type { LockOwner } from '../errors/index.js';
import type { Logger } from '../log/index.js';
import type { RUN_STATUSES } from './constants.js';

export type RunStatus = (typeof RUN_STATUSES)[number];

/** What one run of one command did; written once, when the run ends (dry-runs included). */
export interface RunRecord {
  runId: string;
  cli: string;
  command: string;
  environment: string;
  status: RunStatus;
  exitCode: number;
  /** ISO 8601. */
  startedAt: string;
  /** ISO 8601. */
  finishedAt: string;
  durationMs: number;
  counts: Record<string, number>;
  retries: number;
  failure?: { code: string; message: string; step?: string };
  host?: string;
  pid?: number;
}

export interface ListRunsOptions {
  /** Only runs started at or after this instant. */
  since?: Date;
  /** At most this many, newest first. */
  limit?: number;
}

/**
 * The step journal of one target: what an interrupted run already did, so the next run
 * continues instead of repeating side effects. Reads are synchronous (the journal is loaded
 * when opened); writes resolve once the record is stored, durably for `complete`.
 * One journal is used by one run at a time: hold the run lock while it is open.
 */
export interface Journal {
  readonly key: string;
  /** True when an unfinished journal from an interrupted run was found. */
  readonly resumed: boolean;
  isCompleted(stepId: string): boolean;
  /** Completed step ids, in completion order. */
  completedSteps(): string[];
  /**
   * Steps an earlier run began but neither completed nor failed: it died mid-step, so the
   * side effect may or may not have happened. Check the world before redoing them.
   */
  unfinishedSteps(): string[];
  /** Throws InternalError for a completed step: a journal never lets a step run twice. */
  begin(stepId: string, details?: unknown): Promise<void>;
  /** `result` must be JSON-serialisable; it is handed back by `result()` on resume. */
  complete(stepId: string, result?: unknown): Promise<void>;
  /** The step may be retried by a later run. */
  fail(stepId: string, message: string): Promise<void>;
  result<T = unknown>(stepId: string): T | undefined;
  /** The run completed: archive the journal so the next run starts fresh. */
  finish(): Promise<void>;
}

export interface IdempotencyBeginOptions {
  /** How long the in-progress claim holds; after that another run may take it over. */
  ttlMs: number;
  /** How long the completed record answers repeats. Default 7 days. */
  retainMs?: number;
  /** Named in "already in progress" errors. Defaults to the store's run id. */
  runId?: string;
}

export type IdempotencyBeginResult = { state: 'new' } | { state: 'completed'; result: unknown };

/** What is stored per idempotency key. */
export interface IdempotencyRecord {
  key: string;
  status: 'in-progress' | 'completed';
  payloadHash: string;
  runId: string;
  /** Tells two claims apart, even by one run; only the claimant completes or fails its own. */
  token: string;
  createdAt: string;
  expiresAt: string;
  retainMs: number;
  completedAt?: string;
  result?: unknown;
}

export interface IdempotencyStore {
  /**
   * Claims `key` for this payload, race-free between processes. Returns `new` (go ahead, then
   * complete or fail) or the stored result of an earlier completion. Throws
   * IdempotencyInProgressError while another claim is live, IdempotencyPayloadMismatchError
   * when the key was used with a different payload.
   */
  begin(key: string, payloadHash: string, options: IdempotencyBeginOptions): Promise<IdempotencyBeginResult>;
  complete(key: string, result?: unknown): Promise<void>;
  /** Drops the in-progress claim so a retry can run; a completed record is kept. */
  fail(key: string): Promise<void>;
  /** Removes expired records; returns how many. */
  prune(): Promise<number>;
}

export interface AcquireLockOptions {
  owner: LockOwner;
  /** Keep trying this long while a live run holds the lock. Default 0: fail at once (exit 75). */
  waitMs?: number;
  pollMs?: number;
  logger?: Logger;
  /** Aborts the wait (SIGINT/SIGTERM); the promise rejects with the abort reason. */
  signal?: AbortSignal;
}

export interface LockHandle {
  readonly owner: LockOwner;
  /**
   * Fencing token of a lease-based lock (PostgreSQL backend): grows on every acquisition, so a
   * target can refuse a run holding an older one. Absent for file locks.
   */
  readonly token?: number | string;
  /** Removes the lock if it is still ours; safe to call twice. */
  release(): Promise<void>;
}

/**
 * Everything a run keeps between runs. Async and free of file paths, so a networked store
 * (e.g. PostgreSQL, for jobs that run on several hosts) can implement it too.
 */
export interface StateStore {
  recordRun(record: RunRecord): Promise<void>;
  /** Newest first. */
  listRuns(options?: ListRunsOptions): Promise<RunRecord[]>;
  openJournal(key: string): Promise<Journal>;
  readonly idempotency: IdempotencyStore;
  /** Throws LockHeldError (exit 75) while a live run holds `name` past `waitMs`. */
  acquireLock(name: string, options: AcquireLockOptions): Promise<LockHandle>;
  inspectLock(name: string): Promise<LockOwner | undefined>;
  /**
   * Removes the lock whatever its state, for `unlock`; returns the owner it removed. Refuses
   * (ConflictError) while the owner is alive on this host.
   */
  breakLock(name: string): Promise<LockOwner | undefined>;
  /**
   * The environments of this store's CLI that have state, sorted; `stats` reports each. Optional:
   * a store without it makes `stats` report the selected environment only.
   */
  listEnvironments?(): Promise<string[]>;
  /**
   * Lets go of what the store holds open (a networked store's connections), once the run is
   * over; its locks are released before. Optional: the file store holds nothing open.
   */
  close?(): Promise<void>;
}
