import { dirname } from 'node:path';
import type { Job, JobIO } from '@tempered/core';
import type { CleanupFlags } from '../flags.js';
import { type CleanupOptions, resolveCleanupOptions } from '../options.js';
import { renderCleanupPlan } from '../plan/render.js';
import type { CleanupDetails } from '../provider/types.js';
import type { CleanupSection } from '../section.js';
import { CleanupApplier } from './CleanupApplier.js';
import { cleanupFacts } from './cleanupFacts.js';
import { cleanupStats, plannedRuleStats } from './cleanupStats.js';
import { type CleanupInfo, type CleanupPlan, planCleanup } from './planCleanup.js';
import { type CleanupWorld, readRules } from './readRules.js';

/** The lock and journal name: one cleanup at a time per environment, whichever rules it runs. */
export const CLEANUP_TARGET = 'cleanup-rules';

/**
 * `resource-cleanup run`: list every rule's target, decide per resource, delete the candidates
 * within the cap. Deletions need --yes or the environment's name typed under the plan.
 */
export const cleanupJob: Job<CleanupOptions, CleanupWorld, CleanupDetails, CleanupInfo, CleanupFlags> = {
  confirmsDeletions: true,
  options: (input) =>
    resolveCleanupOptions({
      flags: input.flags,
      section: input.section as CleanupSection,
      baseDir: input.configFile ? dirname(input.configFile) : input.cwd,
      configFile: input.configFile,
    }),
  target: () => CLEANUP_TARGET,
  read: readRules,
  plan: planCleanup,
  facts: cleanupFacts,
  open: (world, _options, plan, io) => new CleanupApplier(world.providers, plan, io),
  renderPlan: (plan, _options, io) => renderCleanupPlan(asPlan(plan, io), plan.info.rules, maxDeleteOf(plan)),
  renderNoop: (plan, summary) =>
    `Nothing to delete: ${summary.skip} kept across ${plan.info.rules.length} rule(s).`,
  report: (plan, _options, io) => ({ cleanup: cleanupStats(plannedRuleStats(plan), { dryRun: io.dryRun }) }),
};

/** The header names the command and environment of this run. */
function asPlan(plan: CleanupPlan, io: JobIO) {
  return {
    cli: io.cli,
    command: io.command,
    environment: io.environment.name,
    target: CLEANUP_TARGET,
    actions: plan.actions,
    warnings: plan.warnings,
  };
}

function maxDeleteOf(plan: CleanupPlan): number {
  return plan.policy.maxDelete ?? Number.POSITIVE_INFINITY;
}
