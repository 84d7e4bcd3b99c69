import { ConflictError, type TemperedErrorOptions } from '../errors/index.js';
import type { IdempotencyRecord } from './types.js';

/** Another run holds a live claim on this idempotency key. Exit 1. */
export class IdempotencyInProgressError extends ConflictError {
  override readonly code: string = 'E_IDEMPOTENCY_IN_PROGRESS';
  readonly key: string;
  readonly existingRecord: IdempotencyRecord;

  constructor(key: string, existingRecord: IdempotencyRecord, options: TemperedErrorOptions = {}) {
    super(
      `operation ${key} is already in progress (started by run ${existingRecord.runId} at ${existingRecord.createdAt}); wait or re-run after ${existingRecord.expiresAt}`,
      options,
    );
    this.name = 'IdempotencyInProgressError';
    this.key = key;
    this.existingRecord = existingRecord;
  }
}

/** The key was already used for a different payload: reusing it would answer the wrong request. Exit 1. */
export class IdempotencyPayloadMismatchError extends ConflictError {
  override readonly code: string = 'E_IDEMPOTENCY_PAYLOAD_MISMATCH';
  readonly key: string;
  readonly existingRecord: IdempotencyRecord;

  constructor(key: string, existingRecord: IdempotencyRecord, options: TemperedErrorOptions = {}) {
    const what = existingRecord.status === 'completed' ? 'completed' : 'started';
    super(
      `operation ${key} was ${what} by run ${existingRecord.runId} at ${existingRecord.createdAt} with a different payload`,
      { hint: 'an idempotency key names one request: use a new key for a different one', ...options },
    );
    this.name = 'IdempotencyPayloadMismatchError';
    this.key = key;
    this.existingRecord = existingRecord;
  }
}
