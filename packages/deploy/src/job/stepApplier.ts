import type { Applier, ApplyResult, JobIO } from '@tempered/core';
import { StepRunner } from '../apply/StepRunner.js';
import { whoAmI } from '../command/deployContext.js';
import type { DeployStep, Operation } from '../plan/steps.js';
import type { DeployOptions } from './deployOptions.js';

/**
 * Applies a release's or rollback's steps in order through the StepRunner. A handled failure
 * (ReleaseFailedError, a core SettledFailure) keeps its exit code 1 and closes the journal:
 * core's applyPlan sees to it.
 */
export function stepApplier(
  options: DeployOptions,
  operation: Operation,
  io: JobIO,
  summary: (operation: Operation) => string,
): Applier<DeployStep> {
  const runner = new StepRunner({
    target: options.target,
    config: options.config,
    operation,
    environment: io.environment.name,
    runId: io.runId,
    by: whoAmI(),
    httpClient: () => io.http(),
    lockToken: io.lockToken,
  });
  return {
    apply: (action, ctx) => runner.apply(action.details as DeployStep, ctx),
    summary: (applied: ApplyResult) => (operation.noop ? appliedCount(applied) : summary(operation)),
    report: () => ({ operation }),
  };
}

function appliedCount(applied: ApplyResult): string {
  const resumed = applied.alreadyDone ? `, ${applied.alreadyDone} already done by an interrupted run` : '';
  return `Applied ${applied.applied} change(s)${resumed}.`;
}
