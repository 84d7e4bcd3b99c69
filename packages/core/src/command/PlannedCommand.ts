import { InternalError, InterruptedError, UsageError } from '../errors/index.js';
import { type ExtraLock, lockNameFor } from '../job/index.js';
import {
  type ActionKindValue,
  type ApplyContext,
  type ApplyResult,
  applyPlan,
  isSettledFailure,
  type Plan,
  type PlanAction,
  type PlanSummary,
  planToJson,
  renderAction,
  renderPlanHuman,
  renderSummaryLine,
  summarizePlan,
} from '../plan/index.js';
import { currentLockOwner, type Journal } from '../state/index.js';
import { confirmProtected, isInteractive } from './confirmProtected.js';
import { standardFlags } from './standardFlags.js';
import { TemperedCommand } from './TemperedCommand.js';

export interface PlannedResult<D> {
  dryRun: boolean;
  target: string;
  summary: PlanSummary;
  /** The full plan under --dry-run; the applied outcomes otherwise. */
  plan?: Plan<D> & { summary: PlanSummary };
  applied?: ApplyResult;
}

/**
 * A command that changes things: the subclass gives its target, how to plan and how to apply
 * one action; this class owns confirmation, the lock, dry-run, the journal and the output.
 */
export abstract class PlannedCommand<D = Record<string, unknown>> extends TemperedCommand<PlannedResult<D>> {
  static override baseFlags = standardFlags;
  static override recordsRuns = true;
  /** 'continue' suits independent actions (files); 'stop' suits a sequence (a deploy). */
  protected onActionError: 'continue' | 'stop' = 'stop';
  /** With 'continue': what a failed action holds back (see ApplyOptions.holdBack). */
  protected holdBackAfterFailure: 'later-phases' | 'deletions' = 'later-phases';
  /** Actions of one phase applied at once; 1 keeps a strict order. */
  protected applyConcurrency = 1;
  /** Kinds whose completion is journaled (default all); see ApplyOptions.journalKinds. */
  protected journalKinds: readonly ActionKindValue[] | undefined;
  /**
   * True for a command whose confirmPlan asks a person to type the environment's name after
   * showing the plan (resource-cleanup): in a protected environment at a terminal, the
   * protected-environment question then also waits for the plan and is only asked if confirmPlan
   * did not get that name typed (see `environmentConfirmed()`), so nobody is asked twice.
   */
  protected confirmsEnvironmentInPlan = false;
  #environmentConfirmed = false;
  /** Called by confirmPlan when a person typed the environment's name to approve the plan. */
  protected environmentConfirmed(): void {
    this.#environmentConfirmed = true;
  }
  /** Print one line per applied action on stdout (off for CLIs that print a summary instead). */
  protected itemizeApplied = true;
  /** The deletion cap of this run, if the command deletes; over it nothing is deleted (exit 3). */
  protected maxDelete(): number | undefined {
    return undefined;
  }

  /** What this run acts on; also names the lock and the journal. Must be stable between runs. */
  protected abstract target(): Promise<string> | string;
  /**
   * Computes the actions with no side effect; the same code path serves --dry-run and apply.
   * May leave unchanged items out and return their count instead (see Plan.unchanged).
   */
  protected abstract plan(): Promise<PlanAction<D>[] | { actions: PlanAction<D>[]; unchanged: number }>;
  protected abstract applyAction(action: PlanAction<D>, ctx: ApplyContext): Promise<unknown>;
  /** The closing line of a real run on stdout. */
  protected appliedSummary(applied: ApplyResult): string {
    const resumed = applied.alreadyDone ? `, ${applied.alreadyDone} already done by an interrupted run` : '';
    return `Applied ${applied.applied} change(s)${resumed}.`;
  }

  /** The --dry-run text on stdout: by default every change as `+/~/-` lines and a summary line. */
  protected renderPlan(plan: Plan<D>): string {
    return renderPlanHuman(plan);
  }

  /** The line on stdout when a real run finds nothing to change. */
  protected noopSummary(summary: PlanSummary): string {
    return renderSummaryLine(summary);
  }

