import type { JobIO } from '@tempered/core';
import type { ReleaseLog } from '../release/types.js';
import type { DeployTarget, TargetState } from '../target/types.js';

/** What a release or rollback is planned from: the target as it is, and the run. */
export interface DeployWorld {
  state: TargetState;
  log: ReleaseLog;
  now: Date;
  runId: string;
}

export async function readTarget(target: DeployTarget, io: JobIO): Promise<DeployWorld> {
  const [state, log] = await Promise.all([target.inspect(), target.readLog()]);
  return { state, log, now: new Date(), runId: io.runId };
}

/**
 * What a saved plan depends on in the target: where current points, which release directories
 * and leftovers exist, each release's recorded status and digest, and the operation in flight.
 */
export function targetFacts(world: DeployWorld): Record<string, string> {
  const facts: Record<string, string> = {
    current: world.state.current ?? '(none)',
    releases: world.state.releases.map((release) => release.id).join(',') || '(none)',
    leftovers: world.state.leftovers.join(',') || '(none)',
    pending: world.log.pending ? `${world.log.pending.kind} ${world.log.pending.release}` : '(none)',
  };
  for (const record of world.log.releases) {
    facts[`release:${record.id}`] = `${record.status} ${record.digest}`;
  }
  return facts;
}
