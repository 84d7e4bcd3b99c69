import { defineSection, TemperedCommand } from '@tempered/core';
import { type DeployConfig, deploySection } from '../section.js';
import type { DeployTarget } from '../target/types.js';
import { openDeploy } from './deployContext.js';

/** `list`, `status`, `unlock`: the environment's target, read (or its lock broken), no run record. */
export abstract class DeployReadCommand<T> extends TemperedCommand<T> {
  static override sectionSchema = defineSection(deploySection);

  protected deployConfig!: DeployConfig;
  protected deployTarget!: DeployTarget;

  override async init(): Promise<void> {
    await super.init();
    const { config, target } = openDeploy(this.ctx);
    this.deployConfig = config;
    this.deployTarget = target;
  }
}
