import { hostname, userInfo } from 'node:os';
import type { RunContext } from '@tempered/core';
import { type DeployConfig, resolveDeployConfig } from '../section.js';
import { LocalTarget } from '../target/LocalTarget.js';
import type { DeployTarget } from '../target/types.js';

/** The environment's deploy config (defaults applied) and its target. */
export function openDeploy(ctx: RunContext): { config: DeployConfig; target: DeployTarget } {
  const config = resolveDeployConfig(ctx.section, {
    environment: ctx.environment.name,
    configFile: ctx.configFile,
  });
  return { config, target: createTarget(config) };
}

/** The one place that knows the kinds of target. */
export function createTarget(config: DeployConfig): DeployTarget {
  return new LocalTarget(config.target.path);
}

/** `user@host` for the release log. */
export function whoAmI(): string {
  let user: string | undefined;
  try {
    user = userInfo().username;
  } catch {
    // no passwd entry (a container running as a bare uid)
  }
  return `${user || process.env.USER || process.env.LOGNAME || `uid-${process.getuid?.() ?? '?'}`}@${hostname()}`;
}
