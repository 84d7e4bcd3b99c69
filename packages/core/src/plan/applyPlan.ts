import { InterruptedError, isRetryable, PartialError, TemperedError } from '../errors/index.js';
import type { Logger } from '../log/index.js';
import type { Counters } from '../metrics/types.js';
import { mapConcurrently } from '../util/mapConcurrently.js';
import type { ActionKindValue, ActionOutcome, ApplyResult, Plan, PlanAction } from './types.js';

/** The subset of the state store's journal that applying needs. */
export interface PlanJournal {
  readonly resumed: boolean;
  isCompleted(stepId: string): boolean;
  begin(stepId: string, details?: unknown): Promise<void>;
  complete(stepId: string, result?: unknown): Promise<void>;
  fail(stepId: string, message: string): Promise<void>;
  finish(): Promise<void>;
}

export interface ApplyContext {
  logger: Logger;
  counters?: Counters;
  /** Aborted by SIGINT/SIGTERM; checked between actions, never in the middle of one. */
  signal?: AbortSignal;
}

export interface ApplyOptions<D> extends ApplyContext {
  journal: PlanJournal;
  apply: (action: PlanAction<D>, ctx: ApplyContext) => Promise<unknown>;
  /**
   * 'continue' records a failed action and goes on (exit 3 at the end if anything failed);
   * 'stop' ends at the first failure. Transient failures that outlived their retries always stop:
   * the remote is unwell and the rest would fail the same way.
   */
  onError?: 'continue' | 'stop';
  /**
   * What a failure holds back (with 'continue'): 'later-phases' (default) every later phase;
   * 'deletions' only actions that delete, so independent work (files, then directory
   * attributes) still completes, as rsync does, while nothing is deleted after a failure. With
   * 'deletions', permanent failures end the run partial (exit 3) even when nothing else applied.
   */
  holdBack?: 'later-phases' | 'deletions';
  /** Actions of one phase run this many at a time (default 1: strictly in order). */
  concurrency?: number;
  /**
   * Which kinds are journaled (default all). Actions whose effect the next plan sees anyway (a
   * copied file compares equal) can skip the journal's fsync; deletions stay journaled for audit.
   */
  journalKinds?: readonly ActionKindValue[];
  /** Deletions allowed in one run; over it, no deletion happens and the run is partial (exit 3). */
  maxDelete?: number;
  /** Runs after every applied action. */
  afterAction?: (outcome: ActionOutcome) => Promise<void> | void;
}

type Failure = { action: string; error: string };

/**
 * An error thrown by an action that already handled its own failure: the target is left
 * consistent (e.g. a failed deploy marked failed and switched back) and there is nothing for a
 * re-run to resume. Any error with `settled: true` qualifies; a subclass declares
 * `readonly settled = true as const`.
 *
 * applyPlan treats it as the last word on the run: it stops the run (whatever `onError` says;
 * later phases are held back), records the failure in the journal, then archives the journal
 * (`finish()`) so the next run starts fresh instead of resuming, and rethrows the error as is:
 * its own exit code, not PartialError's 3. If another action of the run failed without settling,
 * the run is not settled and is reported as usual (PartialError, journal kept for a resume).
 */
export interface SettledFailure {
  readonly settled: true;
}

export function isSettledFailure(error: unknown): error is Error & SettledFailure {
  return error instanceof Error && (error as Partial<SettledFailure>).settled === true;
}

/**
 * Applies a plan through the journal, phase by phase, so a re-run never repeats a completed
 * action and nothing is deleted unless everything before it succeeded.
 */
export async function applyPlan<D>(plan: Plan<D>, options: ApplyOptions<D>): Promise<ApplyResult> {
  const { journal, logger } = options;
  const outcomes: ActionOutcome[] = [];
  const failures: Failure[] = [];
  /** The failures whose error was a SettledFailure. */
  const settled: Failure[] = [];
  if (journal.resumed) logger.warn({ target: plan.target }, 'resuming an interrupted run from its journal');

  const pending: PlanAction<D>[] = [];
  for (const action of plan.actions) {
    // checked before the skip: an interrupted run's completed action re-plans as "up to date",
    // and saying which earlier work this run relied on is the point of resuming from a journal
    if (journal.isCompleted(action.id)) {
      logger.info({ action: action.id }, 'already done by an earlier run; not repeating');
      outcomes.push({ id: action.id, kind: action.kind, target: action.target, status: 'already-done' });
    } else if (action.kind !== 'skip') {
      pending.push(action);
    }
  }

  const deletions = pending.filter((a) => a.kind === 'delete').length;
  const overCap = options.maxDelete !== undefined && deletions > options.maxDelete;
  if (overCap) {
    logger.warn({ deletions, max_delete: options.maxDelete }, 'deletions over the cap: none will be made');
  }

  let stopError: unknown;
  const holdBackAll = (options.holdBack ?? 'later-phases') === 'later-phases';
  for (const phase of phasesOf(pending)) {
    const deletes = phase.some((a) => a.kind === 'delete');
    const blocked = stopError !== undefined || (failures.length > 0 && (holdBackAll || deletes));
    const capped = overCap && deletes;
    if (blocked || capped) {
      for (const action of phase) {
        outcomes.push({ id: action.id, kind: action.kind, target: action.target, status: 'held-back' });
      }
      logger.warn(
        { actions: phase.length, reason: blocked ? 'earlier actions failed' : 'deletion cap' },
        'later phase held back',
      );
      continue;
    }
    stopError = await runPhase(phase, options, outcomes, failures, settled);
  }

  const heldBack = outcomes.filter((o) => o.status === 'held-back').length;
  // settled only when no other failure needs a resume
  if (isSettledFailure(stopError) && failures.length === settled.length) {
    await journal.finish();
    logger.info({ action: failures[0]?.action }, 'action failure already settled; journal closed');
    throw stopError;
  }
  if (stopError !== undefined) throw partialOr(stopError, outcomes, failures);
  if (overCap && failures.length === 0) {
    throw new PartialError(
      `would delete ${deletions} entries, over the cap of ${options.maxDelete}; nothing was deleted`,
      {
        hint: `check the source is right, then raise --max-delete to at least ${deletions} (or maxDelete in the config)`,
      },
    );
  }
  if (failures.length > 0) throw partialOr(undefined, outcomes, failures, !holdBackAll);
  await journal.finish();
  const count = (status: ActionOutcome['status']) => outcomes.filter((o) => o.status === status).length;
  return {
    outcomes,
    applied: count('applied'),
    alreadyDone: count('already-done'),
    failed: 0,
    heldBack,
    resumed: journal.resumed,
  };
}

