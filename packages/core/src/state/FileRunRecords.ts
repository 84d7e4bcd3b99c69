import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { atomicWriteJson } from '../fs/index.js';
import type { Logger, Redactor } from '../log/index.js';
import { compactTimestamp } from '../util/time.js';
import { assertRunRecord } from './checkRecords.js';
import { ensureDir, fileNameFor, listNames, readTextIfExists } from './files.js';
import type { ListRunsOptions, RunRecord } from './types.js';

// `<compact startedAt>-<run id>.json`; anything else in the directory is not ours to read
const RECORD_NAME = /^\d{8}T\d{9}Z-.+\.json$/;
const STAMP_LENGTH = 19;

/** @internal */
export interface FileRunRecordsOptions {
  dir: string;
  maxRuns: number;
  logger: Logger;
  redactor: Redactor;
}

/**
 * One file per run, named by start time so a directory listing is already the history in
 * order, and pruned to the newest `maxRuns` on every write so cron cannot fill the disk.
 * @internal
 */
export class FileRunRecords {
  readonly #options: FileRunRecordsOptions;

  constructor(options: FileRunRecordsOptions) {
    this.#options = options;
  }

  async record(record: RunRecord): Promise<void> {
    assertRunRecord(record);
    const { dir, redactor } = this.#options;
    await ensureDir(dir);
    const stored: RunRecord = record.failure
      ? { ...record, failure: { ...record.failure, message: redactor.redactString(record.failure.message) } }
      : record;
    const name = `${compactTimestamp(new Date(record.startedAt), 'milliseconds')}-${fileNameFor(record.runId, 'run id')}.json`;
    await atomicWriteJson(join(dir, name), stored);
    await this.#prune();
  }

  async list(options: ListRunsOptions = {}): Promise<RunRecord[]> {
    const { dir, logger } = this.#options;
    const since = options.since ? compactTimestamp(options.since, 'milliseconds') : undefined;
    const limit = options.limit ?? Number.POSITIVE_INFINITY;
    const names = (await this.#names()).reverse();
    const runs: RunRecord[] = [];
    for (const name of names) {
      if (runs.length >= limit) break;
      // names sort as their start times do, so the first older one ends the scan
      if (since !== undefined && name.slice(0, STAMP_LENGTH) < since) break;
      const raw = await readTextIfExists(join(dir, name));
      if (raw === undefined) continue;
      try {
        runs.push(JSON.parse(raw) as RunRecord);
      } catch {
        logger.warn({ file: name }, 'skipped an unreadable run record');
      }
    }
    return runs;
  }

  async #names(): Promise<string[]> {
    return (await listNames(this.#options.dir)).filter((name) => RECORD_NAME.test(name)).sort();
  }

  async #prune(): Promise<void> {
    const names = await this.#names();
    for (const name of names.slice(0, Math.max(0, names.length - this.#options.maxRuns))) {
      await rm(join(this.#options.dir, name), { force: true });
    }
  }
}
