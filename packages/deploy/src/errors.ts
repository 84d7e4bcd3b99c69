import {
  ExitCode,
  type ExitCodeValue,
  InterruptedError,
  PartialError,
  PermanentError,
  type SettledFailure,
  type TemperedErrorOptions,
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
 * run's lock: this run lost its lease to a later one, so it must not move `current`. Exit 75
 * (temporary): `current` is untouched, the run stops before its next side effect and a later run
 * resumes from the journal. Core's applyPlan reports any other failed action as a partial run (3)
 * and lets only an interruption through as itself, journal kept and no finishing step run, which
 * is exactly this stop; so this is an interruption by a later run, not by a signal (its `signal`
 * means nothing and is never printed: errors are logged and reported by name, code, exit code,
 * message and hint).
 */
export class FencedSwitchError extends InterruptedError {
  override readonly code: string = 'E_FENCED';
  override readonly exitCode: ExitCodeValue = ExitCode.Temporary;
  constructor(message: string, options: TemperedErrorOptions = {}) {
    super('SIGTERM', options);
    this.name = 'FencedSwitchError';
    this.message = message;
    // the stack taken by super() opens with "interrupted by SIGTERM"
    Error.captureStackTrace(this, FencedSwitchError);
  }
}

/** Where one host of a fleet stood before a failed rollout, and where it was left. */
export interface FleetHostOutcome {
  host: string;
  before: string | null;
  after: string;
  rolledBack: boolean;
}

/**
 * A fleet rollout stopped on a failed host (a hook or its health check): that host and every
 * host this run had switched went back to the release each had before. Exit 3 (partial): the
 * fleet is consistent again; fix the release and deploy again.
 */
export class FleetFailedError extends PartialError implements SettledFailure {
  override readonly code: string = 'E_FLEET_FAILED';
  readonly settled = true as const;
  readonly release: string;
  readonly hosts: FleetHostOutcome[];
  constructor(
    message: string,
    options: TemperedErrorOptions & { release: string; hosts: FleetHostOutcome[] },
  ) {
    const { release, hosts, ...rest } = options;
    super(message, { hint: 'deploy status shows each host; fix the release and deploy again', ...rest });
    this.name = 'FleetFailedError';
    this.release = release;
    this.hosts = hosts;
  }
}
