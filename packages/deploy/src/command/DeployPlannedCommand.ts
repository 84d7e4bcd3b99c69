import {
  type ApplyContext,
  currentLockOwner,
  defineSection,
  type ExtraLock,
  InternalError,
  type PlanAction,
  PlannedCommand,
  type PlannedResult,
} from '@tempered/core';
import { StepRunner } from '../apply/StepRunner.js';
import type { DeployStep, Operation } from '../plan/steps.js';
import { type DeployConfig, deploySection } from '../section.js';
import type { DeployTarget } from '../target/types.js';
import { openDeploy, whoAmI } from './deployContext.js';

export interface DeployResult extends PlannedResult<DeployStep> {
  operation?: Operation;
}

/**
 * What `release` and `rollback` share: the deploy section and its target, the target's own lock
 * beside the run lock, and step application. A handled failure (ReleaseFailedError, a core
 * SettledFailure) keeps its exit code 1 and closes the journal: core's applyPlan sees to it.
 */
export abstract class DeployPlannedCommand extends PlannedCommand<DeployStep> {
  static override sectionSchema = defineSection(deploySection);
  protected override onActionError = 'stop' as const;

  protected deployConfig!: DeployConfig;
  protected deployTarget!: DeployTarget;
  /** Set by plan(). */
  protected operation: Operation | undefined;
  #runner: StepRunner | undefined;

  override async init(): Promise<void> {
    await super.init();
    const { config, target } = openDeploy(this.ctx);
    this.deployConfig = config;
    this.deployTarget = target;
  }

  protected target(): string {
    return this.deployTarget.id;
  }

  /** Checks that need no lock and touch nothing (the artifact, the target's kind); exit 2 before any change. */
  protected override async preflight(): Promise<void> {
    await this.deployTarget.inspect();
  }

  /**
   * The target's own lock, taken after the protected-environment confirmation (an unconfirmed
   * run creates nothing in the target) and the run lock: every deploy to this directory, from
   * any state dir or user, queues on it (exit 75, or --lock-wait).
   */
  protected override async acquireExtraLocks(): Promise<ExtraLock[]> {
    const lock = await this.deployTarget.lock({
      owner: currentLockOwner(this.ctx.runId, `${this.ctx.cli} ${this.ctx.command}`),
      waitMs: this.ctx.settings.lockWaitMs,
      logger: this.ctx.logger,
      signal: this.ctx.signal,
    });
    return [lock];
  }

  protected override resultExtras(): Pick<DeployResult, 'operation'> | undefined {
    return this.operation ? { operation: this.operation } : undefined;
  }

  protected async applyAction(action: PlanAction<DeployStep>, ctx: ApplyContext): Promise<unknown> {
    if (!this.operation) throw new InternalError('applyAction called before plan()');
    this.#runner ??= new StepRunner({
      target: this.deployTarget,
      config: this.deployConfig,
      operation: this.operation,
      environment: this.ctx.environment.name,
      runId: this.ctx.runId,
      by: whoAmI(),
      httpClient: () => this.httpClient(),
    });
    return this.#runner.apply(action.details!, ctx);
  }
}