  /**
   * Runs once the plan is known and before its first action: under the lock, after the
   * protected-environment confirmation, never on dry-run nor when there is nothing to change.
   * Throw to stop the run with nothing applied (e.g. a confirmation that names what the plan
   * would do); the default lets every plan through.
   */
  protected async confirmPlan(_plan: Plan<D>, _summary: PlanSummary): Promise<void> {}

  /**
   * Actions an interrupted run began and never finished that this run's plan no longer has: the
   * world shows they took effect (a deleted file is not listed again) but nothing recorded their
   * outcome. Called on a resumed run after confirmPlan, before the first action; e.g. write the
   * outcome an audit log is missing. The default does nothing.
   */
  protected async reconcileUnfinished(_actionIds: readonly string[]): Promise<void> {}

  /**
   * Checks that need no lock and change nothing (an input's validity, the target's kind): the
   * first thing run() does, before the lock, before dry-run and before the target is touched.
   * Throw (e.g. a UsageError) to stop the run; the default checks nothing.
   */
  protected async preflight(): Promise<void> {}

  /**
   * Locks held for the run beside the state dir's run lock, e.g. one in the target itself so
   * runs from other state dirs or users exclude each other too. Taken after the protected-
   * environment confirmation and the run lock, before the plan is built; released in reverse
   * order, before the run lock, however the run ends. Not taken on dry-run.
   * If taking a later lock fails, release the ones already taken before throwing. Default: none.
   */
  protected async acquireExtraLocks(): Promise<ExtraLock[]> {
    return [];
  }

  /** Fields merged into the result of a run (dry-run or not), e.g. what the plan decided. */
  protected resultExtras(): Record<string, unknown> | undefined {
    return undefined;
  }

  /**
   * Called after the last action, e.g. to finalise: with the result when every action succeeded,
   * with undefined when some failed (the run then ends with their error). Not called on dry-run,
   * nor when the run was interrupted or stopped by a settled failure.
   */
  protected async afterApply(_result: ApplyResult | undefined): Promise<void> {}

