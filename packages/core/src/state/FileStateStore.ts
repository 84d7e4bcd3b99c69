import { basename, dirname, join, resolve } from 'node:path';
import { type LockOwner, UsageError } from '../errors/index.js';
import { type Logger, type Redactor, secrets, silentLogger } from '../log/index.js';
import { STATE_DEFAULTS, STATE_LAYOUT } from './constants.js';
import { FileIdempotencyStore } from './FileIdempotencyStore.js';
import { FileJournal } from './FileJournal.js';
import { FileLocks } from './FileLocks.js';
import { FileRunRecords } from './FileRunRecords.js';
import { fileNameFor, sweepLeftovers } from './files.js';
import { listEnvironments } from './stateDir.js';
import type {
  AcquireLockOptions,
  IdempotencyStore,
  Journal,
  ListRunsOptions,
  LockHandle,
  RunRecord,
  StateStore,
} from './types.js';

export interface FileStateStoreOptions {
  /** Warnings of the store itself (stale lock taken over, torn journal line). Default: silent. */
  logger?: Logger;
  /** Run records kept. Default 1000. */
  maxRuns?: number;
  /** Finished journals kept for audit. Default 200. */
  maxArchivedJournals?: number;
  /** Named in idempotency records this store creates, unless begin() names another. */
  runId?: string;
  /** Applied to failure messages and journal details. Default: the process-wide `secrets`. */
  redactor?: Redactor;
  /** Clock for records and expiry, in epoch ms; tests move it instead of sleeping. */
  now?: () => number;
}

/**
 * The embedded state store: one directory per (cli, environment), see stateDirFor(). Nothing is
 * created until something is written, so `stats` and dry-runs leave no trace; directories are
 * made 0700, files 0600, and every write is atomic.
 */
export class FileStateStore implements StateStore {
  readonly dir: string;
  readonly idempotency: IdempotencyStore;
  readonly #runs: FileRunRecords;
  readonly #locks: FileLocks;
  readonly #logger: Logger;
  readonly #redactor: Redactor;
  readonly #maxArchivedJournals: number;
  readonly #now: () => number;

  constructor(dir: string, options: FileStateStoreOptions = {}) {
    this.dir = resolve(dir);
    this.#logger = options.logger ?? silentLogger();
    this.#redactor = options.redactor ?? secrets;
    this.#now = options.now ?? Date.now;
    this.#maxArchivedJournals = positiveInteger(
      options.maxArchivedJournals ?? STATE_DEFAULTS.maxArchivedJournals,
      'maxArchivedJournals',
    );
    this.#runs = new FileRunRecords({
      dir: join(this.dir, STATE_LAYOUT.runs),
      maxRuns: positiveInteger(options.maxRuns ?? STATE_DEFAULTS.maxRuns, 'maxRuns'),
      logger: this.#logger,
      redactor: this.#redactor,
    });
    this.#locks = new FileLocks(join(this.dir, STATE_LAYOUT.locks), this.#logger);
    this.idempotency = new FileIdempotencyStore({
      dir: join(this.dir, STATE_LAYOUT.idempotency),
      runId: options.runId ?? `pid-${process.pid}`,
      logger: this.#logger,
      now: this.#now,
    });
  }

  /** Also sweeps files a killed process left behind: once per run, at its end, is often enough. */
  async recordRun(record: RunRecord): Promise<void> {
    await this.#runs.record(record);
    const now = this.#now();
    for (const sub of Object.values(STATE_LAYOUT)) {
      await sweepLeftovers(join(this.dir, sub), STATE_DEFAULTS.leftoverAgeMs, now);
    }
  }

  listRuns(options?: ListRunsOptions): Promise<RunRecord[]> {
    return this.#runs.list(options);
  }

  openJournal(key: string): Promise<Journal> {
    return FileJournal.open({
      key,
      path: join(this.dir, STATE_LAYOUT.journals, `${fileNameFor(key, 'journal key')}.jsonl`),
      archiveDir: join(this.dir, STATE_LAYOUT.journalArchive),
      maxArchived: this.#maxArchivedJournals,
      logger: this.#logger,
      redactor: this.#redactor,
      now: this.#now,
    });
  }

  acquireLock(name: string, options: AcquireLockOptions): Promise<LockHandle> {
    return this.#locks.acquire(name, options);
  }

  inspectLock(name: string): Promise<LockOwner | undefined> {
    return this.#locks.inspect(name);
  }

  breakLock(name: string): Promise<LockOwner | undefined> {
    return this.#locks.break(name);
  }

  /** The sibling environment directories: the store's dir is `<root>/<cli>/<environment>`. */
  listEnvironments(): Promise<string[]> {
    const cliDir = dirname(this.dir);
    return listEnvironments(dirname(cliDir), basename(cliDir));
  }
}

function positiveInteger(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new UsageError(`state store option ${name} must be a positive integer, got ${value}`);
  }
  return value;
}
