import { InternalError } from '../errors/index.js';
import { RUN_STATUSES } from './constants.js';
import type { RunRecord } from './types.js';

// What every state backend checks before it stores something: the same caller bugs, the same words.

/** A malformed record is a bug in the caller, and would poison `stats` for every later run. */
export function assertRunRecord(record: RunRecord): void {
  const problems: string[] = [];
  if (typeof record.runId !== 'string' || record.runId === '') problems.push('runId');
  if (!(RUN_STATUSES as readonly string[]).includes(record.status))
    problems.push(`status "${record.status}"`);
  if (!Number.isInteger(record.exitCode)) problems.push('exitCode');
  if (Number.isNaN(Date.parse(record.startedAt))) problems.push('startedAt');
  if (Number.isNaN(Date.parse(record.finishedAt))) problems.push('finishedAt');
  if (!Number.isFinite(record.durationMs)) problems.push('durationMs');
  if (problems.length > 0) throw new InternalError(`invalid run record: bad ${problems.join(', ')}`);
}

/** An idempotency claim must expire: a claim without a positive TTL would block its key forever. */
export function assertClaimTtl(ttlMs: number): void {
  if (!(Number.isFinite(ttlMs) && ttlMs > 0)) {
    throw new InternalError(`idempotency ttlMs must be a positive number of milliseconds, got ${ttlMs}`);
  }
}
