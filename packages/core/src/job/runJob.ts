import { resolve } from 'node:path';
import { InterruptedError, PartialError, UsageError } from '../errors/index.js';
import {
  type ApplyResult,
  applyPlan,
  isSettledFailure,
  type Plan,
  type PlanSummary,
  renderAction,
  summarizePlan,
} from '../plan/index.js';
import { confirmDeletions, confirmProtected, isInteractive } from '../prompt/index.js';
import type { RunRecord } from '../state/index.js';
import { currentLockOwner, type Journal } from '../state/index.js';
import { lockNameFor } from './lockName.js';
import {
  configHash,
  diffFacts,
  driftError,
  PLAN_FORMAT,
  type SavedPlan,
  writeSavedPlan,
} from './savedPlan.js';
import type { AnyJob, Applier, ExtraLock, JobInput, JobIO, JobPlan } from './types.js';

export interface JobResult {
  dryRun: boolean;
  target: string;
  summary: PlanSummary;
  /** The full plan on a dry-run. */
  plan?: JobPlan<unknown> & { summary: PlanSummary };
  /** The applied outcomes on a real run. */
  applied?: ApplyResult;
  [extra: string]: unknown;
}

/** What the run tells the command that hosts it (the run record, the heartbeat). */
export interface RunHooks {
  status(status: RunRecord['status'] | undefined): void;
  failedStep(actionId: string): void;
  startHeartbeat(): Promise<void>;
  /** The plan's warnings, for the JSON result (the job's read already logged them). */
  warnings(list: readonly string[]): void;
}

export interface RunJobOptions {
  job: AnyJob;
  io: JobIO;
  input: JobInput<unknown, unknown>;
  yes: boolean;
  version: string;
  /** --plan-out: where a dry-run saves its plan. */
  planOut?: string | undefined;
  /** `<cli> apply FILE`: the plan to apply instead of a fresh one, and its file. */
  saved?: { plan: SavedPlan; file: string } | undefined;
  hooks: RunHooks;
}

/**
 * The one run of every command that changes things (DESIGN.md "One run"): options, checks,
 * lock, read, plan, print or confirm, apply, result. The command file only names its job.
 */
export async function runJob(run: RunJobOptions): Promise<JobResult> {
  const { job, io, hooks } = run;
  const options = job.options(run.input);
  await job.check?.(options, io);
  const target: string = job.target(options);
  const lockName = lockNameFor(target);
  if (run.saved && run.saved.plan.target !== target) {
    throw driftError(run.saved.file, [`target: ${run.saved.plan.target} -> ${target}`]);
  }

  if (io.dryRun) {
    // no lock: a preview must work while another run is applying, and leave nothing behind
    const journal = await io.store.openJournal(lockName);
    const world = await job.read(options, { ...io, journal });
    const plan = checkedPlan(job.plan(world, options), run);
    hooks.status('dry-run');
    io.print(job.renderPlan(plan, options, io));
    const summary = summarizePlan(plan);
    if (run.planOut) {
      await writeSavedPlan(run.planOut, await savePlan(run, target, job.facts(world, options), plan));
      io.logger.info({ file: run.planOut, summary }, 'plan saved');
    }
    io.logger.info({ summary }, 'dry run: plan printed, nothing changed');
    return {
      dryRun: true,
      target,
      summary,
      plan: { ...planHeader(io, target), ...plan, summary },
      ...job.report?.(plan, options, io),
    };
  }

  // without a terminal the early refusal stands: cron learns before any listing or lock. At a
  // terminal, a job that has deletions confirmed by typing the environment's name under the plan
  // asks once, there.
  const deferProtected =
    io.environment.protected && !run.yes && isInteractive() && job.confirmsDeletions === true;
  if (io.environment.protected && !deferProtected) await confirmEnvironment(io, run.yes);

  const runLock = await io.store.acquireLock(lockName, {
    owner: currentLockOwner(io.runId, `${io.cli} ${io.command}`),
    waitMs: io.settings.lockWaitMs,
    logger: io.logger,
    signal: io.signal,
  });
  if (runLock.token !== undefined) io.lockToken = runLock.token;
  const locks: ExtraLock[] = [runLock];
  let applier: Applier<unknown> | undefined;
  try {
    locks.push(...((await job.locks?.(options, io)) ?? []));
    await hooks.startHeartbeat();
    const journal = await io.store.openJournal(lockName);
    const world = await job.read(options, { ...io, journal });
    const plan = await planToApply(run, world, options);
    const summary = summarizePlan(plan);
    io.logger.info({ summary }, summary.changes === 0 ? 'nothing to change' : 'applying plan');
    if (summary.changes === 0 && !journal.resumed) {
      await journal.finish();
      hooks.status('noop');
      io.print(job.renderNoop(plan, summary, options, io));
      return { dryRun: false, target, summary, applied: emptyResult(), ...job.report?.(plan, options, io) };
    }
    let typedName = false;
    const withinCap = plan.policy.maxDelete === undefined || summary.delete <= plan.policy.maxDelete;
    // over the cap applyPlan deletes nothing and says so (exit 3): nothing to confirm
    if (job.confirmsDeletions && withinCap) {
      typedName = await confirmDeletions({
        environment: io.environment.name,
        count: summary.delete,
        yes: run.yes,
        plan: job.renderPlan(plan, options, io),
      });
      io.logger.info({ deletions: summary.delete }, 'deletion confirmed');
    }
    if (deferProtected && !typedName) await confirmEnvironment(io, run.yes);
    applier = job.open(world, options, plan, { ...io, journal });
    await applier.begin?.();
    await reconcileResumed(journal, plan, applier);
    if (io.signal.aborted) throw io.signal.reason ?? new InterruptedError('SIGTERM');
    const applied = await applyThrough(journal, { ...planHeader(io, target), ...plan }, applier, io, hooks);
    const problems = applier.problems?.() ?? [];
    if (problems.length > 0) {
      throw new PartialError(problems.join('; '), {
        hint: 'fix what the log names, then re-run: what was done is not done again',
      });
    }
    io.print(applier.summary(applied));
    return { dryRun: false, target, summary, applied, ...applier.report?.() };
  } finally {
    applier?.close?.();
    await releaseAll(locks.reverse());
  }
}

