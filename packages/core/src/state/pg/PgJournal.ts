import { InternalError } from '../../errors/index.js';
import type { Redactor } from '../../log/index.js';
import { JournalSteps } from '../journalSteps.js';
import type { Journal } from '../types.js';
import type { Fence } from './Fence.js';

type Kind = 'begin' | 'complete' | 'fail';

interface Entry {
  kind: Kind;
  step: string;
  data?: unknown;
}

/** How a journal stores: redaction, clock, and how many finished journals are kept. */
export interface PgJournalOptions {
  redactor: Redactor;
  now: () => number;
  maxArchived: number;
}

interface EntryRow {
  kind: Kind;
  step: string;
  data: unknown;
  has_data: boolean;
}

/**
 * The journal as rows of `journal_entries`, one per begin/complete/fail, in insertion order;
 * `finish` archives them (archived_at) so the next run starts fresh, and in the same
 * transaction prunes archived journals of the environment to the newest `maxArchived`, as
 * FileJournal prunes its archive directory. Same semantics as FileJournal; each write is a
 * fenced transaction, committed before the call resolves.
 * @internal
 */
export class PgJournal implements Journal {
  readonly key: string;
  readonly resumed: boolean;
  readonly #fence: Fence;
  readonly #redactor: Redactor;
  readonly #now: () => number;
  readonly #maxArchived: number;
  readonly #steps: JournalSteps;
  #queue: Promise<void> = Promise.resolve();
  #written = false;
  #finished = false;

  private constructor(fence: Fence, key: string, options: PgJournalOptions, entries: Entry[]) {
    this.#fence = fence;
    this.key = key;
    this.#steps = new JournalSteps(key);
    this.#redactor = options.redactor;
    this.#now = options.now;
    this.#maxArchived = options.maxArchived;
    this.resumed = entries.length > 0;
    for (const entry of entries) this.#apply(entry);
  }

  static async open(fence: Fence, key: string, options: PgJournalOptions): Promise<PgJournal> {
    const { schema, cli, environment } = fence.scope;
    const { rows } = await fence.read('journal open', (db) =>
      db.query<EntryRow>(
        `select kind, step, data, has_data from ${schema}.journal_entries
         where cli = $1 and environment = $2 and key = $3 and archived_at is null order by id`,
        [cli, environment, key],
      ),
    );
    const entries = rows.map((row) => ({
      kind: row.kind,
      step: row.step,
      ...(row.has_data ? { data: row.data } : {}),
    }));
    return new PgJournal(fence, key, options, entries);
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
    return this.#append({
      kind: 'begin',
      step: stepId,
      ...(details === undefined ? {} : { data: this.#redactor.redact(details) }),
    });
  }

  async complete(stepId: string, result?: unknown): Promise<void> {
    this.#assertOpen();
    this.#steps.assertNotCompleted(stepId, 'complete');
    return this.#append({
      kind: 'complete',
      step: stepId,
      ...(result === undefined ? {} : { data: result }),
    });
  }

  async fail(stepId: string, message: string): Promise<void> {
    this.#assertOpen();
    return this.#append({ kind: 'fail', step: stepId, data: this.#redactor.redactString(message) });
  }

  async finish(): Promise<void> {
    this.#assertOpen();
    this.#finished = true;
    await this.#queue;
    if (!this.#written && !this.resumed) return;
    const { schema, cli, environment } = this.#fence.scope;
    await this.#fence.write('journal finish', async (db) => {
      await db.query(
        `update ${schema}.journal_entries set archived_at = now()
         where cli = $1 and environment = $2 and key = $3 and archived_at is null`,
        [cli, environment, this.key],
      );
      // one archived journal = the rows of one key archived by one finish (one now())
      await db.query(
        `delete from ${schema}.journal_entries j using (
           select key, archived_at from ${schema}.journal_entries
           where cli = $1 and environment = $2 and archived_at is not null
           group by key, archived_at order by archived_at desc, key desc offset $3) old
         where j.cli = $1 and j.environment = $2 and j.key = old.key and j.archived_at = old.archived_at`,
        [cli, environment, this.#maxArchived],
      );
    });
  }

  /** Records land in call order even when callers do not await. */
  #append(entry: Entry): Promise<void> {
    const { schema, cli, environment } = this.#fence.scope;
    const at = new Date(this.#now()).toISOString();
    const has = entry.data !== undefined;
    const done = this.#queue.then(async () => {
      await this.#fence.statement(
        `journal ${entry.kind}`,
        `, added as (
           insert into ${schema}.journal_entries (cli, environment, key, kind, step, at, data, has_data)
           select $1, $2, $3, $4, $5, $6, $7::jsonb, $8 where (select ok from fence))
         select (select ok from fence) as fenced`,
        [
          cli,
          environment,
          this.key,
          entry.kind,
          entry.step,
          at,
          has ? JSON.stringify(entry.data) : null,
          has,
        ],
      );
      this.#written = true;
      this.#apply(entry);
    });
    this.#queue = done.catch(() => undefined);
    return done;
  }

  #apply(entry: Entry): void {
    this.#steps.record(entry.kind, entry.step, entry.data);
  }

  #assertOpen(): void {
    if (this.#finished)
      throw new InternalError(`journal "${this.key}" is finished; open it again for a new run`);
  }
}
