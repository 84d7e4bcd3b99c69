import { Args } from '@oclif/core';
import type { ApplyResult, PlanAction } from '@tempered/core';
import { DeployPlannedCommand } from '../command/DeployPlannedCommand.js';
import { planRollback } from '../plan/planRollback.js';
import type { DeployStep } from '../plan/steps.js';
import { assertSafeVersion } from '../release/releaseId.js';

export default class Rollback extends DeployPlannedCommand {
  static override summary = 'Switch current back to the previous good release, or to RELEASE.';
  static override description =
    'Skips failed and rolled-back releases. Runs the afterSwitch hooks and the health check, like a release; ' +
    'the release rolled back from is marked rolled-back.';
  static override examples = [
    '<%= config.bin %> rollback -e prod --yes',
    '<%= config.bin %> rollback 1.4.1 -e staging',
    '<%= config.bin %> rollback -e staging --dry-run',
  ];
  static override args = {
    release: Args.string({ description: 'Release id to switch to (default: the previous good release)' }),
  };

  protected override async preflight(): Promise<void> {
    const named = this.args.release as string | undefined;
    if (named !== undefined) assertSafeVersion(named, 'RELEASE');
    await this.deployTarget.inspect();
  }

  protected async plan(): Promise<PlanAction<DeployStep>[]> {
    const [state, log] = await Promise.all([this.deployTarget.inspect(), this.deployTarget.readLog()]);
    const { operation, actions } = planRollback({
      state,
      log,
      config: this.deployConfig,
      named: this.args.release as string | undefined,
      runId: this.ctx.runId,
    });
    this.operation = operation;
    if (operation.noop) {
      this.ctx.logger.info({ release: operation.release }, 'already current');
      this.print(`Release ${operation.release} is already current: nothing to do.`);
    } else if (operation.resumed) {
      this.ctx.logger.warn({ release: operation.release }, 'resuming an interrupted rollback');
    }
    return actions;
  }

  protected override appliedSummary(applied: ApplyResult): string {
    const op = this.operation;
    if (!op || op.noop) return super.appliedSummary(applied);
    return `Rolled back to ${op.release}${op.previous ? ` (from ${op.previous})` : ''}.`;
  }
}
