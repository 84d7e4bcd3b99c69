export {
  isRetryable,
  isRetryableStatus,
  RETRYABLE_ERROR_CODES,
  RETRYABLE_HTTP_STATUSES,
} from './classify.js';
export { ExitCode, type ExitCodeValue } from './constants.js';
export {
  ConfigError,
  ConflictError,
  InternalError,
  InterruptedError,
  LockHeldError,
  type LockOwner,
  NotFoundError,
  PartialError,
  type PartialFailure,
  PermanentError,
  TemperedError,
  type TemperedErrorOptions,
  TransientError,
  UsageError,
} from './TemperedError.js';
