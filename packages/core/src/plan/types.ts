export type ActionKindValue = 'create' | 'update' | 'delete' | 'skip';

/**
 * One step of a plan. `id` must be stable between runs (same target, same change) because the
 * journal uses it to know what an interrupted run already did. Name the change, not the kind
 * observed: a change an interrupted run completed re-plans as a `skip`, and only under the same
 * id is it reported as already done; a different change (new content) needs a different id, or
 * the journal would skip it.
 */
export interface PlanAction<D = Record<string, unknown>> {
  id: string;
  kind: ActionKindValue;
  target: string;
  reason: string;
  details?: D;
  /**
   * Actions run phase by phase, lowest first; a phase starts only when every earlier action
   * succeeded. Deletions default to phase 1, everything else to 0: nothing is removed until
   * everything that should exist does.
   */
  phase?: number;
}

/** Plain, JSON-serialisable: what `--dry-run --json` prints is exactly what apply would run. */
export interface Plan<D = Record<string, unknown>> {
  cli: string;
  command: string;
  environment: string;
  /** What the run acts on (a directory, a registry URL...); also the lock and journal key. */
  target: string;
  actions: PlanAction<D>[];
  /**
   * Unchanged items left out of `actions` (a no-op sync of 50,000 files need not carry 50,000
   * skip actions); counted as skips in the summary.
   */
  unchanged?: number;
  warnings: string[];
}

export interface PlanSummary {
  create: number;
  update: number;
  delete: number;
  skip: number;
  changes: number;
}

export interface ActionOutcome {
  id: string;
  kind: ActionKindValue;
  target: string;
  /** `held-back`: a later phase that did not start because an earlier action failed or a cap was hit. */
  status: 'applied' | 'already-done' | 'failed' | 'held-back';
  error?: string;
  result?: unknown;
}

export interface ApplyResult {
  outcomes: ActionOutcome[];
  applied: number;
  alreadyDone: number;
  failed: number;
  heldBack: number;
  /** True when a journal from an interrupted run was found and continued. */
  resumed: boolean;
}
