import { GC_NOTE } from '../plan/render.js';
import type { CleanupPlan } from './planCleanup.js';

export interface RuleStats {
  rule: string;
  provider: string;
  location: string;
  scanned: number;
  /** Planned deletions (what --dry-run would delete). */
  candidates: number;
  kept: number;
  deleted: number;
  movedToTrash: number;
  alreadyGone: number;
  /** Changed since the plan (newer now): left for the next run. */
  changed: number;
  failed: number;
}

/** The `cleanup` field of the JSON result. */
export interface CleanupStats {
  rules: RuleStats[];
  deleted: number;
  movedToTrash: number;
  alreadyGone: number;
  changed: number;
  /** The audit log of real runs (JSON lines, one before and one after each deletion). */
  auditLog: string | undefined;
  notes: string[];
}

/** Each rule's counts as planned, no outcome yet. */
export function plannedRuleStats(plan: CleanupPlan): RuleStats[] {
  return plan.info.rules.map((header) => {
    const actions = plan.actions.filter((action) => action.details?.rule === header.rule);
    const candidates = actions.filter((action) => action.kind === 'delete').length;
    return {
      rule: header.rule,
      provider: header.provider,
      location: header.location,
      scanned: header.scanned,
      candidates,
      kept: actions.length - candidates,
      deleted: 0,
      movedToTrash: 0,
      alreadyGone: 0,
      changed: 0,
      failed: 0,
    };
  });
}

/** The totals over the rules; a dry-run's registry candidates already earn the GC note. */
export function cleanupStats(
  rules: RuleStats[],
  run: { dryRun: boolean; auditLog?: string | undefined },
): CleanupStats {
  const sum = (key: 'deleted' | 'movedToTrash' | 'alreadyGone' | 'changed') =>
    rules.reduce((total, rule) => total + rule[key], 0);
  const registryDeletes = rules
    .filter((rule) => rule.provider === 'registry')
    .reduce((total, rule) => total + (run.dryRun ? rule.candidates : rule.deleted), 0);
  return {
    rules,
    deleted: sum('deleted'),
    movedToTrash: sum('movedToTrash'),
    alreadyGone: sum('alreadyGone'),
    changed: sum('changed'),
    auditLog: run.auditLog,
    notes: registryDeletes > 0 ? [GC_NOTE] : [],
  };
}
