import { join } from 'node:path';
import {
  type Applier,
  type ApplyContext,
  type ApplyResult,
  InternalError,
  type JobIO,
  type PlanAction,
  stateDirFor,
} from '@tempered/core';
import { AuditLog } from '../audit/AuditLog.js';
import { type CleanupDetails, type DeleteOutcome, DeleteStatus, type Provider } from '../provider/types.js';
import { type CleanupStats, cleanupStats, plannedRuleStats, type RuleStats } from './cleanupStats.js';
import type { CleanupPlan } from './planCleanup.js';

/**
 * One real cleanup run: deletes through the rules' providers, writes the audit log (a line
 * before and after each deletion), reconciles deletions an interrupted run left without an
 * outcome, and counts what happened per rule.
 */
export class CleanupApplier implements Applier<CleanupDetails> {
  readonly #providers: ReadonlyMap<string, Provider>;
  readonly #io: JobIO;
  readonly #stats: Map<string, RuleStats>;
  /** Every action id of the plan as a `delete:` id: what the listing still saw. */
  readonly #listed: Set<string>;
  #audit: AuditLog | undefined;

  constructor(providers: ReadonlyMap<string, Provider>, plan: CleanupPlan, io: JobIO) {
    this.#providers = providers;
    this.#io = io;
    this.#stats = new Map(plannedRuleStats(plan).map((stats) => [stats.rule, stats]));
    this.#listed = new Set(plan.actions.map((action) => action.id.replace(/^skip:/, 'delete:')));
  }

  async begin(): Promise<void> {
    const { stateRoot, cli, environment, runId } = this.#io;
    this.#audit = new AuditLog(
      join(stateDirFor({ root: stateRoot, cli, environment: environment.name }), 'audit.jsonl'),
      { cli, environment: environment.name, run_id: runId },
    );
  }

  /**
   * A deletion cut off between its effect and its outcome line: if the resource is no longer
   * listed at all (not even as kept), the audit log gets the `already-gone` the interrupted run
   * could not write. One whose outcome is on record, or that is still listed, gets nothing.
   */
  async reconcile(actionIds: readonly string[]): Promise<void> {
    const audit = this.#auditLog();
    const unlisted = actionIds.filter((id) => !this.#listed.has(id));
    const last = await audit.lastEntries(new Set(unlisted));
    for (const id of unlisted) {
      const entry = last.get(id);
      if (entry?.event !== 'deleting') continue;
      await audit.record({
        event: DeleteStatus.AlreadyGone,
        rule: entry.rule,
        provider: entry.provider,
        action: id,
        target: entry.target,
        detail: 'an interrupted run deleted it before recording the outcome; no longer listed',
      });
      const stats = this.#stats.get(entry.rule);
      if (stats) stats.alreadyGone++;
      this.#io.logger.info(
        { rule: entry.rule, action: id, target: entry.target },
        'interrupted deletion confirmed',
      );
    }
  }

  async apply(action: PlanAction<CleanupDetails>, ctx: ApplyContext): Promise<unknown> {
    const details = action.details;
    const provider = details && this.#providers.get(details.rule);
    if (!details || !provider) throw new InternalError(`action ${action.id} has no rule or provider`);
    const audit = this.#auditLog();
    const stats = this.#stats.get(details.rule);
    const entry = {
      rule: details.rule,
      provider: details.provider,
      action: action.id,
      target: action.target,
    };
    const logger = ctx.logger.child({ rule: details.rule, action: action.id });
    await audit.record({ event: 'deleting', ...entry, reason: action.reason });
    logger.info({ target: action.target }, 'deleting');
    let outcome: DeleteOutcome;
    try {
      outcome = await provider.delete(details.resource, { logger, signal: ctx.signal });
    } catch (error) {
      if (stats) stats.failed++;
      await audit.record({
        event: 'failed',
        ...entry,
        detail: error instanceof Error ? error.message : String(error),
      });
      throw error;
    }
    await audit.record({ event: outcome.status, ...entry, detail: outcome.detail });
    if (stats) count(stats, outcome);
    if (outcome.status === DeleteStatus.Changed) {
      logger.warn(
        { target: action.target, detail: outcome.detail },
        'changed since the plan; left for the next run',
      );
    } else {
      logger.info({ target: action.target, status: outcome.status }, 'deleted');
    }
    ctx.counters?.increment(`resources_${outcome.status.replace(/-/g, '_')}`);
    const why = outcome.detail && outcome.status === DeleteStatus.Changed ? `: ${outcome.detail}` : '';
    this.#io.print(`- ${action.target} (${outcome.status}${why})`);
    return { status: outcome.status };
  }

  summary(applied: ApplyResult): string {
    const stats = this.#cleanupStats();
    const parts = [`${stats.deleted} deleted`];
    if (stats.movedToTrash) parts.push(`${stats.movedToTrash} moved to the trash`);
    if (stats.alreadyGone) parts.push(`${stats.alreadyGone} already gone`);
    if (stats.changed) parts.push(`${stats.changed} changed since the plan, left for the next run`);
    if (applied.alreadyDone) parts.push(`${applied.alreadyDone} already done by an interrupted run`);
    const kept = stats.rules.reduce((sum, rule) => sum + rule.kept, 0);
    return [`Cleanup: ${parts.join(', ')}; ${kept} kept.`, ...stats.notes].join(' ');
  }

  report(): { cleanup: CleanupStats } {
    return { cleanup: this.#cleanupStats() };
  }

  #cleanupStats(): CleanupStats {
    return cleanupStats([...this.#stats.values()], { dryRun: false, auditLog: this.#audit?.path });
  }

  #auditLog(): AuditLog {
    if (!this.#audit) throw new InternalError('the audit log is opened in begin(), before any action');
    return this.#audit;
  }
}

function count(stats: RuleStats, outcome: DeleteOutcome): void {
  if (outcome.status === DeleteStatus.Deleted) stats.deleted++;
  else if (outcome.status === DeleteStatus.Moved) stats.movedToTrash++;
  else if (outcome.status === DeleteStatus.AlreadyGone) stats.alreadyGone++;
  else stats.changed++;
}
