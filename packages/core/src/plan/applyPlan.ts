import { InterruptedError, isRetryable, PartialError, TemperedError } from '../errors/index.js';
import type { Logger } from '../log/index.js';
import type { Counters } from '../metrics/index.js';
import type { ActionOutcome, ApplyResult, Plan, PlanAction } from './types.js';

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
  /** Runs after every applied action and before the next; e.g. a deletion cap re-check. */
  afterAction?: (outcome: ActionOutcome) => Promise<void> | void;
}

/** Applies actions in order through the journal, so a re-run never repeats a completed one. */
export async function applyPlan<D>(plan: Plan<D>, options: ApplyOptions<D>): Promise<ApplyResult> {
  const { journal, logger, counters, signal } = options;
  const onError = options.onError ?? 'stop';
  const outcomes: ActionOutcome[] = [];
  const failures: { action: string; error: string }[] = [];
  if (journal.resumed) logger.warn({ target: plan.target }, 'resuming an interrupted run from its journal');

  for (const action of plan.actions) {
    const base = { id: action.id, kind: action.kind, target: action.target };
    // checked before the skip: an interrupted run's completed action re-plans as "up to date",
    // and saying which earlier work this run relied on is the point of resuming from a journal
    if (journal.isCompleted(action.id)) {
      logger.info({ action: action.id }, 'already done by an earlier run; not repeating');
      outcomes.push({ ...base, status: 'already-done' });
      continue;
    }
    if (action.kind === 'skip') continue;
    if (signal?.aborted) throw interruption(signal);
    await journal.begin(action.id, { kind: action.kind, target: action.target });
    try {
      const result = await options.apply(action, { logger, counters, signal });
      await journal.complete(action.id, result ?? null);
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
      await journal.fail(action.id, message);
      counters?.increment('actions_failed');
      outcomes.push({ ...base, status: 'failed', error: message });
      failures.push({ action: action.id, error: message });
      logger.error({ action: action.id, err: error }, 'action failed');
      const stop = onError === 'stop' || isRetryable(error) || error instanceof InterruptedError;
      if (stop) throw partialOr(error, outcomes, failures);
    }
  }

  if (failures.length > 0) throw partialOr(undefined, outcomes, failures);
  await journal.finish();
  const count = (status: ActionOutcome['status']) => outcomes.filter((o) => o.status === status).length;
  return {
    outcomes,
    applied: count('applied'),
    alreadyDone: count('already-done'),
    failed: 0,
    resumed: journal.resumed,
  };
}

function interruption(signal: AbortSignal): Error {
  return signal.reason instanceof TemperedError ? signal.reason : new InterruptedError('SIGTERM');
}

/**
 * When some actions were applied and others failed, the run is partial (exit 3, safe to re-run);
 * when nothing was applied, the first error speaks for itself with its own exit code.
 */
function partialOr(
  error: unknown,
  outcomes: ActionOutcome[],
  failures: { action: string; error: string }[],
): unknown {
  if (error instanceof InterruptedError) return error;
  const applied = outcomes.some((o) => o.status === 'applied' || o.status === 'already-done');
  const first = failures[0];
  const firstText = first ? ` (first: ${first.action}: ${first.error})` : '';
  if (!applied) {
    if (error !== undefined) return error;
    return new TemperedError(`all ${failures.length} actions failed${firstText}`, { cause: error });
  }
  return new PartialError(
    `${failures.length} of ${outcomes.length} actions failed; the rest were applied${firstText}`,
    {
      failures,
      cause: error,
    },
  );
}
