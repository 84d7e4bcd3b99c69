import { type Liveness, type LockOwner, lockNameFor, ownerLiveness, type StateStore } from '@tempered/core';
import type { DeployTarget } from '../target/types.js';

export interface LockView {
  /** `target`: the lock in the target directory; `run`: the run lock in this environment's state dir. */
  scope: 'target' | 'run';
  owner: LockOwner;
  /** `unknown`: the owner runs on another host. */
  liveness: Liveness;
}

/** The locks a release or rollback holds on this target, if any are held. */
export async function inspectDeployLocks(target: DeployTarget, store: StateStore): Promise<LockView[]> {
  const [targetOwner, runOwner] = await Promise.all([
    target.inspectLock(),
    store.inspectLock(lockNameFor(target.id)),
  ]);
  const views: LockView[] = [];
  if (targetOwner) views.push({ scope: 'target', owner: targetOwner, liveness: ownerLiveness(targetOwner) });
  if (runOwner) views.push({ scope: 'run', owner: runOwner, liveness: ownerLiveness(runOwner) });
  return views;
}

export function describeLock(lock: LockView): string {
  const { owner } = lock;
  const state =
    lock.liveness === 'alive'
      ? 'running'
      : lock.liveness === 'dead'
        ? 'gone (stale lock)'
        : 'on another host';
  return `${lock.scope} lock held by run ${owner.runId} (pid ${owner.pid} on ${owner.host}, since ${owner.startedAt}; ${state})`;
}

/** Removes both deploy locks of the target; each break checks its owner's liveness again. */
export async function breakDeployLocks(
  target: DeployTarget,
  store: StateStore,
): Promise<{ scope: LockView['scope']; owner: LockOwner }[]> {
  const removed: { scope: LockView['scope']; owner: LockOwner }[] = [];
  const fromTarget = await target.breakLock();
  if (fromTarget) removed.push({ scope: 'target', owner: fromTarget });
  const fromRun = await store.breakLock(lockNameFor(target.id));
  if (fromRun) removed.push({ scope: 'run', owner: fromRun });
  return removed;
}
