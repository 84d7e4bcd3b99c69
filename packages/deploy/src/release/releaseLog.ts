import { PermanentError } from '@tempered/core';
import {
  emptyLog,
  type HistoryEvent,
  type PendingOperation,
  type ReleaseLog,
  type ReleaseRecord,
  ReleaseStatus,
} from './types.js';

/** History events kept; older ones are dropped so the log cannot grow without bound. */
export const MAX_HISTORY = 500;
/** Records of removed releases kept for audit. */
export const MAX_REMOVED_RECORDS = 100;

/** Every updater returns a new log; the caller writes it atomically. Pure: no clock, no I/O. */

export function findRecord(log: ReleaseLog, id: string): ReleaseRecord | undefined {
  return log.releases.find((record) => record.id === id);
}

/** A log read from disk; anything unreadable is a corrupt log, reported by the caller. */
export function parseReleaseLog(value: unknown): ReleaseLog | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Partial<ReleaseLog>;
  if (v.format !== 1 || !Array.isArray(v.releases) || !Array.isArray(v.history)) return undefined;
  const ok = v.releases.every(
    (r) =>
      typeof r === 'object' &&
      r !== null &&
      typeof r.id === 'string' &&
      typeof r.digest === 'string' &&
      typeof r.status === 'string',
  );
  if (!ok) return undefined;
  const switchFence = typeof v.switchFence === 'string' ? { switchFence: v.switchFence } : {};
  return { format: 1, releases: v.releases, history: v.history, pending: v.pending, ...switchFence };
}

export interface BeginReleaseInput {
  id: string;
  version?: string | undefined;
  digest: string;
  artifact: string;
  previous?: string | undefined;
  attempt: string;
  by: string;
  runId: string;
  now: string;
}

/**
 * Records the start of a deploy: the release (moved to the end: it is the newest deploy now) as
 * `deploying`, and the pending operation. An unrelated operation still pending was interrupted
 * and is superseded: its release is marked failed so no rollback picks an unverified release.
 */
export function beginRelease(log: ReleaseLog, input: BeginReleaseInput): ReleaseLog {
  const superseded = supersede(log, input.id, input);
  const record: ReleaseRecord = {
    id: input.id,
    ...(input.version === undefined ? {} : { version: input.version }),
    digest: input.digest,
    artifact: input.artifact,
    status: ReleaseStatus.Deploying,
    deployedBy: input.by,
    deployedAt: input.now,
    runId: input.runId,
  };
  const pending: PendingOperation = {
    kind: 'release',
    release: input.id,
    ...(input.previous === undefined ? {} : { previous: input.previous }),
    digest: input.digest,
    attempt: input.attempt,
    runId: input.runId,
    startedAt: input.now,
  };
  return {
    ...superseded,
    releases: [...superseded.releases.filter((r) => r.id !== input.id), record],
    pending,
  };
}

export interface FinishInput {
  id: string;
  /** Releases whose directories the cleanup removed. */
  removed: readonly string[];
  by: string;
  runId: string;
  now: string;
}

/** The deploy passed: the release is good, removed releases are marked so, nothing is pending. */
export function finishRelease(log: ReleaseLog, input: FinishInput): ReleaseLog {
  const record = findRecord(log, input.id);
  const durationMs = record ? elapsed(record.deployedAt, input.now) : undefined;
  const releases = log.releases.map((r) => {
    if (r.id === input.id) {
      const { failure: _failure, ...rest } = r;
      return { ...rest, status: ReleaseStatus.Good, finishedAt: input.now, durationMs };
    }
    if (input.removed.includes(r.id)) return { ...r, removedAt: input.now };
    return r;
  });
  return withHistory(
    { ...log, releases: pruneRemoved(releases), pending: undefined },
    {
      at: input.now,
      action: 'release',
      release: input.id,
      previous: log.pending?.kind === 'release' ? log.pending.previous : undefined,
      outcome: 'good',
      by: input.by,
      runId: input.runId,
      durationMs,
    },
  );
}

export interface FailInput {
  id: string;
  action: 'release' | 'rollback';
  reason: string;
  /** Where `current` points after the failure (the rollback target), if it moved. */
  rolledBackTo?: string | undefined;
  by: string;
  runId: string;
  now: string;
}

