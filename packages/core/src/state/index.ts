export { RUN_STATUSES, STATE_DEFAULTS } from './constants.js';
export { IdempotencyInProgressError, IdempotencyPayloadMismatchError } from './errors.js';
export { acquireFileLock, breakFileLock, inspectFileLock } from './FileLocks.js';
export { FileStateStore, type FileStateStoreOptions } from './FileStateStore.js';
export {
  currentLockOwner,
  isPidAlive,
  isZombie,
  type Liveness,
  ownerLiveness,
  readProcStart,
} from './lockOwner.js';
export {
  type OpenStateStoreOptions,
  openStateStore,
  type StateBackendSettings,
} from './openStateStore.js';
export { type RunIdempotentOptions, runIdempotent } from './runIdempotent.js';
export { hashPayload, stableStringify } from './stableHash.js';
export {
  ensureStateDir,
  listEnvironments,
  type StateDirOptions,
  type StateRootOptions,
  stateDirFor,
  stateRootFor,
} from './stateDir.js';
export type {
  AcquireLockOptions,
  IdempotencyBeginOptions,
  IdempotencyBeginResult,
  IdempotencyRecord,
  IdempotencyStore,
  Journal,
  ListRunsOptions,
  LockHandle,
  RunRecord,
  RunStatus,
  StateStore,
} from './types.js';
