import type { JobPlan, PlanAction } from '@tempered/core';
import { type CleanupOptions, describeRule } from '../options.js';
import { buildRuleActions } from '../plan/buildActions.js';
import type { RuleHeader } from '../plan/render.js';
import { describeResource } from '../provider/describe.js';
import type { CleanupDetails } from '../provider/types.js';
import type { CleanupWorld } from './readRules.js';

export interface RuleInfo extends RuleHeader {
  /** Resources looked at, matched or not. */
  scanned: number;
}

/** What the texts and the result need beside the actions: each rule's header and count. */
export interface CleanupInfo {
  rules: RuleInfo[];
}

export type CleanupPlan = JobPlan<CleanupDetails, CleanupInfo>;

/**
 * Pure: each rule's decisions (delete, or keep with the reason) from its listing at world.now.
 * Every resource is an action (skips included: a cleanup plan is read for what it keeps), and
 * the cap, concurrency and journaling are the plan's policy.
 */
export function planCleanup(world: CleanupWorld, options: CleanupOptions): CleanupPlan {
  const actions: PlanAction<CleanupDetails>[] = [];
  const rules: RuleInfo[] = [];
  for (const rule of options.rules) {
    const listed = world.rules.find((one) => one.rule === rule.name);
    if (!listed) continue;
    const planned = buildRuleActions(
      rule,
      { kind: listed.provider, describe: describeResource },
      listed.listing,
      world.now,
    );
    rules.push({
      rule: rule.name,
      provider: listed.provider,
      location: listed.location,
      selection: describeRule(rule),
      scanned: planned.scanned,
    });
    actions.push(...planned.actions);
  }
  return {
    actions,
    warnings: [],
    policy: {
      onError: 'continue',
      concurrency: options.concurrency,
      // skips are decisions, not steps: only deletions are journaled
      journalKinds: ['delete'],
      maxDelete: options.maxDelete,
      // each deletion prints its own line with its outcome (deleted, moved, already gone...)
      itemize: false,
    },
    info: { rules },
  };
}
