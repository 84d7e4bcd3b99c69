/**
 * What a workspace's CLI left in its state store, read from whichever backend the test run uses:
 * files under the workspace's state directory, or, with TEMPERED_TEST_STATE_URL set, the
 * workspace's own schema on PostgreSQL. One view, so a test's assertions about run records,
 * journals and locks hold on both backends.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join, sep } from 'node:path';
import { TEST_STATE_URL_VARIABLE, type Workspace } from './Workspace.js';
import { walk } from './walk.js';

/** A run lock left in place: held by a live run, or by a dead one nobody has taken over from yet. */
export interface LeftLock {
  environment: string;
  name: string;
  /** What the holder recorded: pid, host, runId, startedAt... */
  owner: Record<string, unknown>;
}

/** One journal: open (an unfinished run's, kept for a resume) or archived (finished). */
export interface JournalView {
  archived: boolean;
  entries: { kind: 'begin' | 'complete' | 'fail'; step: string }[];
}

export interface StateView {
  /** Run records of one environment, oldest first. */
  runRecords(environment?: string): Promise<Record<string, unknown>[]>;
  /** Journals of one environment, open ones first. */
  journals(environment?: string): Promise<JournalView[]>;
  /** Run locks still in place, across every environment of the workspace's CLI. */
  locks(): Promise<LeftLock[]>;
  /** Every stored value as text, for "this secret is nowhere in the state" checks. */
  dump(): Promise<string>;
  /**
   * Leaves `key`'s journal open holding `entries`, as a run interrupted after them would (for
   * tests of what the next run does with it); replaces what that journal held.
   */
  leaveOpenJournal(key: string, entries: JournalView['entries'], environment?: string): Promise<void>;
}

/** The state `ws`'s CLI keeps, on the backend this test run uses. */
export function stateOf(ws: Workspace): StateView {
  const url = process.env[TEST_STATE_URL_VARIABLE];
  return url && ws.stateSchema ? new PgStateView(ws, url, ws.stateSchema) : new FileStateView(ws);
}

/** The little of `pg` used here (testkit has the package, not its types). */
interface PgClient {
  connect(): Promise<void>;
  query(sql: string, params: unknown[]): Promise<{ rows: unknown[] }>;
  end(): Promise<void>;
}
type PgModule = { default: { Client: new (config: { connectionString: string }) => PgClient } };
const PG_MODULE = 'pg';

type JournalKind = JournalView['entries'][number]['kind'];
const KINDS = new Set<string>(['begin', 'complete', 'fail']);

class FileStateView implements StateView {
  constructor(readonly ws: Workspace) {}

  runRecords(environment = 'default'): Promise<Record<string, unknown>[]> {
    return this.ws.runRecords(environment);
  }

  async journals(environment = 'default'): Promise<JournalView[]> {
    const root = join(this.ws.stateDir(environment), 'journals');
    const files = (await walk(root)).filter((e) => !e.isDirectory && e.path.endsWith('.jsonl'));
    const views = await Promise.all(
      files.map(async ({ path }) => {
        const entries = (await readFile(path, 'utf8'))
          .split('\n')
          .filter((line) => line !== '')
          .map((line) => JSON.parse(line) as { t: string; step?: string })
          .filter((line) => KINDS.has(line.t))
          .map((line) => ({ kind: line.t as JournalKind, step: String(line.step) }));
        return { archived: path.startsWith(join(root, 'archive') + sep), entries };
      }),
    );
    return views.sort((a, b) => Number(a.archived) - Number(b.archived));
  }

  async locks(): Promise<LeftLock[]> {
    const files = (await walk(this.ws.stateHome)).filter((e) => e.path.endsWith('.lock'));
    return Promise.all(
      files.map(async ({ path }) => ({
        // <state home>/tempered/<cli>/<environment>/locks/<name>.lock
        environment: basename(join(path, '..', '..')),
        name: basename(path, '.lock'),
        owner: JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>,
      })),
    );
  }

  async dump(): Promise<string> {
    const files = (await walk(this.ws.stateHome)).filter((e) => !e.isDirectory);
    return (await Promise.all(files.map(({ path }) => readFile(path, 'utf8').catch(() => '')))).join('\n');
  }

