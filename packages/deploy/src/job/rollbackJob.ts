import type { Interfaces } from '@oclif/core';
import type { Job, JobPlan } from '@tempered/core';
import { type FleetOperation, mergeHostPlans } from '../plan/planFleet.js';
import { planRollback } from '../plan/planRollback.js';
import type { DeployStep } from '../plan/steps.js';
import { assertSafeVersion } from '../release/releaseId.js';
import { rolloutConcurrency, rolloutWaves } from '../target/fleet.js';
import { type DeployOptions, deployOptions, targetLock } from './deployOptions.js';
import { deployTexts } from './deployTexts.js';
import { type DeployWorld, onHost, readFleet, targetFacts } from './deployWorld.js';
import type { hostFlags } from './flags.js';
import { DEPLOY_POLICY } from './releaseJob.js';
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
  Interfaces.InferredFlags<typeof hostFlags>,
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
    const waves = rolloutWaves(options.fleet);
    const hosts = world.hosts.map(({ name, state, log }) => ({
      host: name,
      wave: waves.findIndex((wave) => wave.includes(name)),
      healthUrl: options.fleet.hosts.find((h) => h.name === name)?.healthUrl,
      plan: onHost(name, () =>
        planRollback({ state, log, config: options.config, named: options.named, runId: world.runId }),
      ),
    }));
    const { actions, info } = mergeHostPlans(hosts);
    return {
      actions,
      warnings: [],
      policy: { ...DEPLOY_POLICY, concurrency: rolloutConcurrency(options.fleet) },
      info,
    };
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
