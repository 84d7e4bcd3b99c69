import type { Applier, ApplyResult, JobIO } from '@tempered/core';
import { StepRunner } from '../apply/StepRunner.js';
import { whoAmI } from '../command/deployContext.js';
import { FleetFailedError, ReleaseFailedError } from '../errors.js';
import type { FleetOperation } from '../plan/planFleet.js';
import type { DeployStep, Operation } from '../plan/steps.js';
import type { DeployOptions } from './deployOptions.js';

/**
 * Applies a release's or rollback's steps through one StepRunner per host. A handled failure
 * (ReleaseFailedError: the host already went back) keeps its exit code 1 on a single host; in a
 * fleet, the rollout stops, the steps running on other hosts finish (never cut mid-command),
 * and every host this run switched goes back to the release it had before (FleetFailedError,
 * exit 3). core's applyPlan closes the journal for both: the attempt is over.
 */
export function stepApplier(
  options: DeployOptions,
  fleetOp: FleetOperation,
  io: JobIO,
  summary: (operation: Operation) => string,
): Applier<DeployStep> {
  const { fleet } = options;
  const runners = new Map<string, StepRunner>();
  for (const { host, operation } of fleetOp.hosts) {
    const target = fleet.hosts.find((h) => h.name === host)!.target;
    runners.set(
      host,
      new StepRunner({
        target,
        config: options.config,
        operation,
        environment: io.environment.name,
        runId: io.runId,
        by: whoAmI(),
        httpClient: () => io.http(),
        lockToken: io.lockToken,
      }),
    );
  }
  const running = new Set<Promise<unknown>>();
  let stopped: Promise<never> | undefined;

  const stopFleet = async (
    failedHost: string,
    failure: ReleaseFailedError,
    ctx: Parameters<Applier<DeployStep>['apply']>[1],
  ): Promise<never> => {
    // what other hosts are doing finishes first: a session is never cut mid-command
    await Promise.allSettled([...running]);
    const reverted: { host: string; to: string | undefined }[] = [];
    const problems: string[] = [];
    for (const [host, runner] of runners) {
      if (host === failedHost) continue;
      try {
        const back = await runner.revert(`rolled back with the fleet: ${failedHost} failed`, {
          ...ctx,
          logger: ctx.logger.child({ host }),
        });
        if (back) reverted.push({ host, to: back.back });
        if (back?.hooks) problems.push(`${host}${back.hooks}`);
      } catch (error) {
        problems.push(`${host}: rollback failed: ${(error as Error).message}`);
        ctx.logger.error({ host, err: error }, 'rolling this host back failed');
      }
    }
    const lines = fleetOp.hosts.map(({ host, operation }) => {
      const revert = reverted.find((r) => r.host === host);
      const after =
        host === failedHost
          ? (failure.rolledBackTo ?? `${operation.release} (not switched, or nothing to go back to)`)
          : revert
            ? (revert.to ?? `${operation.release} (nothing to go back to)`)
            : (operation.previous ?? operation.release);
      return {
        host,
        before: operation.previous ?? null,
        after,
        rolledBack: host === failedHost || revert !== undefined,
      };
    });
    for (const line of lines) io.logger.warn(line, 'host after the fleet rollback');
    const table = lines.map((l) => `${l.host} ${l.before ?? '(none)'} -> ${l.after}`).join(', ');
    throw new FleetFailedError(
      `release ${fleetOp.operation.release} stopped: ${failedHost}: ${failure.message}; ${reverted.length} other host(s) switched back (${table})${problems.length ? `; ${problems.join('; ')}` : ''}`,
      { release: fleetOp.operation.release, hosts: lines },
    );
  };

  return {
    apply: async (action, ctx) => {
      if (stopped) return stopped;
      const step = action.details as DeployStep;
      const host = step.host ?? '';
      const runner = runners.get(host)!;
      const work = runner.apply(step, host ? { ...ctx, logger: ctx.logger.child({ host }) } : ctx);
      running.add(work);
      try {
        return await work;
      } catch (error) {
        if (!(error instanceof ReleaseFailedError) || runners.size === 1) throw error;
        running.delete(work);
        stopped ??= stopFleet(host, error, ctx);
        return stopped;
      } finally {
        running.delete(work);
      }
    },
    summary: (applied: ApplyResult) =>
      fleetOp.hosts.every((h) => h.operation.noop) ? appliedCount(applied) : summary(fleetOp.operation),
    report: () => ({ operation: fleetOp.operation, ...(runners.size > 1 ? { hosts: fleetOp.hosts } : {}) }),
  };
}

function appliedCount(applied: ApplyResult): string {
  const resumed = applied.alreadyDone ? `, ${applied.alreadyDone} already done by an interrupted run` : '';
  return `Applied ${applied.applied} change(s)${resumed}.`;
}
