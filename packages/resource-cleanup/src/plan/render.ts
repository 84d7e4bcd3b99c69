import { type Plan, type PlanAction, renderAction, summarizePlan } from '@tempered/core';
import type { CleanupDetails } from '../provider/types.js';

export interface RuleHeader {
  rule: string;
  provider: string;
  location: string;
  selection: string;
}

export const GC_NOTE =
  "Registry space returns only after the registry's garbage collection (e.g. `registry garbage-collect`).";

/**
 * The plan for a person: each rule with what it selects, then every candidate (`-`) and every
 * skip (`=`) with its reason, then the totals. Everything is listed: a cleanup plan is read
 * for what it keeps as much as for what it deletes.
 */
export function renderCleanupPlan(
  plan: Plan<CleanupDetails>,
  rules: readonly RuleHeader[],
  maxDelete: number,
): string {
  const lines = [
    `${plan.cli} ${plan.command} [${plan.environment}]: ${rules.length} rule(s), max-delete ${maxDelete}`,
  ];
  const byRule = new Map<string, PlanAction<CleanupDetails>[]>();
  for (const action of plan.actions) {
    const rule = action.details?.rule ?? '';
    const list = byRule.get(rule) ?? [];
    list.push(action);
    byRule.set(rule, list);
  }
  for (const header of rules) {
    const actions = byRule.get(header.rule) ?? [];
    const deletions = actions.filter((a) => a.kind === 'delete').length;
    lines.push(
      `rule ${header.rule} (${header.provider} ${header.location}; ${header.selection}): ${deletions} to delete, ${actions.length - deletions} kept`,
    );
    for (const action of actions) lines.push(`  ${renderAction(action)}`);
  }
  for (const warning of plan.warnings) lines.push(`! ${warning}`);
  lines.push(planTotals(plan, maxDelete));
  return lines.join('\n');
}

export function planTotals(plan: Plan<CleanupDetails>, maxDelete: number): string {
  const summary = summarizePlan(plan);
  const over = summary.delete > maxDelete ? ` OVER the cap of ${maxDelete}: a run would delete nothing` : '';
  const registry = plan.actions.some((a) => a.kind === 'delete' && a.details?.provider === 'registry');
  return `Plan: ${summary.delete} to delete, ${summary.skip} kept${over}.${registry ? ` ${GC_NOTE}` : ''}`;
}
