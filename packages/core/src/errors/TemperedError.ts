import { ExitCode, type ExitCodeValue } from './constants.js';

export interface TemperedErrorOptions extends ErrorOptions {
  /** One line telling the operator what to do next. */
  hint?: string;
}

/**
 * Base of every error a Tempered CLI reports on purpose. `code` is stable for scripts,
 * `exitCode` comes from the table in constants.ts, `retryable` feeds the retry classifier.
 */
export class TemperedError extends Error {
  readonly code: string = 'E_TEMPERED';
  readonly exitCode: ExitCodeValue = ExitCode.Failure;
  readonly retryable: boolean = false;
  readonly hint: string | undefined;

  constructor(message: string, options: TemperedErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TemperedError';
    this.hint = options.hint;
  }
}

/** Bad flags, arguments or config: the operator must change the invocation. Exit 2. */
export class UsageError extends TemperedError {
  override readonly code: string = 'E_USAGE';
  override readonly exitCode = ExitCode.Usage;
  constructor(message: string, options?: TemperedErrorOptions) {
    super(message, options);
    this.name = 'UsageError';
  }
}

/** A config file or value failed validation; the message names file, key and expectation. Exit 2. */
export class ConfigError extends UsageError {
  override readonly code: string = 'E_CONFIG';
  readonly file: string | undefined;
  readonly keyPath: string | undefined;
  constructor(message: string, options: TemperedErrorOptions & { file?: string; keyPath?: string } = {}) {
    super(message, options);
    this.name = 'ConfigError';
    this.file = options.file;
    this.keyPath = options.keyPath;
  }
}

export class NotFoundError extends TemperedError {
  override readonly code: string = 'E_NOT_FOUND';
  constructor(message: string, options?: TemperedErrorOptions) {
    super(message, options);
    this.name = 'NotFoundError';
  }
}

export class ConflictError extends TemperedError {
  override readonly code: string = 'E_CONFLICT';
  constructor(message: string, options?: TemperedErrorOptions) {
    super(message, options);
    this.name = 'ConflictError';
  }
}

/** A failure worth retrying (network, throttling, 5xx). When retries run out it exits 75. */
export class TransientError extends TemperedError {
  override readonly code: string = 'E_TRANSIENT';
  override readonly exitCode = ExitCode.Temporary;
  override readonly retryable: boolean = true;
  /** Milliseconds the remote asked us to wait (Retry-After), if it did. */
  readonly retryAfterMs: number | undefined;
  readonly status: number | undefined;
  constructor(
    message: string,
    options: TemperedErrorOptions & { retryAfterMs?: number; status?: number } = {},
  ) {
    super(message, options);
    this.name = 'TransientError';
    this.retryAfterMs = options.retryAfterMs;
    this.status = options.status;
  }
}

/** A failure that will not go away by retrying (4xx, validation, permission). Exit 1. */
export class PermanentError extends TemperedError {
  override readonly code: string = 'E_PERMANENT';
  readonly status: number | undefined;
  constructor(message: string, options: TemperedErrorOptions & { status?: number } = {}) {
    super(message, options);
    this.name = 'PermanentError';
    this.status = options.status;
  }
}

/** The run stopped at an action boundary after SIGINT (130) or SIGTERM (143). */
export class InterruptedError extends TemperedError {
  override readonly code: string = 'E_INTERRUPTED';
  override readonly exitCode: ExitCodeValue;
  readonly signal: NodeJS.Signals;
  constructor(signal: NodeJS.Signals, options?: TemperedErrorOptions) {
    super(`interrupted by ${signal}`, {
      hint: 'completed actions are journaled; re-run the same command to continue',
      ...options,
    });
    this.name = 'InterruptedError';
    this.signal = signal;
    this.exitCode = signal === 'SIGINT' ? ExitCode.Interrupted : ExitCode.Terminated;
  }
}

export interface LockOwner {
  pid: number;
  host: string;
  runId: string;
  startedAt: string;
  /** Linux process start time (clock ticks since boot) so a recycled pid is not taken for the owner. */
  procStart?: number | undefined;
  command?: string | undefined;
}

/** Another live run holds the lock. Exit 75: try again later, or pass --lock-wait. */
export class LockHeldError extends TemperedError {
  override readonly code: string = 'E_LOCK_HELD';
  override readonly exitCode = ExitCode.Temporary;
  readonly owner: LockOwner | undefined;
  constructor(message: string, options: TemperedErrorOptions & { owner?: LockOwner } = {}) {
    super(message, { hint: 'another run is in progress; retry later or pass --lock-wait 5m', ...options });
    this.name = 'LockHeldError';
    this.owner = options.owner;
  }
}

export interface PartialFailure {
  action: string;
  error: string;
}

/** Some actions failed, the rest applied; a re-run is safe. Exit 3. */
export class PartialError extends TemperedError {
  override readonly code: string = 'E_PARTIAL';
  override readonly exitCode = ExitCode.Partial;
  readonly failures: PartialFailure[];
  constructor(message: string, options: TemperedErrorOptions & { failures?: PartialFailure[] } = {}) {
    super(message, { hint: 're-run the same command: completed actions are not repeated', ...options });
    this.name = 'PartialError';
    this.failures = options.failures ?? [];
  }
}

/** A bug in Tempered itself, never the operator's fault. Exit 1. */
export class InternalError extends TemperedError {
  override readonly code: string = 'E_INTERNAL';
  constructor(message: string, options?: TemperedErrorOptions) {
    super(message, options);
    this.name = 'InternalError';
  }
}
