import { currentLockOwner, type ExtraLock, type JobInput, type JobIO } from '@tempered/core';
import { createTarget } from '../command/deployContext.js';
import { type DeployConfig, resolveDeployConfig } from '../section.js';
import type { DeployTarget } from '../target/types.js';

/** What release and rollback share: the environment's deploy config and its target. */
export interface DeployOptions {
  config: DeployConfig;
  target: DeployTarget;
}

export function deployOptions(input: JobInput<unknown, unknown>): DeployOptions {
  const config = resolveDeployConfig(input.section, {
    environment: input.environment,
    configFile: input.configFile,
    cwd: input.cwd,
  });
  return { config, target: createTarget(config) };
}

/**
 * The target's own lock, taken after the protected-environment confirmation (an unconfirmed run
 * creates nothing in the target) and the run lock: every deploy to this directory, from any
 * state dir or user, queues on it (exit 75, or --lock-wait).
 */
export async function targetLock(options: DeployOptions, io: JobIO): Promise<ExtraLock[]> {
  const lock = await options.target.lock({
    owner: currentLockOwner(io.runId, `${io.cli} ${io.command}`),
    waitMs: io.settings.lockWaitMs,
    logger: io.logger,
    signal: io.signal,
  });
  return [lock];
}
