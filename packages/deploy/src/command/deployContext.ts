import { hostname, userInfo } from 'node:os';
import type { RunContext } from '@tempered/core';
import { type DeployConfig, resolveDeployConfig } from '../section.js';
import { createFleet, type Fleet, type HostSelection } from '../target/fleet.js';

/** The environment's deploy config (defaults applied) and its hosts. */
export function openDeploy(
  ctx: RunContext,
  selection: HostSelection = {},
): { config: DeployConfig; fleet: Fleet } {
  const config = resolveDeployConfig(ctx.section, {
    environment: ctx.environment.name,
    configFile: ctx.configFile,
  });
  return { config, fleet: createFleet(config, selection) };
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
