import { readFile, rename, rm, truncate } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { InternalError } from '../errors/index.js';
import { DurableAppendFile, fsyncDir } from '../fs/index.js';
import type { Logger, Redactor } from '../log/index.js';
import { compactTimestamp } from '../util/time.js';
import { ensureDir, listNames } from './files.js';
import { JournalSteps } from './journalSteps.js';
import type { Journal } from './types.js';

type Entry =
  | { t: 'open'; at: string; pid: number; resumed: boolean }
  | { t: 'begin'; step: string; at: string; details?: unknown }
  | { t: 'complete'; step: string; at: string; result?: unknown }
  | { t: 'fail'; step: string; at: string; error: string };

/** @internal */
export interface FileJournalOptions {
  key: string;
  /** The journal file (JSON lines). */
  path: string;
  archiveDir: string;
  maxArchived: number;
  logger: Logger;
  redactor: Redactor;
  now: () => number;
}

/**
 * Append-only JSON lines, one record per begin/complete/fail. A `complete` line is fsynced
 * before the call returns: once a side effect is recorded, no crash can make a re-run repeat
 * it. A line torn by a crash mid-write is cut off when the journal is next opened.
 * @internal
 */
export class FileJournal implements Journal {
  readonly key: string;
  readonly resumed: boolean;
  readonly #options: FileJournalOptions;
  readonly #steps: JournalSteps;
  readonly #file: DurableAppendFile;
  #last: Promise<void> = Promise.resolve();
  // the header goes in with the first real record, so a no-op run leaves no journal behind
  #headerWritten = false;
  #finished = false;

  private constructor(options: FileJournalOptions, entries: Entry[]) {
    this.#options = options;
    this.#file = new DurableAppendFile(options.path);
    this.key = options.key;
    this.#steps = new JournalSteps(this.key);
    this.resumed = entries.length > 0;
    for (const entry of entries) this.#apply(entry);
  }

  static async open(options: FileJournalOptions): Promise<FileJournal> {
    let text = '';
    try {
      text = await readFile(options.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    const end = text.lastIndexOf('\n') + 1;
    if (end < text.length) {
      // appending after a torn line would glue the next record onto it and lose both
      await truncate(options.path, end);
      options.logger.warn(
        { journal: options.key, bytes: text.length - end },
        'ignored a torn last journal line',
      );
    }
    const entries: Entry[] = [];
    for (const line of text.slice(0, end).split('\n')) {
      if (line === '') continue;
      try {
        entries.push(JSON.parse(line) as Entry);
      } catch {
        options.logger.warn(
          { journal: options.key, line: line.slice(0, 200) },
          'skipped an unreadable journal line',
        );
      }
    }
    return new FileJournal(options, entries);
  }

  isCompleted(stepId: string): boolean {
    return this.#steps.isCompleted(stepId);
  }

  completedSteps(): string[] {
    return this.#steps.completedSteps();
  }

  unfinishedSteps(): string[] {
    return this.#steps.unfinishedSteps();
  }

  result<T = unknown>(stepId: string): T | undefined {
    return this.#steps.result<T>(stepId);
  }

  async begin(stepId: string, details?: unknown): Promise<void> {
    this.#assertOpen();
    this.#steps.assertNotCompleted(stepId, 'begin');
    const entry: Entry = { t: 'begin', step: stepId, at: this.#now() };
    if (details !== undefined) entry.details = this.#options.redactor.redact(details);
    await this.#append(entry, false);
  }

  async complete(stepId: string, result?: unknown): Promise<void> {
    this.#assertOpen();
    this.#steps.assertNotCompleted(stepId, 'complete');
    const entry: Entry = { t: 'complete', step: stepId, at: this.#now() };
    if (result !== undefined) entry.result = result;
    await this.#append(entry, true);
  }

  async fail(stepId: string, message: string): Promise<void> {
    this.#assertOpen();
    await this.#append(
      { t: 'fail', step: stepId, at: this.#now(), error: this.#options.redactor.redactString(message) },
      false,
    );
  }

  async finish(): Promise<void> {
    this.#assertOpen();
    this.#finished = true;
    await this.#last;
    const { path, archiveDir, key } = this.#options;
    if (!this.#headerWritten && !this.resumed) return;
    await ensureDir(archiveDir);
    const name = `${compactTimestamp(new Date(this.#options.now()), 'milliseconds')}-${basename(path)}`;
    try {
      await rename(path, join(archiveDir, name));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      this.#options.logger.warn({ journal: key }, 'journal vanished before it could be archived');
      return;
    }
    await fsyncDir(dirname(path));
    await this.#pruneArchive();
  }

  #apply(entry: Entry): void {
    if (entry.t === 'complete') this.#steps.record('complete', entry.step, entry.result);
    else if (entry.t === 'begin' || entry.t === 'fail') this.#steps.record(entry.t, entry.step);
  }

  /** Records land in call order even when callers do not await (the file queues them). */
  #append(entry: Entry, durable: boolean): Promise<void> {
    const text = () => {
      const lines: Entry[] = [];
      if (!this.#headerWritten) {
        lines.push({ t: 'open', at: this.#now(), pid: process.pid, resumed: this.resumed });
      }
      lines.push(entry);
      return lines.map((line) => `${JSON.stringify(line)}\n`).join('');
    };
    const done = this.#file.append(text, { durable }).then(() => {
      this.#headerWritten = true;
      this.#apply(entry);
    });
    this.#last = done.catch(() => undefined);
    return done;
  }

  async #pruneArchive(): Promise<void> {
    const { archiveDir, maxArchived } = this.#options;
    const names = (await listNames(archiveDir)).filter((name) => !name.startsWith('.')).sort();
    for (const name of names.slice(0, Math.max(0, names.length - maxArchived))) {
      await rm(join(archiveDir, name), { force: true });
    }
  }

  #assertOpen(): void {
    if (this.#finished)
      throw new InternalError(`journal "${this.key}" is finished; open it again for a new run`);
  }

  #now(): string {
    return new Date(this.#options.now()).toISOString();
  }
}
