import { PermanentError, type TemperedErrorOptions } from '@tempered/core';

/**
 * A source entry disappeared between the scan and its copy. Not a failure: the source changed
 * under the run, and the next run sees the new state. Reported as a warning.
 */
export class SourceVanishedError extends PermanentError {
  override readonly code: string = 'E_SOURCE_VANISHED';
  readonly path: string;
  constructor(path: string, options: TemperedErrorOptions = {}) {
    super(`${JSON.stringify(path)} vanished from the source during the run`, options);
    this.name = 'SourceVanishedError';
    this.path = path;
  }
}

/** One entry could not be read or written; the run goes on and ends partial (exit 3). */
export class EntryFailedError extends PermanentError {
  override readonly code: string = 'E_ENTRY_FAILED';
  readonly path: string;
  constructor(path: string, message: string, options: TemperedErrorOptions = {}) {
    super(`${JSON.stringify(path)}: ${message}`, options);
    this.name = 'EntryFailedError';
    this.path = path;
  }
}
