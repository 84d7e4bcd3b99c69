import {
  PermanentError,
  type SettledFailure,
  type TemperedErrorOptions,
  TransientError,
  UsageError,
} from '@tempered/core';

/**
 * The release (or rollback) failed and the failure was handled: the target is consistent, the
 * release log says what happened, and re-running the same command starts a fresh attempt.
 * Exit 1. A core SettledFailure: applyPlan rethrows it as is (not as a partial run, exit 3) and
 * archives the journal, so the next run does not "resume".
 */
export class ReleaseFailedError extends PermanentError implements SettledFailure {
  override readonly code: string = 'E_RELEASE_FAILED';
  readonly settled = true as const;
  readonly release: string;
  readonly rolledBackTo: string | undefined;
  constructor(
    message: string,
    options: TemperedErrorOptions & { release: string; rolledBackTo?: string | undefined },
  ) {
    const { release, rolledBackTo, ...rest } = options;
    super(message, rest);
    this.name = 'ReleaseFailedError';
    this.release = release;
    this.rolledBackTo = rolledBackTo;
  }
}

/** The artifact is missing, empty, unreadable or unsafe (path escapes). Exit 2, nothing changed. */
export class ArtifactError extends UsageError {
  override readonly code: string = 'E_ARTIFACT';
  readonly artifact: string;
  constructor(message: string, options: TemperedErrorOptions & { artifact: string }) {
    const { artifact, ...rest } = options;
    super(message, rest);
    this.name = 'ArtifactError';
    this.artifact = artifact;
  }
}

/**
 * The target's filesystem has no room for the release, or would keep less free space than
 * `deploy.artifactLimits.minFreeSpace`. The half-made release directory is removed and `current`
 * never moved; the run is partial (exit 3): once there is room, re-running continues it.
 */
export class DiskFullError extends PermanentError {
  override readonly code: string = 'E_DISK_FULL';
  constructor(message: string, options: TemperedErrorOptions = {}) {
    super(message, options);
    this.name = 'DiskFullError';
  }
}

/**
 * The target's release log records a switch by a run holding a higher fencing token than this
 * run's lock: this run lost its lease to a later one, so it must not move `current`. A temporary failure
 * (75 on its own; as a failed action, core reports the run partial, 3): `current` is untouched
 * and a later run resumes from the journal.
 */
export class FencedSwitchError extends TransientError {
  override readonly code: string = 'E_FENCED';
  constructor(message: string, options: TemperedErrorOptions = {}) {
    super(message, options);
    this.name = 'FencedSwitchError';
  }
}
