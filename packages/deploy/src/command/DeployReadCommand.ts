import { defineSection, TemperedCommand } from '@tempered/core';
import { hostFlags } from '../job/flags.js';
import { type DeployConfig, deploySection } from '../section.js';
import { type Fleet, hostSelection } from '../target/fleet.js';
import { openDeploy } from './deployContext.js';

/** `list`, `status`, `unlock`: the environment's hosts, read (or their locks broken), no run record. */
export abstract class DeployReadCommand<T> extends TemperedCommand<T> {
  static override sectionSchema = defineSection(deploySection);
  static override flags = hostFlags;

  protected deployConfig!: DeployConfig;
  protected fleet!: Fleet;

  override async init(): Promise<void> {
    await super.init();
    const { config, fleet } = openDeploy(
      this.ctx,
      hostSelection(this.flags as { hosts?: string; labels?: string }),
    );
    this.deployConfig = config;
    this.fleet = fleet;
  }
}
