/**
 * Fencing at the target: each switch of `current` records the run lock's token (PostgreSQL
 * leases hand out a larger one on every acquisition), and a switch by a run whose token is lower
 * than the recorded one is refused. A run that lost its lease (paused, cut off) and wakes up
 * after a later run switched can then not move `current` back under it. Pure: no I/O.
 */
import { FencedSwitchError } from '../errors.js';
import type { ReleaseLog } from './types.js';

/** Orders two tokens: non-negative integers (as text, any size) by value, anything else as text. */
export function compareTokens(a: string, b: string): number {
  if (/^\d+$/.test(a) && /^\d+$/.test(b)) {
    const x = BigInt(a);
    const y = BigInt(b);
    return x === y ? 0 : x < y ? -1 : 1;
  }
  return a === b ? 0 : a < b ? -1 : 1;
}

/** Throws FencedSwitchError when the log records a higher token than `token`. */
export function assertSwitchAllowed(log: ReleaseLog, token: string, release: string): void {
  const recorded = log.switchFence;
  if (recorded === undefined || compareTokens(token, recorded) >= 0) return;
  throw new FencedSwitchError(
    `refusing to switch to ${release}: this run's lock token ${token} is older than ${recorded}, recorded by a later run's switch (this run lost its lock)`,
    { hint: 'nothing was switched; run deploy again: it resumes under a fresh lock' },
  );
}

/** The log with `token` recorded as the latest switch, beside the release switched to. */
export function recordSwitch(log: ReleaseLog, token: string, release: string): ReleaseLog {
  return {
    ...log,
    switchFence: token,
    releases: log.releases.map((r) => (r.id === release ? { ...r, switchFence: token } : r)),
  };
}
