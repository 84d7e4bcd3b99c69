export {
  isRetryable,
  isRetryableStatus,
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
