import type { Interfaces } from '@oclif/core';
import type { Job, JobPlan } from '@tempered/core';
import type { FleetOperation } from '../plan/planFleet.js';
import { planRollback } from '../plan/planRollback.js';
import type { DeployStep } from '../plan/steps.js';
import { assertSafeVersion } from '../release/releaseId.js';
import { type DeployOptions, deployOptions, targetLock } from './deployOptions.js';
import { deployTexts } from './deployTexts.js';
import { type DeployWorld, planFleet, readFleet, targetFacts } from './deployWorld.js';
import type { hostFlags, messageFlag } from './flags.js';
import { stepApplier } from './stepApplier.js';

export interface RollbackOptions extends DeployOptions {
  /** `deploy rollback RELEASE`; undefined: the previous good release. */
  named: string | undefined;
}

type RollbackPlan = JobPlan<DeployStep, FleetOperation>;

export const rollbackJob: Job<
  RollbackOptions,
  DeployWorld,
  DeployStep,
  FleetOperation,
  Interfaces.InferredFlags<typeof hostFlags & typeof messageFlag>,
  { release?: string | undefined }
> = {
  options: (input) => ({ ...deployOptions(input), named: input.args.release }),

  async check(options) {
    if (options.named !== undefined) assertSafeVersion(options.named, 'RELEASE');
    const local = options.fleet.hosts[0]!.target;
    if (local.kind === 'local') await local.inspect();
  },

  target: (options) => options.fleet.id,
  locks: targetLock,
  read: (options, io) => readFleet(options.fleet, io),

  plan(world, options): RollbackPlan {
    const { actions, info, policy } = planFleet(world, options.fleet, ({ state, log }) =>
      planRollback({ state, log, config: options.config, named: options.named, runId: world.runId }),
    );
    return { actions, warnings: [], policy, info };
  },

  facts: (world) => targetFacts(world),

  open: (_world, options, plan, io) => {
    const { operation } = plan.info;
    if (operation.resumed) io.logger.warn({ release: operation.release }, 'resuming an interrupted rollback');
    return stepApplier(
      options,
      plan.info,
      io,
      (op) => `Rolled back to ${op.release}${op.previous ? ` (from ${op.previous})` : ''}.`,
    );
  },

  ...deployTexts<FleetOperation>(
    (plan) => `Release ${plan.info.operation.release} is already current: nothing to do.`,
    (plan) => [{ release: plan.info.operation.release }, 'already current'],
  ),
};
