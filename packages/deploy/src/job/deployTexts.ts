import { type Job, type JobPlan, renderPlanHuman, renderSummaryLine } from '@tempered/core';
import type { DeployStep, Operation } from '../plan/steps.js';
import type { DeployOptions } from './deployOptions.js';

type DeployPlan<I extends { operation: Operation }> = JobPlan<DeployStep, I>;

/**
 * The texts release and rollback share: core's itemised plan, led by a line saying there is
 * nothing to do when the operation is a no-op, and the operation in the JSON result.
 */
export function deployTexts<I extends { operation: Operation }>(
  noopLine: (plan: DeployPlan<I>) => string,
  noopLog: (plan: DeployPlan<I>) => [Record<string, unknown>, string],
): Pick<Job<DeployOptions, unknown, DeployStep, I>, 'renderPlan' | 'renderNoop' | 'report'> {
  const lead = (plan: DeployPlan<I>) => (plan.info.operation.noop ? [noopLine(plan)] : []);
  return {
    renderPlan: (plan, options, io) =>
      [
        ...lead(plan),
        renderPlanHuman({
          cli: io.cli,
          command: io.command,
          environment: io.environment.name,
          target: options.fleet.id,
          ...plan,
        }),
      ].join('\n'),
    renderNoop: (plan, summary, _options, io) => {
      io.logger.info(...noopLog(plan));
      return [...lead(plan), renderSummaryLine(summary)].join('\n');
    },
    report: (plan) => ({ operation: plan.info.operation }),
  };
}
