import type { LockHandle, LockOwner, Logger } from '@tempered/core';
import type { ArtifactInfo, UnpackOptions } from '../artifact/index.js';
import type { ReleaseDir } from '../release/select.js';
import type { ReleaseLog } from '../release/types.js';

/** How a release directory is made from an artifact. */
export interface PrepareOptions extends UnpackOptions {
  /** A release directory of this id exists (a failed attempt): move it aside first. */
  replace: boolean;
}

/** What is on the target right now. */
export interface TargetState {
  /** False when the target directory does not exist yet (first deploy creates it). */
  exists: boolean;
  /** The release `current` points to, if it points to one. */
  current: string | undefined;
  /** Complete release directories (no work in progress). */
  releases: ReleaseDir[];
  /** Work in progress a killed run left under releases/ (`*.partial`, `*.removing`). */
  leftovers: string[];
}

export interface ExecOptions {
  timeoutMs: number;
  env: Record<string, string>;
  /** Each line of output, stdout and stderr, as it comes. */
  onLine: (stream: 'stdout' | 'stderr', line: string) => void;
}

export interface ExecResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  durationMs: number;
}

export interface TargetLockOptions {
  owner: LockOwner;
  waitMs: number;
  logger: Logger;
  signal?: AbortSignal;
}

/**
 * Where releases live. Every method is idempotent, so a run resumed after a crash can repeat the
 * step it died in. The local directory is the one kind today; an SSH target for several hosts
 * implements the same methods (each host in turn, `switchTo` last on all of them).
 */
export interface DeployTarget {
  /** `local` */
  readonly kind: string;
  /** Stable identity (names the run lock and journal), e.g. the absolute path. */
  readonly id: string;
  /** For messages: a path, or `host1,host2:/srv/app`. */
  readonly display: string;

  /** Throws UsageError (exit 2) when the target cannot hold releases (not a directory...). */
  inspect(): Promise<TargetState>;
  readLog(): Promise<ReleaseLog>;
  /** inspect() and readLog() together (one round trip to a remote host). */
  snapshot(): Promise<{ state: TargetState; log: ReleaseLog }>;
  writeLog(log: ReleaseLog): Promise<void>;

  /** `releases/<id>.partial` filled from the artifact, then renamed to `releases/<id>`. */
  prepareRelease(id: string, artifact: ArtifactInfo, options: PrepareOptions): Promise<void>;
  /** Links `shared/<path>` into the release, creating the shared path empty if missing. */
  linkShared(id: string, paths: readonly string[]): Promise<void>;
  /** Atomically points `current` at the release. */
  switchTo(id: string): Promise<void>;
  /** Removes a release directory; never the current one. */
  removeRelease(id: string): Promise<void>;
  removeLeftover(name: string): Promise<void>;
  /** Runs a shell command in the release directory. */
  exec(id: string, command: string, options: ExecOptions): Promise<ExecResult>;

  /** The target's own lock, held for a whole release or rollback (beside the run lock of the state dir). */
  lock(options: TargetLockOptions): Promise<LockHandle>;
  inspectLock(): Promise<LockOwner | undefined>;
  /** Removes a lock whose owner is gone; refuses (ConflictError) a live owner. */
  breakLock(): Promise<LockOwner | undefined>;
}
