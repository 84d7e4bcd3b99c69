import type { Plan, PlanAction, PlanSummary } from './types.js';

const MARKS = { create: '+', update: '~', delete: '-', skip: '=' } as const;

export function summarizePlan<D>(plan: Pick<Plan<D>, 'actions' | 'unchanged'>): PlanSummary {
  const summary: PlanSummary = { create: 0, update: 0, delete: 0, skip: plan.unchanged ?? 0, changes: 0 };
  for (const action of plan.actions) summary[action.kind] += 1;
  summary.changes = summary.create + summary.update + summary.delete;
  return summary;
}

export function renderAction<D>(action: Pick<PlanAction<D>, 'kind' | 'target' | 'reason'>): string {
  return `${MARKS[action.kind]} ${action.target} (${action.reason})`;
}

export function renderSummaryLine(summary: PlanSummary): string {
  if (summary.changes === 0) return `No changes: ${summary.skip} up to date.`;
  return `Plan: ${summary.create} to create, ${summary.update} to update, ${summary.delete} to delete, ${summary.skip} unchanged.`;
}

/**
 * Itemised, one line per change, then a summary line. Unchanged items are only listed when
 * asked, because a no-op sync of 50,000 files must not print 50,000 lines.
 */
export function renderPlanHuman<D>(plan: Plan<D>, options: { showSkipped?: boolean } = {}): string {
  const lines = [`${plan.cli} ${plan.command} -> ${plan.target} [${plan.environment}]`];
  for (const action of plan.actions) {
    if (action.kind === 'skip' && !options.showSkipped) continue;
    lines.push(renderAction(action));
  }
  for (const warning of plan.warnings) lines.push(`! ${warning}`);
  lines.push(renderSummaryLine(summarizePlan(plan)));
  return lines.join('\n');
}

export function planToJson<D>(plan: Plan<D>): Plan<D> & { summary: PlanSummary } {
  return { ...plan, summary: summarizePlan(plan) };
}
