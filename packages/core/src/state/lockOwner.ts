import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import type { LockOwner } from '../errors/index.js';

/** What can be known about an owner from here: `unknown` when it runs on another host. */
export type Liveness = 'alive' | 'dead' | 'unknown';

/**
 * Linux start time of `pid` in clock ticks since boot (field 22 of /proc/<pid>/stat), or
 * undefined where there is no procfs. With the pid it identifies a process for good: a pid
 * can be reused, the pair cannot.
 */
export function readProcStart(pid: number): number | undefined {
  const fields = procStatFields(pid);
  const value = Number(fields?.[22 - 3]);
  return Number.isSafeInteger(value) ? value : undefined;
}

/**
 * A zombie (state Z) still answers kill(pid, 0), but it will never release anything: where
 * nothing reaps a SIGKILLed run (a container whose PID 1 does not reap), it must count as dead.
 */
export function isZombie(pid: number): boolean {
  return procStatFields(pid)?.[0] === 'Z';
}

/** Fields 3.. of /proc/<pid>/stat, or undefined without procfs or without the process. */
function procStatFields(pid: number): string[] | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // field 2 (comm) is in parentheses and may itself hold spaces and ')'
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

export function isPidAlive(pid: number): boolean {
  // kill(0 or negative) would address process groups and always "succeed"
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, it is just not ours to signal
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/**
 * Dead when the owner ran on this host and its pid is gone, or now belongs to a younger
 * process (pid recycled). An owner on another host cannot be checked, so it is never
 * called dead: only an operator can break that lock.
 */
export function ownerLiveness(owner: LockOwner, host: string = hostname()): Liveness {
  if (owner.host !== host) return 'unknown';
  if (!isPidAlive(owner.pid) || isZombie(owner.pid)) return 'dead';
  if (owner.procStart !== undefined) {
    const current = readProcStart(owner.pid);
    if (current !== undefined && current !== owner.procStart) return 'dead';
  }
  return 'alive';
}

/** The owner record of this process, for `acquireLock`. */
export function currentLockOwner(runId: string, command?: string): LockOwner {
  return {
    pid: process.pid,
    host: hostname(),
    runId,
    startedAt: new Date().toISOString(),
    procStart: readProcStart(process.pid),
    ...(command === undefined ? {} : { command }),
  };
}

/** @internal */
export function serializeLockOwner(owner: LockOwner): string {
  const { pid, host, runId, startedAt, procStart, command } = owner;
  return `${JSON.stringify({ pid, host, runId, startedAt, procStart, command })}\n`;
}

/** undefined for anything that is not an owner record (corrupt or foreign file). @internal */
export function parseLockOwner(raw: string): LockOwner | undefined {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  if (typeof v.pid !== 'number' || typeof v.host !== 'string' || typeof v.runId !== 'string')
    return undefined;
  if (typeof v.startedAt !== 'string') return undefined;
  return {
    pid: v.pid,
    host: v.host,
    runId: v.runId,
    startedAt: v.startedAt,
    ...(typeof v.procStart === 'number' ? { procStart: v.procStart } : {}),
    ...(typeof v.command === 'string' ? { command: v.command } : {}),
  };
}

/** `run R (pid P on H, since T)` for messages. @internal */
export function describeOwner(owner: LockOwner): string {
  return `run ${owner.runId} (pid ${owner.pid} on ${owner.host}, since ${owner.startedAt})`;
}