  #journal: Journal | undefined;
  /**
   * The target's journal, open from before plan() (read it there, e.g. for what an interrupted
   * run left behind); on dry-run it is only read, never written.
   */
  protected get journal(): Journal {
    if (!this.#journal) throw new InternalError('the journal is opened before plan(), not earlier');
    return this.#journal;
  }

  async run(): Promise<PlannedResult<D>> {
    const result = await this.#run();
    const extras = this.resultExtras();
    return extras ? { ...result, ...extras } : result;
  }

  async #run(): Promise<PlannedResult<D>> {
    const { ctx } = this;
    await this.preflight();
    const target = await this.target();
    const lockName = lockNameFor(target);

    if (this.isDryRun()) {
      // no lock: a preview must work while another run is applying, and leave nothing behind
      this.#journal = await ctx.store.openJournal(lockName);
      const plan = await this.buildPlan(target);
      this.runStatus = 'dry-run';
      this.print(this.renderPlan(plan));
      ctx.logger.info({ summary: summarizePlan(plan) }, 'dry run: plan printed, nothing changed');
      return { dryRun: true, target, summary: summarizePlan(plan), plan: planToJson(plan) };
    }

    const yes = this.flags.yes === true;
    // without a terminal the early refusal stands: cron learns before any listing or lock
    const askAfterPlan =
      ctx.environment.protected && this.confirmsEnvironmentInPlan && !yes && isInteractive();
    if (ctx.environment.protected && !askAfterPlan) {
      await confirmProtected({ environment: ctx.environment.name, yes });
      ctx.logger.info({ environment: ctx.environment.name }, 'protected environment confirmed');
    }

    const lock = await ctx.store.acquireLock(lockName, {
      owner: currentLockOwner(ctx.runId, `${ctx.cli} ${ctx.command}`),
      waitMs: ctx.settings.lockWaitMs,
      logger: ctx.logger,
      signal: ctx.signal,
    });
    const extraLocks: ExtraLock[] = [];
    try {
      extraLocks.push(...(await this.acquireExtraLocks()));
      await this.startHeartbeat();
      const journal = await ctx.store.openJournal(lockName);
      this.#journal = journal;
      const plan = await this.buildPlan(target);
      const summary = summarizePlan(plan);
      ctx.logger.info({ summary }, summary.changes === 0 ? 'nothing to change' : 'applying plan');
      if (summary.changes === 0 && !journal.resumed) {
        await journal.finish();
        this.runStatus = 'noop';
        this.print(this.noopSummary(summary));
        return { dryRun: false, target, summary, applied: emptyResult() };
      }
      await this.confirmPlan(plan, summary);
      if (askAfterPlan && !this.#environmentConfirmed) {
        await confirmProtected({ environment: ctx.environment.name, yes });
        ctx.logger.info({ environment: ctx.environment.name }, 'protected environment confirmed');
      } else if (askAfterPlan) {
        ctx.logger.info(
          { environment: ctx.environment.name },
          'protected environment confirmed with the plan',
        );
      }
      if (journal.resumed) {
        const planned = new Set(plan.actions.map((action) => action.id));
        const gone = journal.unfinishedSteps().filter((id) => !planned.has(id));
        if (gone.length > 0) await this.reconcileUnfinished(gone);
      }
      if (ctx.signal.aborted) throw ctx.signal.reason ?? new InterruptedError('SIGTERM');
      let applied: ApplyResult;
      try {
        applied = await applyPlan(plan, {
          journal,
          logger: ctx.logger,
          counters: ctx.counters,
          signal: ctx.signal,
          onError: this.onActionError,
          holdBack: this.holdBackAfterFailure,
          concurrency: this.applyConcurrency,
          ...(this.journalKinds ? { journalKinds: this.journalKinds } : {}),
          ...(this.maxDelete() === undefined ? {} : { maxDelete: this.maxDelete() }),
          apply: async (action, actionCtx) => {
            try {
              return await this.applyAction(action, actionCtx);
            } catch (error) {
              // the run record names the step that failed first, as the PartialError message does
              this.failedStep ??= action.id;
              throw error;
            }
          },
          ...(this.itemizeApplied
            ? { afterAction: (outcome) => this.print(renderAction({ ...outcome, reason: outcome.status })) }
            : {}),
        });
      } catch (error) {
        if (error instanceof InterruptedError || isSettledFailure(error)) throw error;
        try {
          await this.afterApply(undefined);
        } catch (finishing) {
          // the actions' own failure is what the operator must see first
          ctx.logger.error({ err: finishing }, 'finishing after failed actions also failed');
        }
        throw error;
      }
      await this.afterApply(applied);
      this.print(this.appliedSummary(applied));
      return { dryRun: false, target, summary, applied };
    } finally {
      await releaseAll([...extraLocks.reverse(), lock]);
    }
  }

  private async buildPlan(target: string): Promise<Plan<D>> {
    const { ctx } = this;
    const planned = await this.plan();
    const actions = Array.isArray(planned) ? planned : planned.actions;
    const ids = new Set<string>();
    for (const action of actions) {
      if (ids.has(action.id)) throw new UsageError(`two planned actions share the id "${action.id}"`);
      ids.add(action.id);
    }
    return {
      cli: ctx.cli,
      command: ctx.command,
      environment: ctx.environment.name,
      target,
      actions,
      ...(Array.isArray(planned) ? {} : { unchanged: planned.unchanged }),
      warnings: this.warnings,
    };
  }
}

/** Releases every lock in order, even when one fails; then throws the first failure. */
async function releaseAll(locks: ExtraLock[]): Promise<void> {
  let failed = false;
  let first: unknown;
  for (const lock of locks) {
    try {
      await lock.release();
    } catch (error) {
      if (!failed) first = error;
      failed = true;
    }
  }
  if (failed) throw first;
}

function emptyResult(): ApplyResult {
  return { outcomes: [], applied: 0, alreadyDone: 0, failed: 0, heldBack: 0, resumed: false };
}
