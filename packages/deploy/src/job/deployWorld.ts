import { type ApplyPolicy, type JobIO, mapConcurrently, UsageError } from '@tempered/core';
import { type FleetOperation, mergeHostPlans } from '../plan/planFleet.js';
import type { DeployAction, DeployPlan } from '../plan/steps.js';
import type { ReleaseLog } from '../release/types.js';
import { type Fleet, rolloutConcurrency, rolloutWaves } from '../target/fleet.js';
import type { TargetState } from '../target/types.js';

/** One host as it is. */
export interface HostWorld {
  /** Empty for a local target. */
  name: string;
  state: TargetState;
  log: ReleaseLog;
}

/** What a release or rollback is planned from: every host as it is, and the run. */
export interface DeployWorld {
  hosts: HostWorld[];
  now: Date;
  runId: string;
}

export async function readFleet(fleet: Fleet, io: JobIO): Promise<DeployWorld> {
  const hosts = await mapConcurrently(
    fleet.hosts,
    async ({ name, target }): Promise<HostWorld> => {
      const { state, log } = await target.snapshot();
      return { name, state, log };
    },
    { concurrency: rolloutConcurrency(fleet), signal: io.signal },
  );
  return { hosts, now: new Date(), runId: io.runId };
}

/**
 * What a saved plan depends on in each host: where current points, which release directories
 * and leftovers exist, each release's recorded status and digest, and the operation in flight.
 */
export function targetFacts(world: DeployWorld): Record<string, string> {
  const facts: Record<string, string> = {};
  for (const { name, state, log } of world.hosts) {
    const at = name ? `${name}/` : '';
    facts[`${at}current`] = state.current ?? '(none)';
    facts[`${at}releases`] = state.releases.map((release) => release.id).join(',') || '(none)';
    facts[`${at}leftovers`] = state.leftovers.join(',') || '(none)';
    facts[`${at}pending`] = log.pending ? `${log.pending.kind} ${log.pending.release}` : '(none)';
    for (const record of log.releases) {
      facts[`${at}release:${record.id}`] = `${record.status} ${record.digest}`;
    }
  }
  return facts;
}

/** A host's refusal (a --version used for other content there) names the host. */
export function onHost<T>(name: string, plan: () => T): T {
  try {
    return plan();
  } catch (error) {
    if (name && error instanceof UsageError) {
      throw new UsageError(`${name}: ${error.message}`, error.hint ? { hint: error.hint } : {});
    }
    throw error;
  }
}

/** A deploy is a sequence: the first failure stops it (and the step runner rolls back). */
export const DEPLOY_POLICY: ApplyPolicy = { onError: 'stop', itemize: true };

/**
 * Each host's plan (`planHost`, pure), merged into one in the rollout's waves; a refusal names
 * its host.
 */
export function planFleet(
  world: DeployWorld,
  fleet: Fleet,
  planHost: (host: HostWorld) => DeployPlan,
): { actions: DeployAction[]; info: FleetOperation; policy: ApplyPolicy } {
  const waves = rolloutWaves(fleet);
  const { actions, info } = mergeHostPlans(
    world.hosts.map((host) => ({
      host: host.name,
      wave: waves.findIndex((wave) => wave.includes(host.name)),
      healthUrl: fleet.hosts.find((h) => h.name === host.name)?.healthUrl,
      plan: onHost(host.name, () => planHost(host)),
    })),
  );
  return { actions, info, policy: { ...DEPLOY_POLICY, concurrency: rolloutConcurrency(fleet) } };
}