function phasesOf<D>(actions: PlanAction<D>[]): PlanAction<D>[][] {
  const byPhase = new Map<number, PlanAction<D>[]>();
  for (const action of actions) {
    const phase = action.phase ?? (action.kind === 'delete' ? 1 : 0);
    const list = byPhase.get(phase) ?? [];
    list.push(action);
    byPhase.set(phase, list);
  }
  return [...byPhase.entries()].sort(([a], [b]) => a - b).map(([, list]) => list);
}

/**
 * Runs one phase, `concurrency` actions at a time; returns the error that must stop the run, if
 * one happened. A failure that only needs recording is caught here; one that stops the run is
 * rethrown, so no further action starts, and the actions already running finish first. A journal
 * that cannot be written ends applying with its own error, not as a partial run: nothing would
 * record what happened next.
 */
async function runPhase<D>(
  actions: PlanAction<D>[],
  options: ApplyOptions<D>,
  outcomes: ActionOutcome[],
  failures: Failure[],
  settled: Failure[],
): Promise<unknown> {
  const { journal, logger, counters, signal } = options;
  const onError = options.onError ?? 'stop';
  const journalAll = options.journalKinds === undefined;
  const journaled = new Set(options.journalKinds ?? []);
  let journalError: { error: unknown } | undefined;
  const record = async (write: () => Promise<void>): Promise<void> => {
    try {
      await write();
    } catch (error) {
      journalError ??= { error };
      throw error;
    }
  };

  const applyOne = async (action: PlanAction<D>): Promise<void> => {
    const base = { id: action.id, kind: action.kind, target: action.target };
    const journal_ = journalAll || journaled.has(action.kind);
    if (journal_) await record(() => journal.begin(action.id, { kind: action.kind, target: action.target }));
    try {
      const result = await options.apply(action, { logger, counters, signal });
      if (journal_) await journal.complete(action.id, result ?? null);
      counters?.increment(`actions_${action.kind}`);
      logger.debug({ action: action.id, kind: action.kind }, 'action applied');
      const outcome: ActionOutcome = {
        ...base,
        status: 'applied',
        ...(result === undefined ? {} : { result }),
      };
      outcomes.push(outcome);
      await options.afterAction?.(outcome);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (journal_) await record(() => journal.fail(action.id, message));
      counters?.increment('actions_failed');
      outcomes.push({ ...base, status: 'failed', error: message });
      const failure = { action: action.id, error: message };
      failures.push(failure);
      logger.error({ action: action.id, err: error }, 'action failed');
      if (isSettledFailure(error)) settled.push(failure);
      if (
        onError === 'stop' ||
        isRetryable(error) ||
        error instanceof InterruptedError ||
        isSettledFailure(error)
      )
        throw error;
    }
  };
  try {
    await mapConcurrently(actions, applyOne, { concurrency: options.concurrency, signal });
    return undefined;
  } catch (error) {
    if (journalError !== undefined) throw journalError.error;
    return error;
  }
}

/**
 * When some actions were applied and others failed, the run is partial (exit 3, safe to re-run);
 * when nothing was applied, the first error speaks for itself with its own exit code.
 */
function partialOr(
  error: unknown,
  outcomes: ActionOutcome[],
  failures: Failure[],
  independent = false,
): unknown {
  if (error instanceof InterruptedError) return error;
  // independent actions (holdBack 'deletions'): what did not fail is in place, even when it
  // needed no action, so the run is partial, as rsync's "some files were not transferred"
  const applied = independent || outcomes.some((o) => o.status === 'applied' || o.status === 'already-done');
  const first = failures[0];
  const firstText = first ? ` (first: ${first.action}: ${first.error})` : '';
  if (!applied) {
    if (error !== undefined) return error;
    return new TemperedError(`all ${failures.length} actions failed${firstText}`, { cause: error });
  }
  const attempted = outcomes.filter((o) => o.status !== 'held-back').length;
  const rest = attempted > failures.length ? '; the rest were applied' : '';
  return new PartialError(`${failures.length} of ${attempted} actions failed${rest}${firstText}`, {
    failures,
    cause: error,
  });
}
