export const ReleaseStatus = {
  /** Started, not yet verified: an interrupted run left it, or a run is on it right now. */
  Deploying: 'deploying',
  /** Switched to, hooks passed, health check passed. */
  Good: 'good',
  /** A hook or the health check failed; never chosen by an automatic rollback. */
  Failed: 'failed',
  /** An operator rolled back away from it; not chosen by a later rollback either. */
  RolledBack: 'rolled-back',
} as const;

export type ReleaseStatusValue = (typeof ReleaseStatus)[keyof typeof ReleaseStatus];

/** One release as the release log knows it. */
export interface ReleaseRecord {
  id: string;
  /** The --version it was deployed with, if any. */
  version?: string | undefined;
  /** `sha256:<hex>` of the artifact. */
  digest: string;
  /** The artifact path it was deployed from. */
  artifact: string;
  status: ReleaseStatusValue;
  /** `user@host` that deployed it last. */
  deployedBy: string;
  /** Start of its last deploy (ISO 8601). Records are ordered by it. */
  deployedAt: string;
  finishedAt?: string | undefined;
  durationMs?: number | undefined;
  runId: string;
  failure?: string | undefined;
  /** Set when keep-N cleanup removed its directory. */
  removedAt?: string | undefined;
  /** The run lock's fencing token of the run that last switched `current` to it (PostgreSQL state). */
  switchFence?: string | undefined;
}

/** The operation in flight; a run interrupted mid-way leaves it here, and the next run resumes it. */
export interface PendingOperation {
  kind: 'release' | 'rollback';
  /** The release being switched to. */
  release: string;
  /** Where `current` pointed before: the automatic rollback target of a release. */
  previous?: string | undefined;
  /** Release only: the artifact digest, so only the same artifact resumes the operation. */
  digest?: string | undefined;
  /** Names the journal steps of this attempt (see planRelease). */
  attempt: string;
  runId: string;
  startedAt: string;
}

export interface HistoryEvent {
  at: string;
  action: 'release' | 'rollback';
  release: string;
  previous?: string | undefined;
  outcome: 'good' | 'failed' | 'rolled-back' | 'superseded';
  by: string;
  runId: string;
  durationMs?: number | undefined;
  message?: string | undefined;
}

/** `release-log.json` at the target's root: the releases, the operation in flight, and what happened. */
export interface ReleaseLog {
  format: 1;
  /** Oldest deploy first. */
  releases: ReleaseRecord[];
  pending?: PendingOperation | undefined;
  /** Oldest first, capped. */
  history: HistoryEvent[];
  /**
   * The highest run-lock fencing token that switched `current` on this target: a run holding a
   * lower one lost its lease to a later run and must not switch (see release/fencing.ts).
   */
  switchFence?: string | undefined;
}

export function emptyLog(): ReleaseLog {
  return { format: 1, releases: [], history: [] };
}
