import { homedir } from 'node:os';
import { dirname } from 'node:path';
import type { Job } from '@tempered/core';
import { resolveSyncOptions, type SyncOptions } from '../options.js';
import { quotePath, renderSyncPlan } from '../plan/render.js';
import type { SyncDetails } from '../plan/types.js';
import type { SyncSection } from '../section.js';
import { renderNoop } from '../summary.js';
import { SyncApplier } from './applier.js';
import { checkPaths } from './checkPaths.js';
import { syncFacts } from './facts.js';
import { planSyncRun } from './plan.js';
import { readSyncWorld } from './read.js';
import { syncStats } from './stats.js';
import type { SyncArgs, SyncFlagValues, SyncInfo, SyncWorld } from './world.js';

/** `file-sync sync`: scan both trees, plan the copies and deletions, apply them one by one. */
export const syncJob: Job<SyncOptions, SyncWorld, SyncDetails, SyncInfo, SyncFlagValues, SyncArgs> = {
  options: (input) =>
    resolveSyncOptions({
      args: input.args,
      flags: input.flags,
      section: input.section as SyncSection,
      cwd: input.cwd,
      home: homedir(),
      configDir: input.configFile ? dirname(input.configFile) : undefined,
    }),
  check: (options) => checkPaths(options),
  target: (options) => options.destination,
  read: readSyncWorld,
  plan: planSyncRun,
  facts: syncFacts,
  open: (world, options, plan, io) => new SyncApplier(world, options, plan, io),
  renderPlan: (plan, options, io) =>
    renderSyncPlan(
      `${io.cli} sync ${quotePath(options.source)} -> ${quotePath(options.destination)} [${io.environment.name}]`,
      plan.actions,
      plan.warnings,
      plan.unchanged,
    ),
  renderNoop: (plan, summary, options, io) => renderNoop(summary, syncStats(plan, options, io)),
  report: (plan, options, io) => ({ sync: syncStats(plan, options, io) }),
};
