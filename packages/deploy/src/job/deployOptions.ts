import { currentLockOwner, type ExtraLock, type JobInput, type JobIO, mapConcurrently } from '@tempered/core';
import { type DeployConfig, resolveDeployConfig } from '../section.js';
import { createFleet, type Fleet, hostSelection, rolloutConcurrency } from '../target/fleet.js';

/** What release and rollback share: the environment's deploy config and its hosts. */
export interface DeployOptions {
  config: DeployConfig;
  fleet: Fleet;
  /** `--message`: kept with each host lock. */
  message?: string | undefined;
}

export function deployOptions(input: JobInput<unknown, unknown>): DeployOptions {
  const config = resolveDeployConfig(input.section, {
    environment: input.environment,
    configFile: input.configFile,
    cwd: input.cwd,
  });
  const flags = input.flags as { hosts?: string; labels?: string; message?: string; version?: string };
  return {
    config,
    fleet: createFleet(config, hostSelection(flags)),
    message: flags.message,
  };
}

/**
 * Each host's own lock, taken after the protected-environment confirmation (an unconfirmed run
 * creates nothing on a host) and the run lock: every deploy to the host, from any state dir,
 * user or controller, queues on it (exit 75, or --lock-wait). All or none: a host that refuses
 * releases the ones already taken.
 */
export async function targetLock(options: DeployOptions, io: JobIO): Promise<ExtraLock[]> {
  const version = (options as { version?: string }).version;
  // what a colleague who finds the lock wants to know: who (owner), what and why
  const owner = {
    ...currentLockOwner(io.runId, `${io.cli} ${io.command}`),
    ...(version ? { version } : {}),
    ...(options.message ? { message: options.message } : {}),
  };
  const taken: ExtraLock[] = [];
  try {
    await mapConcurrently(
      options.fleet.hosts,
      async ({ target }) => {
        taken.push(
          await target.lock({ owner, waitMs: io.settings.lockWaitMs, logger: io.logger, signal: io.signal }),
        );
      },
      { concurrency: rolloutConcurrency(options.fleet) },
    );
  } catch (error) {
    await Promise.allSettled(taken.map((lock) => lock.release()));
    throw error;
  }
  return taken;
}