/** A fresh plan, or the saved one while the world it was made from is unchanged. */
async function planToApply(run: RunJobOptions, world: unknown, options: unknown): Promise<JobPlan<unknown>> {
  const { job, io, saved } = run;
  if (!saved) return checkedPlan(job.plan(world, options), run);
  const drift = diffFacts(saved.plan.facts, job.facts(world, options));
  const hash = await configHash(run.input.configFile);
  if (hash !== saved.plan.configHash) drift.unshift('changed: the config file');
  if (drift.length > 0) throw driftError(saved.file, drift);
  io.logger.info({ file: saved.file, created_at: saved.plan.createdAt }, 'applying a saved plan');
  return checkedPlan(saved.plan.plan, run);
}

async function applyThrough(
  journal: Journal,
  plan: JobPlan<unknown> & Plan<unknown>,
  applier: Applier<unknown>,
  io: JobIO,
  hooks: RunHooks,
): Promise<ApplyResult> {
  const { policy } = plan;
  let applied: ApplyResult;
  try {
    applied = await applyPlan(plan, {
      journal,
      logger: io.logger,
      counters: io.counters,
      signal: io.signal,
      onError: policy.onError,
      ...(policy.holdBack ? { holdBack: policy.holdBack } : {}),
      ...(policy.concurrency ? { concurrency: policy.concurrency } : {}),
      ...(policy.journalKinds ? { journalKinds: policy.journalKinds } : {}),
      ...(policy.maxDelete === undefined ? {} : { maxDelete: policy.maxDelete }),
      apply: async (action, ctx) => {
        try {
          return await applier.apply(action, ctx);
        } catch (error) {
          hooks.failedStep(action.id);
          throw error;
        }
      },
      ...(policy.itemize
        ? { afterAction: (outcome) => io.print(renderAction({ ...outcome, reason: outcome.status })) }
        : {}),
    });
  } catch (error) {
    if (error instanceof InterruptedError || isSettledFailure(error)) throw error;
    try {
      await applier.finish?.(undefined);
    } catch (finishing) {
      // the actions' own failure is what the operator must see first
      io.logger.error({ err: finishing }, 'finishing after failed actions also failed');
    }
    throw error;
  }
  await applier.finish?.(applied);
  return applied;
}

async function reconcileResumed(journal: Journal, plan: JobPlan<unknown>, applier: Applier<unknown>) {
  if (!journal.resumed || !applier.reconcile) return;
  const planned = new Set(plan.actions.map((action) => action.id));
  const gone = journal.unfinishedSteps().filter((id) => !planned.has(id));
  if (gone.length > 0) await applier.reconcile(gone);
}

async function confirmEnvironment(io: JobIO, yes: boolean): Promise<void> {
  await confirmProtected({ environment: io.environment.name, yes });
  io.logger.info({ environment: io.environment.name }, 'protected environment confirmed');
}

function checkedPlan<P extends JobPlan<unknown>>(plan: P, run: RunJobOptions): P {
  const ids = new Set<string>();
  for (const action of plan.actions) {
    if (ids.has(action.id)) throw new UsageError(`two planned actions share the id "${action.id}"`);
    ids.add(action.id);
  }
  for (const [name, by] of Object.entries(plan.counts ?? {})) run.io.counters.increment(name, by);
  run.hooks.warnings(plan.warnings);
  return plan;
}

async function savePlan(
  run: RunJobOptions,
  target: string,
  facts: Record<string, string>,
  plan: JobPlan<unknown>,
): Promise<SavedPlan> {
  const { io, input } = run;
  return {
    format: PLAN_FORMAT,
    cli: io.cli,
    command: io.command,
    version: run.version,
    environment: io.environment.name,
    createdAt: new Date().toISOString(),
    target,
    input: {
      flags: input.flags as Record<string, unknown>,
      args: input.args as Record<string, unknown>,
      cwd: input.cwd,
    },
    ...(input.configFile ? { configFile: resolve(input.cwd, input.configFile) } : {}),
    configHash: await configHash(input.configFile),
    facts,
    plan,
  };
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

/** What a plan is of, beside its actions: as `--dry-run --json` has always printed it. */
function planHeader(io: JobIO, target: string) {
  return { cli: io.cli, command: io.command, environment: io.environment.name, target };
}

function emptyResult(): ApplyResult {
  return { outcomes: [], applied: 0, alreadyDone: 0, failed: 0, heldBack: 0, resumed: false };
}