/** A hook or the health check failed: the release is failed and nothing is pending any more. */
export function failRelease(log: ReleaseLog, input: FailInput): ReleaseLog {
  const record = findRecord(log, input.id);
  const durationMs = record ? elapsed(record.deployedAt, input.now) : undefined;
  const releases = log.releases.map((r) =>
    r.id === input.id
      ? {
          ...r,
          status: ReleaseStatus.Failed,
          failure: input.reason,
          ...(input.action === 'release' ? { finishedAt: input.now, durationMs } : {}),
        }
      : r,
  );
  return withHistory(
    { ...log, releases, pending: undefined },
    {
      at: input.now,
      action: input.action,
      release: input.id,
      previous: input.rolledBackTo,
      outcome: 'failed',
      by: input.by,
      runId: input.runId,
      message: input.reason,
    },
  );
}

export interface BeginRollbackInput {
  to: string;
  from?: string | undefined;
  attempt: string;
  by: string;
  runId: string;
  now: string;
}

export function beginRollback(log: ReleaseLog, input: BeginRollbackInput): ReleaseLog {
  const superseded = supersede(log, input.to, input);
  return {
    ...superseded,
    pending: {
      kind: 'rollback',
      release: input.to,
      ...(input.from === undefined ? {} : { previous: input.from }),
      attempt: input.attempt,
      runId: input.runId,
      startedAt: input.now,
    },
  };
}

/**
 * The rollback passed: the release rolled back from is marked `rolled-back` (a failed one stays
 * failed), so neither a later rollback nor keep-N protection counts it as good.
 */
export function finishRollback(
  log: ReleaseLog,
  input: { to: string; from?: string | undefined; by: string; runId: string; now: string },
): ReleaseLog {
  const releases = log.releases.map((r) =>
    r.id === input.from && r.status !== ReleaseStatus.Failed ? { ...r, status: ReleaseStatus.RolledBack } : r,
  );
  return withHistory(
    { ...log, releases, pending: undefined },
    {
      at: input.now,
      action: 'rollback',
      release: input.to,
      previous: input.from,
      outcome: 'good',
      by: input.by,
      runId: input.runId,
    },
  );
}

/** A pending operation for another release, or another artifact, was interrupted for good. */
function supersede(
  log: ReleaseLog,
  id: string,
  input: { by: string; runId: string; now: string; digest?: string },
): ReleaseLog {
  const pending = log.pending;
  if (!pending) return log;
  const same = pending.release === id && (input.digest === undefined || pending.digest === input.digest);
  if (same) return { ...log, pending: undefined };
  const record = findRecord(log, pending.release);
  const releases =
    pending.kind === 'release' && record?.status === ReleaseStatus.Deploying
      ? log.releases.map((r) =>
          r.id === pending.release
            ? {
                ...r,
                status: ReleaseStatus.Failed,
                failure: 'interrupted, then superseded by another deploy',
              }
            : r,
        )
      : log.releases;
  return withHistory(
    { ...log, releases, pending: undefined },
    {
      at: input.now,
      action: pending.kind,
      release: pending.release,
      previous: pending.previous,
      outcome: 'superseded',
      by: input.by,
      runId: input.runId,
      message: `interrupted run ${pending.runId} superseded`,
    },
  );
}

function withHistory(log: ReleaseLog, event: HistoryEvent): ReleaseLog {
  return { ...log, history: [...log.history, event].slice(-MAX_HISTORY) };
}

function pruneRemoved(releases: ReleaseRecord[]): ReleaseRecord[] {
  const removed = releases.filter((r) => r.removedAt !== undefined);
  const drop = new Set(removed.slice(0, Math.max(0, removed.length - MAX_REMOVED_RECORDS)).map((r) => r.id));
  return releases.filter((r) => !drop.has(r.id));
}

function elapsed(from: string, to: string): number | undefined {
  const ms = Date.parse(to) - Date.parse(from);
  return Number.isFinite(ms) && ms >= 0 ? ms : undefined;
}

export { emptyLog };

/** A release log file's text, parsed and checked; PermanentError naming `where` when it is not one. */
export function readReleaseLogText(text: string, where: string): ReleaseLog {
  let parsed: ReleaseLog | undefined;
  try {
    parsed = parseReleaseLog(JSON.parse(text));
  } catch {
    parsed = undefined;
  }
  if (!parsed) {
    throw new PermanentError(`release log ${where} is not readable`, {
      hint: 'restore it from a backup, or move it away to start a new log (releases stay in place)',
    });
  }
  return parsed;
}