  async leaveOpenJournal(
    key: string,
    entries: JournalView['entries'],
    environment = 'default',
  ): Promise<void> {
    const root = join(this.ws.stateDir(environment), 'journals');
    await mkdir(root, { recursive: true });
    const at = new Date().toISOString();
    const text = entries.map(({ kind, step }) => `${JSON.stringify({ t: kind, step, at })}\n`).join('');
    await writeFile(join(root, `${key}.jsonl`), text);
  }
}

/** Reads the tables the PostgreSQL backend keeps in the workspace's schema (see docs/state-postgres.md). */
class PgStateView implements StateView {
  readonly #cli: string;

  constructor(
    readonly ws: Workspace,
    readonly url: string,
    readonly schema: string,
  ) {
    if (!ws.cli) throw new Error('this workspace has no CLI: pass `cli` to tempWorkspace()');
    this.#cli = ws.cli.name;
  }

  async runRecords(environment = 'default'): Promise<Record<string, unknown>[]> {
    const rows = await this.#query<{ record: Record<string, unknown> }>(
      'select record from S.runs where cli = $1 and environment = $2 order by started_at, run_id',
      [this.#cli, environment],
    );
    return rows.map((row) => row.record);
  }

  async journals(environment = 'default'): Promise<JournalView[]> {
    // one journal = one key's open rows, or the rows one finish archived together
    const rows = await this.#query<{ key: string; archived_at: Date | null; kind: string; step: string }>(
      `select key, archived_at, kind, step from S.journal_entries where cli = $1 and environment = $2
       order by archived_at nulls first, key, id`,
      [this.#cli, environment],
    );
    const journals = new Map<string, JournalView>();
    for (const row of rows) {
      const id = `${row.key}\0${row.archived_at?.toISOString() ?? 'open'}`;
      const journal = journals.get(id) ?? { archived: row.archived_at !== null, entries: [] };
      journal.entries.push({ kind: row.kind as JournalKind, step: row.step });
      journals.set(id, journal);
    }
    return [...journals.values()];
  }

  async locks(): Promise<LeftLock[]> {
    // a released (or broken) lease keeps its row, for the token, with the owner cleared
    const rows = await this.#query<{ environment: string; name: string; owner: Record<string, unknown> }>(
      'select environment, name, owner from S.leases where cli = $1 and owner is not null order by environment, name',
      [this.#cli],
    );
    return rows.map(({ environment, name, owner }) => ({ environment, name, owner }));
  }

  async dump(): Promise<string> {
    const tables = await this.#query<{ table_name: string }>(
      'select table_name from information_schema.tables where table_schema = $1 order by table_name',
      [this.schema],
    );
    const texts: string[] = [];
    for (const { table_name } of tables) {
      const rows = await this.#query<{ row: string }>(`select t::text as row from S."${table_name}" t`, []);
      texts.push(...rows.map((r) => r.row));
    }
    return texts.join('\n');
  }

  async leaveOpenJournal(
    key: string,
    entries: JournalView['entries'],
    environment = 'default',
  ): Promise<void> {
    const scope = [this.#cli, environment, key];
    await this.#query(
      'delete from S.journal_entries where cli = $1 and environment = $2 and key = $3 and archived_at is null',
      scope,
      true,
    );
    for (const { kind, step } of entries) {
      await this.#query(
        'insert into S.journal_entries (cli, environment, key, kind, step, at) values ($1, $2, $3, $4, $5, now())',
        [...scope, kind, step],
        true,
      );
    }
  }

  /**
   * `S.` in `sql` is the workspace's schema; a schema the CLI never created reads as empty, and
   * cannot be written (`write`): its tables exist only once the CLI has run there.
   */
  async #query<R>(sql: string, params: unknown[], write = false): Promise<R[]> {
    // loaded here: most tests never read state on PostgreSQL
    const { default: pg } = (await import(PG_MODULE)) as PgModule;
    const client = new pg.Client({ connectionString: this.url });
    await client.connect();
    try {
      const present = await client.query(
        'select exists (select 1 from information_schema.schemata where schema_name = $1) as present',
        [this.schema],
      );
      if (!(present.rows[0] as { present: boolean } | undefined)?.present) {
        if (write)
          throw new Error(`schema ${this.schema} does not exist yet: run the CLI in this workspace first`);
        return [];
      }
      const result = await client.query(sql.replaceAll('S.', `"${this.schema}".`), params);
      return result.rows as R[];
    } finally {
      await client.end();
    }
  }
}
