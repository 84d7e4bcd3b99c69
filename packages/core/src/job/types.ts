import type { HttpClient, HttpClientOptions } from '../http/index.js';
import type { ActionKindValue, ApplyContext, ApplyResult, PlanAction, PlanSummary } from '../plan/index.js';
import type { Journal } from '../state/index.js';
import type { RunContext } from './runContext.js';

/** What the runner hands a job's parts: the run, plus what the run owns for them. */
export interface JobIO extends RunContext {
  dryRun: boolean;
  /** core's HTTP client wired to this run (logger, retry counters, stop signal); closed at the end. */
  http(options?: HttpClientOptions): Promise<HttpClient>;
  /** Result text on stdout (suppressed under --json, held back under --quiet). */
  print(text: string): void;
  /**
   * The run lock's fencing token (PostgreSQL backend), set once the lock is held: a job hands it
   * to its target, which can then refuse a run whose lease was taken over. Absent on files.
   */
  lockToken?: number | string;
}

/**
 * read() also sees the target's journal: what an interrupted run left behind (never written there).
 * An applier gets it too, for steps of its own beside the actions (a temp-file tag begun first).
 */
export interface ReadIO extends JobIO {
  journal: Journal;
}

/** What a command's options are made from: parsed flags and args, and this CLI's config section. */
export interface JobInput<F, A> {
  flags: F;
  args: A;
  /** This CLI's validated config section ({} when the config has none). */
  section: unknown;
  configFile: string | undefined;
  /** The environment selected for this run. */
  environment: string;
  cwd: string;
}

/**
 * How the runner applies a plan; data in the plan, so a saved plan carries it and core checks it.
 */
export interface ApplyPolicy {
  /** 'continue' suits independent actions (files); 'stop' suits a sequence (a deploy). */
  onError: 'continue' | 'stop';
  /** With 'continue': what a failed action holds back (see ApplyOptions.holdBack). */
  holdBack?: 'later-phases' | 'deletions';
  /** Actions of one phase applied at once; 1 keeps a strict order. */
  concurrency?: number;
  /** Kinds whose completion is journaled (default all). */
  journalKinds?: ActionKindValue[];
  /** Over this many deletions nothing is deleted (exit 3). */
  maxDelete?: number;
  /** One stdout line per applied action (off for CLIs that print a summary instead). */
  itemize?: boolean;
}

/** A job's plan: plain data, what `--dry-run --json` prints and what `--plan-out` saves. */
export interface JobPlan<D, I = unknown> {
  actions: PlanAction<D>[];
  /** Unchanged items left out of `actions`, counted as skips. */
  unchanged?: number;
  warnings: string[];
  policy: ApplyPolicy;
  /** What the job's own texts and result need (counts, headers, the release decided on). */
  info: I;
  /** Counters the plan adds to the run record (e.g. entries found unchanged). */
  counts?: Record<string, number>;
}

/**
 * Per-run application state: built after confirmation, used for each action, then closed.
 * Lives as long as one run; a fresh one for every run.
 */
export interface Applier<D> {
  /** After confirmation, before the first action (create the destination, open the audit log). */
  begin?(): Promise<void>;
  /**
   * A resumed run: actions an interrupted run began that this plan no longer has (their effect is
   * visible, their outcome was never recorded).
   */
  reconcile?(actionIds: readonly string[]): Promise<void>;
  apply(action: PlanAction<D>, ctx: ApplyContext): Promise<unknown>;
  /** After the last action: with the result, or undefined when actions failed. Not after an interrupt. */
  finish?(result: ApplyResult | undefined): Promise<void>;
  /** Reasons an otherwise successful run is partial (exit 3): unreadable entries, ... */
  problems?(): string[];
  /** The closing line on stdout. */
  summary(result: ApplyResult): string;
  /** Fields merged into the JSON result. */
  report?(): Record<string, unknown>;
  /** Always called at the end (stop a progress bar). */
  close?(): void;
}

/**
 * One CLI command as three parts: read (all I/O), plan (pure), apply (one action at a time through
 * core's journal). The runner (runJob) owns everything around them.
 */
export interface Job<O, W, D, I = unknown, F = Record<string, unknown>, A = Record<string, unknown>> {
  /**
   * Deletions need --yes, or the environment's name typed under the plan at a terminal, in every
   * environment (resource-cleanup). A typed name also confirms a protected environment.
   */
  readonly confirmsDeletions?: boolean;
  /** Typed options from flags, args and config; no I/O. Throws UsageError for bad input. */
  options(input: JobInput<F, A>): O;
  /** Checks that need no lock and change nothing (exit 2 before anything is touched). */
  check?(options: O, io: JobIO): Promise<void>;
  /** What the run acts on; names the lock and the journal, so stable between runs. */
  target(options: O): string;
  /** Locks beside the run lock (e.g. one in the target itself), taken after it, released before. */
  locks?(options: O, io: JobIO): Promise<ExtraLock[]>;
  /** Gathers the world: scan, list, fetch. */
  read(options: O, io: ReadIO): Promise<W>;
  /** Pure: the same world and options give the same plan. */
  plan(world: W, options: O): JobPlan<D, I>;
  /**
   * What the plan depends on, as stable strings by key (fingerprints, digests, tag lists): a
   * saved plan is applied only while these are unchanged.
   */
  facts(world: W, options: O): Record<string, string>;
  /** The applier of one real run. */
  open(world: W, options: O, plan: JobPlan<D, I>, io: ReadIO): Applier<D>;
  /** The dry-run text. */
  renderPlan(plan: JobPlan<D, I>, options: O, io: JobIO): string;
  /** The line of a real run with nothing to change. */
  renderNoop(plan: JobPlan<D, I>, summary: PlanSummary, options: O, io: JobIO): string;
  /** Fields merged into the JSON result of a dry-run or a no-op. */
  report?(plan: JobPlan<D, I>, options: O, io: JobIO): Record<string, unknown>;
}

/** A lock from Job.locks() (a core LockHandle qualifies). */
export interface ExtraLock {
  release(): Promise<void>;
}

// biome-ignore lint/suspicious/noExplicitAny: a registry of jobs of any types
export type AnyJob = Job<any, any, any, any, any, any>;
