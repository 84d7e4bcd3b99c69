import { type Liveness, type LockOwner, lockNameFor, ownerLiveness, type StateStore } from '@tempered/core';
import type { Fleet } from '../target/fleet.js';

export interface LockView {
  /** `target`: a host's own lock (the directory's, locally); `run`: the run lock in the state store. */
  scope: 'target' | 'run';
  /** The host whose lock it is (absent for the run lock and a local target). */
  host?: string;
  owner: LockOwner;
  /** `unknown`: the owner runs on another host. */
  liveness: Liveness;
}

/** The locks a release or rollback holds on these hosts, if any are held. */
export async function inspectDeployLocks(fleet: Fleet, store: StateStore): Promise<LockView[]> {
  const [hostOwners, runOwner] = await Promise.all([
    Promise.all(fleet.hosts.map(async (h) => ({ host: h.name, owner: await h.target.inspectLock() }))),
    store.inspectLock(lockNameFor(fleet.id)),
  ]);
  const views: LockView[] = [];
  for (const { host, owner } of hostOwners) {
    if (owner)
      views.push({ scope: 'target', ...(host ? { host } : {}), owner, liveness: ownerLiveness(owner) });
  }
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
  const where = lock.host ? `${lock.host}: ` : '';
  const extra = owner as { user?: string; version?: string; message?: string };
  const what = [
    extra.user ? `user ${extra.user}` : '',
    extra.version ? `version ${extra.version}` : '',
    extra.message ? `"${extra.message}"` : '',
  ].filter(Boolean);
  return `${where}${lock.scope} lock held by run ${owner.runId} (pid ${owner.pid} on ${owner.host}, since ${owner.startedAt}${what.length ? `, ${what.join(', ')}` : ''}; ${state})`;
}

/** Removes the deploy locks of these hosts and the run lock; each break checks its owner's liveness again. */
export async function breakDeployLocks(
  fleet: Fleet,
  store: StateStore,
): Promise<{ scope: LockView['scope']; host?: string; owner: LockOwner }[]> {
  const removed: { scope: LockView['scope']; host?: string; owner: LockOwner }[] = [];
  for (const { name, target } of fleet.hosts) {
    const owner = await target.breakLock();
    if (owner) removed.push({ scope: 'target', ...(name ? { host: name } : {}), owner });
  }
  const fromRun = await store.breakLock(lockNameFor(fleet.id));
  if (fromRun) removed.push({ scope: 'run', owner: fromRun });
  return removed;
}
