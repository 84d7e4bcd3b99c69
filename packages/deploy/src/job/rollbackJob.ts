import type { Job, JobPlan } from '@tempered/core';
import { planRollback } from '../plan/planRollback.js';
import type { DeployStep, Operation } from '../plan/steps.js';
import { assertSafeVersion } from '../release/releaseId.js';
import { type DeployOptions, deployOptions, targetLock } from './deployOptions.js';
import { deployTexts } from './deployTexts.js';
import { type DeployWorld, readTarget, targetFacts } from './deployWorld.js';
import { DEPLOY_POLICY } from './releaseJob.js';
import { stepApplier } from './stepApplier.js';

export interface RollbackOptions extends DeployOptions {
  /** `deploy rollback RELEASE`; undefined: the previous good release. */
  named: string | undefined;
}

type RollbackPlan = JobPlan<DeployStep, { operation: Operation }>;

export const rollbackJob: Job<
  RollbackOptions,
  DeployWorld,
  DeployStep,
  { operation: Operation },
  Record<string, never>,
  { release?: string | undefined }
> = {
  options: (input) => ({ ...deployOptions(input), named: input.args.release }),

  async check(options) {
    if (options.named !== undefined) assertSafeVersion(options.named, 'RELEASE');
    await options.target.inspect();
  },

  target: (options) => options.target.id,
  locks: targetLock,
  read: (options, io) => readTarget(options.target, io),

  plan(world, options): RollbackPlan {
    const { operation, actions } = planRollback({
      state: world.state,
      log: world.log,
      config: options.config,
      named: options.named,
      runId: world.runId,
    });
    return { actions, warnings: [], policy: DEPLOY_POLICY, info: { operation } };
  },

  facts: (world) => targetFacts(world),

  open: (_world, options, plan, io) => {
    const { operation } = plan.info;
    if (operation.resumed) io.logger.warn({ release: operation.release }, 'resuming an interrupted rollback');
    return stepApplier(
      options,
      operation,
      io,
      (op) => `Rolled back to ${op.release}${op.previous ? ` (from ${op.previous})` : ''}.`,
    );
  },

  ...deployTexts<{ operation: Operation }>(
    (plan) => `Release ${plan.info.operation.release} is already current: nothing to do.`,
    (plan) => [{ release: plan.info.operation.release }, 'already current'],
  ),
};
