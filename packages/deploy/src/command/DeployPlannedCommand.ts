import {
  type ApplyContext,
  confirmProtected,
  currentLockOwner,
  InternalError,
  type LockHandle,
  PartialError,
  type PlanAction,
  PlannedCommand,
  type PlannedResult,
} from '@tempered/core';
import { StepRunner } from '../apply/StepRunner.js';
import { ReleaseFailedError } from '../errors.js';
import type { DeployStep, Operation } from '../plan/steps.js';
import { type DeployConfig, deploySection } from '../section.js';
import type { DeployTarget } from '../target/types.js';
import { openDeploy, whoAmI } from './deployContext.js';
import { settlingStore } from './settlingStore.js';

export interface DeployResult extends PlannedResult<DeployStep> {
  operation?: Operation;
}

/**
 * What `release` and `rollback` share: the deploy section and its target, the target's own lock
 * around the run lock, step application, and the exit code of a handled failure (1, not the
 * partial 3 core would make of a failure after earlier steps applied).
 */
export abstract class DeployPlannedCommand extends PlannedCommand<DeployStep> {
  static override sectionSchema = deploySection;
  protected override onActionError = 'stop' as const;

  protected deployConfig!: DeployConfig;
  protected deployTarget!: DeployTarget;
  /** Set by plan(). */
  protected operation: Operation | undefined;
  #settled = false;
  #runner: StepRunner | undefined;

  override async init(): Promise<void> {
    await super.init();
    const { config, target } = openDeploy(this.ctx);
    this.deployConfig = config;
    this.deployTarget = target;
    this.ctx.store = settlingStore(this.ctx.store, () => this.#settled);
  }

  protected target(): string {
    return this.deployTarget.id;
  }

  /** Checks that need no lock and touch nothing (the artifact, the target's kind); exit 2 before any change. */
  protected async preflight(): Promise<void> {
    await this.deployTarget.inspect();
  }

  override async run(): Promise<DeployResult> {
    await this.preflight();
    let targetLock: LockHandle | undefined;
    if (!this.isDryRun()) {
      if (this.ctx.environment.protected) {
        // before the target lock, which creates <target>/.deploy: an unconfirmed run changes nothing;
        // once confirmed, core's own check (after this) must not ask a second time
        await confirmProtected({ environment: this.ctx.environment.name, yes: this.flags.yes === true });
        this.flags.yes = true;
      }
      // taken before the run lock and released after it: every deploy to this directory, from
      // any state dir or user, queues on it (exit 75, or --lock-wait)
      targetLock = await this.deployTarget.lock({
        owner: currentLockOwner(this.ctx.runId, `${this.ctx.cli} ${this.ctx.command}`),
        waitMs: this.ctx.settings.lockWaitMs,
        logger: this.ctx.logger,
        signal: this.ctx.signal,
      });
    }
    try {
      const result = await super.run();
      return this.operation ? { ...result, operation: this.operation } : result;
    } catch (error) {
      // a handled failure after earlier steps applied is not "partial, re-run to continue"
      if (error instanceof PartialError && error.cause instanceof ReleaseFailedError) throw error.cause;
      throw error;
    } finally {
      await targetLock?.release();
    }
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
      onSettled: () => {
        this.#settled = true;
      },
    });
    return this.#runner.apply(action.details!, ctx);
  }
}
